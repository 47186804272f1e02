package ui

import (
	"context"
	"maps"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/profiles"
)

// engine is one profile's run in the interface: what launch prepared (its sandbox, its
// listeners), the driver that sequences its steps, serving in a goroutine, and the channel its
// events arrive on. The interface never runs a step itself: it sends the driver what the person
// asks for and draws the events that come back.
type engine struct {
	profile  *profiles.Profile
	target   *flows.Target
	prepared *launch.Run // nil in tests that draw screens without a sandbox
	driver   *flows.Driver
	events   chan flows.Event
	stop     context.CancelFunc
	done     chan struct{}
}

// newEngine starts a driver for target; its events go to a channel the interface reads. Called
// from a command only: it starts a goroutine.
func newEngine(p *profiles.Profile, prepared *launch.Run, target *flows.Target, runner *flows.Runner) *engine {
	ctx, cancel := context.WithCancel(context.Background())
	e := &engine{profile: p, target: target, prepared: prepared, events: make(chan flows.Event, 256),
		stop: cancel, done: make(chan struct{})}
	e.driver = runner.NewDriver([]*flows.Target{target}, func(ev flows.Event) {
		select {
		case e.events <- printable(ev):
		case <-ctx.Done():
		}
	})
	go func() {
		defer close(e.done)
		e.driver.Serve(ctx)
	}()
	return e
}

// close stops the driver (cancelling a step under way) and what launch started.
func (e *engine) close() {
	e.stop()
	e.driver.Cancel()
	<-e.done
	if e.prepared != nil {
		e.prepared.Close()
	}
}

// engineReadyMsg carries a profile made ready to run (sandbox started, listeners open, driver
// serving), or why it could not be.
type engineReadyMsg struct {
	profile *profiles.Profile
	engine  *engine
	err     error
}

// needValuesMsg says what a profile lacks before it can run: variables its flows need and
// environment variables it reads that are not set.
type needValuesMsg struct {
	profile *profiles.Profile
	vars    []string
	env     []string
}

// given is what the person typed for a profile in the values dialog.
type given struct {
	vars map[string]string
	env  map[string]string
}

// prepareCmd makes a profile ready to run with the values the person typed (given) on top of
// --var and the environment, or says which values are still missing.
func prepareCmd(p *profiles.Profile, opts Options, g given, runner *flows.Runner) tea.Cmd {
	return func() tea.Msg {
		lo := opts.Launch
		// The faults and tolerances are the command line's, for every profile the picker offers:
		// this profile, run alone, takes those of its own sandbox.
		if switches, err := launch.Check(picked(p, opts), lo); err == nil {
			lo.Faults, lo.Tolerances = switches.For(p.Sandbox)
		}
		lo.Vars = map[string]string{}
		maps.Copy(lo.Vars, opts.Launch.Vars)
		maps.Copy(lo.Vars, g.vars)
		env := opts.env()
		lo.Env = func(name string) (string, bool) {
			if v, ok := g.env[name]; ok {
				return v, true
			}
			return env(name)
		}
		var missingVars []string
		needs := p.Needs(p.Selected(lo.Flows), lo.Vars)
		for _, id := range slices.Sorted(maps.Keys(needs)) {
			for _, n := range needs[id] {
				if !slices.Contains(missingVars, n) {
					missingVars = append(missingVars, n)
				}
			}
		}
		if missingEnv := p.MissingEnv(lo.Env); len(missingVars) > 0 || len(missingEnv) > 0 {
			return needValuesMsg{profile: p, vars: missingVars, env: missingEnv}
		}
		prepared, err := launch.Prepare([]*profiles.Profile{p}, lo)
		if err != nil {
			return engineReadyMsg{profile: p, err: err}
		}
		if len(prepared.Targets) == 0 {
			prepared.Close()
			return engineReadyMsg{profile: p, err: errNoFlows}
		}
		return engineReadyMsg{profile: p, engine: newEngine(p, prepared, prepared.Targets[0], runner)}
	}
}

// picked is the profile chosen and every profile it was offered with, against which the command
// line's switches are resolved.
func picked(p *profiles.Profile, opts Options) []*profiles.Profile {
	builtin, _ := profiles.Builtin()
	return append(append([]*profiles.Profile{p}, builtin...), opts.Profiles...)
}

// engineEventMsg is one event of a profile's engine.
type engineEventMsg struct {
	engine *engine
	event  flows.Event
}

// nextEventCmd waits for the engine's next event; Update re-arms it after each one.
func nextEventCmd(e *engine) tea.Cmd {
	return func() tea.Msg {
		select {
		case ev := <-e.events:
			return engineEventMsg{engine: e, event: ev}
		case <-e.done:
			return nil
		}
	}
}

// driverCmd sends the driver one of the person's requests. The driver's methods return at once;
// they are still run as a command, so Update stays free of anything that could block.
func driverCmd(do func()) tea.Cmd {
	return func() tea.Msg {
		do()
		return nil
	}
}

// describedMsg carries what a step not run yet will do, for the preview.
type describedMsg struct {
	engine *engine
	flow   string
	step   int
	desc   flows.Description
}

func describeCmd(e *engine, flow string, step int) tea.Cmd {
	return func() tea.Msg {
		d, _ := e.driver.Describe(e.target.Name, flow, step)
		return describedMsg{engine: e, flow: flow, step: step, desc: d}
	}
}

// closeEnginesCmd stops engines the interface no longer shows.
func closeEnginesCmd(es ...*engine) tea.Cmd {
	return func() tea.Msg {
		for _, e := range es {
			if e != nil {
				e.close()
			}
		}
		return nil
	}
}
