package ui

import "github.com/charmbracelet/bubbles/key"

// bindings is a screen's help: the short line in the footer and the columns of the full help.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }
