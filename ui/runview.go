package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

// runScreen runs flows step by step: the steps on the left with their live status, the selected
// step's explanation, request, response and checks on the right.
//
// In walk mode it pauses before each step: enter shows the next step, enter again sends it, so a
// person can read what is about to happen and then what came of it. In run mode it sends every
// step in turn. Each step runs in a command tagged with a run id; cancelling or restarting bumps
// the id and the late result of the old run is dropped.
type runScreen struct {
	c      *common
	runner *flows.Runner
	opts   Options

	target  *flows.Target
	queue   []*flows.Flow
	flowIdx int
	session *flows.Session
	steps   []flows.StepResult // the current flow's records; Status "" means not run yet
	done    map[string]flows.FlowResult

	selected int
	running  int // index of the step under way, or -1
	runID    int
	cancel   context.CancelFunc
	halted   bool // run mode stopped by a cancel or a flow's end, until the person resumes

	walkMode    bool
	focusDetail bool
	detail      viewport.Model
	spin        spinner.Model
	hand        *handoff

	width, height int
}

func newRunScreen(c *common, r *flows.Runner, opts Options) runScreen {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.styles.Running))
	return runScreen{c: c, runner: r, opts: opts, running: -1, spin: sp, walkMode: true,
		detail: viewport.New(0, 0), done: map[string]flows.FlowResult{}}
}

// start begins running fs against t, in walk or run mode.
func (s runScreen) start(t *flows.Target, fs []*flows.Flow, walk bool) (runScreen, tea.Cmd) {
	s.stop()
	s.target, s.queue, s.walkMode = t, fs, walk
	s.done = map[string]flows.FlowResult{}
	return s.beginFlow(0)
}

// beginFlow starts flow i of the queue afresh: a new session, so a new cookie jar and no
// captures from an earlier attempt.
func (s runScreen) beginFlow(i int) (runScreen, tea.Cmd) {
	s.stop()
	s.runID++
	s.flowIdx = i
	f := s.queue[i]
	s.session = s.runner.NewSession(s.target, f, nil, nil)
	s.steps = make([]flows.StepResult, len(f.Steps))
	s.selected, s.running, s.halted, s.hand = 0, -1, false, nil
	s.refresh(true)
	if s.walkMode {
		return s, nil
	}
	return s.send(0)
}

// stop cancels whatever is under way. The cancel function is not I/O: it only signals the
// command's goroutine, whose late result will be dropped.
func (s *runScreen) stop() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.hand != nil {
		s.hand.stop()
	}
}

// send runs step i.
func (s runScreen) send(i int) (runScreen, tea.Cmd) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.running, s.selected = i, i
	s.halted = false
	s.opts.logf("run %d: %s/%s", s.runID, s.queue[s.flowIdx].ID, s.queue[s.flowIdx].Steps[i].ID)
	s.refresh(true)
	return s, tea.Batch(runStepCmd(ctx, s.runID, s.flowIdx, s.session, i), s.spin.Tick)
}

func (s runScreen) flowID() string {
	if len(s.queue) == 0 {
		return ""
	}
	return s.queue[s.flowIdx].ID
}

// busy reports whether a step is under way.
func (s runScreen) busy() bool { return s.running >= 0 }

// typing reports whether keys are going into a text field.
func (s runScreen) typing() bool { return s.hand != nil && s.hand.typing() }

// flowResults are the records of the flows this screen has run, the current one included.
func (s runScreen) flowResults() []flows.FlowResult {
	var out []flows.FlowResult
	for _, f := range s.queue {
		if fr, ok := s.done[f.ID]; ok {
			out = append(out, fr)
		}
	}
	if len(s.queue) > 0 && s.anyRan() {
		out = append(out, flows.NewFlowResult(s.queue[s.flowIdx], s.recorded()))
	}
	return out
}

func (s runScreen) anyRan() bool {
	for _, r := range s.steps {
		if r.Status != "" {
			return true
		}
	}
	return false
}

// recorded is the current flow's records, with steps not run yet marked as such.
func (s runScreen) recorded() []flows.StepResult {
	out := make([]flows.StepResult, len(s.steps))
	for i, r := range s.steps {
		if r.Status == "" {
			st := s.queue[s.flowIdx].Steps[i]
			r = flows.StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind,
				Status: checks.Skip, Reason: "not run"}
		}
		out[i] = r
	}
	return out
}

// Update handles keys (when the run screen has the keyboard) and the results of its commands.
func (s runScreen) Update(msg tea.Msg) (runScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case stepDoneMsg:
		return s.stepDone(msg)
	case spinner.TickMsg:
		if !s.busy() {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case listeningMsg, callbackMsg:
		if s.hand == nil {
			// The step ended before its listener came up: nobody will wait on it.
			if l, ok := msg.(listeningMsg); ok && l.listener != nil {
				return s, closeListenerCmd(l.listener)
			}
			return s, nil
		}
		var cmd tea.Cmd
		var reply *inputReply
		*s.hand, cmd, reply = s.hand.Update(msg)
		return s.afterHandoff(cmd, reply)
	case tea.KeyMsg:
		return s.key(msg)
	}
	if s.hand != nil {
		var cmd tea.Cmd
		*s.hand, cmd, _ = s.hand.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s runScreen) stepDone(msg stepDoneMsg) (runScreen, tea.Cmd) {
	if msg.runID != s.runID || msg.flow != s.flowIdx {
		return s, nil // a cancelled or restarted run
	}
	s.steps[msg.step] = msg.result
	s.running, s.cancel, s.hand = -1, nil, nil
	s.opts.logf("run %d: %s/%s: %s %s", s.runID, s.flowID(), msg.result.ID, msg.result.Status, msg.result.Reason)
	next := msg.step + 1
	last := next >= len(s.steps)
	if last {
		s.done[s.flowID()] = flows.NewFlowResult(s.queue[s.flowIdx], s.recorded())
	}
	if s.walkMode || s.halted {
		s.refresh(true)
		return s, nil
	}
	switch {
	case !last:
		return s.send(next)
	case s.flowIdx+1 < len(s.queue):
		return s.beginFlow(s.flowIdx + 1)
	}
	s.refresh(true)
	return s, nil
}

func (s runScreen) key(msg tea.KeyMsg) (runScreen, tea.Cmd) {
	k := s.c.keys
	// While the person pastes, every key is text. Otherwise the page keys still scroll the
	// panel and x still cancels the step; the rest belong to the panel.
	scroll := key.Matches(msg, k.PageDown) || key.Matches(msg, k.PageUp)
	if s.hand != nil && (s.hand.typing() || !(key.Matches(msg, k.Cancel) || scroll)) {
		var cmd tea.Cmd
		var reply *inputReply
		*s.hand, cmd, reply = s.hand.Update(msg)
		return s.afterHandoff(cmd, reply)
	}
	n := len(s.steps)
	switch {
	case key.Matches(msg, k.Focus):
		s.focusDetail = !s.focusDetail
	case key.Matches(msg, k.PageDown):
		s.detail.PageDown()
	case key.Matches(msg, k.PageUp):
		s.detail.PageUp()
	case s.focusDetail && key.Matches(msg, k.Down):
		s.detail.ScrollDown(1)
	case s.focusDetail && key.Matches(msg, k.Up):
		s.detail.ScrollUp(1)
	case key.Matches(msg, k.Down):
		s.selected = min(n-1, s.selected+1)
		s.refresh(true)
	case key.Matches(msg, k.Up):
		s.selected = max(0, s.selected-1)
		s.refresh(true)
	case key.Matches(msg, k.Top):
		s.selected = 0
		s.refresh(true)
	case key.Matches(msg, k.Bottom):
		s.selected = n - 1
		s.refresh(true)
	case key.Matches(msg, k.Cancel):
		return s.cancelStep(), nil
	case s.busy():
		return s, nil // one step at a time
	case key.Matches(msg, k.Send):
		return s.enter()
	case key.Matches(msg, k.Rerun):
		return s.send(s.selected)
	case key.Matches(msg, k.RerunFlow):
		return s.beginFlow(s.flowIdx)
	case key.Matches(msg, k.Mode):
		s.walkMode = !s.walkMode
		if !s.walkMode {
			return s.resume()
		}
	}
	return s, nil
}

// enter is walk mode's one key: on a step already run it moves to the next one (to read what it
// will do), on a step not run yet it sends it. At the end of a flow it starts the next queued one.
func (s runScreen) enter() (runScreen, tea.Cmd) {
	if s.steps[s.selected].Status == "" {
		return s.send(s.selected)
	}
	if s.selected+1 < len(s.steps) {
		s.selected++
		s.refresh(true)
		return s, nil
	}
	if s.flowIdx+1 < len(s.queue) {
		return s.beginFlow(s.flowIdx + 1)
	}
	return s, nil
}

// resume continues a run-mode run from the first step not run yet.
func (s runScreen) resume() (runScreen, tea.Cmd) {
	for i, r := range s.steps {
		if r.Status == "" {
			return s.send(i)
		}
	}
	if s.flowIdx+1 < len(s.queue) && s.anyRan() {
		return s.beginFlow(s.flowIdx + 1)
	}
	return s, nil
}

// cancelStep stops the step under way; it is recorded as skipped, and run mode halts.
func (s runScreen) cancelStep() runScreen {
	if !s.busy() {
		return s
	}
	i := s.running
	s.stop()
	s.runID++ // the step's own result, when it comes, belongs to a dead run
	st := s.queue[s.flowIdx].Steps[i]
	s.steps[i] = flows.StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind,
		Status: checks.Skip, Reason: "cancelled by you"}
	s.running, s.hand, s.halted = -1, nil, true
	s.refresh(true)
	return s
}

// inputNeeded shows the handoff panel for a step that needs a person.
func (s runScreen) inputNeeded(ask inputAsk) (runScreen, tea.Cmd) {
	if !s.busy() {
		// Nobody is waiting for this any more: tell the runner so its goroutine ends.
		return s, answerCmd(ask, inputReply{err: context.Canceled})
	}
	// The URL goes to the debug log too, for a person who would rather copy it from a file.
	s.opts.logf("handoff %s: open %s (it calls back to %s)", ask.req.Step.ID, ask.req.URL, ask.req.RedirectURI)
	h := newHandoff(s.c, ask, s.opts.CallbackAddr)
	s.hand = &h
	s.refresh(true)
	return s, nil
}

// afterHandoff passes the person's answer to the runner once there is one.
func (s runScreen) afterHandoff(cmd tea.Cmd, reply *inputReply) (runScreen, tea.Cmd) {
	if reply == nil {
		s.refresh(false)
		return s, cmd
	}
	ask := s.hand.ask
	s.hand.stop()
	s.hand = nil
	s.refresh(true)
	return s, tea.Batch(cmd, answerCmd(ask, *reply))
}

func (s *runScreen) setSize(w, h int) {
	s.width, s.height = w, h
	// Each pane takes 4 cells beyond its content: a border and a space of padding on each side.
	s.detail.Width = max(10, w-s.listWidth()-8)
	s.detail.Height = max(1, h-2)
	s.refresh(false)
}

func (s runScreen) listWidth() int { return min(30, max(18, s.width/3)) }

// refresh re-renders the detail pane's content; top scrolls it back to the start.
func (s *runScreen) refresh(top bool) {
	if len(s.queue) == 0 || s.selected >= len(s.steps) {
		return
	}
	st := s.queue[s.flowIdx].Steps[s.selected]
	res := s.steps[s.selected]
	content := ""
	if s.hand != nil && s.running == s.selected {
		content = s.hand.view(s.detail.Width)
	} else {
		preview := ""
		if res.Status == "" && !s.busy() {
			// Reading the session is safe only while no step runs in its command.
			preview = s.session.Preview(s.selected)
		}
		content = renderStep(s.c.styles, st, res, preview, s.running == s.selected, s.walkMode, s.detail.Width)
	}
	s.detail.SetContent(content)
	if top {
		s.detail.GotoTop()
	}
}

func (s runScreen) View() string {
	if len(s.queue) == 0 {
		return ""
	}
	if s.hand != nil && s.hand.showQR {
		return s.hand.qrView(s.width, s.height)
	}
	st := s.c.styles
	listStyle, detailStyle := st.Focused, st.Pane
	if s.focusDetail || s.typing() {
		listStyle, detailStyle = st.Pane, st.Focused
	}
	// Width in Lip Gloss counts the padding, not the border.
	list := listStyle.Width(s.listWidth() + 2).Height(s.height - 2).Render(s.stepList())
	detail := detailStyle.Width(s.detail.Width + 2).Height(s.height - 2).Render(s.detail.View())
	return lipgloss.JoinHorizontal(lipgloss.Top, list, detail)
}

// stepList draws the steps with their status marks, scrolled to keep the selection in view.
func (s runScreen) stepList() string {
	st := s.c.styles
	f := s.queue[s.flowIdx]
	rows := s.height - 2
	header := fmt.Sprintf("%s (%d/%d)", f.ID, s.flowIdx+1, len(s.queue))
	lines := []string{st.Heading.Render(truncate(header, s.listWidth()))}
	first := max(0, s.selected-(rows-2))
	for i := first; i < len(f.Steps) && len(lines) < rows; i++ {
		mark := s.mark(i)
		name := f.Steps[i].ID
		if i == s.selected {
			name = st.Selected.Render(name)
		}
		lines = append(lines, truncate(mark+" "+name, s.listWidth()))
	}
	return strings.Join(lines, "\n")
}

// mark is a step's status as one character with its colour: a spinner while it runs.
func (s runScreen) mark(i int) string {
	st := s.c.styles
	if i == s.running {
		if s.hand != nil {
			return st.Warn.Render("?")
		}
		return s.spin.View()
	}
	switch s.steps[i].Status {
	case checks.Pass:
		return st.Pass.Render("✓")
	case checks.Fail, checks.Error:
		return st.Fail.Render("✗")
	case checks.Warn:
		return st.Warn.Render("!")
	case checks.Skip:
		return st.Skip.Render("-")
	default:
		return st.Muted.Render("·")
	}
}

func (s runScreen) keys() bindings {
	k := s.c.keys
	if s.hand != nil {
		return s.hand.keys()
	}
	send := k.Send
	if s.busy() {
		return bindings{
			short: []key.Binding{k.Cancel, k.Focus, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Cancel}, {k.Up, k.Down, k.Focus, k.PageUp, k.PageDown}, {k.Help, k.Quit}},
		}
	}
	return bindings{
		short: []key.Binding{send, k.Mode, k.Rerun, k.RerunFlow, k.Focus, k.Export, k.Back, k.Help},
		full: [][]key.Binding{
			{send, k.Mode, k.Rerun, k.RerunFlow, k.Cancel},
			{k.Up, k.Down, k.Top, k.Bottom, k.Focus, k.PageUp, k.PageDown},
			{k.Export, k.Back, k.Help, k.Quit},
		},
	}
}
