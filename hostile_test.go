package main

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/telconform/telconform/internal/leak"
	"github.com/telconform/telconform/sandbox"
)

// The hostile provider (a hidden sandbox provider) sends what a careless tester would leak or
// choke on; testdata/hostile.toml runs its flows.

const hostileSecret = "MARKER-hostile-client-secret-3f7a"

// runHostile runs the hostile profile's flows headless, writing a report in every format (JSON,
// JUnit, Markdown, HTML), with -v so that stderr carries a line per step. It returns every output
// by name (".json report", ".md report", and each report as rendered, ".md report as rendered")
// and every secret the provider handed out, with the client secret among them.
func runHostile(t *testing.T, flow string, extra ...string) (outputs map[string]string, secrets []string, r result) {
	t.Helper()
	dir := t.TempDir()
	a := &app{sandbox: sandbox.Options{ClientSecret: hostileSecret}}
	a.onSandbox = func(sb *sandbox.Sandbox) { secrets = append(secrets, sb.Issued()...) }
	args := []string{"--profile", "testdata/hostile.toml", "--flow", flow, "-v"}
	var paths []string
	for _, ext := range []string{".json", ".xml", ".md", ".html"} {
		paths = append(paths, filepath.Join(dir, "r"+ext))
		args = append(args, "--report", paths[len(paths)-1])
	}
	r = runApp(t, context.Background(), a, append(args, extra...)...)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want 1 (the hostile checks are written to fail)\n%s%s", r.code, r.stdout, r.stderr)
	}
	outputs = map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Ext(p)+" report"] = string(data)
		if shown := rendered(filepath.Ext(p), string(data)); shown != string(data) {
			outputs[filepath.Ext(p)+" report as rendered"] = shown
		}
	}
	return outputs, append(secrets, hostileSecret), r
}

// rendered is a report as its reader sees it: Markdown without its backslash escapes, HTML and
// XML with their character references decoded. A secret could hide from leak.Find in the file
// itself (a "+" of a base64 token is &#43; in the page, a "-" is \- in Markdown), so the leak
// tests scan this too.
func rendered(ext, text string) string {
	switch ext {
	case ".md":
		var b strings.Builder
		for i := 0; i < len(text); i++ {
			if text[i] == '\\' && i+1 < len(text) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", text[i+1]) >= 0 {
				i++
			}
			b.WriteByte(text[i])
		}
		return b.String()
	case ".html", ".xml":
		return html.UnescapeString(text)
	}
	return text
}

// hostileExchange is what these tests read of a step's exchanges in the JSON report.
type hostileExchange struct {
	Error    string `json:"error"`
	Response *struct {
		Status    int                 `json:"status"`
		Headers   map[string][]string `json:"headers"`
		Body      string              `json:"body"`
		Truncated bool                `json:"truncated"`
		Binary    bool                `json:"binary"`
		More      bool                `json:"more"`
		Size      int                 `json:"size"`
	} `json:"response"`
}

func hostileSteps(t *testing.T, report string) map[string][]hostileExchange {
	t.Helper()
	var rep struct {
		Profiles []struct {
			Flows []struct {
				Steps []struct {
					ID        string            `json:"id"`
					Exchanges []hostileExchange `json:"exchanges"`
				} `json:"steps"`
			} `json:"flows"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatal(err)
	}
	out := map[string][]hostileExchange{}
	for _, f := range rep.Profiles[0].Flows {
		for _, s := range f.Steps {
			out[s.ID] = s.Exchanges
		}
	}
	return out
}

// TestHostileResponsesLeakNothing: opaque tokens of 100 and 1,000 characters, a JWT, a token
// member named twice, a token across the body cut, truncated JSON holding a token, a form body, a code in a Location that
// does not parse, the client secret echoed back in an error, a session cookie, a response broken
// midway and a malformed one. No issued value and not the client secret, whole or in any piece of
// 16 characters, appears in either report, on stdout or on stderr.
func TestHostileResponsesLeakNothing(t *testing.T) {
	outputs, secrets, _ := runHostile(t, "hostile.secrets")
	if len(secrets) < 15 {
		t.Fatalf("only %d secrets issued: the hostile flow did not run its steps", len(secrets))
	}
	for name, text := range outputs {
		for _, s := range leak.Find(text, secrets) {
			t.Errorf("%s holds (part of) the secret %.20s… (%d characters)", name, s, len(s))
		}
	}
	// The secrets are masked, not missing: the report still shows where each one was.
	report := outputs[".json report"]
	for _, want := range []string{`"access_token":"[secret:access_token]"`, "[secret:client_secret]", "code=[secret:code]", "session=[secret:cookie session]", "consent=1"} {
		if !strings.Contains(strings.ReplaceAll(report, `\"`, `"`), want) {
			t.Errorf("the JSON report lacks %s", want)
		}
	}
	steps := hostileSteps(t, report)
	if cut := steps["cut"]; len(cut) != 1 || cut[0].Response == nil || cut[0].Response.Status != 200 || cut[0].Error == "" {
		t.Errorf("a response broken midway keeps its status and says what broke: %+v", cut)
	}
	if s := steps["straddle"]; len(s) != 1 || !s[0].Response.Truncated || len(s[0].Response.Body) > 64<<10 {
		t.Errorf("the body across the cut is not cut at 64 KiB: %+v", s)
	}
}

// TestHostileBytesStayBounded: escape sequences never reach stdout or stderr raw; a binary body
// is a hex excerpt with its size; a 9 MiB header is refused and a 100 MB body read to 10 MiB, so
// the report stays small.
func TestHostileBytesStayBounded(t *testing.T) {
	outputs, secrets, r := runHostile(t, "hostile.bytes", "--flow", "hostile.sizes")
	for _, name := range []string{"stdout", "stderr"} {
		for _, raw := range []string{"\x1b", "\x07", "\x7f", "\r", "\u009b", "\u202e"} {
			if strings.Contains(outputs[name], raw) {
				t.Errorf("%s holds the raw character %q", name, raw)
			}
		}
	}
	if !strings.Contains(r.stdout, `before\x1b[2J\x1b[Hafter\x1b]0;retitled\a\rover\x7fend`) ||
		!strings.Contains(r.stdout, `\u009b2J\u202eevil`) {
		t.Errorf("the escape sequences are not shown written out:\n%s", r.stdout)
	}
	report := outputs[".json report"]
	if len(report) > 256<<10 {
		t.Errorf("the JSON report is %d bytes", len(report))
	}
	steps := hostileSteps(t, report)
	if b := steps["binary"]; len(b) != 1 || !b[0].Response.Binary || !strings.HasPrefix(b[0].Response.Body, "(binary, 2048 bytes) ") {
		t.Errorf("binary body: %+v", b)
	}
	if h := steps["big-header"]; len(h) != 1 || !strings.Contains(h[0].Error, "headers exceeded") {
		t.Errorf("9 MiB header: %+v", h)
	}
	if b := steps["big-body"]; len(b) != 1 || !b[0].Response.More || b[0].Response.Size != 10<<20 || len(b[0].Response.Body) != 64<<10 {
		t.Errorf("100 MB body: %+v", b[0].Response)
	}
	for name, text := range outputs {
		for _, s := range leak.Find(text, secrets) {
			t.Errorf("%s holds (part of) the secret %.20s…", name, s)
		}
	}
}

// A body that stops arriving times out with what came: the status, the headers and the bytes
// before it stopped, which are masked like any others.
func TestBodyThatStopsTimesOutWithWhatCame(t *testing.T) {
	outputs, secrets, _ := runHostile(t, "hostile.slow", "--timeout", "300ms")
	d := hostileSteps(t, outputs[".json report"])["drip"]
	if len(d) != 1 || !strings.HasPrefix(d[0].Error, "timed out: the body did not arrive within 300ms") ||
		d[0].Response == nil || d[0].Response.Status != 200 || !strings.Contains(d[0].Response.Body, `"access_token":"[secret:access_token]`) {
		t.Errorf("a body that stops: %+v", d)
	}
	for name, text := range outputs {
		for _, s := range leak.Find(text, secrets) {
			t.Errorf("%s holds (part of) the secret %.20s…", name, s)
		}
	}
}

// TestHungProviderCostsOneTimeoutPerFlow: every URL of the three Konera flows points at a
// provider that never answers. One request per flow times out; every later step to that host is
// not attempted and says which step timed out, so the run costs three timeouts, not thirty-two.
func TestHungProviderCostsOneTimeoutPerFlow(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	r := runApp(t, context.Background(), &app{}, "--profile", "testdata/hung.toml", "--timeout", "200ms", "--report", report)
	if r.code != exitFailed {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct {
		Profiles []struct {
			Flows []struct {
				ID    string `json:"id"`
				Steps []struct {
					ID        string            `json:"id"`
					Status    string            `json:"status"`
					Reason    string            `json:"reason"`
					Exchanges []hostileExchange `json:"exchanges"`
				} `json:"steps"`
			} `json:"flows"`
		} `json:"profiles"`
	}
	readJSONInto(t, report, &rep)
	flowsSeen := 0
	for _, f := range rep.Profiles[0].Flows {
		flowsSeen++
		sent := 0
		for i, s := range f.Steps {
			sent += len(s.Exchanges)
			switch {
			case i == 0:
				if s.Status != "error" || len(s.Exchanges) != 1 || !strings.HasPrefix(s.Exchanges[0].Error, "timed out: no answer within 200ms") {
					t.Errorf("%s/%s: %s %q %+v", f.ID, s.ID, s.Status, s.Reason, s.Exchanges)
				}
			case s.Status != "skip":
				t.Errorf("%s/%s: %s, want skip", f.ID, s.ID, s.Status)
			case strings.HasPrefix(s.Reason, "not attempted: "):
				if !strings.HasSuffix(s.Reason, "did not answer step "+f.Steps[0].ID+" in time") {
					t.Errorf("%s/%s: reason %q", f.ID, s.ID, s.Reason)
				}
			}
		}
		if sent != 1 {
			t.Errorf("%s sent %d requests, want 1", f.ID, sent)
		}
	}
	if flowsSeen != 3 {
		t.Errorf("%d flows ran", flowsSeen)
	}
}
