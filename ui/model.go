package ui

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
)

// common is what every screen shares: looks, keys and the size of the terminal.
type common struct {
	styles        Styles
	keys          KeyMap
	width, height int
	// terminal takes the escape sequences that are not drawing: the clipboard's (OSC 52).
	terminal io.Writer
}

// screen is which screen has the keyboard.
type screen int

const (
	screenProfiles screen = iota
	screenFlows
	screenRun
)

// Model is the whole interface: the three screens, the dialogs over them, and each profile's
// engine with the latest record of each of its flows.
type Model struct {
	c    *common
	opts Options

	screen   screen
	profiles profilesScreen
	flows    flowsScreen
	run      runScreen
	export   exportDialog
	values   valuesDialog
	help     help.Model

	// The profile in use, its engine and what its flows produced.
	profile *profiles.Profile
	eng     *engine
	results map[string]flows.FlowResult // the current profile's records, by flow

	engines map[string]*engine                     // every profile started, by name
	records map[string]map[string]flows.FlowResult // every profile's records
	runner  *flows.Runner
	asks    chan inputAsk
	given   map[string]given // values typed for each profile, by name

	preparing bool // a profile is starting; the picker waits
	// unexported names the profiles whose results changed since they were last exported.
	unexported map[string]bool
	// quitting is set by a q that met unexported results: a second q quits.
	quitting bool
	// interrupted is set by ctrl+c: the exit status says so (130).
	interrupted bool
	status      string
	statusBad   bool
	statusID    int
	ready       bool
}

// New builds the interface. Nothing happens until the program runs Init.
func New(opts Options) Model {
	c := &common{styles: DefaultStyles(), keys: DefaultKeyMap(), terminal: opts.Terminal}
	if c.terminal == nil {
		c.terminal = io.Discard // ui.Run gives it the terminal
	}
	asks := make(chan inputAsk)
	h := help.New()
	h.ShortSeparator = " · "
	runner := flows.Runner{}
	if opts.Runner != nil {
		runner = *opts.Runner
	}
	runner.Input = askInput(asks)
	return Model{
		c: c, opts: opts, help: h, asks: asks, runner: &runner,
		profiles:   newProfilesScreen(c),
		flows:      newFlowsScreen(c),
		run:        newRunScreen(c, opts),
		export:     newExportDialog(c),
		values:     newValuesDialog(c),
		engines:    map[string]*engine{},
		records:    map[string]map[string]flows.FlowResult{},
		given:      map[string]given{},
		unexported: map[string]bool{},
	}
}

// Init loads the profiles and starts listening for the engine's requests for a person.
func (m Model) Init() tea.Cmd {
	return tea.Batch(loadProfilesCmd(m.opts), waitForInputCmd(m.asks))
}

// Update routes a message: global keys first, then sizes to every screen, then asynchronous
// results to their owner whatever has the focus, then the remaining keys to the focused screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.ready = true
		m.help.Width = msg.Width
		m.resize()
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case profilesLoadedMsg:
		m.profiles.setEntries(msg.entries)
		if len(m.opts.Profiles) > 0 && m.profile == nil {
			// --profile NAME: straight to its flows, as if chosen in the picker.
			return m.choose(m.opts.Profiles[0])
		}
		return m, nil
	case engineReadyMsg:
		return m.engineReady(msg)
	case needValuesMsg:
		m.preparing, m.status = false, ""
		return m, m.values.show(msg.profile, msg.vars, msg.env)
	case engineEventMsg:
		return m.engineEvent(msg)
	case inputNeededMsg:
		var cmd tea.Cmd
		m.run, cmd = m.run.inputNeeded(msg.ask)
		return m, tea.Batch(cmd, waitForInputCmd(m.asks))
	case describedMsg:
		if msg.engine != m.eng {
			return m, nil
		}
	case reportWrittenMsg:
		if msg.err != nil {
			return m.setStatus(fmt.Sprintf("Could not write the report: %v", msg.err), true)
		}
		m.export.close()
		delete(m.unexported, msg.profile)
		return m.setStatus(describeWrite(msg), false)
	case copiedMsg:
		if msg.err != nil {
			return m.setStatus("Could not copy: "+msg.err.Error(), true)
		}
		return m.setStatus("Sent "+msg.what+" to the clipboard through the terminal (OSC 52). Nothing there? "+
			"The terminal does not allow it: in tmux, set -g set-clipboard on; else u shows it alone to select.", false)
	case clearStatusMsg:
		if msg.id == m.statusID {
			m.status = ""
			m.resize()
		}
		return m, nil
	}
	// Anything else (the filter's matches, spinner ticks, cursor blinks, listener results)
	// belongs to the picker, the run screen and the dialogs.
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.profiles, cmd = m.profiles.updateList(msg)
	cmds = append(cmds, cmd)
	m.run, cmd = m.run.Update(msg)
	cmds = append(cmds, cmd)
	m.export, cmd = m.export.Update(msg)
	cmds = append(cmds, cmd)
	if path, ok := m.export.submitted(); ok {
		cmds = append(cmds, writeReportCmd(path, m.eng, reports.Meta{Tool: "telconform", Version: m.opts.Version}))
	}
	m.values, cmd = m.values.Update(msg)
	cmds = append(cmds, cmd)
	return m, tea.Batch(cmds...)
}

// engineEvent keeps a profile's records (each flow's latest, as the engine sends it) whether or not
// anyone is looking, and lets the run screen draw the event if it shows that profile.
func (m Model) engineEvent(msg engineEventMsg) (tea.Model, tea.Cmd) {
	next := nextEventCmd(msg.engine)
	recs := m.records[msg.engine.profile.Name]
	switch e := msg.event.(type) {
	case flows.FlowStarted:
		recs[e.Flow.ID] = e.Result
	case flows.StepDone:
		recs[e.Flow] = e.FlowResult
		m.unexported[msg.engine.profile.Name] = true
	case flows.FlowDone:
		recs[e.Flow] = e.Result
	}
	if msg.engine != m.eng || m.screen != screenRun {
		return m, next
	}
	var cmd tea.Cmd
	m.run, cmd = m.run.event(msg.event)
	return m, tea.Batch(cmd, next)
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	typing := m.export.open || m.values.open || m.profiles.filtering() || m.run.typing()
	quitting := m.quitting
	m.quitting = false // any other key than a second q takes the question back
	switch {
	case msg.Type == tea.KeyCtrlC:
		m.interrupted = true
		return m, tea.Quit
	case !typing && key.Matches(msg, k.Quit):
		if names := m.unexportedNames(); len(names) > 0 && !quitting {
			m.quitting = true
			return m.setStatus(fmt.Sprintf("q again quits without exporting the results of %s (e exports them).",
				strings.Join(names, ", ")), true)
		}
		return m, tea.Quit
	case !typing && key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize()
		return m, nil
	}
	if m.values.open {
		var cmd tea.Cmd
		m.values, cmd = m.values.Update(msg)
		if vars, env, ok := m.values.collected(); ok {
			g := given{vars: vars, env: env}
			m.given[m.profile.Name] = g
			m.preparing = true
			m, _ = m.setStatusModel("Starting "+m.profile.Name+"…", false)
			return m, prepareCmd(m.profile, m.opts, g, m.runner)
		}
		return m, cmd
	}
	if m.export.open {
		var cmd tea.Cmd
		m.export, cmd = m.export.Update(msg)
		if path, ok := m.export.submitted(); ok {
			return m, writeReportCmd(path, m.eng, reports.Meta{Tool: "telconform", Version: m.opts.Version})
		}
		return m, cmd
	}
	if !typing && key.Matches(msg, k.Export) && m.screen != screenProfiles {
		if len(m.results) == 0 {
			return m.setStatus("Nothing to export yet: run a flow first.", true)
		}
		return m, m.export.show()
	}
	switch m.screen {
	case screenProfiles:
		return m.profilesKey(msg)
	case screenFlows:
		return m.flowsKey(msg)
	default:
		return m.runKey(msg)
	}
}

// unexportedNames lists, sorted, the profiles with results not exported.
func (m Model) unexportedNames() []string {
	return slices.Sorted(maps.Keys(m.unexported))
}

// ExitStatus is what the interface exits with, the rule the README gives: 130 when ctrl+c ended
// it, 1 when a flow it ran (its latest record) failed or could not run, 0 otherwise.
func (m Model) ExitStatus() int {
	if m.interrupted {
		return 130
	}
	for _, recs := range m.records {
		for _, fr := range recs {
			if fr.Status == checks.Fail || fr.Status == checks.Error {
				return 1
			}
		}
	}
	return 0
}

func (m Model) profilesKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.preparing {
		return m, nil
	}
	if err := m.profiles.problem(); err != nil && key.Matches(msg, m.c.keys.Select) && !m.profiles.filtering() {
		// The row shows the first line cut to the width; enter shows it whole, wrapped.
		first, _, _ := strings.Cut(err.Error(), "\n")
		return m.setStatus(first, true)
	}
	var cmd tea.Cmd
	var chosen *profiles.Profile
	m.profiles, cmd, chosen = m.profiles.Update(msg)
	if chosen == nil {
		return m, cmd
	}
	return m.choose(chosen)
}

// choose opens a profile: its flows at once if it is running, else it is started.
func (m Model) choose(chosen *profiles.Profile) (tea.Model, tea.Cmd) {
	m.profile = chosen
	if e, ok := m.engines[chosen.Name]; ok {
		return m.showProfile(e)
	}
	m.preparing = true
	m, _ = m.setStatusModel("Starting "+chosen.Name+"…", false)
	return m, prepareCmd(chosen, m.opts, m.given[chosen.Name], m.runner)
}

func (m Model) engineReady(msg engineReadyMsg) (tea.Model, tea.Cmd) {
	m.preparing = false
	if msg.err != nil {
		// One line per problem, as on the command line; the person stays on the picker.
		first, _, _ := strings.Cut(msg.err.Error(), "\n")
		return m.setStatus(first, true)
	}
	m.engines[msg.profile.Name] = msg.engine
	m.records[msg.profile.Name] = map[string]flows.FlowResult{}
	m.status = ""
	next, cmd := m.showProfile(msg.engine)
	return next, tea.Batch(cmd, nextEventCmd(msg.engine))
}

// showProfile opens the flows screen of a profile whose engine is running.
func (m Model) showProfile(e *engine) (tea.Model, tea.Cmd) {
	m.profile, m.eng = e.profile, e
	m.results = m.records[e.profile.Name]
	m.flows.setTarget(e.profile, e.target, m.results)
	m.screen = screenFlows
	m.resize()
	return m, nil
}

func (m Model) flowsKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.c.keys.Back) {
		m.screen = screenProfiles
		return m, nil
	}
	var cmd tea.Cmd
	var act flowsAction
	m.flows, cmd, act = m.flows.Update(msg)
	var runCmd tea.Cmd
	switch {
	case act.open:
		// Every flow of the profile, to page through with [ and ]: the one chosen first.
		m.run = m.run.open(m.eng, m.eng.target.Flows, m.flows.cursor, m.flows.walkMode, m.results)
	case len(act.start) > 0:
		m.run, runCmd = m.run.start(m.eng, act.start, m.flows.walkMode, m.results)
	default:
		return m, cmd
	}
	m.screen = screenRun
	m.resize()
	return m, tea.Batch(cmd, runCmd)
}

func (m Model) runKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.c.keys.Back) && !m.run.typing() && !m.run.busy() && m.run.find.term == "" {
		m.screen = screenFlows
		m.flows.walkMode = m.run.walkMode
		m.resize()
		return m, nil
	}
	var cmd tea.Cmd
	m.run, cmd = m.run.Update(msg)
	return m, cmd
}

func (m Model) setStatus(s string, bad bool) (tea.Model, tea.Cmd) {
	m, cmd := m.setStatusModel(s, bad)
	return m, cmd
}

func (m Model) setStatusModel(s string, bad bool) (Model, tea.Cmd) {
	m.status, m.statusBad = s, bad
	m.statusID++
	m.resize() // a long line wraps and takes room from the screen above it
	return m, clearStatusCmd(m.statusID)
}

// resize hands every screen the room left between the header and the footer.
func (m *Model) resize() {
	if !m.ready {
		return
	}
	body := m.c.height - lipgloss.Height(m.headerView()) - lipgloss.Height(m.footerView())
	m.profiles.setSize(m.c.width, body)
	m.flows.setSize(m.c.width, body)
	m.run.setSize(m.c.width, body)
	m.export.setSize(m.c.width, body)
	m.values.setSize(m.c.width, body)
}

// View draws the header, the focused screen (or the dialog over it) and the footer.
func (m Model) View() string {
	if !m.ready {
		return "loading…"
	}
	var body string
	switch {
	case m.values.open:
		body = m.values.View()
	case m.export.open:
		body = m.export.View()
	case m.screen == screenProfiles:
		body = m.profiles.View()
	case m.screen == screenFlows:
		body = m.flows.View()
	default:
		body = m.run.View()
	}
	// Every screen gets exactly the room between header and footer, whatever it drew.
	header, footer := m.headerView(), m.footerView()
	h := max(0, m.c.height-lipgloss.Height(header)-lipgloss.Height(footer))
	body = lipgloss.NewStyle().Width(m.c.width).Height(h).MaxWidth(m.c.width).MaxHeight(h).Render(body)
	return lipgloss.JoinVertical(lipgloss.Left, header, body, footer)
}

func (m Model) headerView() string {
	s := m.c.styles
	parts := []string{"telconform"}
	if m.profile != nil && m.screen != screenProfiles {
		parts = append(parts, m.profile.Name)
	}
	if m.screen == screenRun {
		parts = append(parts, m.run.flowID())
	}

	right := ""
	if m.screen != screenProfiles {
		right = s.Badge.Render(m.modeBadge())
	}
	left := s.Title.Render(ellipsis(strings.Join(parts, " · "), max(1, m.c.width-lipgloss.Width(right)-1)))
	gap := max(1, m.c.width-lipgloss.Width(left)-lipgloss.Width(right))
	header := truncate(left+strings.Repeat(" ", gap)+right, m.c.width)
	if m.eng != nil && m.screen != screenProfiles && len(m.eng.target.Faults) > 0 {
		// A run against a sandbox told to deviate must never pass for a real result: a line of
		// its own, on every screen of the profile.
		faults := "FAULTS INJECTED (the sandbox deviates on purpose): " + strings.Join(m.eng.target.Faults, ", ")
		header += "\n" + s.Fail.Render(truncate(faults, m.c.width))
	}
	return header
}

func (m Model) modeBadge() string {
	walk := m.flows.walkMode
	if m.screen == screenRun {
		walk = m.run.walkMode
	}
	mode := "run"
	if walk {
		mode = "walk"
	}
	who := flows.WalkAgent
	if m.eng != nil && m.eng.target.Walk == flows.WalkDevice {
		who = "phone"
	}
	return fmt.Sprintf("[%s · redirects: %s]", mode, who)
}

func (m Model) footerView() string {
	s := m.c.styles
	status := " "
	if m.status != "" {
		st := s.Status
		if m.statusBad {
			st = s.Problem
		}
		// Wrapped, not cut: the end of an error line is often the part that says what to do.
		// Three lines at most, so the screen above keeps its room.
		ls := wrap(m.status, m.c.width)
		if len(ls) > 3 {
			ls = append(ls[:2], truncate(strings.Join(ls[2:], " "), m.c.width-1)+"…")
		}
		status = st.Render(strings.Join(ls, "\n"))
	}
	return lipgloss.JoinVertical(lipgloss.Left, status, truncate(m.help.View(m.keyMap()), m.c.width))
}

// keyMap is the help for whatever has the keyboard.
func (m Model) keyMap() help.KeyMap {
	switch {
	case m.values.open:
		return m.values.keys()
	case m.export.open:
		return m.export.keys()
	case m.screen == screenProfiles:
		return m.profiles.keys()
	case m.screen == screenFlows:
		return m.flows.keys()
	default:
		return m.run.keys()
	}
}

// fitLines cuts every line to width cells and joins them.
func fitLines(lines []string, width int) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = truncate(l, width)
	}
	return strings.Join(out, "\n")
}

// ellipsis shortens plain text to width cells, its last cell an ellipsis when something was cut.
func ellipsis(s string, width int) string {
	if lipgloss.Width(s) <= width || width < 2 {
		return s
	}
	return truncate(s, width-1) + "…"
}

// truncate cuts a line to width cells.
func truncate(s string, width int) string {
	if width <= 0 || lipgloss.Width(s) <= width {
		return s
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(s)
}
