package launch

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
)

var epoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func builtin(t *testing.T, name string) *profiles.Profile {
	t.Helper()
	p, err := profiles.Find(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Prepare starts the sandbox of a sandbox profile on loopback, shares a simulated clock with it,
// applies the faults that name it, and Close stops it.
func TestPrepareStartsTheSandboxAndCloseStopsIt(t *testing.T) {
	run, err := Prepare([]*profiles.Profile{builtin(t, "sandbox-konera")}, Options{
		Flows: []string{"konera.sim-swap"}, Faults: []string{"konera/swap-not-detected"}, SandboxClock: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	tg := run.Targets[0]
	if len(tg.Flows) != 1 || tg.MaxWait >= 0 || tg.Clock.Now() != epoch {
		t.Errorf("target: %d flows, max wait %s, clock %s", len(tg.Flows), tg.MaxWait, tg.Clock.Now())
	}
	if len(tg.Faults) != 1 || tg.Faults[0] != "konera/swap-not-detected" {
		t.Errorf("faults recorded %v", tg.Faults)
	}
	resp, err := http.Post(tg.Vars["token_url"], "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatalf("the sandbox is not up: %v", err)
	}
	resp.Body.Close()
	run.Close()
	if _, err := http.Post(tg.Vars["token_url"], "application/x-www-form-urlencoded", nil); err == nil {
		t.Error("the sandbox still answers after Close")
	}
}

func TestFaultsAreResolvedPerSandbox(t *testing.T) {
	p := builtin(t, "sandbox-konera")
	for _, tt := range []struct {
		faults []string
		want   string
	}{
		{[]string{"state-not-echoed"}, ""},
		{[]string{"konera/state-not-echoed"}, ""},
		{[]string{"pxg/state-not-echoed"}, "no selected profile runs against the pxg sandbox"},
		{[]string{"konera/nope"}, `the konera sandbox has no fault "nope"`},
		{[]string{"never-ready"}, "none of the selected sandboxes (konera) has it"},
	} {
		_, err := Check([]*profiles.Profile{p}, Options{Faults: tt.faults})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.faults, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want %q", tt.faults, err, tt.want)
		}
	}
	if _, err := Check([]*profiles.Profile{builtin(t, "konera")}, Options{Faults: []string{"state-not-echoed"}}); err == nil ||
		!strings.Contains(err.Error(), "none of the selected profiles runs against it") {
		t.Errorf("a fault for a real provider: %v", err)
	}
}

// A profile whose flows declare a listener gets it open before anything runs, at the address and
// public URL the profile gives.
func TestListenersOpenWhereTheProfileSays(t *testing.T) {
	dir := t.TempDir()
	flow := `[[flow]]
id = "acme.hook"
title = "Hook"
  [[flow.listener]]
  name = "hook"
  [[flow.step]]
  id = "wait"
  title = "Wait"
    [flow.step.await]
    listener = "hook"
`
	prof := `name = "acme"
title = "Acme"
flows = ["acme.hook"]
flow_files = ["acme-flows.toml"]
[listeners.hook]
bind = "127.0.0.1:0"
public_url = "https://tunnel.example/hook"
`
	if err := os.WriteFile(filepath.Join(dir, "acme-flows.toml"), []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme.toml"), []byte(prof), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Load(filepath.Join(dir, "acme.toml"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := Prepare([]*profiles.Profile{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	l := run.Targets[0].Listeners[flows.ListenerKey("acme.hook", "hook")]
	if l == nil || l.URL() != "https://tunnel.example/hook" {
		t.Fatalf("listener %v", l)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Next(ctx, 0); err == nil {
		t.Error("a listener nobody sent to has a request")
	}
}

// profiles/ is plain data: nothing it depends on starts a sandbox or a listener, and no test
// server comes with it. net/http is there for its types and the engine's client.
func TestProfilesStartNothing(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/telconform/telconform/profiles").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list printed %d packages", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"telconform/sandbox", "telconform/internal/listen", "telconform/internal/launch", "net/http/httptest", "charmbracelet"} {
			if strings.Contains(d, banned) {
				t.Errorf("profiles depends on %s", d)
			}
		}
	}
}
