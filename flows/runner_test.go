package flows_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

func TestKoneraFlowsPassAgainstTheSandbox(t *testing.T) {
	run := runKonera(t)
	if d := deviations(run); len(d) > 0 {
		t.Errorf("deviations against a conforming sandbox:\n%v", d)
	}
	// The sandbox refuses a scope without the API's (invalid_scope), so the steps that follow a
	// narrowed grant through have nothing to follow, and say so.
	if s := skippedSteps(run); strings.Join(s, " ") != "konera.number-verification/exchange-without-api-scope konera.number-verification/verify-without-api-scope" {
		t.Errorf("skipped steps: %v", s)
	}
	if s := stepOf(t, run, "konera.number-verification", "exchange-without-api-scope"); s.Reason != "needs {{code3}}, which step authorize-without-api-scope did not capture" {
		t.Errorf("reason %q", s.Reason)
	}
	if run.Status != checks.Pass {
		t.Errorf("run status %s, want pass", run.Status)
	}
	sum := run.Summarize()
	if sum.Flows != 3 || sum.Steps[checks.Pass] != 49 || sum.Checks[checks.Fail] != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func stepOf(t *testing.T, run flows.RunResult, flow, step string) flows.StepResult {
	t.Helper()
	for _, tr := range run.Targets {
		for _, f := range tr.Flows {
			for _, s := range f.Steps {
				if f.ID == flow && s.ID == step {
					return s
				}
			}
		}
	}
	t.Fatalf("no step %s/%s", flow, step)
	return flows.StepResult{}
}

// TestWalkFollowsTheRedirectChainWithCookies shows the user agent going aggregator → operator →
// aggregator with the session cookie the aggregator set, and stopping at the redirect_uri.
func TestWalkFollowsTheRedirectChainWithCookies(t *testing.T) {
	run := runKonera(t)
	s := stepOf(t, run, "konera.number-verification", "authorize")
	if len(s.Exchanges) != 3 {
		t.Fatalf("%d exchanges, want 3 hops", len(s.Exchanges))
	}
	last := s.Exchanges[2]
	if !strings.Contains(last.Request.URL, "/auth/callback") || last.Request.Header.Get("Cookie") == "" {
		t.Errorf("third hop %s with Cookie %q: the callback needs the session cookie", last.Request.URL, last.Request.Header.Get("Cookie"))
	}
	if loc := last.Response.Header.Get("Location"); !strings.HasPrefix(loc, sandbox.DefaultRedirectURI+"?") {
		t.Errorf("walk ended on %q, want the redirect_uri", loc)
	}
	if s.Captured["code"] != "[secret:code]" {
		t.Errorf("captured code shows as %q, want it masked", s.Captured["code"])
	}
}

// TestSecretsNeverLeaveTheRunner plants marker credentials in the sandbox and checks that no
// marker, and no token or code the sandbox issued, appears in any event or in the result.
func TestSecretsNeverLeaveTheRunner(t *testing.T) {
	const secret = "MARKER-client-secret-7f3a"
	target, sb := koneraTarget(t, sandbox.Options{ClientSecret: secret})
	var events []flows.Event
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, func(e flows.Event) { events = append(events, e) })
	if run.Status != checks.Pass {
		t.Fatalf("run %s: %v", run.Status, deviations(run))
	}
	blob, err := json.Marshal(struct {
		Run    flows.RunResult
		Events []flows.Event
	}{run, events})
	if err != nil {
		t.Fatal(err)
	}
	text := string(blob)
	issued := sb.Issued()
	if len(issued) < 5 {
		t.Fatalf("the sandbox issued only %d tokens and codes", len(issued))
	}
	for _, s := range append(issued, secret) {
		if strings.Contains(text, s) {
			t.Errorf("secret %q appears in the run's output", s)
		}
	}
	if !strings.Contains(text, "[secret:client_secret]") || !strings.Contains(text, "[secret:access_token]") {
		t.Error("masked values are not labelled")
	}
	// Masking must not hide evidence: the CAMARA error code is not a secret.
	s := stepOf(t, run, "konera.sim-swap", "no-token")
	if body := s.Exchanges[0].Response.Body; !strings.Contains(body, `"code":"UNAUTHENTICATED"`) {
		t.Errorf("the CAMARA error body is over-masked: %s", body)
	}
}

func TestRefusedConnectionFailsTheStepAndTheRunGoesOn(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.Vars["token_url"] = "http://127.0.0.1:1/token"
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	s := stepOf(t, run, "konera.client-credentials", "token")
	if s.Status != checks.Error || !strings.Contains(s.Reason, "connection refused") {
		t.Errorf("token step %s: %q, want an error naming the refused connection", s.Status, s.Reason)
	}
	if len(s.Exchanges) != 1 || s.Exchanges[0].Error == "" || s.Exchanges[0].Response != nil {
		t.Errorf("the failed exchange is not recorded: %+v", s.Exchanges)
	}
	// Steps that do not depend on the token still run and pass.
	if st := stepOf(t, run, "konera.sim-swap", "no-token"); st.Status != checks.Pass {
		t.Errorf("no-token step %s after a refused token step", st.Status)
	}
	if st := stepOf(t, run, "konera.sim-swap", "check-swapped"); st.Status != checks.Skip || !strings.Contains(st.Reason, "step token did not capture") {
		t.Errorf("check-swapped %s %q, want a skip naming the token step", st.Status, st.Reason)
	}
	if run.Status != checks.Error {
		t.Errorf("run status %s, want error", run.Status)
	}
}

func TestCancelStopsTheRunAndRecordsTheRest(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := (&flows.Runner{}).Run(ctx, []*flows.Target{target}, func(e flows.Event) {
		if d, ok := e.(flows.StepDone); ok && d.Flow == "konera.sim-swap" && d.Result.ID == "check-swapped" {
			cancel()
		}
	})
	if !run.Interrupted {
		t.Error("run not marked interrupted")
	}
	if s := stepOf(t, run, "konera.sim-swap", "check-swapped"); s.Status != checks.Pass {
		t.Errorf("the step that finished before the cancel is %s", s.Status)
	}
	for _, id := range []string{"check-not-swapped", "expired-token"} {
		if s := stepOf(t, run, "konera.sim-swap", id); s.Status != checks.Skip || s.Reason != "run interrupted" {
			t.Errorf("%s: %s %q, want skipped as interrupted", id, s.Status, s.Reason)
		}
	}
	nv := run.Targets[0].Flows[2]
	if nv.Status != checks.Skip || len(nv.Steps) != 26 {
		t.Errorf("the flow after the cancel: %s with %d steps recorded", nv.Status, len(nv.Steps))
	}
}

func TestWaitLongerThanAllowedIsSkippedWithItsDependents(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.MaxWait = 0
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	wait := stepOf(t, run, "konera.sim-swap", "token-expires")
	if wait.Status != checks.Skip || !strings.Contains(wait.Reason, "--max-wait 5m1s") {
		t.Errorf("wait: %s %q", wait.Status, wait.Reason)
	}
	exp := stepOf(t, run, "konera.sim-swap", "expired-token")
	if exp.Status != checks.Skip || !strings.Contains(exp.Reason, "token-expires did not run") {
		t.Errorf("expired-token: %s %q", exp.Status, exp.Reason)
	}
	if run.Status != checks.Pass {
		t.Errorf("a run whose only gap is a skipped wait is %s, want pass", run.Status)
	}
}

func TestStepsCanBeRerunOneAtATime(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	f := target.Flows[1] // konera.sim-swap
	s := (&flows.Runner{}).NewSession(target, f, nil, nil)
	ctx := context.Background()
	if r := s.Step(ctx, 1); r.Status != checks.Skip {
		t.Fatalf("check before token: %s, want skip (no token yet)", r.Status)
	}
	if r := s.Step(ctx, 0); r.Status != checks.Pass {
		t.Fatalf("token: %s", r.Status)
	}
	if r := s.Step(ctx, 1); r.Status != checks.Pass {
		t.Fatalf("check after token: %s", r.Status)
	}
	if got := s.Result().Steps[1].Status; got != checks.Pass {
		t.Errorf("re-run step recorded as %s", got)
	}
}

// A step cut short by the person running telconform is recorded as skipped, not as an error: the
// provider did nothing wrong.
func TestStepInterruptedMidwayIsASkip(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := (&flows.Runner{}).Run(ctx, []*flows.Target{target}, func(e flows.Event) {
		if s, ok := e.(flows.StepStarted); ok && s.Step.ID == "token-expires" {
			cancel()
		}
	})
	s := stepOf(t, run, "konera.sim-swap", "token-expires")
	if s.Status != checks.Skip || s.Reason != "run interrupted" {
		t.Errorf("interrupted wait: %s %q", s.Status, s.Reason)
	}
	if run.Status != checks.Pass || !run.Interrupted {
		t.Errorf("run %s, interrupted %v: want pass so far, interrupted", run.Status, run.Interrupted)
	}
}

// TestBasicAuthStep drives a flow written for this test: client credentials sent with HTTP Basic
// (RFC 6749 2.3.1), which the sandbox accepts, and checks that the credentials are masked.
func TestBasicAuthStep(t *testing.T) {
	const src = `
[[flow]]
id = "test.basic"
title = "Basic"
  [[flow.step]]
  id = "token"
  title = "Token with Basic credentials"
  packs = ["oauth2.token"]
  checks = [ { id = "http.status", on = "status", equals = 200 }, { id = "took", on = "duration", lt = 60000 } ]
    [flow.step.request]
    url = "{{token_url}}"
    form = { grant_type = "client_credentials" }
    basic = { user = "{{client_id}}", password = "{{client_secret}}" }
`
	fl, err := flows.Parse("basic.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	target, _ := koneraTarget(t, sandbox.Options{ClientSecret: "MARKER-basic-9"})
	target.Flows = fl
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	s := stepOf(t, run, "test.basic", "token")
	if s.Status != checks.Pass {
		t.Fatalf("basic token step %s: %v", s.Status, s.Outcomes)
	}
	if got := s.Exchanges[0].Request.Header.Get("Authorization"); got != "Basic [secret:authorization]" {
		t.Errorf("Authorization recorded as %q", got)
	}
}

// TestWalkStopsAtTheRedirectURINotItsOrigin: the provider's sign-in page is on the redirect
// URI's origin, so a walk that stopped at the origin would stop there, with no code. It follows
// that hop and stops at the redirect to the redirect URI's path, without fetching it.
func TestWalkStopsAtTheRedirectURINotItsOrigin(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/authorize":
			http.Redirect(w, r, srv.URL+"/signin?from=authorize", http.StatusFound)
		case "/signin":
			http.Redirect(w, r, srv.URL+"/cb?code=c0de-from-signin&state=s", http.StatusFound)
		default:
			http.Error(w, "the client's page: a walk never fetches it", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	const src = `
[[flow]]
id = "test.walk"
title = "Walk"
  [[flow.step]]
  id = "authorize"
  title = "Authorize"
  capture_secret = { code = "query:code" }
  checks = [ { id = "http.status", on = "status", equals = 302 } ]
    [flow.step.walk]
    url = "{{base}}/authorize"
    until = "{{base}}/cb"
`
	fl, err := flows.Parse("walk.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	target := &flows.Target{Name: "walk", Flows: fl, Vars: map[string]string{"base": srv.URL},
		Clock: flows.NewSimClock(func() time.Time { return epoch }), MaxWait: -1}
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	s := stepOf(t, run, "test.walk", "authorize")
	if s.Status != checks.Pass || len(s.Exchanges) != 2 || s.Captured["code"] != "[secret:code]" {
		t.Errorf("walk %s with %d hops, code %q: %s", s.Status, len(s.Exchanges), s.Captured["code"], s.Reason)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(paths, []string{"/authorize", "/signin"}) {
		t.Errorf("the walk fetched %v, want /authorize and /signin only", paths)
	}
}
