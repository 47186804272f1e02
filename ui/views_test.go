package ui

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
)

// Every screen, drawn at 80×24 with colour off and compared with testdata/<test>.golden
// (go test ./ui -update rewrites them). Each test also asserts the lines a person relies on, so
// a golden rewritten by mistake does not hide a lost feature.

func requireSize(t *testing.T, view string) {
	t.Helper()
	if h := lipgloss.Height(view); h != 24 {
		t.Errorf("view is %d lines tall, want 24", h)
	}
	for i, l := range strings.Split(view, "\n") {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d cells wide: %q", i+1, w, l)
		}
	}
}

func TestViewBeforeSize(t *testing.T) {
	if v := New(testOptions(t)).View(); v != "loading…" {
		t.Errorf("view before the first size: %q", v)
	}
}

func TestProfilesView(t *testing.T) {
	opts := testOptions(t)
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	v := m.View()
	builtin, _ := profiles.Builtin()
	contains(t, v, "Choose a profile", fmt.Sprintf("%d profiles", len(builtin)), "needs KONEKT_EMAIL, KONEKT_PASSWORD",
		"needs KONERA_CLIENT_ID, KONERA_CLIENT_SECRET and 5 more", "••") // and a page indicator
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

func TestFlowsView(t *testing.T) {
	m := atFlows(t)
	m.results["konera.sim-swap"] = flows.FlowResult{ID: "konera.sim-swap", Status: checks.Fail,
		Steps: []flows.StepResult{{Status: checks.Fail, Outcomes: []checks.Outcome{{Status: checks.Fail}, {Status: checks.Pass}}}}}
	m = update(m, press("j")...)
	v := m.View()
	contains(t, v, "konera.client-credentials", "FAIL  konera.sim-swap", "Last run: FAIL · checks 1 passed, 1 failed",
		"[walk · redirects: agent]")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

// runAt opens the run view on the SIM Swap flow in walk mode, nothing sent yet: the engine has
// started the flow and waits before its first step.
func runAt(t *testing.T) Model {
	m := atFlows(t)
	m = update(m, press("j", "enter")...)
	return events(m, started(m, "konera.sim-swap"), waitingAt(m, "konera.sim-swap", 0))
}

func TestRunViewBeforeSending(t *testing.T) {
	v := runAt(t).View()
	contains(t, v, "· token", "Not sent yet. Press enter to send it.",
		"POST https://sandbox.example/auth/realms/koner", "[secret:client_secret]", "It will run 8 checks", "  oauth2.token.content-type-json")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

// failedStep is a step record as the runner makes one, fixed for the golden.
func failedStep() flows.StepResult {
	return flows.StepResult{
		ID: "token", Title: "Request a client-credentials token", Kind: "request", Status: checks.Fail,
		Started: epoch, Duration: 42 * time.Millisecond,
		Exchanges: []flows.Exchange{{
			Request: flows.Request{Method: "POST", URL: "https://sandbox.example/auth/realms/konera/protocol/openid-connect/token",
				Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				Body:   "client_id=konera-sandbox-client&client_secret=[secret:client_secret]&grant_type=client_credentials"},
			Response: &flows.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Pragma": {"no-cache"}},
				Body: `{"access_token":"[secret:access_token]","token_type":"Bearer","expires_in":300}`, Size: 76},
			Duration: 41 * time.Millisecond,
		}},
		Captured: map[string]string{"access_token": "[secret:access_token]", "expires_in": "300"},
		Outcomes: []checks.Outcome{
			{ID: "oauth2.token.access_token", Level: checks.LevelFail, Status: checks.Pass, Target: "body access_token", Got: `string "[secret:access_token]"`},
			{ID: "oauth2.token.cache-control-no-store", Level: checks.LevelFail, Status: checks.Fail, Ref: "RFC6749 5.1",
				Target: "header Cache-Control", Expected: "no-store", Got: "absent",
				Explain: "Responses carrying tokens must not be stored by caches."},
			{ID: "http.status", Level: checks.LevelFail, Status: checks.Pass, Target: "status", Got: "number 200"},
		},
	}
}

func TestRunViewFailedCheck(t *testing.T) {
	m := runAt(t)
	m = events(m, stepDone(m, "konera.sim-swap", 0, failedStep())...)
	v := m.View()
	contains(t, v, "✗ token", "FAIL · 42 ms", "1 failed, 2 passed",
		"✗ oauth2.token.cache-control-no-store", "on       header Cache-Control",
		"expected no-store", "got      absent", "per      RFC6749 5.1")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
	if strings.Contains(v, "konera-sandbox-secret") {
		t.Error("the client secret is on the screen")
	}
}

// A deviation the profile lists shows as known, with its reason, ahead of the passes; the step's
// mark and verdict say known, not fail.
func TestRunViewKnownDeviation(t *testing.T) {
	m := runAt(t)
	st := failedStep()
	st.Status = checks.Known
	st.Outcomes[1].Status, st.Outcomes[1].Reason = checks.Known, "known deviation: the gateway strips it (ACME-7)"
	m = events(m, stepDone(m, "konera.sim-swap", 0, st)...)
	v := m.View()
	contains(t, v, "~ token", "KNOWN · 42 ms", "1 known, 2 passed", "~ oauth2.token.cache-control-no-store",
		"known    the gateway strips it (ACME-7)", "expected no-store")
}

func TestRunViewEvidenceScrolls(t *testing.T) {
	m := runAt(t)
	m = events(m, stepDone(m, "konera.sim-swap", 0, failedStep())...)
	m = update(m, press("tab", "f")...)
	v := m.View()
	contains(t, v, `"access_token": "[secret:access_token]"`, "← 200 OK · 41 ms")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

// handoffAt shows the panel of a step that waits for the phone.
func handoffAt(t *testing.T) Model {
	m := atFlows(t)
	m = update(m, press("j", "j", "enter")...) // number verification
	nv := "konera.number-verification"
	m = events(m, started(m, nv), flows.StepStarted{Where: flows.Where{Target: m.eng.target.Name, Flow: nv, Step: 1},
		Step: flowOf(m, nv).Steps[1]}) // the authorize step is under way
	ask := inputAsk{reply: make(chan inputReply, 1), req: flows.InputRequest{
		Where: flows.Where{Target: m.eng.target.Name, Flow: nv, Step: 1},
		Step:  flowOf(m, nv).Steps[1], Name: "callback_authorize",
		URL:         "https://sandbox.example/auth/authorize?client_id=konera-sandbox-client&login_hint=tel%3A%2B15143792381&redirect_uri=https%3A%2F%2Fclient.example%2Fcb&response_type=code&scope=openid&state=st-1",
		RedirectURI: "https://client.example/cb", State: "st-1",
		Prompt: "Open the URL on the phone, on mobile data (not Wi-Fi).",
	}}
	return update(m, inputNeededMsg{ask: ask})
}

func TestHandoffView(t *testing.T) {
	v := handoffAt(t).View()
	contains(t, v, "This step needs the phone: authorize", "Open on the phone", "https://sandbox.example/auth/authorize?",
		"p paste it", "l let telconform listen on 127.0.0.1:8765", "n it showed an error page", "? authorize")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

func TestHandoffQRNeedsRoom(t *testing.T) {
	m := update(handoffAt(t), press("c")...)
	v := m.View()
	contains(t, v, "The QR code needs 57×30 cells; this terminal has 80×21.")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))

	// In a terminal big enough the code itself is drawn.
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 40})
	v = m.View()
	if !strings.Contains(v, "████") || !strings.Contains(v, "Scan with the phone's camera") {
		t.Errorf("no QR code at 100×40:\n%s", v)
	}
}

func TestExportView(t *testing.T) {
	m := runAt(t)
	m = events(m, stepDone(m, "konera.sim-swap", 0, failedStep())...)
	m = update(m, press("e")...)
	v := m.View()
	contains(t, v, "Export the results so far", "> telconform-report.json", ".xml junit, .json json")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

func TestFullHelpView(t *testing.T) {
	m := update(runAt(t), press("?")...)
	v := m.View()
	contains(t, v, "send step", "re-run flow", "cancel step", "steps/details", "export report", "quit")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

func TestResizeAdapts(t *testing.T) {
	m := update(runAt(t), tea.WindowSizeMsg{Width: 120, Height: 40})
	v := m.View()
	if h := lipgloss.Height(v); h != 40 {
		t.Errorf("after resize the view is %d lines, want 40", h)
	}
	for _, l := range strings.Split(v, "\n") {
		if lipgloss.Width(l) > 120 {
			t.Fatalf("line wider than 120: %q", l)
		}
	}
}

// Typing a URL with an x in it pastes an x; it does not cancel the step. Outside the paste
// field, x asks the engine to cancel (TestJourneyCancelThenRerun shows the engine doing it).
func TestPastingIsTyping(t *testing.T) {
	m := update(handoffAt(t), press("p", "x")...)
	if !m.run.busy() || m.run.hand == nil || m.run.hand.paste.Value() != "x" {
		t.Errorf("after typing x: busy %v, handoff %v", m.run.busy(), m.run.hand != nil)
	}
	m = update(m, press("esc")...) // not pasting any more: x cancels
	next, cmd := m.Update(press("x")[0])
	if m = next.(Model); cmd == nil || m.run.hand == nil {
		t.Errorf("x outside the paste field asked nothing of the engine")
	}
}

func TestHandoffPanelScrolls(t *testing.T) {
	m := update(handoffAt(t), press("f")...)
	v := m.View()
	contains(t, v, "s skip this step", "c show the URL as a QR code")
	if m.run.hand == nil || !m.run.busy() {
		t.Error("scrolling ended the handoff")
	}
}

// TestAskForWhatTheProfileLacks picks the production Konera profile with none of its environment
// set: the interface asks for the seven values (the secret without drawing it), then starts it.
func TestAskForWhatTheProfileLacks(t *testing.T) {
	opts := testOptions(t)
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	m = update(m, press("j")...) // konera is second, after konekt
	next, cmd := m.Update(press("enter")[0])
	m = next.(Model)
	m = update(m, cmd())
	v := m.View()
	contains(t, v, "konera needs a few values before it can run", "$KONERA_CLIENT_ID", "$KONERA_CLIENT_SECRET (a secret: not shown)")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))

	values := []string{"client-1", "s3cret-typed", "+15143792381", "+13541234567", "https://client.example/cb", "+17147684731", "+34666666666"}
	for i, val := range values {
		m = update(m, press(val)...)
		if i < len(values)-1 {
			m = update(m, tea.KeyMsg{Type: tea.KeyTab})
		}
	}
	if v := m.View(); strings.Contains(v, "s3cret-typed") {
		t.Errorf("the typed secret is on the screen:\n%s", v)
	}
	next, cmd = m.Update(press("enter")[0])
	m = next.(Model)
	if cmd == nil {
		t.Fatal("submitting the values started nothing")
	}
	m = update(m, cmd())
	defer m.Close()
	contains(t, m.View(), "Flows of Konera aggregator (production, seed 000)", "redirects: phone")
	if got := m.eng.target.Secrets["client_secret"]; got != "s3cret-typed" {
		t.Errorf("client_secret %q", got)
	}
}

// With --flow, the picker offers only the profiles that have the flow.
func TestPickerOffersOnlyProfilesWithTheFlow(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Flows = []string{"kpn.polling"}
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	var shown []string
	for _, it := range m.profiles.list.Items() {
		shown = append(shown, it.(profileItem).p.Name)
	}
	if strings.Join(shown, " ") != "kpn sandbox-kpn" {
		t.Errorf("the picker offers %v", shown)
	}
}

// A profile whose sandbox is told to deviate says so on its picker row and in the header.
func TestFaultsInjectedAreShown(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Faults = []string{"konera/state-not-echoed"}
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	var rows []string
	for _, it := range m.profiles.list.Items() {
		if pi := it.(profileItem); len(pi.faults) > 0 {
			rows = append(rows, pi.p.Name+": "+strings.Join(pi.faults, ","))
		}
	}
	if strings.Join(rows, "; ") != "sandbox-konera: konera/state-not-echoed" {
		t.Errorf("rows with faults: %v", rows)
	}
	p, target := konera(t)
	target.Faults = []string{"konera/state-not-echoed"}
	m = update(m, engineReadyMsg{profile: p, engine: stillEngine(p, target)})
	v := m.View()
	contains(t, v, "FAULTS INJECTED (the sandbox deviates on purpose): konera/state-not-echoed")
	requireSize(t, v)
}

// A pasted callback carrying another state is refused once as "not this attempt" (an old tab),
// the step still waiting; pasted again it goes to the checks. The problem line wraps whole.
func TestPasteFromAnotherAttemptAsksAgain(t *testing.T) {
	old := "https://client.example/cb?code=abc&state=st-0"
	m := update(handoffAt(t), press("p")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(old)}, tea.KeyMsg{Type: tea.KeyEnter})
	if m.run.hand == nil || !m.run.busy() {
		t.Fatal("a callback from another attempt ended the step")
	}
	v := m.View()
	contains(t, v, "That URL does not belong to this attempt", "state is not the one this step sent (a tab", "this one again to record it as the provider's")
	requireSize(t, v)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(old)}, tea.KeyMsg{Type: tea.KeyEnter})
	if m.run.hand != nil {
		t.Error("the same callback pasted again was not handed to the checks")
	}

	// This attempt's own callback goes straight on.
	m = update(handoffAt(t), press("p")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("https://client.example/cb?code=abc&state=st-1")}, tea.KeyMsg{Type: tea.KeyEnter})
	if m.run.hand != nil {
		t.Error("the callback of this attempt was refused")
	}
}

// While the phone's step waits, j/k/tab still move: an earlier step can be read, and a key of
// the panel brings the panel back.
func TestMovingWhileThePhoneWaits(t *testing.T) {
	m := update(handoffAt(t), press("k")...)
	if m.run.hand == nil || m.run.selected != 0 {
		t.Fatalf("k while the phone waits: selected %d, panel %v", m.run.selected, m.run.hand != nil)
	}
	v := m.View()
	contains(t, v, "▸· cc-token")
	if strings.Contains(v, "This step needs the phone") {
		t.Error("the panel still shows while an earlier step is selected")
	}
	m = update(m, press("tab", "tab", "p")...)
	if m.run.selected != 1 || !m.run.typing() {
		t.Errorf("p did not bring the panel back: selected %d, pasting %v", m.run.selected, m.run.typing())
	}
}

// The QR code has the four modules of quiet zone the standard asks for, and with colour it is
// black on white in explicit colours, whatever the terminal's theme.
func TestQRCodeQuietZoneAndColours(t *testing.T) {
	const u = "https://sandbox.example/session/abc"
	plain, w, rows := qrCode(u, false)
	lines := strings.Split(plain, "\n")
	if len(lines) != rows || w != lipgloss.Width(lines[0]) {
		t.Fatalf("%d lines for %d rows, %d cells for width %d", len(lines), rows, lipgloss.Width(lines[0]), w)
	}
	// Four modules on top are two rows of light cells; four on each side, four light cells.
	for i, l := range lines {
		r := []rune(l)
		if i < 2 && strings.Trim(l, "█") != "" {
			t.Errorf("row %d is not quiet zone: %q", i, l)
		}
		if string(r[:4]) != "████" || string(r[len(r)-4:]) != "████" {
			t.Errorf("row %d lacks four light modules on a side: %q", i, l)
		}
	}

	lipgloss.SetColorProfile(termenv.ANSI256)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	coloured, _, _ := qrCode(u, true)
	if !strings.Contains(coloured, "38;5;16") || !strings.Contains(coloured, "48;5;231") || strings.ContainsAny(coloured, "█▄ ") {
		t.Errorf("the coloured code is not drawn in explicit black on white: %q", coloured[:min(200, len(coloured))])
	}
}

// enter on a profile file that does not load says why, whole: file, line, and what to do,
// wrapped on the status lines rather than cut at the edge.
func TestEnterOnABrokenProfileSaysWhy(t *testing.T) {
	opts := testOptions(t)
	dir, _ := opts.Launch.Env("TELCONFORM_PROFILE_PATH")
	body := "name = \"acme-broken\"\ntitel = \"Acme\"\nprovider = \"konera\"\nbase_url = \"https://acme.example\"\n"
	if err := os.WriteFile(filepath.Join(dir, "acme-broken.toml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	i := slices.IndexFunc(m.profiles.list.Items(), func(it list.Item) bool { return it.(profileItem).p == nil })
	if i < 0 {
		t.Fatal("the broken file is not listed")
	}
	m.profiles.list.Select(i)
	m = update(m, press("enter")...)
	v := m.View()
	contains(t, v, "acme-broken.toml:2: titel:", `unknown key (did you mean "title"?)`, "enter shows why")
	requireSize(t, v)
	if m.screen != screenProfiles || m.preparing {
		t.Error("a profile that does not load was started")
	}
}

// The walk preview of a phone step: the URL with what is known filled in (what is not yet known
// stays {{name}}, never %7B%7Bname%7D%7D), that the phone follows the redirects, and the checks
// by id with the count in words.
func TestWalkPreviewOfAPhoneStep(t *testing.T) {
	m := atFlows(t)
	m.eng.target.Walk = flows.WalkDevice
	m = update(m, press("j", "j", "enter")...)
	const nv = "konera.number-verification"
	m = events(m, started(m, nv), waitingAt(m, nv, 1))
	m = update(m, press("j")...)
	v := m.View()
	d, ok := m.run.preview[nv+"/1"]
	if !ok {
		t.Fatal("no preview of the authorize step")
	}
	full := renderStep(m.c.styles, stepView{step: flowOf(m, nv).Steps[1], preview: &d, next: true, walk: true}, 200)
	contains(t, full, "GET https://sandbox.example/auth/authorize?", "client_id=konera-sandbox-client", "{{state}}",
		"The phone opens this URL on mobile data and its browser follows the redirects", "It will run ", "  oauth2.redirect.state-echoed")
	if strings.Contains(full, "%7B") {
		t.Errorf("a template is shown URL-encoded:\n%s", full)
	}
	contains(t, v, "Not sent yet.")
}

// With colour off (as in every test here) the selected step and the focused pane still show:
// a ▸ before the step, a heavy border around the pane that has the keyboard.
func TestSelectionAndFocusShowWithoutColour(t *testing.T) {
	m := runAt(t)
	row := strings.Split(m.View(), "\n")[1]
	if !strings.HasPrefix(row, "┏") || !strings.Contains(row, "╭") {
		t.Errorf("the step list does not look focused: %q", row)
	}
	contains(t, m.View(), "▸· token")
	m = update(m, press("tab")...)
	row = strings.Split(m.View(), "\n")[1]
	if !strings.HasPrefix(row, "╭") || !strings.Contains(row, "┏") {
		t.Errorf("the details do not look focused after tab: %q", row)
	}
}

// ? on the phone panel lists its own keys and the ones that still work while it waits.
func TestHelpOnThePhonePanel(t *testing.T) {
	v := update(handoffAt(t), press("?")...).View()
	contains(t, v, "paste URL", "skip step", "copy URL", "down", "steps/details", "quit")
	requireSize(t, v)
}

// The flow's summary row: its verdict and counts, what failed with expected versus got, and the
// steps that did not run.
func TestRunViewFlowSummary(t *testing.T) {
	m := runAt(t)
	m = events(m, stepDone(m, "konera.sim-swap", 0, failedStep())...)
	m = update(m, press("k")...)
	v := m.View()
	contains(t, v, "▸= summary", "FAIL", "What to look at", "✗ oauth2.token.cache-control-no-store", "expected no-store")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}
