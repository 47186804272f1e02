package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProviders(t *testing.T) {
	if got := Providers(); !slices.Equal(got, []string{"konekt", "konera", "kpn", "pxg", "vonage"}) {
		t.Errorf("Providers() = %v", got)
	}
}

func TestNewRefusesUnknownNames(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		faults   []string
		mention  []string // what the error must name
	}{
		{"unknown provider", "telco", nil, []string{`"telco"`, "konera", "kpn"}},
		{"empty provider", "", nil, []string{`""`, "konera"}},
		{"unknown fault", "konera", []string{"token-type-missing", "no-such-fault"}, []string{`"no-such-fault"`, "token-type-missing", "wrong-secret-accepted"}},
		{"fault in another case", "konera", []string{"Token-Type-Missing"}, []string{`"Token-Type-Missing"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, err := New(tt.provider, Options{Faults: tt.faults})
			if err == nil || sb != nil {
				t.Fatalf("New = %v, %v; want an error", sb, err)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %s", err, m)
				}
			}
		})
	}
}

func TestNewAcceptsEveryFault(t *testing.T) {
	var names []string
	for _, f := range ProviderFaults("konera") {
		names = append(names, f.Name)
	}
	if _, err := New("konera", Options{Faults: names}); err != nil {
		t.Errorf("New with every fault: %v", err)
	}
}

// The fault list is the contract with --help and with the checks' tests, so it is pinned here.
func TestFaultsList(t *testing.T) {
	want := []string{
		"access-token-missing", "api-accepts-invalid-token", "api-internal-error", "authorize-error-unregistered", "basic-challenge-no-realm",
		"camara-401-no-challenge", "camara-error-no-code", "camara-error-no-message", "camara-status-mismatch", "cc-refresh-token",
		"client-assertion-refused", "client-assertion-unchecked", "client-basic-refused",
		"client-credentials-refused", "client-post-refused", "code-exchange-refused", "code-missing", "code-reusable",
		"commonalities-malformed", "correlator-not-echoed", "correlator-unvalidated",
		"expired-token-accepted", "expires-in-missing", "expires-in-negative", "expires-in-string",
		"location-relative", "location-unparseable", "max-age-invalid-argument",
		"max-age-unchecked", "max-age-zero-out-of-range", "missing-identifier-accepted", "no-cache-control", "no-pragma", "no-www-authenticate", "phone-number-unvalidated",
		"public-client-refused", "redirect-307", "redirect-uri-unchecked", "repeated-parameter-accepted", "sim-swap-accepts-missing-token", "state-not-echoed",
		"swap-date-not-rfc3339", "swap-not-detected", "swapped-as-string", "token-401-no-challenge", "token-bearer-unchecked",
		"token-error-200", "token-error-unregistered", "token-not-json", "token-redirect-uri-unchecked",
		"token-type-missing", "unauthorized-client", "unknown-client-redirected", "verify-accepts-2legged", "verify-accepts-missing-token",
		"verify-always-false", "verify-always-true", "verify-body-unchecked", "verify-scope-unchecked", "wrong-secret-accepted",
	}
	var got []string
	for _, f := range ProviderFaults("konera") {
		got = append(got, f.Name)
		if f.Provider != "konera" {
			t.Errorf("%s: provider %q", f.Name, f.Provider)
		}
		if d := f.Description; d == "" || strings.Contains(d, "\n") || !strings.HasSuffix(d, ".") || len(d) > 110 {
			t.Errorf("%s: description %q is not one short sentence", f.Name, d)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Faults() names =\n%v\nwant\n%v", got, want)
	}
}

func TestValues(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		base string
		want map[string]string
	}{
		{"defaults", Options{}, "http://127.0.0.1:8080", map[string]string{
			"url": "http://127.0.0.1:8080", "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
			"redirect_uri": DefaultRedirectURI, "device_number": "+15143792381", "other_number": "+13541234567",
			"swapped_number": "+17147684731", "unswapped_number": "+34666666666",
		}},
		{"own client, trailing slash", Options{ClientID: "c", ClientSecret: "s", RedirectURI: "https://x.example/r"}, "http://h/", map[string]string{
			"url": "http://h", "client_id": "c", "client_secret": "s", "redirect_uri": "https://x.example/r",
			"device_number": "+15143792381", "other_number": "+13541234567",
			"swapped_number": "+17147684731", "unswapped_number": "+34666666666",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb, err := New("konera", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := sb.Values(tt.base)
			// Beside the fixed values, the key the client may sign private_key_jwt assertions with.
			if len(got) != len(tt.want)+1 || !strings.HasPrefix(got["client_private_key"], "-----BEGIN PRIVATE KEY-----") {
				t.Errorf("Values = %v", got)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// Issued lists everything secret the sandbox handed out, each opaque, random and recognisable.
func TestIssued(t *testing.T) {
	h := newHarness(t, faultCCRefreshToken)
	device, _ := h.deviceToken(nvScope)
	issued := h.sb.Issued()
	if len(issued) != 4 || issued[3] != device {
		t.Fatalf("Issued = %v, want code, client access and refresh token, device token", issued)
	}
	shape := regexp.MustCompile(`^sbx-(at|rt|code)-[A-Za-z0-9_-]{43}$`)
	for _, v := range issued {
		if !shape.MatchString(v) {
			t.Errorf("issued value %q is not a prefixed base64url 32-byte string", v)
		}
	}
	wantPrefixes := []string{codePrefix, accessTokenPrefix, refreshTokenPrefix, accessTokenPrefix}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(issued[i], p) {
			t.Errorf("Issued[%d] = %s, want prefix %s", i, issued[i], p)
		}
	}
	issued[0] = "changed"
	if h.sb.Issued()[0] == "changed" {
		t.Error("Issued returns the sandbox's own slice")
	}
}

// Unknown paths get CAMARA's 404; known paths refuse other methods with 405 and Allow, in the
// error format of their kind of endpoint.
func TestRouting(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		allow        string
		oauthError   string // OAuth error code, or "" for a CAMARA body
		camaraCode   string
	}{
		{"GET", "/", 404, "", "", "NOT_FOUND"},
		{"POST", "/camara/sim-swap/v2/check/", 404, "", "", "NOT_FOUND"},
		{"POST", "/sim-swap/v2/check", 404, "", "", "NOT_FOUND"},
		{"POST", "/number-verification/v2/verify", 404, "", "", "NOT_FOUND"},
		{"GET", koneraPathClientToken, 405, "POST", "invalid_request", ""},
		{"PUT", koneraPathCodeToken, 405, "POST", "invalid_request", ""},
		{"POST", koneraPathAuthorize, 405, "GET", "invalid_request", ""},
		{"POST", koneraPathOperator, 405, "GET", "invalid_request", ""},
		{"DELETE", koneraPathCallback, 405, "GET", "invalid_request", ""},
		{"GET", koneraPathSimSwapCheck, 405, "POST", "", "METHOD_NOT_ALLOWED"},
		{"GET", koneraPathSimSwapDate, 405, "POST", "", "METHOD_NOT_ALLOWED"},
		{"GET", koneraPathVerify, 405, "POST", "", "METHOD_NOT_ALLOWED"},
		{"PATCH", koneraPathVerifyCamara, 405, "POST", "", "METHOD_NOT_ALLOWED"},
	}
	h := newHarness(t)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := h.send(tt.method, tt.path, http.Header{"X-Correlator": {"corr-1"}}, "")
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if tt.oauthError != "" {
				wantOAuthError(t, r, tt.status, tt.oauthError)
				return
			}
			wantCamaraError(t, r, tt.status, tt.camaraCode)
			if got := r.header.Get("x-correlator"); got != "corr-1" {
				t.Errorf("x-correlator = %q", got)
			}
		})
	}
	// The token endpoints' 405 is still a token response, with its cache headers.
	wantTokenCacheHeaders(t, h.send(http.MethodGet, koneraPathClientToken, nil, ""))
}

// With no clock given the sandbox reads the real one; nothing here waits on it.
func TestRealClock(t *testing.T) {
	sb, err := New("konera", Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	h := &harness{t: t, sb: sb, srv: srv, client: newClient(t)}
	r := h.postJSON(koneraPathSimSwapCheck, h.clientToken(""), `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
	if r.status != http.StatusOK || r.object(t)["swapped"] != true {
		t.Errorf("check with the real clock: %d %s", r.status, r.body)
	}
}

// Many user agents at once, each with its own cookie jar, walk the whole 3-legged flow. Run with
// -race to see the state is guarded. Tokens are read from bodies here, since Issued is shared.
func TestConcurrentClients(t *testing.T) {
	h := newHarness(t)
	const clients = 12
	tokenOf := func(r reply) string {
		var body struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(r.body, &body)
		return body.AccessToken
	}
	var wg sync.WaitGroup
	errs := make(chan string, clients)
	for range clients {
		agent := *h
		agent.client = newClient(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			bearer := tokenOf(agent.postForm(koneraPathClientToken, clientForm(), nil))
			loc, err := url.Parse(agent.walk(authorizeParams()).header.Get("Location"))
			if err != nil {
				errs <- err.Error()
				return
			}
			device := tokenOf(agent.exchange(bearer, exchangeParams(loc.Query().Get("code"))))
			r := agent.postJSON(koneraPathVerify, device, `{"phoneNumber":"`+koneraDeviceNumber+`"}`)
			if r.status != http.StatusOK {
				errs <- fmt.Sprintf("verify: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(h.sb.Issued()); n != clients*3 {
		t.Errorf("Issued has %d values, want %d", n, clients*3)
	}
}

// Two exchanges of one code at the same moment: exactly one wins.
func TestConcurrentCodeExchange(t *testing.T) {
	h := newHarness(t)
	code := mustCode(h)
	bearer := h.clientToken("")
	const tries = 8
	statuses := make(chan int, tries)
	var wg sync.WaitGroup
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- h.exchange(bearer, exchangeParams(code)).status
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		if s == http.StatusOK {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d exchanges of one code succeeded, want 1", won)
	}
}

// A code issued to another client is refused. The sandbox registers one client, so the code is
// put in the store directly.
func TestCodeOfAnotherClient(t *testing.T) {
	h := newHarness(t)
	code := h.sb.store.issueCode(authCode{
		clientID: "another-client", redirectURI: DefaultRedirectURI, scopes: []string{scopeOpenID, scopeNumberVerifyCheck},
		device: koneraDeviceNumber, expires: testStart.Add(time.Minute),
	})
	r := h.exchange(h.clientToken(""), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {DefaultRedirectURI}})
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
}

// validCorrelator is Commonalities 0.6's pattern, ^[a-zA-Z0-9-_:;./<>{}]{0,256}$, written out.
func TestValidCorrelator(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-zA-Z0-9\-_:;./<>{}]{0,256}$`)
	for _, v := range []string{"", "b4333c46-49c0-4f62-80d7-f0ef930f1c46", "a:b;c./<>{}_-", strings.Repeat("x", 256),
		strings.Repeat("x", 257), "with space", "tab\t", "é", "a,b", "a=b", "quote\"", "%41"} {
		if got, want := validCorrelator(v), pattern.MatchString(v); got != want {
			t.Errorf("%q: %v, the pattern says %v", v, got, want)
		}
	}
}
