// Package launch prepares a run for both front ends: it resolves the selected profiles, starts
// the in-process sandbox of each sandbox profile (with its own faults and a simulated clock it
// shares with the engine), and opens the listeners the flows declare. Headless mode and the
// terminal UI both start here, hand the targets to a flows.Driver, and Close the run at the end.
package launch

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/listen"
	"github.com/telconform/telconform/internal/tomlfile"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

// Options say how to prepare a run.
type Options struct {
	// Env looks up environment variables; nil means none are set.
	Env func(string) (string, bool)
	// Vars override profile variables (--var).
	Vars map[string]string
	// Flows restricts the run to these flow ids (--flow); empty means every flow of each profile.
	Flows []string
	// MaxWait bounds wait steps against real providers (--max-wait).
	MaxWait time.Duration
	// Walk overrides who follows authorization redirects (--walk).
	Walk string
	// Faults are sandbox faults as a person names them: provider/name, or a bare name that one
	// selected sandbox has (--fault).
	Faults []string
	// Tolerances are sandbox tolerances, named the same way (--tolerance): behaviours the
	// standards allow, under which every check must still pass.
	Tolerances []string
	// SandboxClock is the base of each sandbox's simulated clock; nil means time.Now.
	SandboxClock func() time.Time
	// Sandbox configures every sandbox started (tests plant marker credentials with it); its
	// Faults and Now are set per sandbox here.
	Sandbox sandbox.Options
}

// Run is a prepared run: targets ready for the engine, and what was started for them.
type Run struct {
	Targets []*flows.Target
	// Sandboxes are the sandboxes started, by target name.
	Sandboxes map[string]*sandbox.Sandbox
	closers   []func() error
}

// Close stops everything the run started: sandboxes and listeners.
func (r *Run) Close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		_ = r.closers[i]()
	}
	r.closers = nil
}

// Switches are the faults and tolerances to switch on, by sandbox provider.
type Switches struct {
	Faults, Tolerances map[string][]string
}

// For lists one sandbox provider's switches as the command line names them, provider/name:
// what a run of that provider's profile alone takes.
func (s Switches) For(provider string) (faults, tolerances []string) {
	for _, f := range s.Faults[provider] {
		faults = append(faults, provider+"/"+f)
	}
	for _, t := range s.Tolerances[provider] {
		tolerances = append(tolerances, provider+"/"+t)
	}
	return faults, tolerances
}

// Check finds what is wrong with profiles for a run before anything starts: a sandbox provider
// telconform does not have, faults or tolerances that name no selected sandbox. It is what
// Prepare checks first, and what validate reports.
func Check(profs []*profiles.Profile, opts Options) (Switches, error) {
	var errs tomlfile.FileErrors
	var providers []string
	for _, p := range profs {
		if p.Sandbox == "" {
			continue
		}
		if !sandbox.Known(p.Sandbox) {
			errs = append(errs, p.ErrAt("sandbox", fmt.Sprintf("no built-in sandbox %q: use one of %s", p.Sandbox, strings.Join(sandbox.Providers(), ", "))))
			continue
		}
		if len(p.Selected(opts.Flows)) > 0 && !slices.Contains(providers, p.Sandbox) {
			providers = append(providers, p.Sandbox)
		}
	}
	if len(errs) > 0 {
		return Switches{}, errs
	}
	if len(opts.Faults)+len(opts.Tolerances) > 0 && len(providers) == 0 {
		flag := "--fault"
		if len(opts.Faults) == 0 {
			flag = "--tolerance"
		}
		return Switches{}, fmt.Errorf("%s applies to the built-in sandbox, and none of the selected profiles runs against it", flag)
	}
	faults, err := sandbox.ResolveFaults(opts.Faults, providers)
	if err != nil {
		return Switches{}, err
	}
	tolerances, err := sandbox.ResolveTolerances(opts.Tolerances, providers)
	if err != nil {
		return Switches{}, err
	}
	return Switches{Faults: faults, Tolerances: tolerances}, nil
}

// Prepare resolves every profile that has selected flows, starts what they need and returns the
// run. Every problem is reported before anything is left running: on error nothing stays open.
func Prepare(profs []*profiles.Profile, opts Options) (*Run, error) {
	switches, err := Check(profs, opts)
	if err != nil {
		return nil, err
	}
	run := &Run{Sandboxes: map[string]*sandbox.Sandbox{}}
	var problems []string
	for _, p := range profs {
		if len(p.Selected(opts.Flows)) == 0 {
			continue
		}
		t, err := run.prepare(p, opts, switches.Faults[p.Sandbox], switches.Tolerances[p.Sandbox])
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		run.Targets = append(run.Targets, t)
	}
	if len(problems) > 0 {
		run.Close()
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return run, nil
}

func (run *Run) prepare(p *profiles.Profile, opts Options, faults, tolerances []string) (*flows.Target, error) {
	ro := profiles.Options{Env: opts.Env, Vars: opts.Vars, Flows: opts.Flows, MaxWait: opts.MaxWait, Walk: opts.Walk}
	var sim *flows.SimClock
	var sb *sandbox.Sandbox
	if p.Sandbox != "" {
		sim = flows.NewSimClock(opts.SandboxClock)
		so := opts.Sandbox
		so.Faults, so.Tolerances, so.Now = faults, tolerances, sim.Now
		var err error
		if sb, err = sandbox.New(p.Sandbox, so); err != nil {
			return nil, p.ErrAt("sandbox", err.Error())
		}
		srv, err := sandbox.Listen("127.0.0.1:0", sb)
		if err != nil {
			return nil, p.ErrAt("sandbox", "cannot start the sandbox: "+err.Error())
		}
		run.closers = append(run.closers, srv.Close)
		ro.SandboxValues = sb.Values(srv.URL)
	}
	t, err := p.Resolve(ro)
	if err != nil {
		return nil, err
	}
	if sim != nil {
		t.Clock, t.MaxWait = sim, -1 // waits cost nothing on the simulated clock
		run.Sandboxes[t.Name] = sb
		for _, f := range faults {
			t.Faults = append(t.Faults, p.Sandbox+"/"+f)
		}
		for _, f := range tolerances {
			t.Tolerances = append(t.Tolerances, p.Sandbox+"/"+f)
		}
	}
	t.Listeners = map[string]flows.Listener{}
	for _, f := range t.Flows {
		for _, spec := range f.Listeners {
			settings := t.ListenerSettings[spec.Name]
			path := spec.Path
			if path == "" {
				path = "/" + spec.Name
			}
			l, err := listen.Open(listen.Options{Addr: settings.Bind, PublicURL: settings.PublicURL, Path: path, Now: clockNow(t)})
			if err != nil {
				return nil, p.ErrAt("listeners."+spec.Name, fmt.Sprintf("cannot open the %s listener of flow %s: %v", spec.Name, f.ID, err))
			}
			run.closers = append(run.closers, l.Close)
			t.Listeners[flows.ListenerKey(f.ID, spec.Name)] = l
		}
	}
	return t, nil
}

func clockNow(t *flows.Target) func() time.Time {
	if t.Clock != nil {
		return t.Clock.Now
	}
	return time.Now
}

// FaultIDs lists every fault of the given providers as provider/name, for help and validation.
func FaultIDs(providers []string) []string {
	var ids []string
	for _, f := range sandbox.Faults() {
		if len(providers) == 0 || slices.Contains(providers, f.Provider) {
			ids = append(ids, f.ID())
		}
	}
	return ids
}

// Providers lists the sandbox providers profs run against, sorted.
func Providers(profs []*profiles.Profile) []string {
	set := map[string]bool{}
	for _, p := range profs {
		if p.Sandbox != "" {
			set[p.Sandbox] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
