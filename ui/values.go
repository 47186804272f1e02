package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/profiles"
)

// valuesDialog asks for what a profile lacks before it can run: variables its flows need and
// environment variables it reads that are not set (secrets among them, never drawn). Headless
// runs get the same values from --var and the environment.
type valuesDialog struct {
	c       *common
	open    bool
	profile *profiles.Profile
	names   []string // variable names first, then environment variable names
	isEnv   []bool
	secret  []bool
	inputs  []textinput.Model
	focus   int
	done    bool
	width   int
	height  int
}

func newValuesDialog(c *common) valuesDialog { return valuesDialog{c: c} }

// show asks for vars and env for profile p.
func (d *valuesDialog) show(p *profiles.Profile, vars, env []string) tea.Cmd {
	d.open, d.done, d.profile, d.focus = true, false, p, 0
	d.names, d.isEnv, d.secret, d.inputs = nil, nil, nil, nil
	add := func(name string, isEnv, secret bool) {
		in := textinput.New()
		in.Prompt = "> "
		in.CharLimit = 4096
		in.Width = max(10, d.width-6)
		if secret {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		d.names = append(d.names, name)
		d.isEnv = append(d.isEnv, isEnv)
		d.secret = append(d.secret, secret)
		d.inputs = append(d.inputs, in)
	}
	for _, v := range vars {
		add(v, false, false)
	}
	for _, e := range env {
		add(e, true, p.SecretEnv(e))
	}
	return d.inputs[0].Focus()
}

// collected returns the values once the person submitted them, once.
func (d *valuesDialog) collected() (vars, env map[string]string, ok bool) {
	if !d.done {
		return nil, nil, false
	}
	d.done, d.open = false, false
	vars, env = map[string]string{}, map[string]string{}
	for i, in := range d.inputs {
		if d.isEnv[i] {
			env[d.names[i]] = in.Value()
		} else {
			vars[d.names[i]] = in.Value()
		}
	}
	return vars, env, true
}

func (d *valuesDialog) setSize(w, h int) {
	d.width, d.height = w, h
	for i := range d.inputs {
		d.inputs[i].Width = max(10, w-6)
	}
}

func (d valuesDialog) Update(msg tea.Msg) (valuesDialog, tea.Cmd) {
	if !d.open {
		return d, nil
	}
	k := d.c.keys
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, k.Back):
			d.open = false
			return d, nil
		case km.Type == tea.KeyTab || km.Type == tea.KeyDown || km.Type == tea.KeyShiftTab || km.Type == tea.KeyUp:
			d.inputs[d.focus].Blur()
			step := 1
			if km.Type == tea.KeyShiftTab || km.Type == tea.KeyUp {
				step = len(d.inputs) - 1
			}
			d.focus = (d.focus + step) % len(d.inputs)
			return d, d.inputs[d.focus].Focus()
		case key.Matches(km, k.Select):
			if d.focus < len(d.inputs)-1 {
				d.inputs[d.focus].Blur()
				d.focus++
				return d, d.inputs[d.focus].Focus()
			}
			for _, in := range d.inputs {
				if strings.TrimSpace(in.Value()) == "" {
					return d, nil // every value is needed
				}
			}
			d.done = true
			return d, nil
		}
	}
	var cmd tea.Cmd
	d.inputs[d.focus], cmd = d.inputs[d.focus].Update(msg)
	return d, cmd
}

func (d valuesDialog) View() string {
	st := d.c.styles
	lines := []string{st.Heading.Render(" " + d.profile.Name + " needs a few values before it can run")}
	for _, l := range wrap("They are kept for this session only; headless runs take them from --var and the environment.", d.width-1) {
		lines = append(lines, " "+st.Muted.Render(l))
	}
	lines = append(lines, "")
	for i, name := range d.names {
		label := " vars." + name
		switch {
		case d.secret[i]:
			label = " $" + name + st.Muted.Render(" (a secret: not shown)")
		case d.isEnv[i]:
			label = " $" + name
		}
		if i == d.focus {
			label = st.Heading.Render(label)
		}
		lines = append(lines, label, " "+d.inputs[i].View())
	}
	return padHeight(fitLines(lines, d.width), d.height)
}

func (d valuesDialog) keys() bindings {
	k := d.c.keys
	next := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	done := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / start"))
	return bindings{short: []key.Binding{done, next, k.Back}, full: [][]key.Binding{{done, next, k.Back}}}
}
