package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
)

// flowsScreen lists the chosen profile's flows with their last result, and explains the one
// under the cursor: what it proves and what its steps are.
type flowsScreen struct {
	c             *common
	profile       *profiles.Profile
	target        *flows.Target
	results       map[string]flows.FlowResult
	cursor        int
	walkMode      bool
	width, height int
}

func newFlowsScreen(c *common) flowsScreen { return flowsScreen{c: c, walkMode: true} }

// setTarget shows a newly chosen profile; results is the map the root keeps the last record of
// each flow in, shared so the badges follow every run.
func (s *flowsScreen) setTarget(p *profiles.Profile, t *flows.Target, results map[string]flows.FlowResult) {
	s.profile, s.target, s.cursor, s.results = p, t, 0, results
}

func (s *flowsScreen) setSize(w, h int) { s.width, s.height = w, h }

// flowsAction is what the flows screen asks of the root: flows to run, or the records of the
// flow under the cursor to read.
type flowsAction struct {
	start []*flows.Flow
	open  bool
}

// Update moves the cursor and toggles the mode. enter opens the last record of the flow under the
// cursor, or runs it when it has none yet; R runs it (again); a runs them all.
func (s flowsScreen) Update(msg tea.KeyMsg) (flowsScreen, tea.Cmd, flowsAction) {
	k := s.c.keys
	if s.target == nil || len(s.target.Flows) == 0 {
		return s, nil, flowsAction{}
	}
	n := len(s.target.Flows)
	switch {
	case key.Matches(msg, k.Up):
		s.cursor = max(0, s.cursor-1)
	case key.Matches(msg, k.Down):
		s.cursor = min(n-1, s.cursor+1)
	case key.Matches(msg, k.Top):
		s.cursor = 0
	case key.Matches(msg, k.Bottom):
		s.cursor = n - 1
	case key.Matches(msg, k.Mode):
		s.walkMode = !s.walkMode
	case key.Matches(msg, k.Select) && s.hasRecord(s.target.Flows[s.cursor].ID):
		return s, nil, flowsAction{open: true}
	case key.Matches(msg, k.Select), key.Matches(msg, k.RerunFlow):
		return s, nil, flowsAction{start: []*flows.Flow{s.target.Flows[s.cursor]}}
	case key.Matches(msg, k.RunAll):
		return s, nil, flowsAction{start: s.target.Flows}
	}
	return s, nil, flowsAction{}
}

// hasRecord says whether a flow ran (or began to) in this session.
func (s flowsScreen) hasRecord(id string) bool {
	fr, ok := s.results[id]
	return ok && !allPending(&fr)
}

func (s flowsScreen) View() string {
	st := s.c.styles
	if s.target == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(st.Heading.Render(" Flows of "+s.profile.Title) + "\n\n")
	for i, f := range s.target.Flows {
		cursor := "  "
		id := f.ID
		if i == s.cursor {
			cursor = "▸ "
			id = st.Selected.Render(id)
		}
		line := fmt.Sprintf("%s%s %s  %s", cursor, s.badge(f.ID), id, st.Muted.Render(f.Title))
		b.WriteString(truncate(line, s.width) + "\n")
	}
	f := s.target.Flows[s.cursor]
	b.WriteString("\n" + st.Heading.Render(" "+f.Title) + "\n")
	var detail []string
	detail = append(detail, wrap(f.Explain, s.width-2)...)
	detail = append(detail, "")
	about := plural(len(f.Steps), "step")
	if f.Ref != "" {
		about += " · reference: " + f.Ref
	}
	detail = append(detail, st.Muted.Render(about))
	if fr, ok := s.results[f.ID]; ok {
		detail = append(detail, lastRun(st, fr))
	}
	used := lipgloss.Height(b.String())
	for i, l := range detail {
		if used+i >= s.height {
			break
		}
		b.WriteString(" " + truncate(l, s.width-1) + "\n")
	}
	return lipgloss.NewStyle().Height(s.height).MaxHeight(s.height).Render(strings.TrimSuffix(b.String(), "\n"))
}

// badge is a flow's last result as a fixed-width word.
func (s flowsScreen) badge(id string) string {
	fr, ok := s.results[id]
	if !ok {
		return s.c.styles.Muted.Render("  -  ")
	}
	return statusWord(s.c.styles, fr.Status)
}

// lastRun sums up a flow's last record in one line.
func lastRun(st Styles, fr flows.FlowResult) string {
	n := map[checks.Status]int{}
	for _, step := range fr.Steps {
		for _, o := range step.Outcomes {
			n[o.Status]++
		}
	}
	line := fmt.Sprintf("Last run: %s · checks %d passed, %d failed, %d warned",
		statusLabel(st, fr.Status), n[checks.Pass], n[checks.Fail], n[checks.Warn])
	if k := n[checks.Known]; k > 0 {
		line += fmt.Sprintf(", %d known", k)
	}
	if f := n[checks.Fixed]; f > 0 {
		line += fmt.Sprintf(", %d fixed", f)
	}
	return line
}

func (s flowsScreen) keys() bindings {
	k := s.c.keys
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run flow"))
	if s.target != nil && len(s.target.Flows) > 0 && s.hasRecord(s.target.Flows[s.cursor].ID) {
		enter = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open last run"))
	}
	again := key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "run flow"))
	return bindings{
		short: []key.Binding{enter, again, k.RunAll, k.Mode, k.Export, k.Back, k.Help, k.Quit},
		full:  [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {enter, again, k.RunAll, k.Mode}, {k.Export, k.Back, k.Help, k.Quit}},
	}
}

// statusWord renders a status as a five-cell word in its colour, for columns.
func statusWord(st Styles, s checks.Status) string {
	return statusStyle(st, s).Render(fmt.Sprintf("%-5s", strings.ToUpper(string(s))))
}

// statusLabel renders a status as a word in its colour, for running text.
func statusLabel(st Styles, s checks.Status) string {
	return statusStyle(st, s).Render(strings.ToUpper(string(s)))
}

func statusStyle(st Styles, s checks.Status) lipgloss.Style {
	switch s {
	case checks.Pass, checks.Fixed:
		return st.Pass
	case checks.Fail, checks.Error:
		return st.Fail
	case checks.Warn, checks.Known:
		return st.Warn
	default:
		return st.Skip
	}
}

// wrap breaks text into lines of at most width cells, keeping paragraphs.
func wrap(text string, width int) []string {
	if width < 10 {
		width = 10
	}
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		words := strings.Fields(para)
		line := ""
		for _, w := range words {
			if line != "" && lipgloss.Width(line)+1+lipgloss.Width(w) > width {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}
