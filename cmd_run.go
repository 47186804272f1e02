package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/internal/termtext"
	"github.com/telconform/telconform/internal/tomlfile"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
	"github.com/telconform/telconform/sandbox"
	"github.com/telconform/telconform/ui"
)

// runOptions are the flags shared by the terminal UI and headless runs.
type runOptions struct {
	reports, profiles, flows, faults []string
	tolerances                       []string
	vars                             map[string]string
	maxWait, timeout                 time.Duration
	walk, debugFile, callbackAddr    string
	verbose, version                 bool
}

// runFlags defines the flags of a run on fs, filling o.
func runFlags(fs *flag.FlagSet, o *runOptions) (vars *listFlag) {
	vars = &listFlag{}
	reportPaths, profileNames, flowIDs := (*listFlag)(&o.reports), (*listFlag)(&o.profiles), (*listFlag)(&o.flows)
	faults, tolerances := (*listFlag)(&o.faults), (*listFlag)(&o.tolerances)
	exts := make([]string, 0, len(reports.Formats()))
	for _, f := range reports.Formats() {
		exts = append(exts, f.Ext)
	}
	fs.Var(reportPaths, "report", "run headless and write a report to `FILE`; the extension picks the format ("+strings.Join(exts, ", ")+"); repeatable")
	fs.Var(profileNames, "profile", "a built-in profile, `NAME`.toml on the profile path, or a file; repeatable; default: every built-in sandbox profile")
	fs.Var(flowIDs, "flow", "run only the flow `ID`; repeatable")
	fs.Var(vars, "var", "set or override a profile variable, `NAME=VALUE`, in every selected profile; not for secrets; repeatable")
	fs.Var(faults, "fault", "make a built-in sandbox deviate in the way `PROVIDER/NAME` says (a bare NAME when one selected sandbox has it); repeatable; telconform sandbox -h lists them")
	fs.Var(tolerances, "tolerance", "make a built-in sandbox behave in a way the standards allow, `PROVIDER/NAME` (every check must still pass); repeatable; telconform sandbox -h lists them")
	fs.DurationVar(&o.maxWait, "max-wait", 0, "run wait steps against real providers up to this `DURATION`; longer ones are skipped with the reason")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give each request at most this `DURATION`")
	fs.StringVar(&o.walk, "walk", "", "who follows authorization redirects: `WHO` is agent (telconform) or device (a person, on the phone; headless runs take the callback from --var callback_STEP=URL)")
	fs.StringVar(&o.callbackAddr, "callback-addr", "", "the `ADDRESS` where the terminal UI listens for the phone's callback (default: the redirect URI's address when it is on this machine, else 127.0.0.1:8765)")
	fs.StringVar(&o.debugFile, "debug", "", "write the terminal UI's debug log to `FILE`")
	fs.BoolVar(&o.verbose, "v", false, "print each step as it finishes, on stderr")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return
}

const usageHead = `telconform tests telco network APIs for conformance.

Usage:
  telconform [options]                     the terminal UI
  telconform --report FILE [options]       run headless (CI)
  telconform flows                         list the flows and check packs
  telconform profiles                      list built-in and found profiles
  telconform validate FILE...              check profiles and flow files
  telconform sandbox [options]             serve a built-in sandbox (telconform sandbox -h)

Options:
`

const usageTail = `
Exit codes: 0 every check passed, 1 a check failed or a step could not run,
2 bad usage or a bad profile, 130 interrupted (the report of what ran is still written).
`

func (a *app) usage() string {
	fs := newFlagSet("telconform")
	runFlags(fs, &runOptions{})
	return usageHead + helpText(fs) + usageTail
}

// parseRun reads the flags of a run; stop means return code at once (usage, help, version).
func (a *app) parseRun(args []string) (o runOptions, code int, stop bool) {
	fs := newFlagSet("telconform")
	vars := runFlags(fs, &o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(a.stdout, a.usage())
			return o, exitOK, true
		}
		return o, a.fail(exitUsage, "%v (telconform -h for usage)", err), true
	}
	if o.version {
		fmt.Fprintf(a.stdout, "telconform %s\n", toolVersion())
		return o, exitOK, true
	}
	if fs.NArg() > 0 {
		return o, a.fail(exitUsage, "unexpected argument %q (telconform -h for usage)", fs.Arg(0)), true
	}
	for _, p := range o.reports {
		if err := checkReportPath(p); err != nil {
			return o, a.fail(exitUsage, "%v", err), true
		}
	}
	o.vars = map[string]string{}
	for _, v := range *vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return o, a.fail(exitUsage, "--var %q: write NAME=VALUE", v), true
		}
		o.vars[name] = value
	}
	if o.walk != "" && o.walk != flows.WalkAgent && o.walk != flows.WalkDevice {
		return o, a.fail(exitUsage, "--walk %s: use agent (telconform follows the redirects) or device (a person, on the phone)", o.walk), true
	}
	if o.maxWait < 0 {
		return o, a.fail(exitUsage, "--max-wait %s: a wait cannot be negative; give a duration such as 10m (0, the default, skips every wait step)", o.maxWait), true
	}
	if o.timeout <= 0 {
		return o, a.fail(exitUsage, "--timeout %s: give a positive duration, such as 30s", o.timeout), true
	}
	for _, f := range o.faults {
		if !knownFault(f) {
			return o, a.fail(exitUsage, "--fault %s: no such fault (telconform sandbox -h lists them)", f), true
		}
	}
	for _, f := range o.tolerances {
		if !knownTolerance(f) {
			return o, a.fail(exitUsage, "--tolerance %s: no such tolerance (telconform sandbox -h lists them)", f), true
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
	return a.interactive(ctx, o)
}

func (a *app) launchOptions(o runOptions) launch.Options {
	return launch.Options{Env: a.env, Vars: o.vars, Flows: o.flows, MaxWait: o.maxWait, Walk: o.walk,
		Faults: o.faults, Tolerances: o.tolerances, SandboxClock: a.sandboxClock, Sandbox: a.sandbox}
}

func (a *app) runner(o runOptions) *flows.Runner {
	return &flows.Runner{UserAgent: "telconform/" + toolVersion(), StepTimeout: o.timeout}
}

// headless loads and prepares every profile (reporting every problem before anything runs),
// runs the flows, writes the reports and maps the result to an exit code.
func (a *app) headless(ctx context.Context, o runOptions) int {
	profs, code := a.loadProfiles(o.profiles)
	if code != exitOK {
		return code
	}
	if code := a.checkFlowFilter(profs, o.flows); code != exitOK {
		return code
	}
	if code := a.checkVarNames(profs, o); code != exitOK {
		return code
	}
	prepared, err := launch.Prepare(profs, a.launchOptions(o))
	if err != nil {
		fmt.Fprintln(a.stderr, err)
		return exitUsage
	}
	defer prepared.Close()
	var emitting sync.Mutex // profiles run side by side; their progress lines do not interleave mid-line
	emit := func(e flows.Event) {
		emitting.Lock()
		defer emitting.Unlock()
		if o.verbose {
			a.progress(e)
		}
		if a.onEvent != nil {
			a.onEvent(e)
		}
	}
	run := a.runner(o).NewDriver(prepared.Targets, emit).RunAll(ctx)
	if a.onSandbox != nil {
		for _, t := range prepared.Targets {
			if sb := prepared.Sandboxes[t.Name]; sb != nil {
				a.onSandbox(sb)
			}
		}
	}
	meta := reports.Meta{Tool: "telconform", Version: toolVersion()}
	var written []string
	writeFailed := false
	abort := a.abort
	if abort == nil {
		abort = context.Background()
	}
	// The reports are written side by side (they only read the run); what each did is told in the
	// order they were asked for.
	errs := make([]error, len(o.reports))
	var wg sync.WaitGroup
	for i, p := range o.reports {
		wg.Go(func() { errs[i] = reports.WriteFile(abort, p, &run, meta) })
	}
	wg.Wait()
	for i, p := range o.reports {
		if err := errs[i]; err != nil {
			if errors.Is(err, errInterruptedAgain) {
				fmt.Fprintf(a.stderr, "telconform: %s not written (interrupted a second time): any previous report there is as it was\n", p)
			} else {
				fmt.Fprintf(a.stderr, "telconform: %v\n", err)
			}
			writeFailed = true
			continue
		}
		written = append(written, p)
	}
	reports.Summary(a.stdout, &run, meta, written)
	switch {
	case run.Interrupted || abort.Err() != nil:
		return exitInterrupted
	case writeFailed:
		return exitUsage
	case run.Status == checks.Fail || run.Status == checks.Error:
		return exitFailed
	}
	return exitOK
}

// interactive runs the terminal UI. Profiles named on the command line are loaded first, so a
// broken one is reported on stderr with exit 2 before the screen is taken over.
func (a *app) interactive(ctx context.Context, o runOptions) int {
	opts := ui.Options{Launch: a.launchOptions(o), Runner: a.runner(o), CallbackAddr: o.callbackAddr, Version: toolVersion()}
	var checked []*profiles.Profile
	if len(o.profiles) > 0 {
		profs, code := a.loadProfiles(o.profiles)
		if code != exitOK {
			return code
		}
		opts.Profiles, checked = profs, profs
	} else {
		// --flow and --var apply to whichever profile the person picks: check them against all.
		builtin, _ := profiles.Builtin()
		found, _ := profiles.Discover(profiles.SearchPath(a.env))
		checked = append(builtin, found...)
	}
	if code := a.checkFlowFilter(checked, o.flows); code != exitOK {
		return code
	}
	if len(o.faults)+len(o.tolerances) > 0 {
		if _, err := launch.Check(checked, a.launchOptions(o)); err != nil {
			fmt.Fprintln(a.stderr, err)
			return exitUsage
		}
	}
	if len(o.vars) > 0 {
		if code := a.checkVarNames(checked, o); code != exitOK {
			return code
		}
	}
	if o.debugFile != "" {
		f, err := os.OpenFile(o.debugFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return a.fail(exitUsage, "--debug: %v", err)
		}
		defer f.Close()
		opts.Log = log.New(f, "", log.LstdFlags|log.Lmicroseconds)
	}
	status, err := ui.Run(ctx, opts, os.Stdin, os.Stdout)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		return a.fail(exitFailed, "terminal UI: %v", err)
	}
	return status
}

// progress prints a line per finished step, for -v.
func (a *app) progress(e flows.Event) {
	if d, ok := e.(flows.StepDone); ok {
		line := fmt.Sprintf("%-5s %s / %s / %s", strings.ToUpper(string(d.Result.Status)), d.Target, d.Flow, d.Result.ID)
		if d.Result.Reason != "" {
			line += ": " + d.Result.Reason
		}
		fmt.Fprintln(a.stderr, termtext.Line(line))
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
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--report %s: that is a directory; name a file in it", path)
	}
	// Reports are written to a temporary file beside path, then renamed over it: try that now,
	// so that an unwritable directory is found before the run, not after.
	probe, err := os.CreateTemp(dir, ".telconform-probe-*")
	if err != nil {
		return fmt.Errorf("--report %s: cannot write in %s (%v)", path, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// knownTolerance reports whether some sandbox has the tolerance, as provider/name or as a bare name.
func knownTolerance(name string) bool {
	return slices.ContainsFunc(sandbox.Tolerances(), func(t sandbox.Tolerance) bool { return t.Name == name || t.ID() == name })
}

// knownFault reports whether some sandbox has the fault, as provider/name or as a bare name.
func knownFault(name string) bool {
	return slices.ContainsFunc(sandbox.Faults(), func(f sandbox.Fault) bool { return f.Name == name || f.ID() == name })
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
	var problems []error
	for _, n := range names {
		p, err := profiles.Find(n, dirs)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		// Reports, the interface and --var all tell profiles apart by name.
		if i := slices.IndexFunc(out, func(q *profiles.Profile) bool { return q.Name == p.Name }); i >= 0 {
			msg := fmt.Sprintf("%q is also the name of %s, selected before it: give one of them another name", p.Name, out[i].Source)
			if out[i].Source == p.Source {
				msg = fmt.Sprintf("profile %s is selected twice: name it once", p.Name)
			}
			problems = append(problems, p.ErrAt("name", msg))
			continue
		}
		out = append(out, p)
	}
	if len(problems) > 0 {
		a.printProblems(problems)
		return nil, exitUsage
	}
	return out, exitOK
}

// maxProblems is how many problems a run prints before it points at validate: a profile
// generated wrong can have thousands, and the first few say what to fix.
const maxProblems = 10

// printProblems writes one line per problem, the first maxProblems of them, then how many more
// there are and the command that lists them all.
func (a *app) printProblems(problems []error) {
	var lines, files []string
	for _, err := range problems {
		lines = append(lines, strings.Split(err.Error(), "\n")...)
		fes, _ := tomlfile.AsFileErrors(err)
		for _, fe := range fes {
			// Quoted when a shell would split it, so the command can be pasted as it is.
			f := fe.File
			if strings.ContainsAny(f, " \t'\"\\$`") {
				f = "'" + strings.ReplaceAll(f, "'", `'\''`) + "'"
			}
			if !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	if len(lines) <= maxProblems {
		fmt.Fprintln(a.stderr, strings.Join(lines, "\n"))
		return
	}
	fmt.Fprintln(a.stderr, strings.Join(lines[:maxProblems], "\n"))
	if len(files) == 0 {
		files = []string{"FILE"}
	}
	a.fail(exitUsage, "and %d more problems: telconform validate %s lists every one", len(lines)-maxProblems, strings.Join(files, " "))
}

// checkVarNames makes sure every --var names a variable some selected profile's flows use, so
// that a misspelt name is not silently ignored.
func (a *app) checkVarNames(ps []*profiles.Profile, o runOptions) int {
	var known []string
	for _, p := range ps {
		for _, n := range p.Settable(p.Selected(o.flows)) {
			if !slices.Contains(known, n) {
				known = append(known, n)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.vars)) {
		for _, p := range ps {
			if msg := p.VarURLProblem(name, o.vars[name], o.flows); msg != "" {
				return a.fail(exitUsage, "--var %s: %s", name, msg)
			}
		}
		if slices.Contains(known, name) {
			continue
		}
		msg := fmt.Sprintf("--var %s: no selected flow uses a variable %q", name, name)
		if s := tomlfile.Closest(name, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else {
			msg += " (they take " + strings.Join(known, ", ") + ")"
		}
		return a.fail(exitUsage, "%s", msg)
	}
	return exitOK
}

// checkFlowFilter makes sure every --flow names a flow some selected profile can run.
func (a *app) checkFlowFilter(ps []*profiles.Profile, ids []string) int {
	for _, id := range ids {
		found := slices.ContainsFunc(ps, func(p *profiles.Profile) bool { return p.Offers(id) })
		if !found {
			return a.fail(exitUsage, "--flow %s: no selected profile has this flow (telconform flows lists them)", id)
		}
	}
	return exitOK
}
