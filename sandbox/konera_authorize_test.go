package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Every step of a successful authorization, hop by hop, as the runner's user-agent walk sees it.
func TestAuthorizationFlowHops(t *testing.T) {
	h := newHarness(t)
	params := authorizeParams()
	params.Set("state", "a b&c=d/é")

	r := h.send(http.MethodGet, koneraPathAuthorize+"?"+params.Encode(), nil, "")
	if r.status != http.StatusFound {
		t.Fatalf("authorize: status %d, body %s", r.status, r.body)
	}
	toOperator := r.location(t)
	session := toOperator.Query().Get("session")
	if want := h.srv.URL + koneraPathOperator + "?session=" + url.QueryEscape(session); toOperator.String() != want || session == "" {
		t.Errorf("authorize Location = %s, want %s", toOperator, want)
	}
	cookie := r.header.Get("Set-Cookie")
	if want := koneraSessionCookieName + "=" + session + "; Path=/; HttpOnly"; cookie != want {
		t.Errorf("Set-Cookie = %q, want %q", cookie, want)
	}

	r = h.send(http.MethodGet, toOperator.String(), nil, "")
	if r.status != http.StatusFound {
		t.Fatalf("operator: status %d, body %s", r.status, r.body)
	}
	toCallback := r.location(t)
	if toCallback.Scheme+"://"+toCallback.Host != h.srv.URL || toCallback.Path != koneraPathCallback ||
		toCallback.Query().Get("session") != session || toCallback.Query().Get("op_code") == "" {
		t.Errorf("operator Location = %s", toCallback)
	}

	r = h.send(http.MethodGet, toCallback.String(), nil, "")
	if r.status != http.StatusFound {
		t.Fatalf("callback: status %d, body %s", r.status, r.body)
	}
	toClient := r.location(t)
	code := toClient.Query().Get("code")
	if !strings.HasPrefix(toClient.String(), DefaultRedirectURI+"?") || toClient.Query().Get("state") != "a b&c=d/é" {
		t.Errorf("callback Location = %s", toClient)
	}
	if !strings.HasPrefix(code, codePrefix) || !slices.Equal(h.sb.Issued(), []string{code}) {
		t.Errorf("code %q, Issued %v", code, h.sb.Issued())
	}

	// The session ends with the callback, so replaying it is refused.
	r = h.send(http.MethodGet, toCallback.String(), nil, "")
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_request")
}

// RFC 6749 4.1.2.1: a bad client or redirect URI is answered on the spot, never redirected.
func TestAuthorizeRefusesWithoutRedirect(t *testing.T) {
	tests := []struct {
		name string
		edit func(url.Values)
	}{
		{"unknown client_id", func(p url.Values) { p.Set("client_id", "stranger") }},
		{"missing client_id", func(p url.Values) { p.Del("client_id") }},
		{"repeated client_id", func(p url.Values) { p.Add("client_id", DefaultClientID) }},
		{"missing redirect_uri", func(p url.Values) { p.Del("redirect_uri") }},
		{"redirect_uri with a trailing slash", func(p url.Values) { p.Set("redirect_uri", DefaultRedirectURI+"/") }},
		{"redirect_uri in other case", func(p url.Values) { p.Set("redirect_uri", strings.ToUpper(DefaultRedirectURI)) }},
		{"redirect_uri of another site", func(p url.Values) { p.Set("redirect_uri", "https://evil.example/cb") }},
		{"repeated redirect_uri", func(p url.Values) { p.Add("redirect_uri", DefaultRedirectURI) }},
		{"bad client and bad response_type", func(p url.Values) { p.Set("client_id", "stranger"); p.Set("response_type", "token") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			params := authorizeParams()
			tt.edit(params)
			r := h.send(http.MethodGet, koneraPathAuthorize+"?"+params.Encode(), nil, "")
			wantOAuthError(t, r, http.StatusBadRequest, "invalid_request")
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("redirected to %s", loc)
			}
		})
	}
}

// Every other problem goes back to the client as an error redirect that echoes state.
func TestAuthorizeErrorRedirects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(url.Values)
		error string
	}{
		{"response_type token", func(p url.Values) { p.Set("response_type", "token") }, "unsupported_response_type"},
		{"missing response_type", func(p url.Values) { p.Del("response_type") }, "unsupported_response_type"},
		{"scope without openid", func(p url.Values) { p.Set("scope", "dpv:FraudPreventionAndDetection number-verification:verify") }, "invalid_scope"},
		{"scope without number-verification:verify", func(p url.Values) { p.Set("scope", "openid dpv:FraudPreventionAndDetection") }, "invalid_scope"},
		{"missing scope", func(p url.Values) { p.Del("scope") }, "invalid_scope"},
		{"repeated scope", func(p url.Values) { p.Add("scope", nvScope) }, "invalid_request"},
		{"login_hint number without plus", func(p url.Values) { p.Set("login_hint", "tel:15143792381") }, "invalid_request"},
		{"login_hint number with leading zero", func(p url.Values) { p.Set("login_hint", "tel:+015143792381") }, "invalid_request"},
		{"login_hint bare number", func(p url.Values) { p.Set("login_hint", koneraDeviceNumber) }, "invalid_request"},
		{"login_hint several hints", func(p url.Values) {
			p.Set("login_hint", "tel:+15143792381 ipport:106.145.0.10")
		}, "invalid_request"},
		{"login_hint IPv4 out of range", func(p url.Values) { p.Set("login_hint", "ipport:999.1.1.1") }, "invalid_request"},
		{"login_hint IPv4 port too high", func(p url.Values) { p.Set("login_hint", "ipport:80.90.34.2:65536") }, "invalid_request"},
		{"login_hint IPv4 empty port", func(p url.Values) { p.Set("login_hint", "ipport:80.90.34.2:") }, "invalid_request"},
		{"login_hint IPv6 without brackets", func(p url.Values) { p.Set("login_hint", "ipport:2001:db8::1") }, "invalid_request"},
		{"login_hint IPv6 unclosed", func(p url.Values) { p.Set("login_hint", "ipport:[2001:db8::1") }, "invalid_request"},
		{"login_hint IPv6 malformed", func(p url.Values) { p.Set("login_hint", "ipport:[204:456:45]") }, "invalid_request"},
		{"login_hint IPv4 in brackets", func(p url.Values) { p.Set("login_hint", "ipport:[80.90.34.2]") }, "invalid_request"},
		{"login_hint operatortoken", func(p url.Values) { p.Set("login_hint", "operatortoken:abc") }, "invalid_request"},
	}
	for _, tt := range tests {
		for _, state := range []string{"l3state", ""} {
			t.Run(tt.name+"/state "+state, func(t *testing.T) {
				h := newHarness(t)
				params := authorizeParams()
				tt.edit(params)
				if state == "" {
					params.Del("state")
				}
				r := h.send(http.MethodGet, koneraPathAuthorize+"?"+params.Encode(), nil, "")
				if r.status != http.StatusFound {
					t.Fatalf("status = %d, want 302 (body %s)", r.status, r.body)
				}
				loc := r.location(t)
				q := loc.Query()
				if !strings.HasPrefix(loc.String(), DefaultRedirectURI+"?") || q.Get("error") != tt.error || q.Get("error_description") == "" {
					t.Errorf("Location = %s, want an %s error at the redirect URI", loc, tt.error)
				}
				if _, has := q["state"]; has != (state != "") || q.Get("state") != state {
					t.Errorf("state in %s, want %q", loc, state)
				}
				if q.Has("code") || r.header.Get("Set-Cookie") != "" || len(h.sb.Issued()) != 0 {
					t.Error("a refused authorization started a session or issued a code")
				}
			})
		}
	}
}

// The forms of login_hint the CAMARA profile names are accepted, and so is no hint at all.
func TestAuthorizeAcceptsLoginHints(t *testing.T) {
	for _, hint := range []string{
		"tel:+15143792381", "tel:+34666666666", "ipport:80.90.34.2:16790", "ipport:80.90.34.2",
		"ipport:106.145.0.10", "ipport:[2001:db8::1]:8080", "ipport:[2001:db8::1]", "",
	} {
		t.Run(hint, func(t *testing.T) {
			h := newHarness(t)
			params := authorizeParams()
			params.Set("login_hint", hint)
			if _, ok := h.code(params); !ok {
				t.Errorf("login_hint %q got no code", hint)
			}
		})
	}
}

// The code goes back with the client's own query kept as it was, and without state if none was sent.
func TestCallbackKeepsRedirectQuery(t *testing.T) {
	const registered = "https://client.example/cb?tenant=a%20b&x=1"
	h := newHarnessWith(t, Options{RedirectURI: registered})
	params := authorizeParams()
	params.Set("redirect_uri", registered)
	params.Del("state")
	loc := h.walk(params).header.Get("Location")
	code := h.sb.Issued()[0]
	if want := registered + "&code=" + code; loc != want {
		t.Errorf("Location = %s, want %s", loc, want)
	}
	if r := h.exchange(h.clientToken(""), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {registered}}); r.status != http.StatusOK {
		t.Errorf("exchange with the registered URI: %d %s", r.status, r.body)
	}
}

func TestOperatorAndCallbackRefusals(t *testing.T) {
	tests := []struct {
		name string
		// target returns the URL to visit, given the operator's redirect to the callback.
		target func(h *harness, callback *url.URL) string
		client func(h *harness) *http.Client
	}{
		{name: "operator with unknown session", target: func(h *harness, _ *url.URL) string {
			return koneraPathOperator + "?session=sbx-sess-forged"
		}},
		{name: "operator without session", target: func(h *harness, _ *url.URL) string { return koneraPathOperator }},
		{name: "callback with unknown session", target: func(h *harness, cb *url.URL) string {
			q := cb.Query()
			q.Set("session", "sbx-sess-forged")
			return koneraPathCallback + "?" + q.Encode()
		}},
		{name: "callback without the session cookie", target: func(h *harness, cb *url.URL) string { return cb.String() },
			client: func(h *harness) *http.Client { return newClient(h.t) }},
		{name: "callback with another session's cookie", target: func(h *harness, cb *url.URL) string {
			// A second authorization in the same user agent replaces the cookie.
			h.send(http.MethodGet, koneraPathAuthorize+"?"+authorizeParams().Encode(), nil, "")
			return cb.String()
		}},
		{name: "callback with a wrong op_code", target: func(h *harness, cb *url.URL) string {
			q := cb.Query()
			q.Set("op_code", "sbx-op-forged")
			return koneraPathCallback + "?" + q.Encode()
		}},
		{name: "callback without op_code", target: func(h *harness, cb *url.URL) string {
			q := cb.Query()
			q.Del("op_code")
			return koneraPathCallback + "?" + q.Encode()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.send(http.MethodGet, koneraPathAuthorize+"?"+authorizeParams().Encode(), nil, "")
			r = h.send(http.MethodGet, r.location(t).String(), nil, "")
			target := tt.target(h, r.location(t))
			if tt.client != nil {
				h.client = tt.client(h)
			}
			r = h.send(http.MethodGet, target, nil, "")
			wantOAuthError(t, r, http.StatusBadRequest, "invalid_request")
			if len(h.sb.Issued()) != 0 {
				t.Errorf("issued %v", h.sb.Issued())
			}
		})
	}
}

// The callback says which check failed when the cookie is absent, the clue a person needs when
// the authorize URL was opened in one browser and the callback in another.
func TestCallbackCookieMessage(t *testing.T) {
	h := newHarness(t)
	r := h.send(http.MethodGet, koneraPathAuthorize+"?"+authorizeParams().Encode(), nil, "")
	r = h.send(http.MethodGet, r.location(t).String(), nil, "")
	h.client = newClient(t)
	r = h.send(http.MethodGet, r.location(t).String(), nil, "")
	if got := r.object(t)["error_description"]; got != "session cookie missing" {
		t.Errorf("error_description = %v", got)
	}
}
