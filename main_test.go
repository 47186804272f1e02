package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/leak"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

var epoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// runApp runs the command in-process with the given environment, as a user would from a shell
// with no terminal attached.
func runApp(t testing.TB, ctx context.Context, a *app, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a.stdout, a.stderr = &out, &errb
	if a.env == nil {
		a.env = func(string) (string, bool) { return "", false }
	}
	a.isTerminal = func() bool { return false }
	if a.sandboxClock == nil {
		a.sandboxClock = func() time.Time { return epoch }
	}
	code := a.run(ctx, args)
	r := result{code, out.String(), errb.String()}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("stack trace on stderr:\n%s", r.stderr)
	}
	return r
}

// jsonReport is the part of the JSON report these tests read.
type jsonReport struct {
	Status  string `json:"status"`
	Summary struct {
		Steps  map[string]int `json:"steps"`
		Checks map[string]int `json:"checks"`
	} `json:"summary"`
	Profiles []struct {
		Name  string `json:"name"`
		Flows []struct {
			ID    string `json:"id"`
			Steps []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				Reason string `json:"reason"`
				Checks []struct {
					ID        string `json:"id"`
					Scenarios []struct {
						API, Feature, Tag string
					} `json:"scenarios"`
				} `json:"checks"`
			} `json:"steps"`
		} `json:"flows"`
	} `json:"profiles"`
}

func readJSON(t *testing.T, path string) jsonReport {
	t.Helper()
	var r jsonReport
	readJSONInto(t, path, &r)
	return r
}

// total adds up counts by status.
func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// readJSONInto reads the JSON report at path into v, the part of it a test looks at.
func readJSONInto(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
}

type junit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestDefaultRunPassesAgainstTheSandbox(t *testing.T) {
	dir := t.TempDir()
	xmlPath, jsonPath := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
	r := runApp(t, context.Background(), &app{}, "--report", xmlPath, "--report", jsonPath)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	rep := readJSON(t, jsonPath)
	// Every step passes but the 2 that follow a narrowed scope through, which skip: the sandbox
	// refuses the scope instead.
	steps := 0
	for _, p := range rep.Profiles {
		for _, f := range p.Flows {
			for _, s := range f.Steps {
				steps++
				if s.Status != "pass" && !(s.Status == "skip" && strings.HasSuffix(s.ID, "-without-api-scope")) {
					t.Errorf("%s/%s/%s: %s %q", p.Name, f.ID, s.ID, s.Status, s.Reason)
				}
			}
		}
	}
	if rep.Status != "pass" || rep.Summary.Steps["pass"] != steps-2 || rep.Summary.Steps["skip"] != 2 || rep.Summary.Checks["fail"] != 0 {
		t.Errorf("json report: status %s, steps %v, checks %v", rep.Status, rep.Summary.Steps, rep.Summary.Checks)
	}
	// The report can be read by CAMARA scenario: each check carries those its ref names.
	var flowIDs []string
	scenarios := map[string]int{} // "feature tag" → checks covering it
	for _, p := range rep.Profiles {
		for _, f := range p.Flows {
			flowIDs = append(flowIDs, f.ID)
			for _, s := range f.Steps {
				for _, c := range s.Checks {
					for _, sc := range c.Scenarios {
						if sc.API == "" || sc.Feature == "" || sc.Tag == "" {
							t.Errorf("%s/%s/%s: scenario %+v lacks a part", f.ID, s.ID, c.ID, sc)
						}
						scenarios[sc.Feature+" "+sc.Tag]++
					}
				}
			}
		}
	}
	for _, want := range []string{"phoneNumberVerify phone_number_verify_400.1_no_request_body", "checkSimSwap check_sim_swap_C02.04_missing_phone_number"} {
		if scenarios[want] == 0 {
			t.Errorf("no check of the JSON report covers %s; it has %d scenarios", want, len(scenarios))
		}
	}
	if !slices.Contains(flowIDs, "konera.sim-swap") || !slices.Contains(flowIDs, "pxg.number-verification") {
		t.Errorf("flows %v: every built-in sandbox profile runs by default", flowIDs)
	}
	data, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	var ju junit
	if err := xml.Unmarshal(data, &ju); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	if ju.Tests != steps || ju.Failures != 0 || len(ju.Suites) != len(flowIDs) {
		t.Errorf("junit: %d tests, %d failures, %d suites", ju.Tests, ju.Failures, len(ju.Suites))
	}
	if !strings.Contains(r.stdout, "sandbox-konera") || !strings.Contains(r.stdout, xmlPath) {
		t.Errorf("summary:\n%s", r.stdout)
	}
}

func TestFaultMakesTheRunFail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	r := runApp(t, context.Background(), &app{}, "--report", path, "--fault", "state-not-echoed", "--flow", "konera.number-verification")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "oauth2.redirect.state-echoed") {
		t.Errorf("the summary does not name the failed check:\n%s", r.stdout)
	}
	// --flow picks the profiles that offer the flow: the PXG and Vonage sandboxes, which share
	// the fault's name, do not run, so the name needs no provider/ prefix.
	if rep := readJSON(t, path); rep.Status != "fail" || len(rep.Profiles) != 1 || rep.Profiles[0].Name != "sandbox-konera" {
		t.Errorf("report status %s, %d profiles", rep.Status, len(rep.Profiles))
	}
}

const badProfile = `name = "acme"
title = "Acme"
flows = ["konera.client-credentials"]

[vars]
token_url = "https://auth.acme.example/token"
client_id = "acme-client"

[secrets]
client_secret = "${env:ACME_SECRET}"
`

// TestManyProblemsAreCutShort runs a profile with 10,000 misspelt variables: the run prints the
// first problems, one line each, and then how many more there are and the command that lists them
// all; validate lists every one. Both exit 2.
func TestManyProblemsAreCutShort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.toml")
	src := badProfile
	var extra strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&extra, "unknown_%d = \"x\"\n", i)
	}
	src = strings.Replace(src, "[secrets]", extra.String()+"\n[secrets]", 1)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) { return "s", k == "ACME_SECRET" }
	r := runApp(t, context.Background(), &app{env: env}, "--report", filepath.Join(dir, "r.json"), "--profile", path)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != exitUsage || len(lines) != maxProblems+1 {
		t.Fatalf("exit %d with %d lines on stderr; want 2 and %d", r.code, len(lines), maxProblems+1)
	}
	if want := path + `:9: vars.unknown_0: unknown variable`; !strings.HasPrefix(lines[0], want) {
		t.Errorf("first line %q, want it to start %q", lines[0], want)
	}
	if want := "telconform: and 9990 more problems: telconform validate " + path + " lists every one"; lines[maxProblems] != want {
		t.Errorf("last line %q, want %q", lines[maxProblems], want)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.json")); !os.IsNotExist(err) {
		t.Errorf("a report was written for a run that never started: %v", err)
	}
	r = runApp(t, context.Background(), &app{env: env}, "validate", path)
	if n := strings.Count(r.stderr, "unknown variable"); r.code != exitUsage || n != 10000 {
		t.Errorf("validate: exit %d, %d problems listed; want 2 and 10000", r.code, n)
	}
}

// TestBadInputExitsTwoWithOneLine is the bad-input table: what a person gets wrong in a profile or
// on the command line. Each is caught before anything runs (no report is written, nothing is
// printed on stdout) and gives exit 2 and one line on stderr that names the file and line, or the
// flag, and says what to do. {dir} in a case stands for the test's directory.
func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	tests := []struct {
		name       string
		edit, with string            // a change to badProfile (run with --profile {dir}/acme.toml)
		env        map[string]string // the environment, for ${env:} references
		args       []string          // the command line; default: --report {dir}/r.json --profile {dir}/acme.toml
		want       string
	}{
		{name: "TOML syntax", edit: `title = "Acme"`, with: `title = "Acme`, want: "{dir}/acme.toml:2: title: TOML syntax"},
		{name: "misspelt variable", edit: `client_id =`, with: `clientid =`,
			want: `{dir}/acme.toml:7: vars.clientid: unknown variable: no flow of this profile uses "clientid" (did you mean "client_id"?)`},
		{name: "misspelt key", edit: `title =`, with: `titel =`, want: `{dir}/acme.toml:2: titel: unknown key (did you mean "title"?)`},
		{name: "wrong type", edit: `title = "Acme"`, with: `title = 3`, want: "{dir}/acme.toml:2: title: wrong type: got an integer, want a string"},
		{name: "unset environment variable", want: "{dir}/acme.toml:10: secrets.client_secret: environment variable ACME_SECRET is not set"},
		{name: "secret under [vars]", edit: `client_id = "acme-client"`, with: "client_id = \"acme-client\"\napi_key = \"k\"",
			want: `{dir}/acme.toml:8: vars.api_key: api_key looks like a secret: move it to [secrets]`},
		{name: "host-less URL", edit: `"https://auth.acme.example/token"`, with: `"https://"`,
			want: `{dir}/acme.toml:6: vars.token_url: "https://" has no host, and step konera.client-credentials/token sends requests to it: write an absolute URL`},
		{name: "malformed URL", edit: `"https://auth.acme.example/token"`, with: `"https://auth acme.example/token"`,
			want: `{dir}/acme.toml:6: vars.token_url: "https://auth acme.example/token" is not a URL (invalid character " " in host name)`},
		{name: "relative URL from the environment", edit: `"https://auth.acme.example/token"`, with: `"${env:ACME_TOKEN_URL}"`,
			env:  map[string]string{"ACME_TOKEN_URL": "auth.acme.example/token", "ACME_SECRET": "s"},
			want: `{dir}/acme.toml:6: vars.token_url: ${env:ACME_TOKEN_URL} is "auth.acme.example/token", which is not an absolute URL`},
		{name: "flow file that never ends", edit: `flows = ["konera.client-credentials"]`, with: "flows = [\"konera.client-credentials\"]\nflow_files = [\"/dev/zero\"]",
			want: `{dir}/acme.toml:4: flow_files: cannot read /dev/zero: not a regular file`},
		{name: "flow file missing", edit: `flows = ["konera.client-credentials"]`, with: "flows = [\"konera.client-credentials\"]\nflow_files = [\"acme-flows.toml\"]",
			want: `{dir}/acme.toml:4: flow_files: cannot read acme-flows.toml: no such file or directory`},
		{name: "misspelt --var", args: []string{"--report", "{dir}/r.json", "--var", "clientid=x"},
			want: `telconform: --var clientid: no selected flow uses a variable "clientid" (did you mean client_id?)`},
		{name: "--var that is not a URL", args: []string{"--report", "{dir}/r.json", "--var", "api_base=localhost:8080"},
			want: `--var api_base: "localhost:8080" is not an absolute URL, and step konekt.session/login sends requests to it`},
		{name: "negative --max-wait", args: []string{"--report", "{dir}/r.json", "--max-wait", "-5s"},
			want: "telconform: --max-wait -5s: a wait cannot be negative; give a duration such as 10m (0, the default, skips every wait step)"},
		{name: "zero --timeout", args: []string{"--report", "{dir}/r.json", "--timeout", "0s"}, want: "telconform: --timeout 0s: give a positive duration, such as 30s"},
		{name: "two profiles with one name", args: []string{"--report", "{dir}/r.json", "--profile", "{dir}/acme.toml", "--profile", "{dir}/acme-copy.toml"},
			want: `{dir}/acme-copy.toml:1: name: "acme" is also the name of {dir}/acme.toml, selected before it: give one of them another name`},
		{name: "report directory missing", args: []string{"--report", "{dir}/missing/r.json"}, want: "telconform: --report {dir}/missing/r.json: directory {dir}/missing does not exist"},
		{name: "report path is a directory", args: []string{"--report", "{dir}/sub.json"}, want: "telconform: --report {dir}/sub.json: that is a directory; name a file in it"},
		{name: "report directory unwritable", args: []string{"--report", "{unwritable}/r.json"}, want: "telconform: --report {unwritable}/r.json: cannot write in {unwritable}"},
		{name: "report format unknown", args: []string{"--report", "{dir}/r.pdf"}, want: `telconform: --report {dir}/r.pdf: unknown report extension ".pdf": use .xml, .json, .md or .html`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			unwritable := filepath.Join(dir, "locked")
			if err := os.Mkdir(unwritable, 0o500); err != nil {
				t.Fatal(err)
			}
			if os.Geteuid() == 0 {
				unwritable = "/proc" // root writes anywhere it has permission bits for; not here
			}
			if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o755); err != nil {
				t.Fatal(err)
			}
			expand := func(s string) string {
				return strings.NewReplacer("{dir}", dir, "{unwritable}", unwritable).Replace(s)
			}
			src := badProfile
			if tt.edit != "" {
				if !strings.Contains(src, tt.edit) {
					t.Fatalf("badProfile has no %q", tt.edit)
				}
				src = strings.Replace(src, tt.edit, tt.with, 1)
			}
			for _, name := range []string{"acme.toml", "acme-copy.toml"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"--report", "{dir}/r.json", "--profile", "{dir}/acme.toml"}
			if tt.args != nil {
				args = tt.args
			}
			for i := range args {
				args[i] = expand(args[i])
			}
			env := tt.env
			a := &app{env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
			r := runApp(t, context.Background(), a, args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if want := expand(tt.want); len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Errorf("stderr:\n%s\nwant one line containing:\n%s", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("something ran: stdout\n%s", r.stdout)
			}
			if _, err := os.Stat(filepath.Join(dir, "r.json")); err == nil {
				t.Error("a report was written for a run that never started")
			}
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.json")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "stdout is not a terminal: run headless with --report FILE"},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--report", rep, "--fault", "nope"}, "--fault nope: no such fault"},
		{[]string{"--report", rep, "--flow", "nope.flow"}, "--flow nope.flow: no selected profile has this flow"},
		{[]string{"--report", rep, "--profile", "nope"}, `no profile "nope"`},
		{[]string{"--report", rep, "--var", "novalue"}, "write NAME=VALUE"},
		{[]string{"--report", rep, "--profile", "konera", "--fault", "state-not-echoed"}, "none of the selected profiles"},
		{[]string{"validate"}, "validate needs at least one file"},
	}
	for _, tt := range tests {
		r := runApp(t, context.Background(), &app{}, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

func TestRefusedConnectionIsAFailedStepAndTheReportIsWritten(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "down.toml")
	src := strings.Replace(badProfile, "https://auth.acme.example/token", "http://127.0.0.1:1/token", 1)
	if err := os.WriteFile(profile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "r.json")
	a := &app{env: func(k string) (string, bool) { return "s3cret-value", k == "ACME_SECRET" }}
	r := runApp(t, context.Background(), a, "--report", report, "--profile", profile)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := readJSON(t, report)
	steps := rep.Profiles[0].Flows[0].Steps
	if steps[0].Status != "error" || !strings.Contains(steps[0].Reason, "connection refused") {
		t.Errorf("token step %s %q", steps[0].Status, steps[0].Reason)
	}
	if len(steps) != 4 || steps[1].Status != "error" || steps[2].Status != "error" || steps[3].Status != "error" {
		t.Errorf("the run did not go on to the other steps: %+v", steps)
	}
	if !strings.Contains(r.stdout, "connection refused") {
		t.Errorf("summary does not give the cause:\n%s", r.stdout)
	}
}

func TestInterruptedRunStillWritesItsReport(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &app{onEvent: func(e flows.Event) {
		if d, ok := e.(flows.StepDone); ok && d.Flow == "konera.sim-swap" && d.Result.ID == "token" {
			cancel()
		}
	}}
	r := runApp(t, ctx, a, "--report", report, "--profile", "sandbox-konera")
	if r.code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := readJSON(t, report)
	if n := total(rep.Summary.Steps); rep.Summary.Steps["pass"] != 5 || rep.Summary.Steps["skip"] != n-5 {
		t.Errorf("steps %v: want the 5 that ran and every other skipped", rep.Summary.Steps)
	}
	if !strings.Contains(r.stdout, "INTERRUPTED") {
		t.Errorf("summary:\n%s", r.stdout)
	}
}

// A second Ctrl-C while the reports are written abandons them: the previous report stays as it
// was, no temporary file is left beside it, and the exit code says interrupted.
func TestSecondInterruptKeepsThePreviousReport(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	if err := os.WriteFile(report, []byte("the previous report"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort, abortWrites := context.WithCancelCause(context.Background())
	a := &app{abort: abort, onEvent: func(e flows.Event) {
		if d, ok := e.(flows.StepDone); ok && d.Result.ID == "token" {
			cancel()                         // the first Ctrl-C
			abortWrites(errInterruptedAgain) // and the second, before the report is written
		}
	}}
	r := runApp(t, ctx, a, "--report", report)
	if r.code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(report); string(data) != "the previous report" {
		t.Errorf("the previous report became %.60q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries: a temporary file was left", len(entries))
	}
	if !strings.Contains(r.stderr, report+" not written (interrupted a second time)") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// prodRun points a production profile at a sandbox of its provider started with the given
// secret: the environment it reads and the --var flags that move its endpoints.
type prodRun struct {
	provider, profile string
	env               func(v map[string]string) map[string]string
	vars              func(url string) []string
}

var prodRuns = []prodRun{
	{"konera", "konera",
		func(v map[string]string) map[string]string {
			return map[string]string{
				"KONERA_CLIENT_ID": v["client_id"], "KONERA_CLIENT_SECRET": v["client_secret"], "KONERA_REDIRECT_URI": v["redirect_uri"],
				"KONERA_DEVICE_NUMBER": v["device_number"], "KONERA_OTHER_NUMBER": v["other_number"],
				"KONERA_SWAPPED_NUMBER": v["swapped_number"], "KONERA_UNSWAPPED_NUMBER": v["unswapped_number"],
			}
		},
		func(url string) []string {
			return []string{"--walk", "agent", "--var", "token_url=" + url + "/auth/realms/konera/protocol/openid-connect/token",
				"--var", "authorize_url=" + url + "/auth/authorize", "--var", "auth_token_url=" + url + "/auth/token", "--var", "api_base=" + url}
		}},
	{"pxg", "pxg",
		func(v map[string]string) map[string]string {
			return map[string]string{
				"PXG_CLIENT_ID": v["client_id"], "PXG_CLIENT_SECRET": v["client_secret"], "PXG_REDIRECT_URI": v["redirect_uri"],
				"PXG_DEVICE_NUMBER": v["device_number"], "PXG_OTHER_NUMBER": v["other_number"],
				"PXG_ISSUER": v["issuer"], "PXG_JWKS_URL": v["jwks_url"],
			}
		},
		func(url string) []string {
			return []string{"--walk", "agent", "--var", "authorize_url=" + url + "/camara/api/auth/v1/authorize",
				"--var", "token_url=" + url + "/camara/api/auth/v1/token", "--var", "api_base=" + url}
		}},
	{"konekt", "konekt",
		func(v map[string]string) map[string]string {
			return map[string]string{"KONEKT_EMAIL": v["email"], "KONEKT_PASSWORD": v["password"]}
		},
		func(url string) []string { return []string{"--var", "api_base=" + url} }},
	{"kpn", "kpn",
		func(v map[string]string) map[string]string {
			addr := freeAddr()
			return map[string]string{
				"KPN_CLIENT_ID": v["client_id"], "KPN_CLIENT_SECRET": v["client_secret"],
				"KPN_DEVICE_MSISDN": v["device_msisdn"], "KPN_OTHER_MSISDN": v["other_msisdn"],
				"KPN_NOTIFY_BIND": addr, "KPN_NOTIFY_URL": "http://" + addr + "/kpn/notify",
			}
		},
		func(url string) []string {
			// Notification only: polling against a sandbox on the real clock would wait out its
			// intervals; the sandbox profile's run covers polling on the simulated clock.
			return []string{"--walk", "agent", "--flow", "kpn.notification", "--var", "token_url=" + url + "/token", "--var", "api_base=" + url}
		}},
	{"vonage", "vonage",
		func(v map[string]string) map[string]string {
			return map[string]string{
				"VONAGE_APPLICATION_ID": v["application_id"], "VONAGE_PRIVATE_KEY": v["application_private_key"],
				"VONAGE_REDIRECT_URI": v["redirect_uri"], "VONAGE_DEVICE_NUMBER": v["device_number"], "VONAGE_OTHER_NUMBER": v["other_number"],
			}
		},
		func(url string) []string {
			return []string{"--walk", "agent", "--var", "api_base=" + url, "--var", "authorize_url=" + url + "/oauth2/auth",
				"--var", "token_url=" + url + "/oauth2/token"}
		}},
}

// TestNoSecretInAnyOutput sets every secret to a unique marker — the built-in sandbox profiles'
// and the production profiles' (pointed at sandboxes with --var) — and checks that no marker, no
// private key and no token, id_token, code or application JWT the sandboxes issued or were shown
// appears in any report, on stdout or on stderr.
func TestNoSecretInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	const sandboxSecret = "MARKER-sandbox-secret-5d1c"
	const prodSecret = "MARKER-prod-secret-9e2b"

	env := map[string]string{}
	secrets := []string{sandboxSecret, prodSecret}
	var prods []*sandbox.Sandbox
	type run struct {
		name string
		args []string
	}
	var runs []run
	for _, pr := range prodRuns {
		prod, err := sandbox.New(pr.provider, sandbox.Options{ClientSecret: prodSecret, ClientID: "prod-client"})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(prod)
		defer srv.Close()
		v := prod.Values(srv.URL)
		maps.Copy(env, pr.env(v))
		if key := v["application_private_key"]; key != "" {
			secrets = append(secrets, key)
			secrets = append(secrets, pemLines(key)...) // a report escapes newlines: look for each line too
		}
		prods = append(prods, prod)
		runs = append(runs, run{"sandbox-" + pr.provider, []string{"--profile", "sandbox-" + pr.provider}},
			run{pr.profile, append([]string{"--profile", pr.profile}, pr.vars(v["url"])...)})
	}
	a := &app{
		env:     func(k string) (string, bool) { val, ok := env[k]; return val, ok },
		sandbox: sandbox.Options{ClientSecret: sandboxSecret},
	}
	var started []*sandbox.Sandbox
	a.onSandbox = func(sb *sandbox.Sandbox) { started = append(started, sb) }
	outputs := map[string]string{}
	// --var applies to every profile of a run, so each profile runs separately.
	for _, r := range runs {
		var paths, args []string
		for _, ext := range []string{".xml", ".json", ".md", ".html"} {
			paths = append(paths, filepath.Join(dir, r.name+ext))
			args = append(args, "--report", paths[len(paths)-1])
		}
		res := runApp(t, context.Background(), a, append(args, r.args...)...)
		if res.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", r.name, res.code, res.stdout, res.stderr)
		}
		outputs[r.name+" stdout"], outputs[r.name+" stderr"] = res.stdout, res.stderr
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			outputs[p] = string(data)
			if shown := rendered(filepath.Ext(p), string(data)); shown != string(data) {
				outputs[p+" as rendered"] = shown
			}
			if (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".html")) && !strings.Contains(outputs[p], "[secret:") {
				t.Errorf("%s shows no masked secret: is the request recorded at all?", p)
			}
		}
	}
	all := slices.Concat(prods, started)
	if len(all) != 2*len(prodRuns) {
		t.Fatalf("%d sandboxes ran, want %d", len(all), 2*len(prodRuns))
	}
	for i, sb := range all {
		issued := sb.Issued()
		if len(issued) < 3 {
			t.Fatalf("sandbox %d issued only %d tokens and codes: the test is not exercising the flows", i, len(issued))
		}
		secrets = append(secrets, issued...)
	}
	for name, text := range outputs {
		for _, s := range leak.Find(text, secrets) {
			t.Errorf("%s holds (part of) the secret %q", name, s)
		}
	}
}

// freeAddr is a loopback address with a port nothing listens on (it was free a moment ago), for a
// profile that names its listener's address.
func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// pemLines returns the base64 lines of a PEM block.
func pemLines(pemText string) []string {
	var out []string
	for _, line := range strings.Split(pemText, "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	return out
}

func TestListingsAndValidate(t *testing.T) {
	r := runApp(t, context.Background(), &app{}, "flows")
	if r.code != exitOK || !strings.Contains(r.stdout, "konera.number-verification") || !strings.Contains(r.stdout, "oauth2.token") {
		t.Errorf("flows: %d\n%s", r.code, r.stdout)
	}
	r = runApp(t, context.Background(), &app{}, "profiles")
	if r.code != exitOK || !strings.Contains(r.stdout, "sandbox-konera") || !strings.Contains(r.stdout, "needs KONERA_CLIENT_ID") {
		t.Errorf("profiles: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runApp(t, context.Background(), &app{}, "validate", "profiles/builtin/konera.toml", "flows/builtin/konera.toml")
	if r.code != exitOK || strings.Count(r.stdout, "ok  ") != 2 || !strings.Contains(r.stdout, "reads KONERA_CLIENT_ID") {
		t.Errorf("validate: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	_ = os.WriteFile(bad, []byte("name = \"x\"\ntitle = \"X\"\nflows = [\"konera.sim-swap\"]\n"), 0o644)
	r = runApp(t, context.Background(), &app{}, "validate", bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, "flow konera.sim-swap needs") {
		t.Errorf("validate bad: %d\n%s", r.code, r.stderr)
	}
	r = runApp(t, context.Background(), &app{}, "--version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "telconform ") {
		t.Errorf("version: %q", r.stdout)
	}
}

// TestEnginePackagesStayOffTheTerminal keeps the engine free of terminal libraries: only ui/ may
// import Bubble Tea, Bubbles or Lip Gloss.
func TestEnginePackagesStayOffTheTerminal(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./flows/...", "./checks/...", "./profiles/...", "./reports/...", "./sandbox/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "charmbracelet") {
			t.Errorf("an engine package depends on %s", dep)
		}
	}
	if !strings.Contains(string(out), "github.com/telconform/telconform/checks") {
		t.Error("go list did not list the engine packages")
	}
	// And no package but ui imports them directly, main included.
	out, err = exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	uiImports := false
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if !strings.Contains(imports, "charmbracelet") {
			continue
		}
		if pkg == "github.com/telconform/telconform/ui" {
			uiImports = true
			continue
		}
		t.Errorf("%s imports a terminal library; only ui may", pkg)
	}
	if !uiImports {
		t.Error("ui does not import Bubble Tea: is the test reading the right list?")
	}
}

// TestPackagesImportWhatTheDesignAllows holds the architecture table of DESIGN.md: data flows
// one way (profile + flow → session → events → ui | reports), so no package depends, even through
// another, on one the table says it never imports.
func TestPackagesImportWhatTheDesignAllows(t *testing.T) {
	const mod = "github.com/telconform/telconform/"
	never := map[string][]string{
		"profiles": {"ui", "reports", "sandbox", "internal/launch", "internal/listen"},
		"flows":    {"ui", "reports", "profiles", "sandbox"},
		"checks":   {"ui", "flows", "profiles", "reports", "sandbox"},
		"reports":  {"ui", "profiles", "sandbox"},
		"sandbox":  {"ui", "reports", "profiles", "flows", "checks"},
	}
	for pkg, banned := range never {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, mod+pkg) {
			t.Fatalf("go list -deps ./%s does not list the package itself: %v", pkg, deps)
		}
		for _, b := range banned {
			if slices.Contains(deps, mod+b) {
				t.Errorf("%s depends on %s, which DESIGN.md says it never imports", pkg, b)
			}
		}
	}
}

// BenchmarkHeadlessRun measures a whole default run: the five built-in sandboxes started
// in-process, their ten flows over loopback HTTP, and both reports written.
func BenchmarkHeadlessRun(b *testing.B) {
	dir := b.TempDir()
	args := []string{"--report", filepath.Join(dir, "r.xml"), "--report", filepath.Join(dir, "r.json")}
	for b.Loop() {
		if r := runApp(b, context.Background(), &app{}, args...); r.code != exitOK {
			b.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	}
}

// BenchmarkHeadlessRunPerProfile runs each built-in sandbox profile alone, both reports written,
// so one provider's cost can be followed over time (konera's alone is what BenchmarkHeadlessRun
// measured before the other providers came).
func BenchmarkHeadlessRunPerProfile(b *testing.B) {
	builtin, err := profiles.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, p := range builtin {
		if p.Sandbox == "" {
			continue
		}
		b.Run(p.Name, func(b *testing.B) {
			args := []string{"--profile", p.Name, "--report", filepath.Join(dir, "r.xml"), "--report", filepath.Join(dir, "r.json")}
			for b.Loop() {
				if r := runApp(b, context.Background(), &app{}, args...); r.code != exitOK {
					b.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
			}
		})
	}
}

// TestHelpAndReadmeNameEveryFlag keeps the documentation from drifting from the flags: the help
// is generated from the flag definitions, and the README's option table must name each of them.
func TestHelpAndReadmeNameEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	r := runApp(t, context.Background(), &app{}, "-h")
	fs := newFlagSet("telconform")
	runFlags(fs, &runOptions{})
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if !strings.Contains(r.stdout, "  "+dash+f.Name+" ") {
			t.Errorf("-h does not list %s%s", dash, f.Name)
		}
		if !strings.Contains(string(readme), "| `"+dash+f.Name) {
			t.Errorf("the README's option table does not list %s%s", dash, f.Name)
		}
	})
	if n < 10 {
		t.Errorf("only %d flags defined", n)
	}
}

// telconform sandbox serves a provider until interrupted; --key-out writes its client's key where
// asked (mode 0600) and nowhere else: not on stdout.
func TestSandboxCommandWritesTheKeyOnlyWhereAsked(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "app.pem")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, say where, and stop at once
	r := runApp(t, ctx, &app{}, "sandbox", "--provider", "vonage", "--listen", "127.0.0.1:0", "--key-out", keyPath)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	info, err := os.Stat(keyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	key, _ := os.ReadFile(keyPath)
	if _, err := flows.ParsePrivateKey(string(key)); err != nil {
		t.Errorf("the key written does not parse: %v", err)
	}
	if !strings.Contains(r.stdout, "vonage sandbox on http://127.0.0.1:") || len(leak.Find(r.stdout+r.stderr, pemLines(string(key)))) > 0 {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = runApp(t, ctx, &app{}, "sandbox", "--listen", "127.0.0.1:0", "--key-out", filepath.Join(t.TempDir(), "no", "such", "dir.pem"))
	if r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--key-out") {
		t.Errorf("unwritable --key-out: exit %d, stderr %q", r.code, r.stderr)
	}
}

// The terminal UI refuses an unknown --flow before it takes the screen, as a headless run does.
func TestInteractiveRefusesAnUnknownFlow(t *testing.T) {
	a := &app{}
	var out, errb bytes.Buffer
	a.stdout, a.stderr, a.isTerminal = &out, &errb, func() bool { return true }
	a.env = func(string) (string, bool) { return "", false }
	code := a.run(context.Background(), []string{"--flow", "nosuch.flow"})
	if code != exitUsage || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "--flow nosuch.flow: no selected profile has this flow") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
