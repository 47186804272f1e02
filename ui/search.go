package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// detailSearch finds text in the detail pane: / asks for a term, enter jumps to its first
// occurrence at or below the top of the pane, n and N go to the next and previous, esc clears.
// Case does not matter; lines are matched as drawn, without their styles.
type detailSearch struct {
	input  textinput.Model
	typing bool
	term   string
	hits   []int // the lines that hold the term, in order
	at     int   // which hit is shown
}

func newDetailSearch() detailSearch {
	in := textinput.New()
	in.Prompt = "/"
	in.CharLimit = 200
	return detailSearch{input: in}
}

// active says the search takes a line under the panes: while typing, and while a term is set.
func (d detailSearch) active() bool { return d.typing || d.term != "" }

func (d *detailSearch) open() tea.Cmd {
	d.typing = true
	d.input.SetValue(d.term)
	d.input.CursorEnd()
	return d.input.Focus()
}

func (d *detailSearch) clear() {
	d.typing, d.term, d.hits, d.at = false, "", nil, 0
	d.input.Blur()
}

// find sets the term and finds it in content, returning the line to show: the first hit at or
// after from, else the first hit, else -1.
func (d *detailSearch) find(term, content string, from int) int {
	d.term, d.hits, d.at = term, nil, 0
	if term == "" {
		return -1
	}
	needle := strings.ToLower(term)
	for i, l := range strings.Split(ansi.Strip(content), "\n") {
		if strings.Contains(strings.ToLower(l), needle) {
			d.hits = append(d.hits, i)
		}
	}
	if len(d.hits) == 0 {
		return -1
	}
	for i, h := range d.hits {
		if h >= from {
			d.at = i
			return h
		}
	}
	return d.hits[0]
}

// step moves to the next (+1) or previous (-1) hit, wrapping around, and returns its line.
func (d *detailSearch) step(dir int) int {
	if len(d.hits) == 0 {
		return -1
	}
	d.at = (d.at + dir + len(d.hits)) % len(d.hits)
	return d.hits[d.at]
}

// key handles a key while the term is typed; done says the person pressed enter or esc.
func (d *detailSearch) key(msg tea.KeyMsg, k KeyMap) (cmd tea.Cmd, done, cancelled bool) {
	switch {
	case key.Matches(msg, k.Select):
		d.typing = false
		d.input.Blur()
		return nil, true, false
	case key.Matches(msg, k.Back):
		d.clear()
		return nil, true, true
	}
	d.input, cmd = d.input.Update(msg)
	return cmd, false, false
}

func (d detailSearch) view(st Styles, width int) string {
	if d.typing {
		return truncate(d.input.View(), width)
	}
	if len(d.hits) == 0 {
		return truncate(st.Problem.Render(fmt.Sprintf("%q is not in this pane", d.term))+st.Muted.Render(" · / searches again · esc clears"), width)
	}
	return truncate(fmt.Sprintf("%q: %d of %d", d.term, d.at+1, len(d.hits))+st.Muted.Render(" · n next · N previous · esc clears"), width)
}
