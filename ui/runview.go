package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/telconform/telconform/flows"
)

// runScreen shows flows as the engine runs them: the steps on the left with their live status,
// the selected step's explanation, request, response and checks on the right.
//
// It sequences nothing. What the person asks for (go on, re-run a step, restart the flow, cancel,
// switch between walk and run mode) goes to the engine's driver; what the driver does comes back
// as events, which this screen draws: a redirect hop appears as soon as it is made, a step's
// record once it is done.
type runScreen struct {
	c    *common
	opts Options
	eng  *engine

	queue   []*flows.Flow                // the flows asked for, in order
	flowIdx int                          // the flow shown
	records map[string]flows.FlowResult  // the latest record of each flow, kept by the root model
	preview map[string]flows.Description // what a step not run yet will do, by flow/step

	// selected is the step shown, or summaryRow for the flow's summary.
	selected int
	running  int              // the step under way, or -1
	live     []flows.Exchange // the running step's exchanges so far, one per hop
	received []flows.Received // the running step's requests received
	attempts []flows.Attempt  // the running poll's attempts so far
	// since and now are the first and latest spinner ticks of the running step: how long it
	// has been going, by the clock Bubble Tea's ticks carry (a test sends its own).
	since, now time.Time
	// shown is the running await step's listener URL drawn alone over the panes, unboxed (u)
	// or as a QR code (c), when asked.
	shown    urlOverlay
	waiting  *flows.Waiting // what the driver waits for the person to go on with
	asked    bool           // a request went to the driver, which has not answered yet
	finished bool           // every flow asked for has run
	// review says the screen shows records, not a run it asked for: nothing is sent until R.
	review bool

	walkMode    bool
	focusDetail bool
	find        detailSearch
	content     string // what the detail pane holds, for the search
	detail      viewport.Model
	spin        spinner.Model
	hand        *handoff

	width, height int
}

// summaryRow is the row above the steps: the flow's summary, failures first.
const summaryRow = -1

func newRunScreen(c *common, opts Options) runScreen {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.styles.Running))
	return runScreen{c: c, opts: opts, running: -1, spin: sp, walkMode: true, detail: viewport.New(0, 0), find: newDetailSearch(),
		preview: map[string]flows.Description{}}
}

// start asks the engine to run fs, in walk or run mode. records is where the latest record of
// each flow is kept, shared with the flows screen.
func (s runScreen) start(e *engine, fs []*flows.Flow, walk bool, records map[string]flows.FlowResult) (runScreen, tea.Cmd) {
	s.stopHandoff()
	s.eng, s.queue, s.walkMode, s.records = e, fs, walk, records
	s.flowIdx, s.selected, s.running, s.waiting, s.finished = 0, 0, -1, nil, false
	s.live, s.received, s.attempts, s.since, s.shown = nil, nil, nil, time.Time{}, urlOverlay{}
	s.asked, s.review = true, false
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	s.refresh(true)
	return s, tea.Batch(driverCmd(func() { e.driver.Start(e.target.Name, ids, walk) }), s.describe(0))
}

// open shows the records of fs, flow idx first, without running anything: what the last run of
// each found, its summary on top with the failures first.
func (s runScreen) open(e *engine, fs []*flows.Flow, idx int, walk bool, records map[string]flows.FlowResult) runScreen {
	s.stopHandoff()
	s.hand = nil
	s.eng, s.queue, s.walkMode, s.records = e, fs, walk, records
	s.flowIdx, s.selected, s.running, s.waiting, s.finished = idx, summaryRow, -1, nil, true
	s.live, s.received, s.attempts, s.shown, s.asked, s.review = nil, nil, nil, urlOverlay{}, false, true
	s.refresh(true)
	return s
}

func (s runScreen) flow() *flows.Flow {
	if len(s.queue) == 0 {
		return nil
	}
	return s.queue[s.flowIdx]
}

func (s runScreen) flowID() string {
	if f := s.flow(); f != nil {
		return f.ID
	}
	return ""
}

// busy reports whether a step is under way, or a request to the driver is not answered yet.
func (s runScreen) busy() bool { return s.running >= 0 || s.asked }

// typing reports whether keys are going into a text field.
func (s runScreen) typing() bool { return (s.hand != nil && s.hand.typing()) || s.find.typing }

// record is step i of the shown flow as the engine last recorded it; nil before the engine has
// said anything about the flow.
func (s runScreen) record(i int) *flows.StepResult {
	if fr, ok := s.records[s.flowID()]; ok && i < len(fr.Steps) {
		return &fr.Steps[i]
	}
	return nil
}

// pending reports whether step i has not run (or the engine has not said yet).
func (s runScreen) pending(i int) bool {
	r := s.record(i)
	return r == nil || r.Pending
}

// event draws one engine event.
func (s runScreen) event(ev flows.Event) (runScreen, tea.Cmd) {
	var cmd tea.Cmd
	switch e := ev.(type) {
	case flows.FlowStarted:
		s.showFlow(e.Flow.ID)
		for k := range s.preview {
			if strings.HasPrefix(k, e.Flow.ID+"/") {
				delete(s.preview, k)
			}
		}
	case flows.StepStarted:
		if e.Flow != s.flowID() {
			s.showFlow(e.Flow)
		}
		s.running, s.selected, s.waiting, s.asked = e.Where.Step, e.Where.Step, nil, false
		s.live, s.received, s.attempts, s.since, s.shown = nil, nil, nil, time.Time{}, urlOverlay{}
		s.opts.logf("%s/%s: started", e.Flow, e.Step.ID)
		cmd = s.spin.Tick
	case flows.RequestSent:
		s.live = append(s.live, flows.Exchange{Request: e.Request})
	case flows.ResponseReceived:
		if e.Hop >= 1 && e.Hop <= len(s.live) {
			s.live[e.Hop-1] = e.Exchange
		}
	case flows.RequestReceived:
		s.received = append(s.received, e.Request)
	case flows.Attempt:
		s.attempts = append(s.attempts, e)
	case flows.StepDone:
		// A person's request travels apart from events and may already be here for the next
		// step: only this step's end closes its panel.
		if e.Flow == s.flowID() && e.Where.Step == s.running {
			s.running = -1
			s.live, s.received, s.attempts, s.since, s.shown = nil, nil, nil, time.Time{}, urlOverlay{}
		}
		if h := s.hand; h != nil && h.ask.req.Flow == e.Flow && h.ask.req.Where.Step == e.Where.Step {
			s.hand = nil
		}
		s.opts.logf("%s/%s: %s %s", e.Flow, e.Result.ID, e.Result.Status, e.Result.Reason)
	case flows.Waiting:
		// The selection stays where it is, on the step just run: its result is what the person
		// reads first. Enter then shows the step that is next, and enter again runs it.
		s.waiting, s.asked = &e, false
		if e.Step >= 0 && e.Next != nil {
			s.preview[e.Flow+"/"+fmt.Sprint(e.Step)] = *e.Next
		}
	case flows.FlowDone:
		// In walk mode a flow's end is a stop: its summary says how it went.
		if s.walkMode && e.Flow == s.flowID() && s.hand == nil {
			s.selected = summaryRow
		}
	case flows.QueueDone:
		s.waiting, s.asked, s.finished = nil, false, true
	}
	s.refresh(false)
	return s, cmd
}

// showFlow switches the screen to another flow of the queue.
func (s *runScreen) showFlow(id string) {
	for i, f := range s.queue {
		if f.ID == id {
			s.flowIdx, s.selected = i, 0
		}
	}
}

// Update handles keys (when the run screen has the keyboard) and the results of its commands.
func (s runScreen) Update(msg tea.Msg) (runScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if s.running < 0 {
			return s, nil
		}
		if s.since.IsZero() {
			s.since = msg.Time
		}
		s.now = msg.Time
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		s.refresh(false)
		return s, cmd
	case describedMsg:
		s.preview[msg.flow+"/"+fmt.Sprint(msg.step)] = msg.desc
		s.refresh(false)
		return s, nil
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

func (s runScreen) key(msg tea.KeyMsg) (runScreen, tea.Cmd) {
	k := s.c.keys
	// While the person pastes, every key is text. Otherwise, while the phone's step waits, the
	// moving keys still move (earlier steps can be read meanwhile) and x still cancels; the
	// panel's own keys bring the panel back and act on it.
	moving := key.Matches(msg, k.Up, k.Down, k.Top, k.Bottom, k.Focus, k.PageUp, k.PageDown, k.Cancel)
	if s.hand != nil && (s.hand.typing() || !moving) {
		if s.flowID() != s.hand.ask.req.Flow || s.selected != s.running {
			s.showFlow(s.hand.ask.req.Flow)
			s.selected = s.running
			s.refresh(true)
		}
		var cmd tea.Cmd
		var reply *inputReply
		*s.hand, cmd, reply = s.hand.Update(msg)
		return s.afterHandoff(cmd, reply)
	}
	if s.shown.url != "" {
		s.shown = urlOverlay{} // any key closes the URL drawn alone
		return s, nil
	}
	if s.find.typing {
		cmd, done, cancelled := s.find.key(msg, k)
		if done && !cancelled {
			if line := s.find.find(strings.TrimSpace(s.find.input.Value()), s.content, s.detail.YOffset); line >= 0 {
				s.detail.SetYOffset(line)
			}
		}
		s.refresh(false)
		return s, cmd
	}
	switch {
	case key.Matches(msg, k.Search) && (s.hand == nil || s.selected != s.running):
		cmd := s.find.open()
		s.refresh(false)
		return s, cmd
	case s.find.term != "" && key.Matches(msg, k.NextHit, k.PrevHit) && (s.hand == nil || s.selected != s.running):
		dir := 1
		if key.Matches(msg, k.PrevHit) {
			dir = -1
		}
		if line := s.find.step(dir); line >= 0 {
			s.detail.SetYOffset(line)
		}
		return s, nil
	case s.find.term != "" && key.Matches(msg, k.Back):
		s.find.clear()
		s.refresh(false)
		return s, nil
	}
	d := s.eng.driver
	n := len(s.flow().Steps)
	if u := s.listening(); u != "" {
		// A listener waits for the provider: its address can be handed on like the phone's link.
		switch {
		case key.Matches(msg, k.Copy):
			return s, copyCmd(s.c.terminal, "the listener's URL", u)
		case key.Matches(msg, k.QR, k.ShowURL):
			s.shown = urlOverlay{url: u, qr: key.Matches(msg, k.QR)}
			return s, nil
		}
	}
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
	case s.focusDetail && key.Matches(msg, k.Top):
		s.detail.GotoTop()
	case s.focusDetail && key.Matches(msg, k.Bottom):
		s.detail.GotoBottom()
	case key.Matches(msg, k.Down), key.Matches(msg, k.Up), key.Matches(msg, k.Top), key.Matches(msg, k.Bottom):
		switch {
		case key.Matches(msg, k.Down):
			s.selected = min(n-1, s.selected+1)
		case key.Matches(msg, k.Up):
			s.selected = max(summaryRow, s.selected-1)
		case key.Matches(msg, k.Top):
			s.selected = summaryRow
		default:
			s.selected = n - 1
		}
		s.refresh(true)
		return s, s.describe(s.selected)
	case key.Matches(msg, k.PrevFlow, k.NextFlow) && s.running < 0:
		// Another flow of the run, to read. Not while a step runs: its flow stays in view.
		i := s.flowIdx - 1
		if key.Matches(msg, k.NextFlow) {
			i = s.flowIdx + 1
		}
		if i >= 0 && i < len(s.queue) {
			s.flowIdx, s.selected = i, summaryRow
			s.refresh(true)
		}
		return s, nil
	case key.Matches(msg, k.Cancel):
		if s.running >= 0 {
			return s, driverCmd(d.Cancel)
		}
	case s.busy():
		return s, nil // one step at a time
	case s.review && key.Matches(msg, k.RerunFlow):
		// Reading records: R runs the flow shown again, from its first step.
		return s.start(s.eng, []*flows.Flow{s.flow()}, s.walkMode, s.records)
	case s.review:
		return s, nil // nothing else runs from records
	case key.Matches(msg, k.Send):
		w := s.waiting
		if w == nil {
			return s, nil
		}
		if w.Step >= 0 && (w.Flow != s.flowID() || s.selected != w.Step) {
			s.showFlow(w.Flow)
			s.selected = w.Step
			s.refresh(true)
			return s, nil
		}
		s.asked = true
		return s, driverCmd(d.Continue)
	case key.Matches(msg, k.Rerun) && s.selected == summaryRow:
		return s, nil
	case key.Matches(msg, k.Rerun):
		s.asked = true
		flow, step := s.flowID(), s.selected
		return s, driverCmd(func() { d.Rerun(flow, step) })
	case key.Matches(msg, k.RerunFlow):
		s.asked, s.finished = true, false
		flow := s.flowID()
		return s, driverCmd(func() { d.Restart(flow) })
	case key.Matches(msg, k.Mode):
		s.walkMode = !s.walkMode
		walk := s.walkMode
		if s.waiting != nil && !walk {
			s.asked = true
		}
		return s, driverCmd(func() { d.SetWalk(walk) })
	}
	return s, nil
}

// listening is the URL of the listener the running step waits at, when it is an await step
// whose request has not come yet; "" otherwise.
func (s runScreen) listening() string {
	f := s.flow()
	if f == nil || s.running < 0 || s.running >= len(f.Steps) || len(s.received) > 0 || f.Steps[s.running].Kind.Name() != "await" {
		return ""
	}
	d, ok := s.preview[f.ID+"/"+fmt.Sprint(s.running)]
	if !ok {
		return ""
	}
	return d.URL
}

// describe asks the engine what a step not run yet would do, for the preview.
func (s runScreen) describe(i int) tea.Cmd {
	f := s.flow()
	if f == nil || s.eng == nil || i < 0 || !s.pending(i) {
		return nil
	}
	if _, ok := s.preview[f.ID+"/"+fmt.Sprint(i)]; ok {
		return nil
	}
	return describeCmd(s.eng, f.ID, i)
}

// inputNeeded shows the handoff panel for a step that needs a person.
// The request may come before the event that says its step started: the two travel apart.
func (s runScreen) inputNeeded(ask inputAsk) (runScreen, tea.Cmd) {
	w := ask.req.Where
	if s.eng == nil || w.Target != s.eng.target.Name {
		// Nobody is looking at that profile: tell the engine so its goroutine ends.
		return s, answerCmd(ask, inputReply{err: context.Canceled})
	}
	s.showFlow(w.Flow)
	s.running, s.selected, s.waiting, s.asked = w.Step, w.Step, nil, false
	// The URL goes to the debug log too, for a person who would rather copy it from a file,
	// unless it carries a secret: a log is kept, the screen is not.
	if ask.req.RedirectURI != "" {
		s.opts.logf("handoff %s: open %s (it calls back to %s)", ask.req.Step.ID, ask.req.MaskedURL, ask.req.RedirectURI)
	} else {
		s.opts.logf("handoff %s: open %s", ask.req.Step.ID, ask.req.MaskedURL)
	}
	h := newHandoff(s.c, ask, s.opts.CallbackAddr)
	s.hand = &h
	s.refresh(true)
	return s, nil
}

// afterHandoff passes the person's answer to the engine once there is one.
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

// stopHandoff ends a wait for the phone's callback.
func (s *runScreen) stopHandoff() {
	if s.hand != nil {
		s.hand.stop()
	}
}

func (s *runScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.refresh(false)
}

// listWidth is the step list's width: what the flow's longest line needs (its header, or a step
// with its cursor and mark), up to a third of the terminal, and never under 18 cells.
func (s runScreen) listWidth() int {
	need := 0
	if f := s.flow(); f != nil {
		need = len(fmt.Sprintf("%s (%d/%d)", f.ID, s.flowIdx+1, len(s.queue)))
		for _, st := range f.Steps {
			need = max(need, lipgloss.Width(st.ID)+3)
		}
	}
	return max(18, min(need, s.width/3))
}

// refresh lays the panes out for the flow shown and re-renders the detail pane's content; top
// scrolls it back to the start.
func (s *runScreen) refresh(top bool) {
	// Each pane takes 4 cells beyond its content: a border and a space of padding on each side.
	s.detail.Width = max(10, s.width-s.listWidth()-8)
	s.detail.Height = max(1, s.paneHeight()-2)
	f := s.flow()
	if f == nil || s.selected >= len(f.Steps) {
		return
	}
	content := ""
	switch {
	case s.hand != nil && s.running == s.selected:
		content = s.hand.view(s.detail.Width)
	case s.selected == summaryRow:
		var fr *flows.FlowResult
		if r, ok := s.records[f.ID]; ok {
			fr = &r
		}
		content = renderFlowSummary(s.c.styles, f, fr, s.detail.Width)
	default:
		v := stepView{step: f.Steps[s.selected], res: s.record(s.selected), walk: s.walkMode}
		if s.running == s.selected {
			v.running, v.live, v.received, v.attempts = true, s.live, s.received, s.attempts
			if !s.since.IsZero() {
				v.waited = s.now.Sub(s.since)
			}
		}
		if d, ok := s.preview[f.ID+"/"+fmt.Sprint(s.selected)]; ok {
			v.preview = &d
		}
		if w := s.waiting; w != nil && w.Flow == f.ID && w.Step == s.selected {
			v.next, v.halted = true, w.Halted
		}
		content = renderStep(s.c.styles, v, s.detail.Width)
	}
	s.detail.SetContent(content)
	if content != s.content {
		// Another step or more of it: what was found may have moved.
		s.content = content
		if s.find.term != "" {
			s.find.find(s.find.term, content, s.detail.YOffset)
		}
	}
	switch {
	case s.hand != nil && s.running == s.selected && (s.hand.pasting || s.hand.problem != "" || s.hand.listener != nil):
		// The field being typed in, the listener's address and a problem are at the panel's
		// foot: keep them in view in a short terminal.
		s.detail.GotoBottom()
	case s.running >= 0 && s.running == s.selected && s.hand == nil:
		// A running step grows as hops arrive: follow the newest, as a log does.
		s.detail.GotoBottom()
	case top:
		s.detail.GotoTop()
	}
}

func (s runScreen) View() string {
	if len(s.queue) == 0 {
		return ""
	}
	if s.hand != nil && s.hand.shown.url != "" {
		return s.hand.shown.view(s.c.styles, s.width, s.height)
	}
	if s.shown.url != "" {
		return s.shown.view(s.c.styles, s.width, s.height)
	}
	st := s.c.styles
	listStyle, detailStyle := st.Focused, st.Pane
	if s.focusDetail || s.typing() || (s.hand != nil && s.selected == s.running) {
		listStyle, detailStyle = st.Pane, st.Focused
	}
	// Width in Lip Gloss counts the padding, not the border.
	list := listStyle.Width(s.listWidth() + 2).Height(s.paneHeight() - 2).Render(s.stepList())
	detail := detailStyle.Width(s.detail.Width + 2).Height(s.paneHeight() - 2).Render(s.detail.View())
	panes := lipgloss.JoinHorizontal(lipgloss.Top, list, detail)
	if s.find.active() {
		return panes + "\n" + s.find.view(st, s.width)
	}
	return panes
}

// paneHeight is the panes' height with their borders: the screen, less the search line when
// there is one.
func (s runScreen) paneHeight() int {
	if s.find.active() {
		return s.height - 1
	}
	return s.height
}

// stepList draws the steps with their status marks, scrolled to keep the selection in view.
func (s runScreen) stepList() string {
	st := s.c.styles
	f := s.flow()
	rows := s.paneHeight() - 2
	// The flow's place in the run follows its id, or goes under it when both do not fit.
	count := fmt.Sprintf("(%d/%d)", s.flowIdx+1, len(s.queue))
	lines := []string{st.Heading.Render(f.ID + " " + count)}
	if lipgloss.Width(lines[0]) > s.listWidth() {
		lines = []string{st.Heading.Render(ellipsis(f.ID, s.listWidth())), st.Muted.Render("flow " + count)}
	}
	// The summary row sits above the steps while the list is not scrolled past it.
	first := max(0, s.selected-(rows-len(lines)-2))
	if first == 0 {
		summary := " " + st.Muted.Render("= summary")
		if s.selected == summaryRow {
			summary = "▸" + st.Selected.Render("= summary")
		}
		lines = append(lines, summary)
	}
	// The selected row carries a glyph besides its reverse video: with NO_COLOR or a terminal
	// that ignores attributes, the glyph is what shows where the cursor is.
	for i := first; i < len(f.Steps) && len(lines) < rows; i++ {
		name, cursor := f.Steps[i].ID, " "
		if i == s.selected {
			cursor = "▸"
		}
		if i != s.selected {
			name = ellipsis(name, s.listWidth()-3)
		} else {
			name = st.Selected.Render(ellipsis(f.Steps[i].ID, s.listWidth()-3))
		}
		lines = append(lines, cursor+s.mark(i)+" "+name)
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
	if s.pending(i) {
		return st.Muted.Render("·")
	}
	return statusMark(st, s.record(i).Status)
}

func (s runScreen) keys() bindings {
	k := s.c.keys
	if s.hand != nil {
		// The panel's keys first, then the ones that still move while it waits.
		b := s.hand.keys()
		if !s.hand.typing() {
			b.full = append(b.full, []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.Focus, k.PageUp, k.PageDown},
				[]key.Binding{k.Help, k.Quit})
		}
		return b
	}
	if s.running >= 0 {
		short := []key.Binding{k.Cancel, k.Focus, k.Help, k.Quit}
		full := [][]key.Binding{{k.Cancel}, {k.Up, k.Down, k.Focus, k.PageUp, k.PageDown}, {k.Help, k.Quit}}
		if s.listening() != "" {
			short = []key.Binding{k.Copy, k.ShowURL, k.QR, k.Cancel, k.Focus, k.Help}
			full[0] = []key.Binding{k.Copy, k.ShowURL, k.QR, k.Cancel}
		}
		return bindings{short: short, full: full}
	}
	move := []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.Focus, k.PageUp, k.PageDown, k.Search}
	if s.find.term != "" {
		move = append(move, k.NextHit, k.PrevHit)
	}
	if len(s.queue) > 1 {
		move = append(move, k.PrevFlow, k.NextFlow)
	}
	if s.review {
		again := key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "run this flow again"))
		return bindings{
			short: []key.Binding{again, k.Focus, k.PrevFlow, k.NextFlow, k.Export, k.Back, k.Help},
			full:  [][]key.Binding{{again}, move, {k.Export, k.Back, k.Help, k.Quit}},
		}
	}
	send := k.Send
	return bindings{
		short: []key.Binding{send, k.Mode, k.Rerun, k.RerunFlow, k.Focus, k.Export, k.Back, k.Help},
		full:  [][]key.Binding{{send, k.Mode, k.Rerun, k.RerunFlow, k.Cancel}, move, {k.Export, k.Back, k.Help, k.Quit}},
	}
}
