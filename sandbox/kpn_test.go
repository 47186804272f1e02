package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func kpnToken(b *bench, scopes string) string {
	b.t.Helper()
	form := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "scopes": {scopes}}
	status, body, _ := b.send(http.MethodPost, kpnPathToken, form.Encode(), headers("Content-Type", "application/x-www-form-urlencoded"))
	if status != http.StatusOK {
		b.t.Fatalf("token %s: %d %v", scopes, status, body)
	}
	return body["access_token"].(string)
}

func bearerHeader(token string, more ...string) func(*http.Request) {
	return headers(append([]string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}, more...)...)
}

// The result of a device match comes a little after the phone opened the session link, which it
// does without a token; before that, polling says null.
func TestKPNPollingWaitsForTheSession(t *testing.T) {
	b := newBench(t, kpnProvider, Options{})
	token := kpnToken(b, "operator_lookup,device_match")
	status, body, _ := b.send(http.MethodPost, kpnPathInsights+kpnDeviceMSISDN, `{}`, bearerHeader(token))
	match, _ := body["device_match"].(map[string]any)
	if status != http.StatusOK || match == nil || body["operator_lookup"] == nil {
		t.Fatalf("insights: %d %v", status, body)
	}
	poll := func() any {
		_, body, _ := b.send(http.MethodGet, kpnPathPolling, "", bearerHeader(token, "polling_uri", match["polling_uri"].(string)))
		if body["msisdn"] != kpnDeviceMSISDN {
			t.Errorf("polling: %v", body)
		}
		return body["device_match"]
	}
	if got := poll(); got != nil {
		t.Fatalf("before the session: device_match %v", got)
	}
	status, _, _ = b.send(http.MethodGet, match["session_uri"].(string), "", nil) // the phone, no token
	if status != http.StatusFound {
		t.Fatalf("the phone opening the session link: %d", status)
	}
	if got := poll(); got != nil {
		t.Errorf("right after the session: device_match %v, want null until the match is made", got)
	}
	b.clock.Advance(kpnMatchDelay)
	if got := poll(); got != true {
		t.Errorf("after the match: device_match %v", got)
	}
}

// After the session the result is POSTed to the webhook, once, with the notification token as
// Bearer.
func TestKPNNotification(t *testing.T) {
	received := make(chan *http.Request, 2)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { received <- r }))
	defer hook.Close()
	b := newBench(t, kpnProvider, Options{})
	token := kpnToken(b, "operator_lookup,device_match_notify")
	status, body, _ := b.send(http.MethodPost, kpnPathInsights+kpnDeviceMSISDN,
		`{"device_match_notify":{"notification_token":"nt-1","notification_uri":"`+hook.URL+`/cb"}}`, bearerHeader(token))
	match, _ := body["device_match_notify"].(map[string]any)
	if status != http.StatusOK || match == nil {
		t.Fatalf("insights: %d %v", status, body)
	}
	for range 2 { // a second opening sends nothing more
		if status, _, _ := b.send(http.MethodGet, kpnPathSession, "", bearerHeader(token, "session_uri", match["session_uri"].(string))); status != http.StatusOK {
			t.Fatalf("session: %d", status)
		}
	}
	if len(received) != 1 {
		t.Fatalf("%d notifications, want 1", len(received))
	}
	r := <-received
	if r.Method != http.MethodPost || r.URL.Path != "/cb" || r.Header.Get("Authorization") != "Bearer nt-1" {
		t.Errorf("notification: %s %s %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
}

// Scopes are enforced, and the number is digits only.
func TestKPNRefusals(t *testing.T) {
	b := newBench(t, kpnProvider, Options{})
	form := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}, "scopes": {"device_match,device_match_notify"}}
	if status, _, _ := b.send(http.MethodPost, kpnPathToken, form.Encode(), headers("Content-Type", "application/x-www-form-urlencoded")); status != http.StatusBadRequest {
		t.Errorf("both match scopes: %d", status)
	}
	notify := kpnToken(b, "device_match_notify")
	if status, body, _ := b.send(http.MethodPost, kpnPathInsights+kpnDeviceMSISDN, `{}`, bearerHeader(notify)); status != http.StatusForbidden || body["error_code"] != float64(403) {
		t.Errorf("polling with a notification token: %d %v", status, body)
	}
	polling := kpnToken(b, "device_match")
	if status, _, _ := b.send(http.MethodPost, kpnPathInsights+"%2B"+kpnDeviceMSISDN, `{}`, bearerHeader(polling)); status != http.StatusBadRequest {
		t.Errorf("a number with +: %d", status)
	}
	if status, _, _ := b.send(http.MethodPost, kpnPathInsights+kpnDeviceMSISDN, `{}`, nil); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}
	b.clock.Advance(kpnTokenLife)
	if status, _, _ := b.send(http.MethodPost, kpnPathInsights+kpnDeviceMSISDN, `{}`, bearerHeader(polling)); status != http.StatusUnauthorized {
		t.Errorf("an expired token: %d", status)
	}
}
