package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// konektBench is one Konekt sandbox behind a loopback server, with a fake clock.
type konektBench struct {
	t     *testing.T
	clock *fakeClock
	base  string
}

func newKonektBench(t *testing.T, opts Options) *konektBench {
	t.Helper()
	clock := &fakeClock{now: testStart}
	opts.Now = clock.Now
	sb, err := New(konektProvider, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return &konektBench{t: t, clock: clock, base: srv.URL}
}

// do sends one request and returns its status and envelope.
func (b *konektBench) do(method, path string, query url.Values, body, contentType string, auth func(*http.Request)) (int, map[string]any, http.Header) {
	b.t.Helper()
	u := b.base + path
	if query != nil {
		u += "?" + query.Encode()
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		b.t.Fatalf("%s %s: not JSON: %s", method, path, data)
	}
	return resp.StatusCode, env, resp.Header
}

func (b *konektBench) login() string {
	b.t.Helper()
	status, env, _ := b.do(http.MethodPost, konektPathSession, nil, `{"email":"`+konektEmail+`","password":"`+DefaultClientSecret+`"}`, "application/json", nil)
	if status != http.StatusOK {
		b.t.Fatalf("login: %d %v", status, env)
	}
	return env["data"].(map[string]any)["sesskey"].(string)
}

func (b *konektBench) meBySesskey(key string) int {
	status, _, _ := b.do(http.MethodGet, konektPathMe, url.Values{"sesskey": {key}}, "", "", nil)
	return status
}

// Sessions end after 20 minutes without a request, and every request starts the 20 minutes again.
func TestKonektSessionIdleExpiry(t *testing.T) {
	b := newKonektBench(t, Options{})
	key := b.login()
	for range 3 { // 45 minutes in all, never 20 idle
		b.clock.Advance(15 * time.Minute)
		if got := b.meBySesskey(key); got != http.StatusOK {
			t.Fatalf("a session used every 15 minutes: %d", got)
		}
	}
	b.clock.Advance(konektIdle + time.Second)
	if got := b.meBySesskey(key); got != http.StatusUnauthorized {
		t.Fatalf("a session idle for 20 minutes and a second: %d", got)
	}

	grace := newKonektBench(t, Options{Tolerances: []string{tolIdleGrace}})
	key = grace.login()
	grace.clock.Advance(konektIdle + konektIdleGrace/2)
	if got := grace.meBySesskey(key); got != http.StatusOK {
		t.Errorf("idle-grace: a session within its grace: %d", got)
	}
	grace.clock.Advance(konektIdle + konektIdleGrace + time.Second)
	if got := grace.meBySesskey(key); got != http.StatusUnauthorized {
		t.Errorf("idle-grace: a session past its grace: %d", got)
	}
}

// The login takes JSON and a form; the cookie it sets restores the session; a wrong password
// opens nothing and sets nothing.
func TestKonektLogin(t *testing.T) {
	b := newKonektBench(t, Options{})
	form := url.Values{"email": {konektEmail}, "password": {DefaultClientSecret}}.Encode()
	status, env, header := b.do(http.MethodPost, konektPathSession, nil, form, "application/x-www-form-urlencoded", nil)
	if status != http.StatusOK || env["success"] != true || !strings.Contains(header.Get("Set-Cookie"), "HttpOnly") {
		t.Fatalf("form login: %d %v %q", status, env, header.Get("Set-Cookie"))
	}
	cookie := (&http.Response{Header: header}).Cookies()[0]
	status, _, _ = b.do(http.MethodGet, konektPathMe, nil, "", "", func(r *http.Request) { r.AddCookie(cookie) })
	if status != http.StatusOK {
		t.Errorf("by cookie: %d", status)
	}
	status, env, header = b.do(http.MethodPost, konektPathSession, nil, `{"email":"`+konektEmail+`","password":"guess"}`, "application/json", nil)
	if status != http.StatusUnauthorized || env["success"] != false || env["error"] == "" || header.Get("Set-Cookie") != "" ||
		header.Get("WWW-Authenticate") != `Basic realm="konekt"` {
		t.Errorf("wrong password: %d %v %v", status, env, header)
	}
}

// Regenerating the key retires the old one at once, and no key opens the key endpoint.
func TestKonektAPIKeys(t *testing.T) {
	b := newKonektBench(t, Options{})
	basic := func(r *http.Request) { r.SetBasicAuth(konektEmail, DefaultClientSecret) }
	_, env, _ := b.do(http.MethodGet, konektPathAPIKey, nil, "", "", basic)
	old := env["data"].(map[string]any)["apikey"].(string)
	_, env, _ = b.do(http.MethodPost, konektPathAPIKey, nil, "", "", basic)
	fresh := env["data"].(map[string]any)["apikey"].(string)
	if fresh == old || len(fresh) != 30 {
		t.Fatalf("regenerated %q from %q", fresh, old)
	}
	for key, want := range map[string]int{fresh: http.StatusOK, old: http.StatusUnauthorized} {
		if status, _, _ := b.do(http.MethodGet, konektPathMe, url.Values{"apikey": {key}}, "", "", nil); status != want {
			t.Errorf("key %s…: %d, want %d", key[:4], status, want)
		}
	}
	status, _, _ := b.do(http.MethodPost, konektPathMe, nil, url.Values{"apikey": {fresh}}.Encode(), "application/x-www-form-urlencoded", nil)
	if status != http.StatusOK {
		t.Errorf("key as a POST parameter: %d", status)
	}
	status, env, _ = b.do(http.MethodGet, konektPathAPIKey, url.Values{"apikey": {fresh}}, "", "", nil)
	if status != http.StatusForbidden || env["data"] != nil {
		t.Errorf("the key endpoint by key: %d %v", status, env)
	}
}
