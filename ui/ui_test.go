package ui

import (
	"bytes"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/profiles"
)

func init() {
	// Goldens and journeys compare text, so colour is pinned off.
	lipgloss.SetColorProfile(termenv.Ascii)
}

var epoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// testOptions point the profile path at an empty directory, so only built-in profiles show.
func testOptions(t testing.TB) Options {
	dir := t.TempDir()
	return Options{
		Launch: launch.Options{
			Env:          func(k string) (string, bool) { return dir, k == "TELCONFORM_PROFILE_PATH" },
			SandboxClock: func() time.Time { return epoch },
		},
		Runner:  &flows.Runner{StepTimeout: 10 * time.Second},
		Version: "test",
	}
}

// syncBuffer is a log destination tests can read while the program writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func logTo(b *syncBuffer) *log.Logger { return log.New(b, "", 0) }

func update(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

// press turns key names into key messages: enter, esc, tab, or the runes typed.
func press(names ...string) []tea.Msg {
	var out []tea.Msg
	for _, n := range names {
		switch n {
		case "enter":
			out = append(out, tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			out = append(out, tea.KeyMsg{Type: tea.KeyEsc})
		case "tab":
			out = append(out, tea.KeyMsg{Type: tea.KeyTab})
		default:
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(n)})
		}
	}
	return out
}

// konera is the built-in sandbox profile and a target for it with fixed addresses, so screens
// that show URLs are the same on every run.
func konera(t testing.TB) (*profiles.Profile, *flows.Target) {
	t.Helper()
	p, err := profiles.Find("sandbox-konera", nil)
	if err != nil {
		t.Fatal(err)
	}
	target := &flows.Target{
		Name: p.Name, Title: p.Title, Source: p.Source, Sandbox: "konera", Flows: p.SelectedFlows(),
		Vars: map[string]string{
			"token_url":      "https://sandbox.example/auth/realms/konera/protocol/openid-connect/token",
			"authorize_url":  "https://sandbox.example/auth/authorize",
			"auth_token_url": "https://sandbox.example/auth/token",
			"api_base":       "https://sandbox.example", "client_id": "konera-sandbox-client",
			"redirect_uri": "https://client.example/cb", "device_number": "+15143792381",
			"other_number": "+13541234567", "swapped_number": "+17147684731", "unswapped_number": "+34666666666",
		},
		Secrets: map[string]string{"client_secret": "konera-sandbox-secret"},
		Client:  flows.ClientAuth{Method: flows.ClientSecretPost},
		Clock:   flows.NewSimClock(func() time.Time { return epoch }), MaxWait: -1, Walk: flows.WalkAgent,
	}
	return p, target
}

// stillEngine is an engine whose driver is never served: screens are drawn from events the test
// hands them, and nothing is sent anywhere.
func stillEngine(p *profiles.Profile, target *flows.Target) *engine {
	e := &engine{profile: p, target: target, events: make(chan flows.Event, 1), stop: func() {}, done: make(chan struct{})}
	close(e.done)
	e.driver = (&flows.Runner{}).NewDriver([]*flows.Target{target}, nil)
	return e
}

// atFlows is the interface on the flows screen of the sandbox profile, 80×24.
func atFlows(t testing.TB) Model {
	opts := testOptions(t)
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	p, target := konera(t)
	// The engine is handed over directly: which row the picker had makes no difference.
	return update(m, engineReadyMsg{profile: p, engine: stillEngine(p, target)})
}

// events hands the run screen engine events, as the engine would send them.
func events(m Model, evs ...flows.Event) Model {
	for _, ev := range evs {
		m = update(m, engineEventMsg{engine: m.eng, event: ev})
	}
	return m
}

func flowOf(m Model, id string) *flows.Flow {
	for _, f := range m.eng.target.Flows {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// started is what the engine says when flow f starts: every step pending.
func started(m Model, flow string) flows.FlowStarted {
	f := flowOf(m, flow)
	s := (&flows.Runner{}).NewSession(m.eng.target, f, nil, nil)
	return flows.FlowStarted{Where: flows.Where{Target: m.eng.target.Name, Flow: flow, Step: -1}, Flow: f, Result: s.Result()}
}

// waitingAt is the engine waiting for the person before step i, with its description.
func waitingAt(m Model, flow string, i int) flows.Waiting {
	d, _ := m.eng.driver.Describe(m.eng.target.Name, flow, i)
	return flows.Waiting{Where: flows.Where{Target: m.eng.target.Name, Flow: flow, Step: i}, Next: &d}
}

// stepDone is the engine reporting step i of flow done with res.
func stepDone(m Model, flow string, i int, res flows.StepResult) []flows.Event {
	fr := m.results[flow]
	fr.Steps = append([]flows.StepResult(nil), fr.Steps...)
	fr.Steps[i] = res
	fr.Status = res.Status
	w := flows.Where{Target: m.eng.target.Name, Flow: flow, Step: i}
	return []flows.Event{flows.StepStarted{Where: w, Step: flowOf(m, flow).Steps[i]}, flows.StepDone{Where: w, Result: res, FlowResult: fr}}
}
func contains(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Errorf("the screen does not show %q:\n%s", w, view)
		}
	}
}
