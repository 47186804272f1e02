package ui

import (
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/reports"
)

// exportDialog asks where to write the results so far; the extension picks the format.
type exportDialog struct {
	c     *common
	open  bool
	input textinput.Model
	// replace is a path that exists and that the person was asked about: enter again replaces it.
	replace       string
	submit        string
	width, height int
}

func newExportDialog(c *common) exportDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.CharLimit = 4096
	return exportDialog{c: c, input: in}
}

// show opens the dialog with a suggested file name.
func (d *exportDialog) show() tea.Cmd {
	d.open, d.submit = true, ""
	if d.input.Value() == "" {
		d.input.SetValue("telconform-report.json")
	}
	d.input.CursorEnd()
	return d.input.Focus()
}

func (d *exportDialog) close() {
	d.open = false
	d.input.Blur()
}

// submitted returns the path once the person pressed enter, once.
func (d *exportDialog) submitted() (string, bool) {
	if d.submit == "" {
		return "", false
	}
	p := d.submit
	d.submit = ""
	return p, true
}

func (d *exportDialog) setSize(w, h int) {
	d.width, d.height = w, h
	d.input.Width = max(10, w-6)
}

func (d exportDialog) Update(msg tea.Msg) (exportDialog, tea.Cmd) {
	if !d.open {
		return d, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, d.c.keys.Back):
			d.close()
			return d, nil
		case key.Matches(k, d.c.keys.Select):
			if raw := strings.TrimSpace(d.input.Value()); raw != "" {
				return d, checkExportPathCmd(raw)
			}
			return d, nil
		}
	}
	if c, ok := msg.(exportPathMsg); ok {
		if c.raw != strings.TrimSpace(d.input.Value()) {
			return d, nil // typed on since: the person has not chosen this one
		}
		// A file already there is replaced only when the person says so: enter again.
		if c.exists && d.replace != c.path {
			d.replace = c.path
			return d, nil
		}
		d.submit, d.replace = c.path, ""
		return d, nil
	}
	var cmd tea.Cmd
	before := d.input.Value()
	d.input, cmd = d.input.Update(msg)
	if d.input.Value() != before {
		d.replace = ""
	}
	return d, cmd
}

func (d exportDialog) View() string {
	st := d.c.styles
	var formats []string
	for _, f := range reports.Formats() {
		formats = append(formats, f.Ext+" "+f.Name)
	}
	lines := []string{st.Heading.Render(" Export the results so far"), ""}
	for _, l := range wrap("Write to (the extension picks the format: "+strings.Join(formats, ", ")+"):", d.width-2) {
		lines = append(lines, " "+l)
	}
	lines = append(lines, " "+d.input.View(), "",
		st.Muted.Render(" Secrets are masked in every report. The file is written whole or not at all."))
	head := len(lines)
	if p := strings.TrimSpace(d.input.Value()); p != "" {
		if _, err := reports.ForPath(p); err != nil {
			lines = append(lines, "")
			lines = append(lines, wrapStyled(st.Problem.Render, err.Error(), d.width-2)...)
		} else if dir := filepath.Dir(p); dir != "." {
			lines = append(lines, "")
			lines = append(lines, wrapStyled(st.Muted.Render, "into "+dir, d.width-2)...)
		}
		if d.replace != "" {
			lines = append(lines, "")
			lines = append(lines, wrapStyled(st.Problem.Render, d.replace+" exists: enter again replaces it, esc keeps it.", d.width-2)...)
		}
	}
	for i, l := range lines[head:] {
		if l != "" {
			lines[head+i] = " " + l
		}
	}
	return padHeight(fitLines(lines, d.width), d.height)
}

func (d exportDialog) keys() bindings {
	k := d.c.keys
	write := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write"))
	return bindings{short: []key.Binding{write, k.Back}, full: [][]key.Binding{{write, k.Back}}}
}

// padHeight makes a view exactly h lines tall, so the footer stays put.
func padHeight(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	if n >= h {
		lines := strings.Split(s, "\n")
		return strings.Join(lines[:max(h, 0)], "\n")
	}
	return s + strings.Repeat("\n", h-n)
}
