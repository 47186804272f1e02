package flows_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/listen"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

// epoch is the fixed instant every test run starts at, so times in results are reproducible.
var epoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// koneraTarget starts the Konera sandbox with the given options on a loopback httptest server,
// sharing a simulated clock with the runner, and returns a target running all three Konera
// flows against it.
func koneraTarget(t testing.TB, opts sandbox.Options) (*flows.Target, *sandbox.Sandbox) {
	t.Helper()
	clock := flows.NewSimClock(func() time.Time { return epoch })
	opts.Now = clock.Now
	sb, err := sandbox.New("konera", opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	v := sb.Values(srv.URL)
	cat, err := flows.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var fl []*flows.Flow
	for _, id := range []string{"konera.client-credentials", "konera.sim-swap", "konera.number-verification"} {
		f, ok := cat.Lookup(id)
		if !ok {
			t.Fatalf("no flow %s", id)
		}
		fl = append(fl, f)
	}
	return &flows.Target{
		Name:  "sandbox-konera",
		Flows: fl,
		Vars: map[string]string{
			"token_url":        v["url"] + "/auth/realms/konera/protocol/openid-connect/token",
			"authorize_url":    v["url"] + "/auth/authorize",
			"auth_token_url":   v["url"] + "/auth/token",
			"api_base":         v["url"],
			"client_id":        v["client_id"],
			"redirect_uri":     v["redirect_uri"],
			"device_number":    v["device_number"],
			"other_number":     v["other_number"],
			"swapped_number":   v["swapped_number"],
			"unswapped_number": v["unswapped_number"],
		},
		Secrets: map[string]string{"client_secret": v["client_secret"]},
		Client:  flows.ClientAuth{Method: flows.ClientSecretPost},
		Clock:   clock,
		MaxWait: -1,
	}, sb
}

// sandboxTarget starts one provider's sandbox with the given options on a loopback httptest
// server and returns the target its built-in sandbox profile (sandbox-PROVIDER) makes of it,
// sharing a simulated clock with the runner: the same path a user's run takes.
func sandboxTarget(t testing.TB, provider string, opts sandbox.Options) (*flows.Target, *sandbox.Sandbox) {
	t.Helper()
	clock := flows.NewSimClock(func() time.Time { return epoch })
	opts.Now = clock.Now
	sb, err := sandbox.New(provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	p, err := profiles.Find("sandbox-"+provider, nil)
	if err != nil {
		t.Fatal(err)
	}
	target, err := p.Resolve(profiles.Options{SandboxValues: sb.Values(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	target.Clock, target.MaxWait = clock, -1
	openListeners(t, target)
	return target, sb
}

// openListeners opens the target's flows' listeners on free loopback ports, as a run's
// preparation does.
func openListeners(t testing.TB, target *flows.Target) {
	t.Helper()
	target.Listeners = map[string]flows.Listener{}
	for _, f := range target.Flows {
		for _, spec := range f.Listeners {
			path := spec.Path
			if path == "" {
				path = "/" + spec.Name
			}
			l, err := listen.Open(listen.Options{Path: path, Now: target.Clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			target.Listeners[flows.ListenerKey(f.ID, spec.Name)] = l
		}
	}
}

func runKonera(t testing.TB, faults ...string) flows.RunResult {
	t.Helper()
	target, _ := koneraTarget(t, sandbox.Options{Faults: faults})
	return (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
}

// deviations lists every check that did not hold (fail or warn) and every step that errored, as
// "flow/step/check" (or "flow/step: error"), sorted.
func deviations(run flows.RunResult) []string {
	var out []string
	for _, tr := range run.Targets {
		for _, f := range tr.Flows {
			for _, s := range f.Steps {
				if s.Status == checks.Error {
					out = append(out, fmt.Sprintf("%s/%s: error", f.ID, s.ID))
				}
				for _, o := range s.Outcomes {
					if o.Status == checks.Fail || o.Status == checks.Warn {
						out = append(out, fmt.Sprintf("%s/%s/%s", f.ID, s.ID, o.ID))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// skippedSteps lists steps that did not run, as "flow/step".
func skippedSteps(run flows.RunResult) []string {
	var out []string
	for _, tr := range run.Targets {
		for _, f := range tr.Flows {
			for _, s := range f.Steps {
				if s.Status == checks.Skip {
					out = append(out, f.ID+"/"+s.ID)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
