package ui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/profiles"
)

// profileItem is one row of the picker: a profile with the environment variables it still needs
// (names only, never values), or a profile file that did not load.
type profileItem struct {
	p       *profiles.Profile
	problem error
	missing []string
	faults  []string
}

func (i profileItem) FilterValue() string {
	if i.p == nil {
		return i.problem.Error()
	}
	return i.p.Name + " " + i.p.Title + " " + i.p.Provider
}

// profilesScreen is the filterable list of built-in and user profiles.
type profilesScreen struct {
	c    *common
	list list.Model
}

func newProfilesScreen(c *common) profilesScreen {
	l := list.New(nil, profileDelegate{c: c}, 0, 0)
	l.Title = "Choose a profile"
	l.SetShowHelp(false)
	l.DisableQuitKeybindings()
	l.SetStatusBarItemName("profile", "profiles")
	l.Styles.Title = c.styles.Heading
	l.Styles.TitleBar = l.Styles.TitleBar.Padding(0, 0, 1, 1)
	l.KeyMap.CursorUp = c.keys.Up
	l.KeyMap.CursorDown = c.keys.Down
	l.Filter = containsFilter
	return profilesScreen{c: c, list: l}
}

// containsFilter keeps the profiles whose name, title or provider contain every word typed, in
// list order. The list's fuzzy default finds "kpn" in "Konera PXG (production)": a person
// filtering profiles types part of a name and expects exactly the profiles that have it.
func containsFilter(term string, targets []string) []list.Rank {
	words := strings.Fields(strings.ToLower(term))
	var out []list.Rank
	for i, t := range targets {
		lower := strings.ToLower(t)
		var matched []int
		for _, w := range words {
			at := strings.Index(lower, w)
			if at < 0 {
				matched = nil
				break
			}
			for j := range len([]rune(w)) {
				matched = append(matched, len([]rune(lower[:at]))+j)
			}
		}
		if matched != nil || len(words) == 0 {
			out = append(out, list.Rank{Index: i, MatchedIndexes: matched})
		}
	}
	return out
}

func (s *profilesScreen) setEntries(entries []profileEntry) {
	items := make([]list.Item, 0, len(entries))
	for _, e := range entries {
		items = append(items, profileItem{p: e.profile, problem: e.problem, missing: e.missing, faults: e.faults})
	}
	s.list.SetItems(items)
}

func (s *profilesScreen) setSize(w, h int) { s.list.SetSize(w, h) }

// filtering reports whether keys are going into the filter box.
func (s profilesScreen) filtering() bool { return s.list.FilterState() == list.Filtering }

// Update moves through the list; enter on a profile returns it as chosen.
func (s profilesScreen) Update(msg tea.KeyMsg) (profilesScreen, tea.Cmd, *profiles.Profile) {
	if key.Matches(msg, s.c.keys.Select) && !s.filtering() {
		if it, ok := s.list.SelectedItem().(profileItem); ok && it.p != nil {
			return s, nil, it.p
		}
		return s, nil, nil
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd, nil
}

// problem is why the profile under the cursor does not load, when it does not: the whole
// message (file, line, what to do), for the status line, where it wraps.
func (s profilesScreen) problem() error {
	if it, ok := s.list.SelectedItem().(profileItem); ok && it.p == nil {
		return it.problem
	}
	return nil
}

// updateList hands the list a message that is not a key: the filter's matches come back as one,
// from a command, and the list shows nothing filtered until it gets them.
func (s profilesScreen) updateList(msg tea.Msg) (profilesScreen, tea.Cmd) {
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return s, cmd
}

func (s profilesScreen) View() string {
	if len(s.list.Items()) == 0 {
		return s.c.styles.Muted.Render("  loading profiles…")
	}
	return s.list.View()
}

func (s profilesScreen) keys() bindings {
	k := s.c.keys
	return bindings{
		short: []key.Binding{k.Select, k.Filter, k.Up, k.Down, k.Help, k.Quit},
		full:  [][]key.Binding{{k.Up, k.Down, k.Select}, {k.Filter, k.Back}, {k.Help, k.Quit}},
	}
}

// profileDelegate draws a profile on three lines: name and title; provider, flow count, origin
// and base URL; whether its environment is ready (the names of what is missing, never values).
type profileDelegate struct{ c *common }

func (d profileDelegate) Height() int                         { return 3 }
func (d profileDelegate) Spacing() int                        { return 1 }
func (d profileDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (d profileDelegate) Render(w io.Writer, m list.Model, index int, item list.Item) {
	it, ok := item.(profileItem)
	if !ok {
		return
	}
	s := d.c.styles
	cursor := "  "
	if index == m.Index() {
		cursor = "▸ "
	}
	width := m.Width()
	if it.p == nil {
		first, _, _ := strings.Cut(it.problem.Error(), "\n")
		fmt.Fprintf(w, "%s%s\n  %s\n", cursor, s.Fail.Render("x does not load")+s.Muted.Render(" (enter shows why)"), s.Muted.Render(truncate(first, width-2)))
		return
	}
	name := it.p.Name
	if index == m.Index() {
		name = s.Selected.Render(name)
	}
	env := s.Pass.Render("environment ready")
	if len(it.missing) > 0 {
		env = s.Warn.Render(fitNames("needs ", it.missing, width-4))
	}
	origin := "file " + it.p.Source
	if it.p.BuiltIn {
		origin = "built-in"
	}
	if it.p.Sandbox != "" {
		origin += ", in-process sandbox"
	}
	base := it.p.BaseURL()
	if it.p.Sandbox != "" {
		base = "a loopback port chosen at start"
	}
	details := fmt.Sprintf("%s · %s · %s", orDash(it.p.Provider), plural(len(it.p.Flows), "flow"), origin)
	line1 := truncate(cursor+name+"  "+it.p.Title, width)
	line2 := truncate("    "+s.Muted.Render(details+" · "+orDash(base)), width)
	if len(it.faults) > 0 {
		env = s.Fail.Render(fitNames("FAULTS INJECTED: ", it.faults, width-4))
	}
	line3 := truncate("    "+env, width)
	fmt.Fprintf(w, "%s\n%s\n%s", line1, line2, line3)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fitNames lists names after a prefix as far as the width allows, then says how many more.
func fitNames(prefix string, names []string, width int) string {
	out := prefix + names[0]
	for i := 1; i < len(names); i++ {
		more := fmt.Sprintf(" and %d more", len(names)-i)
		if len(out)+2+len(names[i])+len(more) > width && i < len(names)-1 {
			return out + more
		}
		out += ", " + names[i]
	}
	return out
}
