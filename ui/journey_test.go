package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

// Journeys run the real program (teatest) against the real in-process sandbox over loopback
// HTTP, typing what a person would type, and assert on what the screen shows and on the final
// model.

func start(t *testing.T, opts Options) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm
}

func waitFor(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		plain := ansi.Strip(string(b)) // a bold ✗ is ✗ with escapes around it
		for _, s := range texts {
			if !strings.Contains(plain, s) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitForWrapped is waitFor for text the screen may wrap anywhere (a status line holding a temporary
// path of varying length): it compares with every space and line break taken out.
func waitForWrapped(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		plain := squeeze(ansi.Strip(string(b)))
		for _, s := range texts {
			if !strings.Contains(plain, squeeze(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func keys(tm *teatest.TestModel, names ...string) {
	for _, m := range press(names...) {
		tm.Send(m)
	}
}

func finish(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	keys(tm, "q", "q") // the second answers "not exported: q again quits"
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	fm.Close()
	return fm
}

// openProfile picks a built-in profile by name in the picker, which lists them in order.
func openProfile(t *testing.T, tm *teatest.TestModel, name string) {
	t.Helper()
	ps, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ps, func(p *profiles.Profile) bool { return p.Name == name })
	if i < 0 {
		t.Fatalf("no built-in profile %s", name)
	}
	waitFor(t, tm, "Choose a profile")
	keys(tm, "g") // the picker keeps its cursor where the person left it
	for range i {
		keys(tm, "j")
	}
	keys(tm, "enter")
	waitFor(t, tm, "Flows of "+ps[i].Title)
}

// openSandboxProfile picks the built-in Konera sandbox profile.
func openSandboxProfile(t *testing.T, tm *teatest.TestModel) {
	openProfile(t, tm, "sandbox-konera")
}

// TestJourneySimSwapRunAndExport: pick the sandbox profile, run the SIM Swap flow in run mode,
// see every step pass, export a JSON report and find it on disk, parseable, with every step.
func TestJourneySimSwapRunAndExport(t *testing.T) {
	tm := start(t, testOptions(t))
	openSandboxProfile(t, tm)
	keys(tm, "j", "m", "enter")
	waitFor(t, tm, "✓ expired-token")

	report := filepath.Join(t.TempDir(), "sim-swap.json")
	keys(tm, "e")
	waitFor(t, tm, "Export the results so far")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the suggested name
	tm.Type(report)
	keys(tm, "enter")
	waitFor(t, tm, "Wrote ")
	fm := finish(t, tm)

	flow, _ := fm.profile.Catalog().Lookup("konera.sim-swap")
	fr, ok := fm.results["konera.sim-swap"]
	if !ok || fr.Status != checks.Pass || len(fr.Steps) != len(flow.Steps) {
		t.Fatalf("final record: %+v", fr)
	}
	for _, s := range fr.Steps {
		if s.Status != checks.Pass {
			t.Errorf("step %s: %s %s", s.ID, s.Status, s.Reason)
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Status  string `json:"status"`
		Summary struct {
			Steps map[string]int `json:"steps"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("the exported report does not parse: %v", err)
	}
	if rep.Status != "pass" || rep.Summary.Steps["pass"] != len(flow.Steps) {
		t.Errorf("exported report: %s, steps %v", rep.Status, rep.Summary.Steps)
	}
	if strings.Contains(string(data), sandbox.DefaultClientSecret) {
		t.Error("the exported report holds the client secret")
	}
}

var handoffURL = regexp.MustCompile(`handoff (\S+): open (\S+) \(it calls back to (\S+)\)`)

// TestJourneyWalkThreeLeggedPastingTheCallback walks the Number Verification flow one step at a
// time with the redirects left to the phone: the test plays the person, opening the authorize
// URL on the sandbox's device and pasting the URL it came back to. The code in that URL then
// buys a token that verifies the device's number.
func TestJourneyWalkThreeLeggedPastingTheCallback(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Walk = flows.WalkDevice
	logs := &syncBuffer{}
	opts.Log = logTo(logs)
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "j", "j", "enter") // Number Verification, walk mode
	waitFor(t, tm, "Not sent yet. Press enter to send it.")

	keys(tm, "enter") // send cc-token
	waitFor(t, tm, "✓ cc-token")
	keys(tm, "enter", "enter") // show authorize, send it
	waitFor(t, tm, "This step needs the phone: authorize")

	var m []string
	teatest.WaitFor(t, strings.NewReader(""), func([]byte) bool {
		m = handoffURL.FindStringSubmatch(logs.String())
		return m != nil
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	callback, err := sandbox.NewDevice().Open(m[2], m[3])
	if err != nil || callback == "" {
		t.Fatalf("the phone could not complete the authorization: %q %v", callback, err)
	}
	keys(tm, "p")
	tm.Type(callback)
	keys(tm, "enter")
	waitFor(t, tm, "✓ authorize")

	keys(tm, "enter", "enter") // token-exchange
	waitFor(t, tm, "✓ token-exchange")
	keys(tm, "enter", "enter") // verify-device
	waitFor(t, tm, "✓ verify-device")
	fm := finish(t, tm)

	fr := fm.results["konera.number-verification"]
	byID := map[string]flows.StepResult{}
	for _, s := range fr.Steps {
		byID[s.ID] = s
	}
	for _, id := range []string{"cc-token", "authorize", "token-exchange", "verify-device"} {
		if byID[id].Status != checks.Pass {
			t.Errorf("%s: %s %s", id, byID[id].Status, byID[id].Reason)
		}
	}
	h := byID["authorize"].Handoff
	if h == nil || h.Via != "pasted" || !strings.Contains(h.Callback, "code=[secret:code]") {
		t.Errorf("handoff record %+v", h)
	}
	if byID["verify-other"].Status != checks.Skip {
		t.Errorf("a step not walked to yet is %s", byID["verify-other"].Status)
	}
	if strings.Contains(logs.String(), "sbx-code-") || strings.Contains(logs.String(), "sbx-at-") {
		t.Error("the debug log holds a code or a token")
	}
}

// TestJourneyFaultShowsExpectedVersusGot runs the SIM Swap flow against a sandbox that never
// reports a swap, and reads the failing check's expected versus got off the screen.
func TestJourneyFaultShowsExpectedVersusGot(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Faults = []string{"swap-not-detected"}
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "j", "m", "enter")
	waitFor(t, tm, "✓ expired-token")
	keys(tm, "g", "j", "j") // past the summary and token: check-swapped
	waitFor(t, tm, "✗ camara.sim-swap.swapped", "expected boolean true", "got      boolean false",
		"per      CAMARA SS", "check_sim_swap_3_valid_sim")
	fm := finish(t, tm)
	if st := fm.results["konera.sim-swap"].Status; st != checks.Fail {
		t.Errorf("flow status %s, want fail", st)
	}
}

// gate is a transport that lets a response through only when the test says so, so that a journey
// can watch each redirect hop of a walk reach the screen before the next one is made.
type gate struct {
	next    http.RoundTripper
	release chan struct{}
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(r)
	if strings.Contains(r.URL.Path, "/authorize") || strings.Contains(r.URL.Path, "/callback") {
		<-g.release
	}
	return resp, err
}

// TestJourneyRedirectHopsAppearOneByOne walks the authorize step with telconform as the user
// agent: each hop (aggregator, operator, callback) shows on the screen as it is made, while the
// step is still running.
func TestJourneyRedirectHopsAppearOneByOne(t *testing.T) {
	opts := testOptions(t)
	g := &gate{next: http.DefaultTransport.(*http.Transport).Clone(), release: make(chan struct{})}
	opts.Runner.Transport = g
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "j", "j", "enter") // Number Verification, walk mode
	waitFor(t, tm, "Not sent yet. Press enter to send it.")
	keys(tm, "enter")
	waitFor(t, tm, "✓ cc-token")
	keys(tm, "enter", "enter") // show authorize, send it
	waitFor(t, tm, "Hop 1", "GET http://127.0.0.1")
	g.release <- struct{}{}
	waitFor(t, tm, "← 302 Found", "Hop 2", "/operator/authorize")
	g.release <- struct{}{}
	waitFor(t, tm, "Hop 3", "/auth/callback")
	g.release <- struct{}{}
	waitFor(t, tm, "✓ authorize", "Hop 3 of 3")
	fm := finish(t, tm)
	if s := fm.results["konera.number-verification"].Steps[1]; s.Status != checks.Pass || len(s.Exchanges) != 3 {
		t.Errorf("authorize %s with %d hops", s.Status, len(s.Exchanges))
	}
}

// TestJourneyCancelThenRerun cancels the authorize step while it waits for the phone and re-runs
// it at once: the engine has finished the cancelled step before the re-run starts (run with
// -race), and the re-run asks for the phone again.
func TestJourneyCancelThenRerun(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Walk = flows.WalkDevice
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "j", "j", "m", "enter") // Number Verification, run mode
	waitFor(t, tm, "This step needs the phone: authorize")
	keys(tm, "x")
	waitFor(t, tm, "cancelled by you")
	keys(tm, "r")
	waitFor(t, tm, "This step needs the phone: authorize")
	keys(tm, "s") // skip it this time
	waitFor(t, tm, "skipped by the person running it")
	fm := finish(t, tm)
	if s := fm.results["konera.number-verification"].Steps[1]; s.Status != checks.Skip || !strings.Contains(s.Reason, "skipped by the person") {
		t.Errorf("authorize after the re-run: %s %q", s.Status, s.Reason)
	}
}

var sessionLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/v1/dm/session/[A-Za-z0-9]+`)

// TestJourneyPhoneOpensKPNSessionLink walks KPN polling with the phone: the session step shows
// the link to open (text, QR on request) and waits for the person to say it is done; the test
// plays the phone, which opens the link read off the screen, and the poll after it finds the
// match. The link is a secret everywhere else: the debug log has it masked.
func TestJourneyPhoneOpensKPNSessionLink(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Walk = flows.WalkDevice
	logs := &syncBuffer{}
	opts.Log = logTo(logs)
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(200, 40)) // the link on one line
	t.Cleanup(func() { _ = tm.Quit() })
	openProfile(t, tm, "sandbox-kpn")
	keys(tm, "enter") // kpn.polling, walk mode
	waitFor(t, tm, "Not sent yet. Press enter to send it.")
	for _, step := range []string{"token", "insights", "poll-before-session"} {
		keys(tm, "enter", "enter")
		waitFor(t, tm, "✓ "+step)
	}
	keys(tm, "enter", "enter") // the session: a person's turn
	var link string
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		if bytes.Contains(b, []byte("Then say it is done")) {
			link = sessionLink.FindString(string(b))
		}
		return link != ""
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	if !strings.Contains(logs.String(), "handoff session: open [secret:session_uri]") {
		t.Errorf("the debug log shows the session link unmasked, or not at all:\n%s", logs.String())
	}
	resp, err := http.Get(link) // the phone opens the link, following its redirect
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	keys(tm, "enter") // done
	waitFor(t, tm, "✓ session")
	keys(tm, "enter", "enter")
	waitFor(t, tm, "✓ poll-result")
	fm := finish(t, tm)

	fr := fm.results["kpn.polling"]
	for _, s := range fr.Steps[:5] {
		if s.Status != checks.Pass {
			t.Errorf("%s: %s %s", s.ID, s.Status, s.Reason)
		}
	}
	if h := fr.Steps[3].Handoff; h == nil || h.Via != "confirmed" || strings.Contains(h.URL, "/v1/dm/session/") {
		t.Errorf("the session's handoff record %+v: the link is a secret in the record", h)
	}
}

// TestJourneyFilterProfiles: / and a term narrow the picker to the profiles that match; a term
// that matches nothing lists nothing.
func TestJourneyFilterProfiles(t *testing.T) {
	tm := start(t, testOptions(t))
	waitFor(t, tm, "Choose a profile")
	keys(tm, "/")
	tm.Type("kpn")
	waitFor(t, tm, "sandbox-kpn", "KPN Number Verify (production")
	keys(tm, "enter") // keep the filter, leave the box
	fm := finish(t, tm)
	var shown []string
	for _, it := range fm.profiles.list.VisibleItems() {
		shown = append(shown, it.(profileItem).p.Name)
	}
	if strings.Join(shown, " ") != "kpn sandbox-kpn" {
		t.Errorf("the filter shows %v", shown)
	}

	// A term that matches nothing lists nothing while it is typed.
	opts := testOptions(t)
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	for _, k := range press("/", "z", "z", "z", "z") {
		next, cmd := m.Update(k)
		m = update(next.(Model), quickMsgs(cmd)...)
	}
	if n := len(m.profiles.list.VisibleItems()); n != 0 || !strings.Contains(m.View(), "Nothing matched") {
		t.Errorf("a term that matches nothing leaves %d profiles:\n%s", n, m.View())
	}
}

// quickMsgs runs a command and the commands it batches, keeping the messages that come back at
// once: the filter's matches, not a cursor's blink, which waits.
func quickMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		if batch, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range batch {
				out = append(out, quickMsgs(c)...)
			}
			return out
		}
		return []tea.Msg{msg}
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

// TestJourneyQuitAsksAboutUnexportedResults: q with results not exported asks, q again quits; the
// exit status says a flow failed (1), and ctrl+c says it was interrupted (130).
func TestJourneyQuitAsksAboutUnexportedResults(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Faults = []string{"konera/state-not-echoed"}
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "j", "j", "m", "enter")         // Number Verification, run mode: authorize fails under the fault
	waitFor(t, tm, "✓ verify-expired-token") // the last step
	keys(tm, "q")
	waitFor(t, tm, "q again quits without exporting the results of sandbox-konera")
	keys(tm, "q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	fm.Close()
	if got := fm.ExitStatus(); got != 1 {
		t.Errorf("exit status %d after a failed flow, want 1", got)
	}

	tm = start(t, testOptions(t))
	waitFor(t, tm, "Choose a profile")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm = tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	fm.Close()
	if got := fm.ExitStatus(); got != 130 {
		t.Errorf("exit status %d after ctrl+c, want 130", got)
	}
}

// counting is a transport that counts the requests the engine sends.
type counting struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestJourneyRunAllThenOpenAnEarlierFailure runs every Konera flow against a sandbox that never
// reports a swap, goes back, and opens the SIM Swap flow: its record opens at the summary, the
// failure first, and nothing is sent again. ] pages to the next flow's record.
func TestJourneyRunAllThenOpenAnEarlierFailure(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Faults = []string{"swap-not-detected"}
	count := &counting{next: http.DefaultTransport.(*http.Transport).Clone()}
	opts.Runner.Transport = count
	tm := start(t, opts)
	openSandboxProfile(t, tm)
	keys(tm, "m", "a")
	waitFor(t, tm, "flow (3/3)", "✓ verify-expired-token")
	sent := count.n.Load()
	keys(tm, "esc")
	waitFor(t, tm, "FAIL  konera.sim-swap", "enter open last run")
	keys(tm, "j", "enter")
	waitFor(t, tm, "konera.sim-swap (2/3)", "▸= summary", "What to look at", "check-swapped", "✗ camara.sim-swap.swapped")
	keys(tm, "]")
	waitFor(t, tm, "flow (3/3)", "Every check held.")
	fm := finish(t, tm)
	if n := count.n.Load(); n != sent {
		t.Errorf("opening the records sent %d requests", n-sent)
	}
	if !fm.run.review {
		t.Error("the run screen is not reading records")
	}
}

// TestJourneyExportBackComeBackExportAgain exports a run to ~/…, goes back to the profiles,
// comes back, runs another flow and exports to the same file: the interface asks before
// replacing it, and the second report holds both flows, the first run's results still there.
func TestJourneyExportBackComeBackExportAgain(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	report := filepath.Join(home, "nv.json")
	export := func(tm *teatest.TestModel) {
		keys(tm, "e")
		waitFor(t, tm, "Export the results so far")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
		tm.Type("~/nv.json")
		keys(tm, "enter")
	}
	flowsIn := func() map[string]string {
		data, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Profiles []struct {
				Flows []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"flows"`
			} `json:"profiles"`
		}
		if err := json.Unmarshal(data, &rep); err != nil || len(rep.Profiles) != 1 {
			t.Fatalf("report: %v, %d profiles", err, len(rep.Profiles))
		}
		got := map[string]string{}
		for _, f := range rep.Profiles[0].Flows {
			got[f.ID] = f.Status
		}
		return got
	}

	tm := start(t, testOptions(t))
	openSandboxProfile(t, tm)
	keys(tm, "m", "enter") // client credentials, run mode
	waitFor(t, tm, "✓ repeated-parameter")
	export(tm)
	waitForWrapped(t, tm, "nv.json (json: 1 flow, 4 steps)")
	if got := flowsIn(); got["konera.client-credentials"] != "pass" {
		t.Fatalf("first report: %v", got)
	}

	keys(tm, "esc", "esc")
	openSandboxProfile(t, tm)
	keys(tm, "j") // SIM Swap; the frame drawn shows the first flow's badge kept
	waitFor(t, tm, "PASS  konera.client-credentials", "enter run flow")
	keys(tm, "R") // run it, still in run mode
	waitFor(t, tm, "konera.sim-swap (1/1)", "✓ retrieve-date-expired")
	export(tm)
	waitForWrapped(t, tm, "nv.json exists: enter again replaces it")
	keys(tm, "enter")
	waitForWrapped(t, tm, "2 flows, 25 steps)") // the start of the line may be the first export's, not redrawn
	finish(t, tm)
	got := flowsIn()
	if got["konera.client-credentials"] != "pass" || got["konera.sim-swap"] != "pass" {
		t.Errorf("second report: %v", got)
	}
}

// TestJourneyWalkKPNNotification walks the KPN notification flow against the sandbox, step by
// step: the await step's preview names the listener, and the webhook KPN's sandbox posts arrives
// on screen with its bearer token masked.
func TestJourneyWalkKPNNotification(t *testing.T) {
	opts := testOptions(t)
	opts.Launch.Walk = "agent"
	tm := start(t, opts)
	openProfile(t, tm, "sandbox-kpn")
	keys(tm, "j", "enter") // kpn.notification, walk mode
	waitFor(t, tm, "kpn.notification (1/1)", "Not sent yet. Press enter to send it.")
	for _, id := range []string{"token", "insights", "session"} {
		keys(tm, "enter", "enter") // show the next step, send it
		waitFor(t, tm, "✓ "+id)
	}
	keys(tm, "enter")
	waitFor(t, tm, "Waits up to 2m", "notify listener")
	keys(tm, "enter")
	waitFor(t, tm, "✓ notification", "Received at the notify listener", "POST /kpn/notify", "Authorization: Bearer [secret:")
	fm := finish(t, tm)
	s := fm.results["kpn.notification"].Steps[3]
	if s.Status != checks.Pass || s.Received == nil || s.Received.Method != "POST" {
		t.Errorf("notification step %s, received %+v", s.Status, s.Received)
	}
}
