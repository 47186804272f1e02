// Package ui is telconform's terminal interface: Bubble Tea models that walk a person through
// each flow against a chosen profile, showing what every step does, what was sent, what came
// back and why a check failed, and pausing where a person must act (open an authorize URL on a
// phone on mobile data, bring back the callback).
//
// It is the only package that imports Bubble Tea, Bubbles or Lip Gloss. Every HTTP call, file
// write and wait happens in a tea.Cmd; Update, View and Init only compute.
package ui

import (
	"context"
	"io"
	"log"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

// Options are what the command line hands the interface.
type Options struct {
	// Env looks up environment variables (secrets named by profiles); nil means none are set.
	Env func(string) (string, bool)
	// Profiles named with --profile, listed with the built-in and found ones.
	Profiles []*profiles.Profile
	// Vars override profile variables (--var).
	Vars map[string]string
	// MaxWait bounds wait steps against real providers (--max-wait).
	MaxWait time.Duration
	// Sandbox configures the in-process sandbox (--fault), SandboxClock its clock's base.
	Sandbox      sandbox.Options
	SandboxClock func() time.Time
	// Walk overrides who follows authorization redirects ("agent" or "device").
	Walk string
	// CallbackAddr is where to listen for a callback from the phone.
	CallbackAddr string
	// Version is shown in the header and written into reports.
	Version string
	// Log receives debug lines (--debug FILE); nil discards them.
	Log *log.Logger
}

func (o Options) env() func(string) (string, bool) {
	if o.Env != nil {
		return o.Env
	}
	return func(string) (string, bool) { return "", false }
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log.Printf(format, args...)
	}
}

// Run starts the interface on the terminal and blocks until the person quits. Whatever it
// started (sandboxes, listeners, a running step) is stopped before it returns.
func Run(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	m := New(opts)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	final, err := p.Run()
	if fm, ok := final.(Model); ok {
		fm.Close()
	}
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Close stops what the interface started: a running step, the profile's sandbox. Run calls it
// once the program has ended; it is never called from Update.
func (m Model) Close() {
	m.run.stop()
	if m.resolved != nil {
		m.resolved.Close()
	}
}
