package reports

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

var testMeta = Meta{Tool: "telconform", Version: "0.1.0"}

// testRun is a run built by hand with fixed times: one profile, a passing flow, and a flow with a
// failed check, a warning, an informational finding, a step that could not run and a skipped
// step. Headers, bodies and values carry <, & and " so escaping shows in every format. Secrets
// appear as the runner leaves them: already masked.
func testRun() *flows.RunResult {
	t0 := time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.FixedZone("", 3600))
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	base := "http://127.0.0.1:41873"
	tokenBody := `{"access_token":"[secret:access_token]","token_type":"Bearer","expires_in":3600}`
	pass := func(id, ref string) checks.Outcome {
		return checks.Outcome{ID: id, Level: checks.LevelFail, Ref: ref, Status: checks.Pass}
	}
	tokenExchange := flows.Exchange{
		Request: flows.Request{Method: "POST", URL: base + "/auth/realms/konera/protocol/openid-connect/token",
			Header: http.Header{
				"Authorization": {"Basic [secret:client_credentials]"},
				"Content-Type":  {"application/x-www-form-urlencoded"},
				"X-Correlator":  {`a<b&c"d`},
			},
			Body: "grant_type=client_credentials&scope=sim-swap",
		},
		Response: &flows.Response{Status: 200,
			Header: http.Header{"Cache-Control": {"no-store"}, "Content-Type": {"application/json"}},
			Body:   tokenBody, Size: len(tokenBody)},
		Duration: 37 * time.Millisecond,
	}
	tokenChecks := []checks.Outcome{
		pass("oauth2.token.status-200", "RFC6749 5.1"),
		pass("oauth2.token.token_type-bearer", "RFC6749 5.1"),
		pass("oauth2.token.cache-control-no-store", "RFC6749 5.1"),
	}

	clientCredentials := flows.FlowResult{
		ID: "konera.client-credentials", Title: "Client credentials token", Status: checks.Pass,
		Started: at(5), Duration: 61 * time.Millisecond,
		Steps: []flows.StepResult{
			{ID: "token", Title: "Get a token", Kind: "http", Status: checks.Pass,
				Started: at(5), Duration: 38400 * time.Microsecond,
				Exchanges: []flows.Exchange{tokenExchange},
				Captured:  map[string]string{"access_token": "[secret:access_token]"},
				Outcomes:  tokenChecks},
			{ID: "bad-secret", Title: "A wrong client secret is refused", Kind: "http", Status: checks.Pass,
				Started: at(44), Duration: 21 * time.Millisecond,
				Exchanges: []flows.Exchange{{
					Request: flows.Request{Method: "POST", URL: tokenExchange.Request.URL,
						Header: http.Header{"Authorization": {"Basic [secret:wrong_client_credentials]"}},
						Body:   "grant_type=client_credentials"},
					Response: &flows.Response{Status: 401, Header: http.Header{"Content-Type": {"application/json"}},
						Body: `{"error":"invalid_client"}`, Size: 26},
					Duration: 20 * time.Millisecond,
				}},
				Outcomes: []checks.Outcome{pass("oauth2.error.status-401", "RFC6749 5.2"),
					pass("oauth2.error.code", "RFC6749 5.2")}},
		},
	}

	swapBody := `{"swapped":false,"note":"<b>&amp; \"x\"</b>"}`
	simSwap := flows.FlowResult{
		ID: "konera.sim-swap", Title: `SIM Swap: check & retrieve "v2"`, Status: checks.Error,
		Started: at(70), Duration: 1150 * time.Millisecond,
		Steps: []flows.StepResult{
			{ID: "token", Title: "Get a token", Kind: "http", Status: checks.Warn,
				Started: at(70), Duration: 40 * time.Millisecond,
				Exchanges: []flows.Exchange{tokenExchange},
				Outcomes: append(append([]checks.Outcome{}, tokenChecks...), checks.Outcome{
					ID: "camara.x-correlator-echo", Level: checks.LevelWarn, Ref: "CAMARA Commonalities x-correlator",
					Status: checks.Warn, Target: "header x-correlator", Expected: "the request's x-correlator",
					Got: "(absent)"})},
			{ID: "check-swapped", Title: "A swapped number reports swapped=true", Kind: "http", Status: checks.Fail,
				Started: at(111), Duration: 1204 * time.Millisecond,
				Exchanges: []flows.Exchange{{
					Request: flows.Request{Method: "POST", URL: base + "/camara/sim-swap/v2/check",
						Header: http.Header{"Authorization": {"Bearer [secret:access_token]"},
							"Content-Type": {"application/json"}},
						Body: `{"phoneNumber":"+34600000002","maxAge":240}`},
					Response: &flows.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
						Body: swapBody, Size: len(swapBody)},
					Duration: 1203 * time.Millisecond,
				}},
				Outcomes: []checks.Outcome{
					pass("camara.status-200", "CAMARA SS check_swap.1"),
					{ID: "camara.sim-swap.swapped", Level: checks.LevelFail, Ref: "CAMARA SS check_swap.2",
						Status: checks.Fail, Target: "body swapped", Expected: "boolean true", Got: "boolean false",
						Explain: "The sandbox swapped this SIM a minute ago."},
					{ID: "camara.response-time", Level: checks.LevelInfo, Status: checks.Info,
						Target: "duration", Expected: "under 1s", Got: "1.204s"},
				}},
			{ID: "check-bad-number", Title: `A malformed number gets 400 "INVALID_ARGUMENT"`, Kind: "http",
				Status: checks.Error, Reason: "dial tcp 127.0.0.1:9: connect: connection refused",
				Started: at(1316), Duration: 2 * time.Millisecond,
				Exchanges: []flows.Exchange{{
					Request: flows.Request{Method: "POST", URL: "http://127.0.0.1:9/camara/sim-swap/v2/check",
						Body: `{"phoneNumber":"<not a number>"}`},
					Error:    "dial tcp 127.0.0.1:9: connect: connection refused",
					Duration: 1 * time.Millisecond,
				}},
				Outcomes: []checks.Outcome{{ID: "camara.error.400", Level: checks.LevelFail,
					Ref: "CAMARA SS check_swap.4", Status: checks.Skip}}},
			{ID: "retrieve-date", Title: "Retrieve the date of the last swap", Kind: "http", Status: checks.Pass,
				Started: at(1319), Duration: 30 * time.Millisecond,
				Exchanges: []flows.Exchange{{
					Request: flows.Request{Method: "POST", URL: base + `/camara/sim-swap/v2/retrieve-date?trace=a&b="c"`},
					Response: &flows.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
						Body: `{"latestSimChange":"2025-03-14T08:25:00Z","padding":"xxxx`, Truncated: true, Size: 70000},
					Duration: 29 * time.Millisecond,
				}},
				Outcomes: []checks.Outcome{pass("camara.sim-swap.latest-sim-change-rfc3339", "CAMARA SS retrieve_date.1")}},
			{ID: "token-expires", Title: "An expired token is refused", Kind: "wait", Status: checks.Skip,
				Reason:  "waiting 5m1s is longer than the profile allows (1m0s)",
				Started: at(1350), Duration: 0,
				Outcomes: []checks.Outcome{{ID: "oauth2.bearer.expired-401", Level: checks.LevelFail,
					Ref: "RFC6750 3.1", Status: checks.Skip}}},
		},
	}

	return &flows.RunResult{
		Started: t0, Duration: 1234567 * time.Microsecond, Status: checks.Error,
		Targets: []flows.TargetResult{{
			Name: "sandbox-konera", Title: "Konera aggregator (built-in sandbox)", Source: "built-in",
			Sandbox: "konera", Status: checks.Error,
			Flows: []flows.FlowResult{clientCredentials, simSwap},
		}},
	}
}

// checkGolden compares got with testdata/<name>.golden, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/ -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from the golden file at line %d:\n got: %q\nwant: %q\n(run go test ./reports/ -update if the change is intended)",
				path, i+1, g, w)
		}
	}
	t.Fatalf("%s differs from the golden file", path)
}

func TestForPath(t *testing.T) {
	for _, tc := range []struct {
		path, format string
	}{
		{"r.json", "json"},
		{"out/results.xml", "junit"},
		{"R.XML", "junit"},
		{"report.Json", "json"},
	} {
		f, err := ForPath(tc.path)
		if err != nil {
			t.Errorf("ForPath(%q): %v", tc.path, err)
			continue
		}
		if f.Name != tc.format {
			t.Errorf("ForPath(%q) = %s, want %s", tc.path, f.Name, tc.format)
		}
	}
}

func TestForPathUnknownListsExtensions(t *testing.T) {
	for _, path := range []string{"r.txt", "report", "r.json.bak"} {
		_, err := ForPath(path)
		if err == nil {
			t.Errorf("ForPath(%q) accepted an unknown extension", path)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, ".xml, .json, .md or .html") || strings.Contains(msg, "\n") {
			t.Errorf("ForPath(%q) = %q, want one line listing every extension", path, msg)
		}
	}
	if _, err := ForPath("r.txt"); err == nil || !strings.Contains(err.Error(), `".txt"`) {
		t.Errorf("error %q does not name the extension it refused", err)
	}
}

// Every format must be reachable by its own extension, or the UI would offer a format that
// WriteFile then refuses.
func TestFormatsRoundTripThroughForPath(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Write == nil || f.Name == "" {
			t.Errorf("format %+v is incomplete", f)
		}
		if seen[f.Ext] {
			t.Errorf("extension %s is claimed twice", f.Ext)
		}
		seen[f.Ext] = true
		got, err := ForPath("report" + strings.ToUpper(f.Ext))
		if err != nil || got.Name != f.Name {
			t.Errorf("ForPath(report%s) = %q, %v; want %q", strings.ToUpper(f.Ext), got.Name, err, f.Name)
		}
	}
	if len(seen) < 2 {
		t.Errorf("Formats() lists %d formats, want junit and json at least", len(seen))
	}
}

// A run against a sandbox told to deviate says so in the summary and in both reports.
func TestFaultsAreNamedEverywhere(t *testing.T) {
	run := testRun()
	run.Targets[0].Faults = []string{"konera/state-not-echoed"}
	run.Targets[0].Tolerances = []string{"konera/redirect-303"}
	var sum, xmlOut, jsonOut bytes.Buffer
	Summary(&sum, run, testMeta, nil)
	if err := JUnit(&xmlOut, run, testMeta); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&jsonOut, run, testMeta); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"summary": {"FAULTS INJECTED (the sandbox deviates on purpose): konera/state-not-echoed", "tolerances: konera/redirect-303"},
		"junit":   {`<property name="sandbox-fault" value="konera/state-not-echoed">`, `<property name="sandbox-tolerance" value="konera/redirect-303">`},
		"json":    {`"faults": [`, `"konera/state-not-echoed"`, `"tolerances": [`},
	} {
		got := map[string]string{"summary": sum.String(), "junit": xmlOut.String(), "json": jsonOut.String()}[name]
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
}
