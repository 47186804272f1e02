// Package ui is telconform's terminal interface: Bubble Tea models that walk a person through
// each flow against a chosen profile, showing what every step does, what was sent, what came
// back and why a check failed, and pausing where a person must act (open an authorize URL on a
// phone on mobile data, bring back the callback).
//
// It is the only package that imports Bubble Tea, Bubbles or Lip Gloss. It never sequences steps:
// the engine's driver does, and the interface draws the events it emits. Every HTTP call, file
// write and wait happens in a tea.Cmd; Update, View and Init only compute.
package ui

import (
	"context"
	"io"
	"log"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/profiles"
)

// Options are what the command line hands the interface.
type Options struct {
	// Launch says how to prepare a profile: environment, --var, --flow, --max-wait, --walk,
	// --fault and the sandbox's settings.
	Launch launch.Options
	// Runner says how the engine talks to providers; the interface adds itself as its Input.
	Runner *flows.Runner
	// Profiles named with --profile, listed with the built-in and found ones. The first is opened
	// at once, without the picker.
	Profiles []*profiles.Profile
	// CallbackAddr is where to listen for a callback from the phone.
	CallbackAddr string
	// Version is shown in the header and written into reports.
	Version string
	// Log receives debug lines (--debug FILE); nil discards them.
	Log *log.Logger
	// Terminal receives the escape sequences that are not drawing (the clipboard's); nil means
	// standard output, where the interface draws.
	Terminal io.Writer
}

func (o Options) env() func(string) (string, bool) {
	if o.Launch.Env != nil {
		return o.Launch.Env
	}
	return func(string) (string, bool) { return "", false }
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log.Printf(format, args...)
	}
}

// Run starts the interface on the terminal and blocks until the person quits, and returns the
// exit status (Model.ExitStatus). Whatever it started (sandboxes, listeners, a running step) is
// stopped before it returns.
func Run(ctx context.Context, opts Options, in io.Reader, out io.Writer) (int, error) {
	if opts.Terminal == nil {
		opts.Terminal = out
	}
	m := New(opts)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	final, err := p.Run()
	status := 0
	if fm, ok := final.(Model); ok {
		fm.Close()
		status = fm.ExitStatus()
	}
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return 130, ctx.Err()
	}
	return status, err
}

// Close stops what the interface started: every profile's engine, with its sandbox and
// listeners. Run calls it once the program has ended; it is never called from Update.
func (m Model) Close() {
	m.run.stopHandoff()
	for _, e := range m.engines {
		e.close()
	}
}
