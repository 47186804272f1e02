// Command telconform tests telco network APIs (CAMARA Number Verification, SIM Swap and the auth
// flows around them) for conformance: it runs each documented flow against a provider described
// by a TOML profile, checks every response and reports pass or fail with the evidence.
//
// With --report it runs headless for CI; with no profile it runs against its built-in sandbox.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
	"github.com/telconform/telconform/sandbox"
	"github.com/telconform/telconform/ui"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module version.
var version = ""

// Exit codes, as the README documents them.
const (
	exitOK          = 0
	exitFailed      = 1   // a check failed or a step could not run
	exitUsage       = 2   // bad usage or a bad profile
	exitInterrupted = 130 // interrupted; the report of what ran is still written
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C ends the process the ordinary way
	}()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, env: os.LookupEnv, isTerminal: stdoutIsTerminal}
	os.Exit(a.run(ctx, os.Args[1:]))
}

// app is the command line with its surroundings injected, so tests run it in-process.
type app struct {
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	isTerminal     func() bool
	// sandbox and sandboxClock configure the in-process sandbox of sandbox profiles; tests use
	// them to plant marker credentials and to pin time.
	sandbox      sandbox.Options
	sandboxClock func() time.Time
	// onEvent sees every runner event and onSandbox every sandbox a run started, after the run;
	// tests use them to interrupt a run part-way and to collect what the sandboxes issued.
	onEvent   func(flows.Event)
	onSandbox func(*sandbox.Sandbox)
}

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `telconform tests telco network APIs for conformance.

Usage:
  telconform [options]                                     the terminal UI
  telconform --report FILE [--report FILE]... [options]   run headless (CI)
  telconform flows                                         list the flows
  telconform profiles                                      list built-in and found profiles
  telconform validate FILE...                              check profiles and flow files
  telconform sandbox [--listen ADDR] [--fault NAME]...     serve the built-in sandbox
  telconform --version

Options:
  --report FILE     write a report; the format follows the extension (%s)
  --profile NAME    a built-in profile, NAME.toml on the profile path, or a file (repeatable);
                    default: every built-in sandbox profile
  --flow ID         run only this flow (repeatable)
  --var NAME=VALUE  set or override a profile variable (repeatable; not for secrets)
  --fault NAME      make the built-in sandbox deviate (repeatable; telconform sandbox -h lists them)
  --max-wait D      longest wait step to run against a real provider (default 0s: skip them)
  --walk WHO        who follows authorization redirects: agent (telconform) or device (a person
                    on the phone; headless runs take the callback from --var callback_STEP=URL)
  -v                print each step as it finishes (stderr)
  --callback-addr A where the UI listens for the phone's callback (default: the redirect
                    URI's address if it is on this machine, else 127.0.0.1:8765)
  --debug FILE      write the UI's debug log to FILE

Exit codes: 0 all checks passed, 1 a check failed or a step could not run,
2 bad usage or a bad profile, 130 interrupted (the report is still written).
`

func (a *app) usage() string {
	var exts []string
	for _, f := range reports.Formats() {
		exts = append(exts, f.Ext)
	}
	return fmt.Sprintf(usage, strings.Join(exts, ", "))
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "flows":
			return a.listFlows(args[1:])
		case "profiles":
			return a.listProfiles(args[1:])
		case "validate":
			return a.validate(args[1:])
		case "sandbox":
			return a.serveSandbox(ctx, args[1:])
		case "help":
			fmt.Fprint(a.stdout, a.usage())
			return exitOK
		}
	}
	return a.start(ctx, args)
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (a *app) fail(code int, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "telconform: "+format+"\n", args...)
	return code
}

// runOptions are the flags shared by the terminal UI and headless runs.
type runOptions struct {
	reports, profiles, flows, faults []string
	vars                             map[string]string
	maxWait                          time.Duration
	walk, debugFile, callbackAddr    string
	verbose                          bool
}

// parseRun reads the flags of a run; a non-zero code means stop with it (usage, help, version).
func (a *app) parseRun(args []string) (runOptions, int, bool) {
	fs := flag.NewFlagSet("telconform", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var reportPaths, profileNames, flowIDs, faults, vars listFlag
	fs.Var(&reportPaths, "report", "")
	fs.Var(&profileNames, "profile", "")
	fs.Var(&flowIDs, "flow", "")
	fs.Var(&faults, "fault", "")
	fs.Var(&vars, "var", "")
	o := runOptions{vars: map[string]string{}}
	fs.DurationVar(&o.maxWait, "max-wait", 0, "")
	fs.StringVar(&o.walk, "walk", "", "")
	fs.StringVar(&o.debugFile, "debug", "", "")
	fs.StringVar(&o.callbackAddr, "callback-addr", "", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(a.stdout, a.usage())
			return o, exitOK, true
		}
		return o, a.fail(exitUsage, "%v (telconform -h for usage)", err), true
	}
	if *showVersion {
		fmt.Fprintf(a.stdout, "telconform %s\n", toolVersion())
		return o, exitOK, true
	}
	if fs.NArg() > 0 {
		return o, a.fail(exitUsage, "unexpected argument %q (telconform -h for usage)", fs.Arg(0)), true
	}
	o.reports, o.profiles, o.flows, o.faults = reportPaths, profileNames, flowIDs, faults
	for _, p := range o.reports {
		if err := checkReportPath(p); err != nil {
			return o, a.fail(exitUsage, "%v", err), true
		}
	}
	for _, v := range vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return o, a.fail(exitUsage, "--var %q: write NAME=VALUE", v), true
		}
		o.vars[name] = value
	}
	if o.walk != "" && o.walk != flows.WalkAgent && o.walk != flows.WalkDevice {
		return o, a.fail(exitUsage, "--walk %s: use agent (telconform follows the redirects) or device (a person, on the phone)", o.walk), true
	}
	for _, f := range o.faults {
		if !knownFault(f) {
			return o, a.fail(exitUsage, "--fault %s: no such fault (telconform sandbox -h lists them)", f), true
		}
	}
	return o, exitOK, false
}

// start picks the front end: the terminal UI when no report is asked for, headless otherwise.
func (a *app) start(ctx context.Context, args []string) int {
	o, code, stop := a.parseRun(args)
	if stop {
		return code
	}
	if len(o.reports) > 0 {
		return a.headless(ctx, o)
	}
	if !a.isTerminal() {
		return a.fail(exitUsage, "stdout is not a terminal: run headless with --report FILE (for example: telconform --report report.xml)")
	}
	return a.interactive(ctx, o.profiles, ui.Options{
		Env: a.env, Vars: o.vars, MaxWait: o.maxWait, Walk: o.walk, CallbackAddr: o.callbackAddr,
		Sandbox: a.sandboxWith(o.faults), SandboxClock: a.sandboxClock, Version: toolVersion(),
	}, o.debugFile)
}

// headless loads and resolves every profile (reporting every problem before anything runs),
// runs the flows, writes the reports and maps the result to an exit code.
func (a *app) headless(ctx context.Context, o runOptions) int {
	profs, code := a.loadProfiles(o.profiles)
	if code != exitOK {
		return code
	}
	if len(o.faults) > 0 && !anySandbox(profs) {
		return a.fail(exitUsage, "--fault applies to the built-in sandbox, and none of the selected profiles runs against it")
	}
	if code := a.checkFlowFilter(profs, o.flows); code != exitOK {
		return code
	}
	so := a.sandboxWith(o.faults)
	var targets []*flows.Target
	var started []*profiles.Resolved
	var problems []string
	for _, p := range profs {
		if len(p.Selected(o.flows)) == 0 {
			continue
		}
		res, err := p.Resolve(profiles.Options{Env: a.env, Vars: o.vars, Flows: o.flows, MaxWait: o.maxWait,
			Sandbox: so, SandboxClock: a.sandboxClock, Walk: o.walk})
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		defer res.Close()
		started = append(started, res)
		targets = append(targets, res.Target)
	}
	if len(problems) > 0 {
		fmt.Fprintln(a.stderr, strings.Join(problems, "\n"))
		return exitUsage
	}

	runner := &flows.Runner{UserAgent: "telconform/" + toolVersion(), StepTimeout: 30 * time.Second}
	emit := func(e flows.Event) {
		if o.verbose {
			a.progress(e)
		}
		if a.onEvent != nil {
			a.onEvent(e)
		}
	}
	run := runner.Run(ctx, targets, emit)
	for _, res := range started {
		if res.Sandbox != nil && a.onSandbox != nil {
			a.onSandbox(res.Sandbox)
		}
	}

	meta := reports.Meta{Tool: "telconform", Version: toolVersion()}
	var written []string
	writeFailed := false
	for _, p := range o.reports {
		if err := reports.WriteFile(p, &run, meta); err != nil {
			fmt.Fprintf(a.stderr, "telconform: %v\n", err)
			writeFailed = true
			continue
		}
		written = append(written, p)
	}
	reports.Summary(a.stdout, &run, meta, written)
	switch {
	case run.Interrupted:
		return exitInterrupted
	case writeFailed:
		return exitUsage
	case run.Status == checks.Fail || run.Status == checks.Error:
		return exitFailed
	}
	return exitOK
}

// sandboxWith is the sandbox configuration with the command line's faults added.
func (a *app) sandboxWith(faults []string) sandbox.Options {
	so := a.sandbox
	so.Faults = append(append([]string(nil), so.Faults...), faults...)
	return so
}

// interactive runs the terminal UI. Profiles named on the command line are loaded first, so a
// broken one is reported on stderr with exit 2 before the screen is taken over.
func (a *app) interactive(ctx context.Context, names []string, opts ui.Options, debugFile string) int {
	if len(names) > 0 {
		profs, code := a.loadProfiles(names)
		if code != exitOK {
			return code
		}
		opts.Profiles = profs
	}
	if debugFile != "" {
		f, err := os.OpenFile(debugFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return a.fail(exitUsage, "--debug: %v", err)
		}
		defer f.Close()
		opts.Log = log.New(f, "", log.LstdFlags|log.Lmicroseconds)
	}
	if err := ui.Run(ctx, opts, os.Stdin, os.Stdout); err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return a.fail(exitFailed, "terminal UI: %v", err)
	}
	return exitOK
}

// progress prints a line per finished step, for -v.
func (a *app) progress(e flows.Event) {
	if d, ok := e.(flows.StepDone); ok {
		line := fmt.Sprintf("%-5s %s / %s / %s", strings.ToUpper(string(d.Result.Status)), d.Target, d.Flow, d.Result.ID)
		if d.Result.Reason != "" {
			line += ": " + d.Result.Reason
		}
		fmt.Fprintln(a.stderr, line)
	}
}

// checkReportPath refuses, before anything runs, a report the run could not write: an unknown
// extension or a directory that does not exist.
func checkReportPath(path string) error {
	if _, err := reports.ForPath(path); err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("--report %s: directory %s does not exist", path, dir)
	}
	return nil
}

func knownFault(name string) bool {
	for _, f := range sandbox.Faults() {
		if f.Name == name {
			return true
		}
	}
	return false
}

func anySandbox(ps []*profiles.Profile) bool {
	for _, p := range ps {
		if p.Sandbox != "" {
			return true
		}
	}
	return false
}

// loadProfiles finds every profile named on the command line (or the built-in sandbox ones),
// reporting every problem before returning.
func (a *app) loadProfiles(names []string) ([]*profiles.Profile, int) {
	if len(names) == 0 {
		builtin, err := profiles.Builtin()
		if err != nil {
			return nil, a.fail(exitUsage, "built-in profiles are broken: %v", err)
		}
		var out []*profiles.Profile
		for _, p := range builtin {
			if p.Sandbox != "" {
				out = append(out, p)
			}
		}
		return out, exitOK
	}
	dirs := profiles.SearchPath(a.env)
	var out []*profiles.Profile
	var problems []string
	for _, n := range names {
		p, err := profiles.Find(n, dirs)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		out = append(out, p)
	}
	if len(problems) > 0 {
		fmt.Fprintln(a.stderr, strings.Join(problems, "\n"))
		return nil, exitUsage
	}
	return out, exitOK
}

// checkFlowFilter makes sure every --flow names a flow some selected profile can run.
func (a *app) checkFlowFilter(ps []*profiles.Profile, ids []string) int {
	for _, id := range ids {
		found := false
		for _, p := range ps {
			if _, ok := p.Catalog().Lookup(id); ok {
				found = true
			}
		}
		if !found {
			return a.fail(exitUsage, "--flow %s: no selected profile has this flow (telconform flows lists them)", id)
		}
	}
	return exitOK
}

func (a *app) listFlows(args []string) int {
	if len(args) > 0 {
		return a.fail(exitUsage, "flows takes no arguments")
	}
	cat, err := flows.Builtin()
	if err != nil {
		return a.fail(exitUsage, "built-in flows are broken: %v", err)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "FLOW\tSTEPS\tTITLE")
	for _, f := range cat.All() {
		fmt.Fprintf(w, "%s\t%d\t%s\n", f.ID, len(f.Steps), f.Title)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "\nCheck packs: %s\n", strings.Join(checks.PackNames(), ", "))
	return exitOK
}

func (a *app) listProfiles(args []string) int {
	if len(args) > 0 {
		return a.fail(exitUsage, "profiles takes no arguments")
	}
	builtin, err := profiles.Builtin()
	if err != nil {
		return a.fail(exitUsage, "built-in profiles are broken: %v", err)
	}
	dirs := profiles.SearchPath(a.env)
	found, problems := profiles.Discover(dirs)
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tFLOWS\tSOURCE\tTITLE\tENVIRONMENT")
	for _, p := range append(builtin, found...) {
		source := p.Source
		if p.BuiltIn {
			source = "built-in"
		}
		env := "ready"
		if missing := p.MissingEnv(a.env); len(missing) > 0 {
			env = "needs " + strings.Join(missing, " ")
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", p.Name, len(p.Flows), source, p.Title, env)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "\nProfile path: %s\n", strings.Join(dirs, string(os.PathListSeparator)))
	for _, e := range problems {
		fmt.Fprintf(a.stderr, "%v\n", e)
	}
	if len(problems) > 0 {
		return exitUsage
	}
	return exitOK
}

// validate checks profiles and flow files without running anything. A file with [[flow]] tables
// is read as a flow file, anything else as a profile. Environment variables a profile reads are
// not required here (CI validates without secrets); they are listed.
func (a *app) validate(files []string) int {
	if len(files) == 0 {
		return a.fail(exitUsage, "validate needs at least one file")
	}
	code := exitOK
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			code = a.fail(exitUsage, "%v", err)
			continue
		}
		if isFlowFile(data) {
			fl, err := flows.Parse(path, data)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				code = exitUsage
				continue
			}
			fmt.Fprintf(a.stdout, "ok  %s: %d flows\n", path, len(fl))
			continue
		}
		p, err := profiles.Load(path)
		if err != nil {
			fmt.Fprintln(a.stderr, err)
			code = exitUsage
			continue
		}
		if missing := p.Needs(p.SelectedFlows(), nil); len(missing) > 0 {
			for _, id := range slices.Sorted(maps.Keys(missing)) {
				fmt.Fprintf(a.stderr, "%s: flow %s needs %s: add them under [vars]\n", path, id, strings.Join(missing[id], ", "))
			}
			code = exitUsage
			continue
		}
		line := fmt.Sprintf("ok  %s: profile %s, %d flows", path, p.Name, len(p.SelectedFlows()))
		if env := p.EnvNames(); len(env) > 0 {
			line += "; reads " + strings.Join(env, " ")
		}
		fmt.Fprintln(a.stdout, line)
	}
	return code
}

func isFlowFile(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "[[flow]]" {
			return true
		}
	}
	return false
}

// serveSandbox serves the built-in sandbox until interrupted, for people and other tools.
func (a *app) serveSandbox(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "127.0.0.1:8080", "")
	provider := fs.String("provider", "konera", "")
	var faults listFlag
	fs.Var(&faults, "fault", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.sandboxHelp()
			return exitOK
		}
		return a.fail(exitUsage, "sandbox: %v (telconform sandbox -h for usage)", err)
	}
	opts := a.sandbox
	opts.Faults = append(opts.Faults, faults...)
	sb, err := sandbox.New(*provider, opts)
	if err != nil {
		return a.fail(exitUsage, "sandbox: %v", err)
	}
	srv, err := sandbox.Listen(*listen, sb)
	if err != nil {
		return a.fail(exitUsage, "sandbox: %v", err)
	}
	values := sb.Values(srv.URL)
	fmt.Fprintf(a.stdout, "%s sandbox on %s (client_id %s, redirect_uri %s; faults: %s). Ctrl-C stops it.\n",
		*provider, srv.URL, values["client_id"], values["redirect_uri"], orNone(faults))
	<-ctx.Done()
	_ = srv.Close()
	return exitOK
}

func (a *app) sandboxHelp() {
	fmt.Fprintf(a.stdout, "Usage: telconform sandbox [--listen ADDR] [--provider NAME] [--fault NAME]...\n\n")
	fmt.Fprintf(a.stdout, "Providers: %s\n\nFaults:\n", strings.Join(sandbox.Providers(), ", "))
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, f := range sandbox.Faults() {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", f.Name, f.Provider, f.Description)
	}
	w.Flush()
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func stdoutIsTerminal() bool {
	st, err := os.Stdout.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
