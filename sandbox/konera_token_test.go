package sandbox

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func basicHeader(id, secret string) http.Header {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}}
}

func TestClientCredentials(t *testing.T) {
	form := func(edit func(url.Values)) url.Values {
		f := clientForm()
		if edit != nil {
			edit(f)
		}
		return f
	}
	bodyless := func(f url.Values) { f.Del("client_id"); f.Del("client_secret") }
	tests := []struct {
		name      string
		form      url.Values
		header    http.Header
		query     string
		status    int
		error     string // "" for success
		challenge string // expected WWW-Authenticate
		scope     string // expected granted scope on success
	}{
		{name: "credentials in body", form: form(nil), status: 200, scope: "sim-swap:check sim-swap:retrieve-date"},
		{name: "credentials by Basic", form: form(bodyless), header: basicHeader(DefaultClientID, DefaultClientSecret), status: 200, scope: "sim-swap:check sim-swap:retrieve-date"},
		{name: "Basic with the same client_id in body", form: form(func(f url.Values) { f.Del("client_secret") }), header: basicHeader(DefaultClientID, DefaultClientSecret), status: 200, scope: "sim-swap:check sim-swap:retrieve-date"},
		{name: "one scope", form: form(func(f url.Values) { f.Set("scope", "sim-swap:check") }), status: 200, scope: "sim-swap:check"},
		{name: "scopes in another order", form: form(func(f url.Values) { f.Set("scope", "sim-swap:retrieve-date sim-swap:check") }), status: 200, scope: "sim-swap:retrieve-date sim-swap:check"},
		{name: "blank scope means all", form: form(func(f url.Values) { f.Set("scope", " ") }), status: 200, scope: "sim-swap:check sim-swap:retrieve-date"},
		{name: "scope not allowed", form: form(func(f url.Values) { f.Set("scope", "sim-swap:check number-verification:verify") }), status: 400, error: "invalid_scope"},
		{name: "missing grant_type", form: form(func(f url.Values) { f.Del("grant_type") }), status: 400, error: "invalid_request"},
		{name: "other grant_type", form: form(func(f url.Values) { f.Set("grant_type", "password") }), status: 400, error: "unsupported_grant_type"},
		{name: "repeated parameter", form: form(func(f url.Values) { f.Add("grant_type", "client_credentials") }), status: 400, error: "invalid_request"},
		{name: "Basic and body secret together", form: form(nil), header: basicHeader(DefaultClientID, DefaultClientSecret), status: 400, error: "invalid_request"},
		{name: "Basic and a different body client_id", form: form(func(f url.Values) { f.Del("client_secret"); f.Set("client_id", "someone-else") }), header: basicHeader(DefaultClientID, DefaultClientSecret), status: 400, error: "invalid_request"},
		{name: "unknown client", form: form(func(f url.Values) { f.Set("client_id", "stranger") }), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "wrong secret in body", form: form(func(f url.Values) { f.Set("client_secret", "guess") }), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "no credentials", form: form(bodyless), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "credentials in the query are ignored", form: form(bodyless), query: "?" + clientForm().Encode(), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "wrong secret by Basic", form: form(bodyless), header: basicHeader(DefaultClientID, "guess"), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "unknown client by Basic", form: form(bodyless), header: basicHeader("stranger", DefaultClientSecret), status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
		{name: "malformed Basic", form: form(bodyless), header: http.Header{"Authorization": {"Basic !!!"}}, status: 401, error: "invalid_client", challenge: `Basic realm="konera"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.postForm(koneraPathClientToken+tt.query, tt.form, tt.header)
			wantTokenCacheHeaders(t, r)
			if got := r.header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
			if tt.error != "" {
				wantOAuthError(t, r, tt.status, tt.error)
				if issued := h.sb.Issued(); len(issued) != 0 {
					t.Errorf("a refused request issued %v", issued)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, body %s", r.status, r.body)
			}
			wantJSON(t, r)
			obj := r.object(t)
			token, _ := obj["access_token"].(string)
			want := map[string]any{"token_type": "Bearer", "expires_in": 300.0, "refresh_expires_in": 0.0, "not-before-policy": 0.0, "scope": tt.scope}
			for name, value := range want {
				if obj[name] != value {
					t.Errorf("%s = %#v, want %#v", name, obj[name], value)
				}
			}
			if _, has := obj["refresh_token"]; has {
				t.Error("a client-credentials response carries refresh_token")
			}
			if !strings.HasPrefix(token, accessTokenPrefix) || !slices.Equal(h.sb.Issued(), []string{token}) {
				t.Errorf("access_token %q, Issued %v", token, h.sb.Issued())
			}
		})
	}
}

// A client whose id and secret need form-encoding in a Basic header (RFC 6749 2.3.1).
func TestClientCredentialsCustomClientByBasic(t *testing.T) {
	h := newHarnessWith(t, Options{ClientID: "id:with space", ClientSecret: "s3cret/+&"})
	r := h.postForm(koneraPathClientToken, url.Values{"grant_type": {"client_credentials"}}, basicHeader("id:with space", "s3cret/+&"))
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, body %s", r.status, r.body)
	}
	r = h.postForm(koneraPathClientToken, clientForm(), nil)
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
}

func TestCodeExchange(t *testing.T) {
	// exchange is one code exchange request, prepared by a test case from a fresh flow.
	type exchange struct {
		bearer string
		query  url.Values
		body   url.Values
	}
	tests := []struct {
		name    string
		prepare func(h *harness, ex *exchange)
		status  int
		error   string
	}{
		{name: "parameters in the query", status: 200},
		{name: "parameters in a form body", prepare: func(h *harness, ex *exchange) { ex.body, ex.query = ex.query, nil }, status: 200},
		{name: "code 59 seconds old", prepare: func(h *harness, ex *exchange) { h.clock.Advance(59 * time.Second) }, status: 200},
		{name: "no bearer", prepare: func(h *harness, ex *exchange) { ex.bearer = "" }, status: 401, error: "invalid_client"},
		{name: "unknown bearer", prepare: func(h *harness, ex *exchange) { ex.bearer = "sbx-at-forged" }, status: 401, error: "invalid_client"},
		{name: "expired bearer", prepare: func(h *harness, ex *exchange) {
			h.clock.Advance(250 * time.Second)
			ex.query.Set("code", mustCode(h))
			h.clock.Advance(50 * time.Second)
		}, status: 401, error: "invalid_client"},
		{name: "3-legged bearer", prepare: func(h *harness, ex *exchange) {
			token, _ := h.deviceToken(nvScope)
			ex.bearer = token
			ex.query.Set("code", mustCode(h))
		}, status: 401, error: "invalid_client"},
		{name: "missing grant_type", prepare: func(h *harness, ex *exchange) { ex.query.Del("grant_type") }, status: 400, error: "invalid_request"},
		{name: "client_credentials grant", prepare: func(h *harness, ex *exchange) { ex.query.Set("grant_type", "client_credentials") }, status: 400, error: "unsupported_grant_type"},
		{name: "missing code", prepare: func(h *harness, ex *exchange) { ex.query.Del("code") }, status: 400, error: "invalid_request"},
		{name: "repeated parameter", prepare: func(h *harness, ex *exchange) { ex.body = url.Values{"code": {"another"}} }, status: 400, error: "invalid_request"},
		{name: "unknown code", prepare: func(h *harness, ex *exchange) { ex.query.Set("code", "sbx-code-forged") }, status: 400, error: "invalid_grant"},
		{name: "code 60 seconds old", prepare: func(h *harness, ex *exchange) { h.clock.Advance(60 * time.Second) }, status: 400, error: "invalid_grant"},
		{name: "code already used", prepare: func(h *harness, ex *exchange) {
			if r := h.exchange(ex.bearer, ex.query); r.status != http.StatusOK {
				h.t.Fatalf("first exchange: %d %s", r.status, r.body)
			}
		}, status: 400, error: "invalid_grant"},
		{name: "different redirect_uri", prepare: func(h *harness, ex *exchange) { ex.query.Set("redirect_uri", DefaultRedirectURI+"/") }, status: 400, error: "invalid_grant"},
		{name: "missing redirect_uri", prepare: func(h *harness, ex *exchange) { ex.query.Del("redirect_uri") }, status: 400, error: "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ex := exchange{bearer: h.clientToken(""), query: exchangeParams(mustCode(h))}
			if tt.prepare != nil {
				tt.prepare(h, &ex)
			}
			header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
			if ex.bearer != "" {
				header.Set("Authorization", "Bearer "+ex.bearer)
			}
			target := koneraPathCodeToken
			if ex.query != nil {
				target += "?" + ex.query.Encode()
			}
			before := len(h.sb.Issued())
			r := h.send(http.MethodPost, target, header, ex.body.Encode())
			wantTokenCacheHeaders(t, r)
			if tt.error != "" {
				wantOAuthError(t, r, tt.status, tt.error)
				wantChallenge := ""
				if tt.status == http.StatusUnauthorized {
					wantChallenge = `Bearer realm="konera", error="invalid_token"`
				}
				if got := r.header.Get("WWW-Authenticate"); got != wantChallenge {
					t.Errorf("WWW-Authenticate = %q, want %q", got, wantChallenge)
				}
				if fresh := h.newIssued(before, ""); len(fresh) != 0 {
					t.Errorf("a refused exchange issued %v", fresh)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, body %s", r.status, r.body)
			}
			wantJSON(t, r)
			obj := r.object(t)
			want := map[string]any{"token_type": "Bearer", "expires_in": 300.0, "scope": nvScope}
			for name, value := range want {
				if obj[name] != value {
					t.Errorf("%s = %#v, want %#v", name, obj[name], value)
				}
			}
			if fresh := h.newIssued(before, accessTokenPrefix); len(fresh) != 1 || obj["access_token"] != fresh[0] {
				t.Errorf("access_token = %v, newly issued %v", obj["access_token"], fresh)
			}
			for _, name := range []string{"refresh_token", "refresh_expires_in"} {
				if _, has := obj[name]; has {
					t.Errorf("response carries %s", name)
				}
			}
		})
	}
}

// mustCode runs seed 000's authorization and returns the code.
func mustCode(h *harness) string {
	h.t.Helper()
	code, ok := h.code(authorizeParams())
	if !ok {
		h.t.Fatal("the authorization returned no code")
	}
	return code
}

// The token issued by a code exchange is 3-legged: bound to the device and the granted scope.
func TestCodeExchangeTokenIsBoundToDevice(t *testing.T) {
	h := newHarness(t)
	token, _ := h.deviceToken(nvScope + " sim-swap:check")
	got, ok := h.sb.store.accessToken(token)
	if !ok || got.device != koneraDeviceNumber || got.clientID != DefaultClientID ||
		!slices.Equal(got.scopes, strings.Fields(nvScope+" sim-swap:check")) || !got.expires.Equal(testStart.Add(300*time.Second)) {
		t.Errorf("stored token = %+v", got)
	}
}
