package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func konektLogin(b *bench) string {
	b.t.Helper()
	status, env, _ := b.send(http.MethodPost, konektPathSession, `{"email":"`+konektEmail+`","password":"`+DefaultClientSecret+`"}`, headers("Content-Type", "application/json"))
	if status != http.StatusOK {
		b.t.Fatalf("login: %d %v", status, env)
	}
	return env["data"].(map[string]any)["sesskey"].(string)
}

func konektMe(b *bench, key string) int {
	status, _, _ := b.send(http.MethodGet, konektPathMe+"?"+url.Values{"sesskey": {key}}.Encode(), "", nil)
	return status
}

// Sessions end after 20 minutes without a request, and every request starts the 20 minutes again.
func TestKonektSessionIdleExpiry(t *testing.T) {
	b := newBench(t, konektProvider, Options{})
	key := konektLogin(b)
	for range 3 { // 45 minutes in all, never 20 idle
		b.clock.Advance(15 * time.Minute)
		if got := konektMe(b, key); got != http.StatusOK {
			t.Fatalf("a session used every 15 minutes: %d", got)
		}
	}
	b.clock.Advance(konektIdle + time.Second)
	if got := konektMe(b, key); got != http.StatusUnauthorized {
		t.Fatalf("a session idle for 20 minutes and a second: %d", got)
	}

	grace := newBench(t, konektProvider, Options{Tolerances: []string{tolIdleGrace}})
	key = konektLogin(grace)
	grace.clock.Advance(konektIdle + konektIdleGrace/2)
	if got := konektMe(grace, key); got != http.StatusOK {
		t.Errorf("idle-grace: a session within its grace: %d", got)
	}
	grace.clock.Advance(konektIdle + konektIdleGrace + time.Second)
	if got := konektMe(grace, key); got != http.StatusUnauthorized {
		t.Errorf("idle-grace: a session past its grace: %d", got)
	}
}

// The login takes JSON and a form; the cookie it sets restores the session; a wrong password
// opens nothing and sets nothing.
func TestKonektLogin(t *testing.T) {
	b := newBench(t, konektProvider, Options{})
	form := url.Values{"email": {konektEmail}, "password": {DefaultClientSecret}}.Encode()
	status, env, header := b.send(http.MethodPost, konektPathSession, form, headers("Content-Type", "application/x-www-form-urlencoded"))
	if status != http.StatusOK || env["success"] != true || !strings.Contains(header.Get("Set-Cookie"), "HttpOnly") {
		t.Fatalf("form login: %d %v %q", status, env, header.Get("Set-Cookie"))
	}
	cookie := (&http.Response{Header: header}).Cookies()[0]
	status, _, _ = b.send(http.MethodGet, konektPathMe, "", func(r *http.Request) { r.AddCookie(cookie) })
	if status != http.StatusOK {
		t.Errorf("by cookie: %d", status)
	}
	status, env, header = b.send(http.MethodPost, konektPathSession, `{"email":"`+konektEmail+`","password":"guess"}`, headers("Content-Type", "application/json"))
	if status != http.StatusUnauthorized || env["success"] != false || env["error"] == "" || header.Get("Set-Cookie") != "" ||
		header.Get("WWW-Authenticate") != `Basic realm="konekt"` {
		t.Errorf("wrong password: %d %v %v", status, env, header)
	}
}

// Regenerating the key retires the old one at once, and no key opens the key endpoint.
func TestKonektAPIKeys(t *testing.T) {
	b := newBench(t, konektProvider, Options{})
	basic := func(r *http.Request) { r.SetBasicAuth(konektEmail, DefaultClientSecret) }
	_, env, _ := b.send(http.MethodGet, konektPathAPIKey, "", basic)
	old := env["data"].(map[string]any)["apikey"].(string)
	_, env, _ = b.send(http.MethodPost, konektPathAPIKey, "", basic)
	fresh := env["data"].(map[string]any)["apikey"].(string)
	if fresh == old || len(fresh) != 30 {
		t.Fatalf("regenerated %q from %q", fresh, old)
	}
	for key, want := range map[string]int{fresh: http.StatusOK, old: http.StatusUnauthorized} {
		if status, _, _ := b.send(http.MethodGet, konektPathMe+"?apikey="+key, "", nil); status != want {
			t.Errorf("key %s…: %d, want %d", key[:4], status, want)
		}
	}
	status, _, _ := b.send(http.MethodPost, konektPathMe, url.Values{"apikey": {fresh}}.Encode(), headers("Content-Type", "application/x-www-form-urlencoded"))
	if status != http.StatusOK {
		t.Errorf("key as a POST parameter: %d", status)
	}
	status, env, _ = b.send(http.MethodGet, konektPathAPIKey+"?apikey="+fresh, "", nil)
	if status != http.StatusForbidden || env["data"] != nil {
		t.Errorf("the key endpoint by key: %d %v", status, env)
	}
}
