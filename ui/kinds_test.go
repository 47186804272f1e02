package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
)

// Each step kind's details at 80×24, drawn from the events the engine sends, against a still
// engine with fixed addresses (testdata/<test>.golden; go test ./ui -update rewrites them). The
// records are what the runner makes, with their secrets already masked, as the engine hands them.

// runOf is the run screen of a built-in sandbox profile's flow, started and waiting before its
// first step, every step pending.
func runOf(t *testing.T, profile, flow string) Model {
	t.Helper()
	opts := testOptions(t)
	m := update(New(opts), tea.WindowSizeMsg{Width: 80, Height: 24}, loadProfilesCmd(opts)())
	p, err := profiles.Find(profile, nil)
	if err != nil {
		t.Fatal(err)
	}
	target := &flows.Target{
		Name: p.Name, Title: p.Title, Source: p.Source, Sandbox: p.Provider, Flows: p.SelectedFlows(),
		Vars: map[string]string{
			"api_base": "https://api.example", "token_url": "https://api.example/token",
			"notify_url": "https://hooks.example/kpn/notify", "device_msisdn": "31612345678",
		},
		Clock: flows.NewSimClock(func() time.Time { return epoch }), MaxWait: -1, Walk: flows.WalkAgent,
	}
	m = update(m, engineReadyMsg{profile: p, engine: stillEngine(p, target)})
	i := slices.IndexFunc(target.Flows, func(f *flows.Flow) bool { return f.ID == flow })
	if i < 0 {
		t.Fatalf("%s has no flow %s", profile, flow)
	}
	for range i {
		m = update(m, press("j")...)
	}
	m = update(m, press("enter")...)
	return events(m, started(m, flow))
}

func where(m Model, flow string, step int) flows.Where {
	return flows.Where{Target: m.eng.target.Name, Flow: flow, Step: step}
}

func jsonHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// A poll under way: how long against its timeout, each attempt with its status and what the
// condition saw, the newest attempt whole.
func TestRunViewPollUnderWay(t *testing.T) {
	const flow = "kpn.polling"
	m := runOf(t, "sandbox-kpn", flow)
	w := where(m, flow, 4)
	m = events(m, flows.StepStarted{Where: w, Step: flowOf(m, flow).Steps[4]})
	for n := 1; n <= 3; n++ {
		ex := flows.Exchange{
			Request:  flows.Request{Method: "GET", URL: "https://api.example/polling", Header: http.Header{"Authorization": {"Bearer [secret:access_token]"}, "Polling_uri": {"[secret:polling_uri]"}}},
			Response: &flows.Response{Status: 200, Header: jsonHeader(), Body: `{"device_match":null}`, Size: 21},
		}
		m = events(m, flows.RequestSent{Where: w, Hop: n, Request: ex.Request}, flows.ResponseReceived{Where: w, Hop: n, Exchange: ex},
			flows.Attempt{Where: w, N: n, Elapsed: time.Duration(n-1) * 2 * time.Second, Timeout: 30 * time.Second,
				Outcome: checks.Outcome{Status: checks.Fail, Target: "body device_match", Got: "null"}})
	}
	v := m.View()
	contains(t, v, "4s of 30s", "Attempts", "· #1 +<1 ms 200 body device_match: null", "· #3 +4s 200",
		"Attempt 3", "Credentials: Bearer (Authorization header).")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

// An await step waiting: the listener's address with the ways to hand it on, and for how long
// it has waited, by the ticks' clock.
func TestRunViewAwaitWaiting(t *testing.T) {
	const flow = "kpn.notification"
	m := runOf(t, "sandbox-kpn", flow)
	m = events(m, waitingAt(m, flow, 3))
	m = events(m, flows.StepStarted{Where: where(m, flow, 3), Step: flowOf(m, flow).Steps[3]})
	m = update(m, spinner.TickMsg{Time: epoch}, spinner.TickMsg{Time: epoch.Add(12 * time.Second)})
	v := m.View()
	contains(t, v, "Listening at", "https://hooks.example/kpn/notify", "y copies it · u shows it alone",
		"12s so far", "Waits up to 2m0s", "y copy URL")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))

	// u draws the address alone, with nothing else on its line; any key goes back.
	m = update(m, press("u")...)
	if v := m.View(); !strings.Contains(v, "\nhttps://hooks.example/kpn/notify") || strings.Contains(v, "│") {
		t.Errorf("the URL is not drawn alone:\n%s", v)
	}
	m = update(m, press("j")...)
	contains(t, m.View(), "Listening at")

	// y sends it to the clipboard through the terminal (OSC 52, base64).
	var term strings.Builder
	m.c.terminal = &term
	next, cmd := m.Update(press("y")[0])
	if cmd == nil {
		t.Fatal("y did nothing")
	}
	next, _ = next.Update(cmd())
	const osc = "\x1b]52;c;aHR0cHM6Ly9ob29rcy5leGFtcGxlL2twbi9ub3RpZnk=\a"
	if term.String() != osc {
		t.Errorf("the terminal got %q, want %q", term.String(), osc)
	}
	contains(t, next.(Model).View(), "to the clipboard through the terminal")
}

// The webhook arrived: the await step's record shows the request as evidence, masked.
func TestRunViewWebhookReceived(t *testing.T) {
	const flow = "kpn.notification"
	m := runOf(t, "sandbox-kpn", flow)
	m = events(m, stepDone(m, flow, 3, flows.StepResult{ID: "notification", Kind: "await", Status: checks.Pass, Duration: 850 * time.Millisecond,
		Received: &flows.Received{Listener: "notify", Method: "POST", URL: "/kpn/notify",
			Header: jsonHeader("Authorization", "Bearer [secret:notification_token]"),
			Body:   `{"device_match":{"result":true,"msisdn":"31612345678"}}`, Size: 56, At: epoch},
		Outcomes: []checks.Outcome{
			{ID: flows.ReceivedCheck, Status: checks.Pass, Target: "listener notify", Got: "POST /kpn/notify"},
			{ID: "kpn.notification.method", Status: checks.Pass, Target: "received method", Got: `string "POST"`},
			{ID: "kpn.notification.bearer", Status: checks.Pass, Target: "received header Authorization", Got: `string "Bearer [secret:notification_token]"`},
		}})...)
	v := m.View()
	contains(t, v, "Received at the notify listener", "POST /kpn/notify", "Authorization: Bearer [secret:notification_token]")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
	// The body is below: tab to the details, G to their end.
	contains(t, update(m, press("tab", "G")...).View(), `"result": true`, `"msisdn": "31612345678"`)
}

// A minted application JWT: header and claims decoded, the token itself a secret.
func TestRunViewMintedJWT(t *testing.T) {
	const flow = "vonage.number-verification"
	m := runOf(t, "sandbox-vonage", flow)
	m = events(m, stepDone(m, flow, 0, flows.StepResult{ID: "app-jwt", Kind: "mint", Status: checks.Pass,
		Token: &flows.TokenRecord{Kind: "minted", Header: map[string]any{"alg": "RS256", "typ": "JWT"},
			Claims: map[string]any{"application_id": "vonage-sandbox-app", "iat": 1795338000, "exp": 1795338900, "jti": "c0ffee-0001"}},
		Captured: map[string]string{"app_jwt": "[secret:app_jwt]"}})...)
	v := m.View()
	contains(t, v, "Token signed", "The token itself is a secret", `"alg": "RS256"`, `"application_id": "vonage-sandbox-app"`)
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
	contains(t, update(m, press("tab", "G")...).View(), "app_jwt = [secret:app_jwt]")
}

// An id_token a provider sent: its claims on screen with the checks on them, the token masked.
func TestRunViewIDTokenClaims(t *testing.T) {
	const flow = "pxg.number-verification"
	m := runOf(t, "sandbox-pxg", flow)
	m = events(m, stepDone(m, flow, 2, flows.StepResult{ID: "token-exchange", Kind: "request", Status: checks.Pass,
		Outcomes: []checks.Outcome{
			{ID: "oidc.id_token.signature", Status: checks.Pass, Target: "id_token", Got: "valid RS256 signature by key pxg-1"},
			{ID: "oidc.id_token.nonce", Status: checks.Pass, Target: "id_token nonce", Got: `string "n-0S6_WzA2Mj"`},
		},
		Token: &flows.TokenRecord{Kind: "id_token", Header: map[string]any{"alg": "RS256", "kid": "pxg-1"},
			Claims: map[string]any{"iss": "https://api.example/camara/api/auth/v1", "sub": "31612345678", "aud": "pxg-sandbox-client",
				"exp": 1795338300, "iat": 1795338000, "nonce": "n-0S6_WzA2Mj"}}})...)
	contains(t, m.View(), "✓ oidc.id_token.signature", "✓ oidc.id_token.nonce") // the checks on the claims come first
	m = update(m, press("tab", "G")...)                                         // down to the claims, the last thing in this record
	v := m.View()
	contains(t, v, "ID token received", `"iss": "https://api.example/camara/api/auth/`, `"nonce": "n-0S6_WzA2Mj"`)
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

// Konekt: what authenticated each request is said, by name only.
func TestRunViewKonektCredentials(t *testing.T) {
	const flow = "konekt.basic"
	m := runOf(t, "sandbox-konekt", flow)
	m = events(m, stepDone(m, flow, 0, flows.StepResult{ID: "me", Kind: "request", Status: checks.Pass,
		Exchanges: []flows.Exchange{{
			Request:  flows.Request{Method: "GET", URL: "https://api.example/api/1/users/me", Header: http.Header{"Authorization": {"Basic [secret:basic]"}}},
			Response: &flows.Response{Status: 200, Header: jsonHeader(), Body: `{"success":true,"data":{"userid":7,"email":"[secret:email]"}}`},
		}},
		Outcomes: []checks.Outcome{{ID: "http.status", Status: checks.Pass, Target: "status", Got: "number 200"}}})...)
	v := m.View()
	contains(t, v, "Credentials: Basic (Authorization header).", "Authorization: Basic [secret:basic]")
	requireSize(t, v)
	golden.RequireEqual(t, []byte(v))
}

func TestCredentialsNamesWhatAuthenticated(t *testing.T) {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for _, tc := range []struct {
		req  flows.Request
		want string
	}{
		{flows.Request{URL: "https://a.example/me?sesskey=[secret:sesskey]&x=1"}, "Credentials: query sesskey."},
		{flows.Request{URL: "https://a.example/me", Header: http.Header{"Cookie": {"consent=1; KSESS=[secret:cookie KSESS]"}}}, "Credentials: cookie consent, cookie KSESS."},
		{flows.Request{URL: "https://a.example/me", Header: form, Body: "apikey=%5Bsecret%3Aapikey%5D&a=b"}, "Credentials: form apikey."},
		{flows.Request{URL: "https://a.example/s", Header: jsonHeader(), Body: `{"email":"e","password":"[secret:password]"}`}, "Credentials: body password."},
		{flows.Request{URL: "https://a.example/me", Header: http.Header{"Authorization": {"Bearer [secret:access_token]"}}}, "Credentials: Bearer (Authorization header)."},
		{flows.Request{URL: "https://a.example/verify"}, "Sent with no credentials."},
	} {
		if got := credentials(tc.req); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.req, got, tc.want)
		}
	}
}

// A body cut at the runner's limit is still indented (JSON cut midway does not parse), says how
// much of it was kept, and can be searched: / finds a term deep in it, n and N move between the
// lines that hold it, esc clears; g and G go to its top and bottom.
func TestLargeBodyIsReadable(t *testing.T) {
	var whole strings.Builder
	whole.WriteString(`{"items":[`)
	for i := 0; whole.Len() < 3<<20; i++ {
		if i > 0 {
			whole.WriteString(",")
		}
		fmt.Fprintf(&whole, `{"id":%d,"name":"item-%d","tags":[]}`, i, i)
	}
	whole.WriteString("]}")
	kept := whole.String()[:64<<10]

	const flow = "konera.sim-swap"
	m := runOf(t, "sandbox-konera", flow)
	m = events(m, stepDone(m, flow, 1, flows.StepResult{ID: "check-swapped", Kind: "request", Status: checks.Pass,
		Exchanges: []flows.Exchange{{
			Request:  flows.Request{Method: "POST", URL: "https://api.example/camara/sim-swap/v2/check"},
			Response: &flows.Response{Status: 200, Header: jsonHeader(), Body: kept, Truncated: true, Size: whole.Len()},
		}}})...)
	m = update(m, press("tab", "G")...)
	v := m.View()
	contains(t, v, "… the rest was not kept", `"tags": []`)
	m = update(m, press("g", "/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ITEM-1500\"")}, tea.KeyMsg{Type: tea.KeyEnter})
	v = m.View()
	contains(t, v, `"name": "item-1500"`, `"ITEM-1500\"": 1 of 1`, "n next · N previous · esc clears")
	requireSize(t, v)
	m = update(m, press("esc", "g")...)
	v = m.View()
	if strings.Contains(v, "esc clears") {
		t.Error("esc did not clear the search")
	}
	// The note on what was kept is at the head of the response.
	m = update(m, press("/")...)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("showing the first")}, tea.KeyMsg{Type: tea.KeyEnter})
	contains(t, m.View(), "Showing the first 64 KiB kept of 3.0 MiB.", `"items": [`, `"id": 0,`)
	if m.screen != screenRun {
		t.Error("esc with a search left the run screen")
	}
}

func TestIndentPartialJSON(t *testing.T) {
	whole := `{"a": [1, {"b": "x,y:{z}"}, []], "c": {}, "d": "q\"}"}`
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(whole), "", "  "); err != nil {
		t.Fatal(err)
	}
	got, ok := indentPartialJSON(whole)
	if !ok || got != want.String() {
		t.Errorf("whole JSON:\n%s\nwant\n%s", got, want.String())
	}
	cut, _ := indentPartialJSON(whole[:20])
	if wantCut := "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y"; cut != wantCut {
		t.Errorf("cut JSON:\n%q\nwant\n%q", cut, wantCut)
	}
	if _, ok := indentPartialJSON("<html>"); ok {
		t.Error("HTML taken for JSON")
	}
}

// The names credentials() draws come from decoding what a provider may have chosen (a redirect's
// query, a JSON body): an escape hidden in them (%1b, \u001b) reaches the screen only escaped.
func TestCredentialsEscapeHostileNames(t *testing.T) {
	for _, r := range []flows.Request{
		{URL: "https://a.example/cb?%1b%5b2J=[secret:code]"},
		{URL: "https://a.example/s", Header: jsonHeader(), Body: `{"\u001b[2J":"[secret:password]"}`},
	} {
		if got := credentials(r); strings.ContainsRune(got, 0x1b) {
			t.Errorf("%q carries a raw escape", got)
		}
	}
}
