package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// knownProfile runs two Konera flows against the sandbox, listing one deviation as known and one
// step as not offered.
const knownProfile = `name = "acme"
title = "Acme with known deviations"
sandbox = "konera"
flows = ["konera.client-credentials", "konera.sim-swap"]

[client]
token_endpoint_auth_method = "client_secret_post"

[vars]
token_url = "${sandbox:url}/auth/realms/konera/protocol/openid-connect/token"
api_base = "${sandbox:url}"
client_id = "${sandbox:client_id}"
swapped_number = "${sandbox:swapped_number}"
unswapped_number = "${sandbox:unswapped_number}"

[secrets]
client_secret = "${sandbox:client_secret}"

[[known]]
flow = "konera.sim-swap"
step = "check-swapped"
check = "camara.sim-swap.swapped"
reason = "swaps show after a day (ACME-40)"

[[skip]]
flow = "konera.sim-swap"
step = "retrieve-date"
reason = "retrieve-date is not in our contract"

[[known]]
flow = "konera.sim-swap"
step = "check-swapped-default-max-age"
check = "camara.sim-swap.swapped"
reason = "swaps show after a day (ACME-40)"
`

type knownStep struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason"`
	Checks []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"checks"`
}

// runKnown runs the profile with the given faults and returns the exit code, the sim-swap steps
// by id and the summary.
func runKnown(t *testing.T, src string, faults ...string) (int, map[string]knownStep, string) {
	t.Helper()
	dir := t.TempDir()
	profile, report := filepath.Join(dir, "acme.toml"), filepath.Join(dir, "r.json")
	if err := os.WriteFile(profile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--profile", profile, "--report", report}
	for _, f := range faults {
		args = append(args, "--fault", f)
	}
	r := runApp(t, context.Background(), &app{}, args...)
	var rep struct {
		Profiles []struct {
			Flows []struct {
				ID    string      `json:"id"`
				Steps []knownStep `json:"steps"`
			} `json:"flows"`
		} `json:"profiles"`
	}
	readJSONInto(t, report, &rep)
	steps := map[string]knownStep{}
	for _, f := range rep.Profiles[0].Flows {
		for _, s := range f.Steps {
			steps[f.ID+"/"+s.ID] = s
		}
	}
	return r.code, steps, r.stdout
}

func checkStatus(s knownStep, id string) (status, reason string) {
	for _, c := range s.Checks {
		if c.ID == id {
			return c.Status, c.Reason
		}
	}
	return "", ""
}

// TestKnownDeviationsKeepCIGreen: with the deviation present, the run passes with the check
// reported as known; once the provider fixes it, as fixed; a deviation nobody listed still fails
// the run. A skipped step is skipped with the profile's reason.
func TestKnownDeviationsKeepCIGreen(t *testing.T) {
	const swapped = "konera.sim-swap/check-swapped"
	t.Run("still deviating", func(t *testing.T) {
		code, steps, summary := runKnown(t, knownProfile, "swap-not-detected")
		if code != exitOK {
			t.Fatalf("exit %d, want 0: the only failure is listed as known\n%s", code, summary)
		}
		st, reason := checkStatus(steps[swapped], "camara.sim-swap.swapped")
		if steps[swapped].Status != "known" || st != "known" || reason != "known deviation: swaps show after a day (ACME-40)" {
			t.Errorf("check-swapped: step %s, check %s %q", steps[swapped].Status, st, reason)
		}
		if !strings.Contains(summary, "~ check-swapped  known (swaps show after a day (ACME-40)): camara.sim-swap.swapped") {
			t.Errorf("summary:\n%s", summary)
		}
	})
	t.Run("fixed", func(t *testing.T) {
		code, steps, summary := runKnown(t, knownProfile)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, summary)
		}
		if st, _ := checkStatus(steps[swapped], "camara.sim-swap.swapped"); st != "fixed" || steps[swapped].Status != "fixed" {
			t.Errorf("check-swapped: step %s, check %s; want fixed", steps[swapped].Status, st)
		}
		if !strings.Contains(summary, "+ check-swapped, check-swapped-default-max-age  fixed: camara.sim-swap.swapped holds now: take it out of the profile's [[known]]") {
			t.Errorf("summary:\n%s", summary)
		}
	})
	t.Run("a new deviation", func(t *testing.T) {
		code, steps, summary := runKnown(t, knownProfile, "swap-not-detected", "api-accepts-invalid-token")
		if code != exitFailed {
			t.Fatalf("exit %d, want 1: api-accepts-invalid-token is not listed\n%s", code, summary)
		}
		if steps[swapped].Status != "known" {
			t.Errorf("check-swapped %s", steps[swapped].Status)
		}
	})
	t.Run("skipped step", func(t *testing.T) {
		_, steps, _ := runKnown(t, knownProfile)
		s := steps["konera.sim-swap/retrieve-date"]
		if s.Status != "skip" || s.Reason != "the profile skips it: retrieve-date is not in our contract" {
			t.Errorf("retrieve-date: %s %q", s.Status, s.Reason)
		}
	})
}

// TestKnownAndSkipEntriesMustNameSomething: validate refuses an entry that matches nothing, on
// its line, saying what would.
func TestKnownAndSkipEntriesMustNameSomething(t *testing.T) {
	for _, c := range []struct{ edit, with, want string }{
		{`flow = "konera.sim-swap"` + "\nstep = \"check-swapped\"", `flow = "konera.sim-swapp"` + "\nstep = \"check-swapped\"",
			`acme.toml:20: known.0.flow: the profile runs no flow "konera.sim-swapp" (did you mean "konera.sim-swap"?)`},
		{`step = "check-swapped"`, `step = "check-swaped"`, `acme.toml:21: known.0.step: flow konera.sim-swap has no step "check-swaped" (did you mean "check-swapped"?)`},
		{`check = "camara.sim-swap.swapped"`, `check = "oauth2.token.access_token"`, `acme.toml:22: known.0.check: step check-swapped of konera.sim-swap runs no check "oauth2.token.access_token" (it runs `},
		{`reason = "swaps show after a day (ACME-40)"`, `reason = ""`, `acme.toml:19: known.0: a known deviation needs a reason`},
		{`step = "retrieve-date"`, `step = "retrieve"`, `acme.toml:27: skip.0.step: flow konera.sim-swap has no step "retrieve"`},
	} {
		dir := t.TempDir()
		profile := filepath.Join(dir, "acme.toml")
		if !strings.Contains(knownProfile, c.edit) {
			t.Fatalf("no %q in the profile", c.edit)
		}
		if err := os.WriteFile(profile, []byte(strings.Replace(knownProfile, c.edit, c.with, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runApp(t, context.Background(), &app{}, "validate", profile)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], filepath.Join(dir, c.want)) {
			t.Errorf("exit %d, stderr:\n%s\nwant one line containing %s", r.code, r.stderr, c.want)
		}
	}
}
