package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
)

// common is what every screen shares: looks, keys and the size of the terminal.
type common struct {
	styles        Styles
	keys          KeyMap
	width, height int
}

// screen is which screen has the keyboard.
type screen int

const (
	screenProfiles screen = iota
	screenFlows
	screenRun
)

// Model is the whole interface: the three screens, the export dialog over them, and what the
// session has produced so far.
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

	// The profile being used and what its flows produced, for the flows screen and exports.
	profile  *profiles.Profile
	resolved *profiles.Resolved
	results  map[string]flows.FlowResult
	runner   *flows.Runner
	asks     chan inputAsk
	given    map[string]given // values typed for each profile, by name

	resolving bool // a profile is starting; the picker waits
	status    string
	statusBad bool
	statusID  int
	ready     bool
}

// New builds the interface. Nothing happens until the program runs Init.
func New(opts Options) Model {
	c := &common{styles: DefaultStyles(), keys: DefaultKeyMap()}
	asks := make(chan inputAsk)
	h := help.New()
	h.ShortSeparator = " · "
	m := Model{
		c: c, opts: opts, help: h, asks: asks,
		profiles: newProfilesScreen(c),
		flows:    newFlowsScreen(c),
		export:   newExportDialog(c),
		values:   newValuesDialog(c),
		results:  map[string]flows.FlowResult{},
		given:    map[string]given{},
		runner: &flows.Runner{
			UserAgent:   "telconform/" + opts.Version,
			StepTimeout: 30 * time.Second,
			Input:       askInput(asks),
		},
	}
	m.run = newRunScreen(c, m.runner, opts)
	return m
}

// Init loads the profiles and starts listening for the runner's requests for a person.
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
		return m, nil
	case profileResolvedMsg:
		return m.profileResolved(msg)
	case needValuesMsg:
		m.resolving, m.status = false, ""
		return m, m.values.show(msg.profile, msg.vars, msg.env)
	case inputNeededMsg:
		var cmd tea.Cmd
		m.run, cmd = m.run.inputNeeded(msg.ask)
		return m, tea.Batch(cmd, waitForInputCmd(m.asks))
	case stepDoneMsg, listeningMsg, callbackMsg:
		var cmd tea.Cmd
		m.run, cmd = m.run.Update(msg)
		m.collectResults()
		return m, cmd
	case reportWrittenMsg:
		if msg.err != nil {
			return m.setStatus(fmt.Sprintf("Could not write the report: %v", msg.err), true)
		}
		m.export.close()
		return m.setStatus(describeWrite(msg, m.runResult()), false)
	case clearStatusMsg:
		if msg.id == m.statusID {
			m.status = ""
		}
		return m, nil
	}
	// Anything else (spinner ticks, cursor blinks) belongs to the run screen and the dialogs.
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.run, cmd = m.run.Update(msg)
	cmds = append(cmds, cmd)
	m.export, cmd = m.export.Update(msg)
	cmds = append(cmds, cmd)
	m.values, cmd = m.values.Update(msg)
	cmds = append(cmds, cmd)
	return m, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	typing := m.export.open || m.values.open || m.profiles.filtering() || m.run.typing()
	switch {
	case msg.Type == tea.KeyCtrlC:
		return m, tea.Quit
	case !typing && key.Matches(msg, k.Quit):
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
			m.resolving = true
			m, _ = m.setStatusModel("Starting "+m.profile.Name+"…", false)
			return m, resolveProfileCmd(m.profile, m.opts, g)
		}
		return m, cmd
	}
	if m.export.open {
		var cmd tea.Cmd
		m.export, cmd = m.export.Update(msg)
		if path, ok := m.export.submitted(); ok {
			return m, writeReportCmd(path, m.runResult(), reports.Meta{Tool: "telconform", Version: m.opts.Version})
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

func (m Model) profilesKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.resolving {
		return m, nil
	}
	var cmd tea.Cmd
	var chosen *profiles.Profile
	m.profiles, cmd, chosen = m.profiles.Update(msg)
	if chosen == nil {
		return m, cmd
	}
	m.profile, m.resolving = chosen, true
	m.results = map[string]flows.FlowResult{}
	m, _ = m.setStatusModel("Starting "+chosen.Name+"…", false)
	return m, resolveProfileCmd(chosen, m.opts, m.given[chosen.Name])
}

func (m Model) profileResolved(msg profileResolvedMsg) (tea.Model, tea.Cmd) {
	m.resolving = false
	if msg.err != nil {
		// One line per problem, as on the command line; the person stays on the picker.
		first, _, _ := strings.Cut(msg.err.Error(), "\n")
		return m.setStatus(first, true)
	}
	old := m.resolved
	m.resolved = msg.resolved
	m.flows.setTarget(msg.profile, msg.resolved.Target, m.results)
	m.screen = screenFlows
	m.status = ""
	m.resize()
	return m, closeCmd(old)
}

func (m Model) flowsKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.c.keys.Back) {
		m.screen = screenProfiles
		old := m.resolved
		m.resolved = nil
		return m, closeCmd(old)
	}
	var cmd tea.Cmd
	var start []*flows.Flow
	m.flows, cmd, start = m.flows.Update(msg)
	if len(start) == 0 {
		return m, cmd
	}
	m.screen = screenRun
	var runCmd tea.Cmd
	m.run, runCmd = m.run.start(m.resolved.Target, start, m.flows.walkMode)
	m.resize()
	return m, tea.Batch(cmd, runCmd)
}

func (m Model) runKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.c.keys.Back) && !m.run.typing() && !m.run.busy() {
		m.collectResults()
		m.screen = screenFlows
		m.flows.walkMode = m.run.walkMode
		m.resize()
		return m, nil
	}
	var cmd tea.Cmd
	m.run, cmd = m.run.Update(msg)
	m.collectResults()
	return m, cmd
}

// collectResults keeps the latest record of every flow the run screen has touched.
func (m *Model) collectResults() {
	for _, fr := range m.run.flowResults() {
		m.results[fr.ID] = fr
	}
}

// runResult assembles what an export writes: the current profile with the latest record of each
// of its flows, in the profile's order.
func (m Model) runResult() flows.RunResult {
	run := flows.RunResult{}
	if m.profile == nil || m.resolved == nil {
		return run
	}
	t := m.resolved.Target
	tr := flows.TargetResult{Name: t.Name, Title: t.Title, Source: t.Source, Sandbox: t.Sandbox}
	var parts []flows.FlowResult
	for _, f := range t.Flows {
		if fr, ok := m.results[f.ID]; ok {
			parts = append(parts, fr)
		}
	}
	tr.Flows = parts
	tr.Status = flows.RollUpFlows(parts)
	if len(parts) > 0 {
		run.Started = parts[0].Started
	}
	for _, p := range parts {
		run.Duration += p.Duration
	}
	run.Targets = []flows.TargetResult{tr}
	run.Status = tr.Status
	return run
}

func (m Model) setStatus(s string, bad bool) (tea.Model, tea.Cmd) {
	m, cmd := m.setStatusModel(s, bad)
	return m, cmd
}

func (m Model) setStatusModel(s string, bad bool) (Model, tea.Cmd) {
	m.status, m.statusBad = s, bad
	m.statusID++
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

// View draws the header, the focused screen (or the export dialog over it) and the footer.
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
	left := s.Title.Render(truncate(strings.Join(parts, " · "), max(1, m.c.width-lipgloss.Width(right)-1)))
	gap := max(1, m.c.width-lipgloss.Width(left)-lipgloss.Width(right))
	return truncate(left+strings.Repeat(" ", gap)+right, m.c.width)
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
	if m.resolved != nil && m.resolved.Target.Walk == flows.WalkDevice {
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
		status = st.Render(truncate(m.status, m.c.width))
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

// truncate cuts a line to width cells.
func truncate(s string, width int) string {
	if width <= 0 || lipgloss.Width(s) <= width {
		return s
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(s)
}
