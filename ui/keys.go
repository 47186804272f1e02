package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the interface answers to. Screens show the bindings that apply to them
// through bubbles/help, and match keys only with key.Matches.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Select, Back, Quit, Help, Filter key.Binding

	RunAll, Mode, Send, Rerun, RerunFlow, Cancel, Focus, Export key.Binding

	// PrevFlow and NextFlow move between the flows of a run.
	PrevFlow, NextFlow key.Binding

	// Search finds text in the detail pane; NextHit and PrevHit move between what it found.
	Search, NextHit, PrevHit key.Binding

	// The handoff panel, while a step waits for the phone.
	Paste, Listen, NoRedirect, SkipStep, QR key.Binding

	// A URL to hand on (the phone's link, a listener's address): to the clipboard, or alone on
	// the screen without the pane's borders.
	Copy, ShowURL key.Binding
}

// DefaultKeyMap gives vim and arrow keys for moving, and one letter per action.
func DefaultKeyMap() KeyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup/b", "page up", "pgup", "b"),
		PageDown: b("pgdn/f", "page down", "pgdown", "f", " "),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),

		Select: b("enter", "choose", "enter"),
		Back:   b("esc", "back", "esc"),
		Quit:   b("q", "quit", "q", "ctrl+c"),
		Help:   b("?", "help", "?"),
		Filter: b("/", "filter", "/"),

		RunAll:    b("a", "run all flows", "a"),
		Mode:      b("m", "walk/run mode", "m"),
		Send:      b("enter", "send step", "enter"),
		Rerun:     b("r", "re-run step", "r"),
		RerunFlow: b("R", "re-run flow", "R"),
		Cancel:    b("x", "cancel step", "x"),
		Focus:     b("tab", "steps/details", "tab"),
		Export:    b("e", "export report", "e"),
		PrevFlow:  b("[", "previous flow", "["),
		Search:    b("/", "search details", "/"),
		NextHit:   b("n", "next match", "n"),
		PrevHit:   b("N", "previous match", "N"),
		NextFlow:  b("]", "next flow", "]"),

		Paste:      b("p", "paste URL", "p"),
		Listen:     b("l", "listen for the callback", "l"),
		NoRedirect: b("n", "no redirect came", "n"),
		SkipStep:   b("s", "skip step", "s"),
		QR:         b("c", "QR code", "c"),
		Copy:       b("y", "copy URL", "y"),
		ShowURL:    b("u", "URL alone", "u"),
	}
}
