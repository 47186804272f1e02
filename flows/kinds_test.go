package flows_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/listen"
	"github.com/telconform/telconform/sandbox"
)

// labTarget serves the sandbox's lab (the engine's test bench) on loopback with the given
// options, opens the listeners its flows declare, and returns a target running the named flows
// of flows/testdata/lab.toml. clock nil means a simulated clock starting at epoch.
func labTarget(t testing.TB, opts sandbox.Options, clock flows.Clock, ids ...string) (*flows.Target, *sandbox.Sandbox) {
	t.Helper()
	if clock == nil {
		clock = flows.NewSimClock(func() time.Time { return epoch })
	}
	opts.Now = clock.Now
	sb, err := sandbox.New("lab", opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	data, err := os.ReadFile("testdata/lab.toml")
	if err != nil {
		t.Fatal(err)
	}
	all, err := flows.Parse("testdata/lab.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	v := sb.Values(srv.URL)
	target := &flows.Target{
		Name:      "lab",
		Vars:      map[string]string{"base": v["url"], "application_id": v["application_id"]},
		Secrets:   map[string]string{"app_private_key": v["app_private_key"], "other_private_key": v["other_private_key"]},
		Clock:     clock,
		MaxWait:   -1,
		Listeners: map[string]flows.Listener{},
	}
	for _, f := range all {
		for _, id := range ids {
			if f.ID != id {
				continue
			}
			target.Flows = append(target.Flows, f)
			for _, spec := range f.Listeners {
				l, err := listen.Open(listen.Options{Path: "/" + spec.Name})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				target.Listeners[flows.ListenerKey(f.ID, spec.Name)] = l
			}
		}
	}
	return target, sb
}

func runLab(t testing.TB, opts sandbox.Options, ids ...string) (flows.RunResult, []flows.Event) {
	t.Helper()
	target, _ := labTarget(t, opts, nil, ids...)
	var mu sync.Mutex
	var events []flows.Event
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, func(e flows.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	return run, events
}

func TestPollUntilReady(t *testing.T) {
	run, events := runLab(t, sandbox.Options{}, "lab.poll")
	if d := deviations(run); len(d) > 0 || run.Status != checks.Pass {
		t.Fatalf("run %s: %v %v", run.Status, d, skippedSteps(run))
	}
	s := stepOf(t, run, "lab.poll", "wait-ready")
	if len(s.Exchanges) != 3 {
		t.Errorf("%d attempts recorded, want 3 (the job is ready at the third poll)", len(s.Exchanges))
	}
	if s.Outcomes[0].ID != "lab.job.ready" || s.Outcomes[0].Status != checks.Pass {
		t.Errorf("the condition is not the first outcome: %+v", s.Outcomes[0])
	}
	var attempts []int
	for _, e := range events {
		if a, ok := e.(flows.Attempt); ok {
			attempts = append(attempts, a.N)
			if a.Timeout != time.Second {
				t.Errorf("attempt %d says timeout %s", a.N, a.Timeout)
			}
		}
	}
	if !reflect.DeepEqual(attempts, []int{1, 2, 3}) {
		t.Errorf("attempt events %v", attempts)
	}
}

// A resource that never becomes ready: the poll gives up at its timeout, on the simulated clock
// (no real waiting), says how long it waited and how often it asked, and the flow goes on.
func TestPollNeverReadyTimesOutWithTheFigures(t *testing.T) {
	run, _ := runLab(t, sandbox.Options{Faults: []string{"never-ready"}}, "lab.poll")
	s := stepOf(t, run, "lab.poll", "wait-ready")
	if s.Status != checks.Fail {
		t.Fatalf("wait-ready %s, want fail", s.Status)
	}
	// Attempts at 0, 5, …, 1000 ms: 201 of them; one more would end after the timeout.
	if want := "the condition never held: 201 attempts over 1s (timeout 1s); the last saw boolean false"; s.Reason != want {
		t.Errorf("reason %q\nwant   %q", s.Reason, want)
	}
	if len(s.Exchanges) != 201 {
		t.Errorf("%d attempts recorded", len(s.Exchanges))
	}
	if got := deviations(run); !reflect.DeepEqual(got, []string{"lab.poll/wait-ready/lab.job.ready"}) {
		t.Errorf("deviations %v", got)
	}
	for _, o := range s.Outcomes[1:] {
		if o.Status != checks.Skip {
			t.Errorf("check %s is %s after the condition never held", o.ID, o.Status)
		}
	}
	if after := stepOf(t, run, "lab.poll", "after"); after.Status != checks.Pass {
		t.Errorf("the step after a timed-out poll: %s", after.Status)
	}
}

func TestAwaitWebhook(t *testing.T) {
	run, events := runLab(t, sandbox.Options{}, "lab.webhook")
	if d := deviations(run); len(d) > 0 || run.Status != checks.Pass {
		t.Fatalf("run %s: %v %v", run.Status, d, skippedSteps(run))
	}
	s := stepOf(t, run, "lab.webhook", "arrives")
	if s.Received == nil || s.Received.Method != "POST" || !strings.HasPrefix(s.Received.URL, "/hook") {
		t.Fatalf("received %+v", s.Received)
	}
	// The token travelled to the provider and back: masked wherever it shows.
	if got := s.Received.Header.Get("Authorization"); got != "Bearer [secret:hook_token]" {
		t.Errorf("Authorization recorded as %q", got)
	}
	seen := false
	for _, e := range events {
		if r, ok := e.(flows.RequestReceived); ok && r.Listener == "hook" {
			seen = r.Request.Header.Get("Authorization") == "Bearer [secret:hook_token]"
		}
	}
	if !seen {
		t.Error("no masked RequestReceived event")
	}
}

// A webhook that never comes: the await fails with how long it waited, the run goes on.
func TestAwaitTimeoutAndTheRunGoesOn(t *testing.T) {
	run, _ := runLab(t, sandbox.Options{Faults: []string{"webhook-not-sent"}}, "lab.webhook")
	s := stepOf(t, run, "lab.webhook", "arrives")
	if s.Status != checks.Fail || !strings.Contains(s.Reason, "no request arrived at the hook listener") || !strings.HasSuffix(s.Reason, "in 2s") {
		t.Errorf("arrives %s %q", s.Status, s.Reason)
	}
	if got := deviations(run); !reflect.DeepEqual(got, []string{"lab.webhook/arrives/" + flows.ReceivedCheck}) {
		t.Errorf("deviations %v", got)
	}
	if after := stepOf(t, run, "lab.webhook", "after"); after.Status != checks.Pass {
		t.Errorf("the step after a timed-out await: %s", after.Status)
	}
}

func TestAwaitWrongBearer(t *testing.T) {
	run, _ := runLab(t, sandbox.Options{Faults: []string{"webhook-wrong-token"}}, "lab.webhook")
	if got := deviations(run); !reflect.DeepEqual(got, []string{"lab.webhook/arrives/lab.webhook.bearer"}) {
		t.Errorf("deviations %v", got)
	}
}

// On a real clock the await really waits, up to its timeout, for a request that never comes.
func TestAwaitOnARealClock(t *testing.T) {
	target, _ := labTarget(t, sandbox.Options{Faults: []string{"webhook-not-sent"}}, flows.RealClock{}, "lab.webhook")
	f := target.Flows[0]
	arrives := f.Steps[f.StepIndex("arrives")]
	short, err := flows.Parse("short.toml", []byte(strings.Replace(awaitOnly, "TIMEOUT", "50ms", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f.Steps[f.StepIndex("arrives")] = short[0].Steps[0]
	defer func() { f.Steps[f.StepIndex("arrives")] = arrives }()
	began := time.Now()
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	s := stepOf(t, run, "lab.webhook", "arrives")
	if s.Status != checks.Fail || time.Since(began) < 50*time.Millisecond {
		t.Errorf("arrives %s %q after %s", s.Status, s.Reason, time.Since(began))
	}
}

const awaitOnly = `
[[flow]]
id = "x"
title = "x"
  [[flow.listener]]
  name = "hook"
  [[flow.step]]
  id = "arrives"
  title = "x"
    [flow.step.await]
    listener = "hook"
    timeout = "TIMEOUT"
`

func TestMintVerifiedAndRefused(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		opts sandbox.Options
		alg  string
	}{{"ES256", sandbox.Options{}, "ES256"}, {"RS256", sandbox.Options{ClientKey: rsaKey}, "RS256"}} {
		t.Run(tt.name, func(t *testing.T) {
			run, _ := runLab(t, tt.opts, "lab.mint")
			if d := deviations(run); len(d) > 0 || run.Status != checks.Pass {
				t.Fatalf("run %s: %v %v", run.Status, d, skippedSteps(run))
			}
			s := stepOf(t, run, "lab.mint", "mint")
			if s.Token == nil || s.Token.Header["alg"] != tt.alg || s.Token.Claims["aud"] != "lab" {
				t.Errorf("token record %+v", s.Token)
			}
			if s.Captured["app_jwt"] != "[secret:app_jwt]" {
				t.Errorf("the minted token shows as %q", s.Captured["app_jwt"])
			}
			exp, iat := s.Token.Claims["exp"].(float64), s.Token.Claims["iat"].(float64)
			if exp-iat != 300 || int64(iat) != epoch.Unix() {
				t.Errorf("iat %v exp %v", iat, exp)
			}
			// Two tokens minted a moment apart with the same key and claims differ in their jti, so a
			// provider that refuses a replayed one (RFC 7519 4.1.7) accepts each.
			again := stepOf(t, run, "lab.mint", "mint-expired")
			if jti, _ := s.Token.Claims["jti"].(string); jti == "" || again.Token == nil || again.Token.Claims["jti"] == jti {
				t.Errorf("jti %q, then %v", jti, again.Token)
			}
		})
	}
}

// The lab refuses the three bad tokens; a lab that checks nothing lets them all in.
func TestMintRefusalsFailWhenTheProviderChecksNothing(t *testing.T) {
	run, _ := runLab(t, sandbox.Options{Faults: []string{"jwt-unchecked"}}, "lab.mint")
	want := []string{
		"lab.mint/audience-refused/http.status",
		"lab.mint/expired-refused/http.status",
		"lab.mint/other-key-refused/http.status",
	}
	if got := deviations(run); !reflect.DeepEqual(got, want) {
		t.Errorf("deviations %v, want %v", got, want)
	}
}

// Every lab fault breaks what it declares, and nothing it does not explain.
func TestLabFaultsBreakWhatTheyDeclare(t *testing.T) {
	for _, f := range sandbox.ProviderFaults("lab") {
		t.Run(f.Name, func(t *testing.T) {
			run, _ := runLab(t, sandbox.Options{Faults: []string{f.Name}}, "lab.poll", "lab.webhook", "lab.mint")
			holdToDeclaration(t, f, run)
		})
	}
}

const inputFlow = `
[[flow]]
id = "lab.input"
title = "A value from a person"
  [[flow.step]]
  id = "ask"
  title = "Read the code off the device"
  explain = "x"
    [flow.step.input]
    into = "device_code"
    prompt = "Open {{base}}/lab/jobs on the phone and type the code it shows."
    open = "{{base}}/lab/jobs"
    secret = true
  [[flow.step]]
  id = "use"
  title = "Send it"
  explain = "x"
  checks = [ { id = "http.status", on = "status", equals = 201, ref = "telconform lab" } ]
    [flow.step.request]
    method = "POST"
    url = "{{base}}/lab/jobs?code={{device_code}}"
`

// An input step takes its value from a person, or headless from --var, or is skipped saying which
// --var answers it; a secret answer is masked wherever it shows.
func TestInputStep(t *testing.T) {
	fl, err := flows.Parse("input.toml", []byte(inputFlow))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		input  flows.Input
		vars   map[string]string
		status checks.Status
		reason string
	}{
		{name: "headless, no value", status: checks.Skip, reason: "then set --var device_code=<the value>"},
		{name: "headless, --var", vars: map[string]string{"device_code": "C0DE-1234"}, status: checks.Pass},
		{name: "a person", input: func(_ context.Context, req flows.InputRequest) (flows.Answer, error) {
			if req.Name != "device_code" || !req.Secret || !strings.HasSuffix(req.URL, "/lab/jobs") {
				t.Errorf("asked %+v", req)
			}
			return flows.Answer{Value: "C0DE-1234", Via: "typed"}, nil
		}, status: checks.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target, _ := labTarget(t, sandbox.Options{}, nil)
			target.Flows = fl
			for k, v := range tt.vars {
				target.Vars[k] = v
			}
			run := (&flows.Runner{Input: tt.input}).Run(context.Background(), []*flows.Target{target}, nil)
			s := stepOf(t, run, "lab.input", "ask")
			if s.Status != tt.status || !strings.Contains(s.Reason, tt.reason) {
				t.Fatalf("ask %s %q", s.Status, s.Reason)
			}
			if tt.status != checks.Pass {
				return
			}
			use := stepOf(t, run, "lab.input", "use")
			if use.Status != checks.Pass || !strings.Contains(use.Exchanges[0].Request.URL, "code=[secret:device_code]") {
				t.Errorf("use %s, sent %s", use.Status, use.Exchanges[0].Request.URL)
			}
		})
	}
}

// A walk without until, on the device: the person is shown the link to open on the phone and
// says when it is done; nothing comes back. Headless, the step waits for --var callback_STEP.
func TestOpenALinkOnTheDevice(t *testing.T) {
	target, _ := sandboxTarget(t, "kpn", sandbox.Options{})
	target.Walk = flows.WalkDevice
	target.Flows = target.Flows[:1] // kpn.polling
	var asked []flows.InputRequest
	phone := func(ctx context.Context, req flows.InputRequest) (flows.Answer, error) {
		asked = append(asked, req)
		resp, err := http.Get(req.URL) // the phone opens the link; it follows the 302 itself
		if err != nil {
			return flows.Answer{}, err
		}
		resp.Body.Close()
		return flows.Answer{Value: "done", Via: "typed"}, nil
	}
	run := (&flows.Runner{Input: phone}).Run(t.Context(), []*flows.Target{target}, nil)
	if d := deviations(run); len(d) > 0 {
		t.Fatalf("deviations %v, skipped %v", d, skippedSteps(run))
	}
	if len(asked) != 2 || !asked[0].Confirm || !strings.Contains(asked[0].URL, "/v1/dm/session/") || asked[0].RedirectURI != "" {
		t.Fatalf("the person was asked %+v", asked)
	}
	s := stepOf(t, run, "kpn.polling", "session")
	if s.Handoff == nil || s.Handoff.Via != "typed" || len(s.Exchanges) != 0 || s.Status != checks.Pass {
		t.Errorf("session step: %s, handoff %+v, %d exchanges", s.Status, s.Handoff, len(s.Exchanges))
	}
	if got := stepOf(t, run, "kpn.polling", "poll-result"); got.Status != checks.Pass {
		t.Errorf("the poll after the phone opened the link: %s %q", got.Status, got.Reason)
	}

	target, _ = sandboxTarget(t, "kpn", sandbox.Options{})
	target.Walk = flows.WalkDevice
	target.Flows = target.Flows[:1]
	run = (&flows.Runner{}).Run(t.Context(), []*flows.Target{target}, nil)
	s = stepOf(t, run, "kpn.polling", "session")
	if s.Status != checks.Skip || !strings.Contains(s.Reason, "--var callback_session=") {
		t.Errorf("headless: %s %q", s.Status, s.Reason)
	}
}
