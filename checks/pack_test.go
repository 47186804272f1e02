package checks

import (
	"net/http"
	"net/url"
	"testing"
)

func tokenEvidence(mod func(*Evidence)) *Evidence {
	ev := &Evidence{
		Status: 200,
		Header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
		Body:   []byte(`{"access_token":"at","token_type":"bearer","expires_in":300}`),
	}
	if mod != nil {
		mod(ev)
	}
	return ev
}

func errorEvidence(mod func(*Evidence)) *Evidence {
	ev := &Evidence{
		Status: 401,
		Header: http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer realm="x", error="invalid_token"`}},
		Body:   []byte(`{"error":"invalid_client"}`),
		Sent:   Sent{AuthHeader: true, Header: http.Header{"Authorization": {"Bearer zzz"}}},
	}
	if mod != nil {
		mod(ev)
	}
	return ev
}

func redirectEvidence(location string, mod func(*Evidence)) *Evidence {
	u, _ := url.Parse(location)
	ev := &Evidence{Status: 302, Header: http.Header{"Location": {location}}, Redirect: u,
		Sent: Sent{Query: url.Values{"state": {"st-1"}}}}
	if mod != nil {
		mod(ev)
	}
	return ev
}

func camaraEvidence(body string) *Evidence {
	return &Evidence{Status: 401, Header: http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer realm="x"`}}, Body: []byte(body)}
}

// correlatorEvidence is an answer to a request that sent x-correlation-id: c-1, the name the
// step expects; echo is what came back.
func correlatorEvidence(echo string) *Evidence {
	ev := &Evidence{Status: 200, Header: http.Header{}, Body: []byte(`{}`),
		Sent:   Sent{Header: http.Header{"X-Correlation-Id": {"c-1"}}},
		Expect: map[string]string{"correlation_header": "x-correlation-id"}}
	if echo != "" {
		ev.Header.Set("x-correlation-id", echo)
	}
	return ev
}

const camaraOK = `{"status":401,"code":"UNAUTHENTICATED","message":"no token"}`

// TestPackChecksPassAndFail shows every check of every pack holding on conforming evidence and
// failing (or warning, per its level) on evidence with exactly one deviation, while no other
// check of the pack starts failing (a dependent check may become not applicable).
// packCase is one check of a pack on conforming evidence and on evidence with one deviation.
type packCase struct {
	pack     *Pack
	id       string
	good     *Evidence
	bad      *Evidence
	expected Status
}

func TestPackChecksPassAndFail(t *testing.T) {
	tests := []packCase{
		{TokenResponse, "oauth2.token.content-type-json", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Header.Set("Content-Type", "text/plain") }), Fail},
		{TokenResponse, "oauth2.token.access_token", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Body = []byte(`{"token_type":"Bearer","expires_in":300}`) }), Fail},
		{TokenResponse, "oauth2.token.token_type-bearer", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Body = []byte(`{"access_token":"at","token_type":"mac","expires_in":300}`) }), Fail},
		{TokenResponse, "oauth2.token.expires_in-present", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Body = []byte(`{"access_token":"at","token_type":"Bearer"}`) }), Warn},
		{TokenResponse, "oauth2.token.expires_in-integer", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Body = []byte(`{"access_token":"at","token_type":"Bearer","expires_in":"300"}`) }), Fail},
		{TokenResponse, "oauth2.token.cache-control-no-store", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Header.Set("Cache-Control", "no-cache") }), Fail},
		{TokenResponse, "oauth2.token.pragma-no-cache", tokenEvidence(nil),
			tokenEvidence(func(e *Evidence) { e.Header.Del("Pragma") }), Warn},
		{TokenError, "oauth2.error.status", errorEvidence(nil),
			errorEvidence(func(e *Evidence) { e.Status = 200; e.Sent.AuthHeader = false }), Fail},
		{TokenError, "oauth2.error.code", errorEvidence(func(e *Evidence) { e.Status = 400 }),
			errorEvidence(func(e *Evidence) { e.Status = 400; e.Body = []byte(`{"error":"bad_secret"}`) }), Fail},
		{TokenError, "oauth2.error.www-authenticate", errorEvidence(nil),
			errorEvidence(func(e *Evidence) { e.Header.Del("Www-Authenticate") }), Fail},
		{TokenError, "oauth2.error.challenge-on-401", errorEvidence(func(e *Evidence) { e.Sent.AuthHeader = false }),
			errorEvidence(func(e *Evidence) { e.Sent.AuthHeader = false; e.Header.Del("Www-Authenticate") }), Warn},
		{AuthorizeRedirect, "oauth2.redirect.not-307", redirectEvidence("https://c.example/cb?code=c&state=st-1", nil),
			redirectEvidence("https://c.example/cb?code=c&state=st-1", func(e *Evidence) { e.Status = 307; e.Sent.Method = "POST" }), Fail},
		{AuthorizeRedirect, "oauth2.redirect.code", redirectEvidence("https://c.example/cb?code=c&state=st-1", nil),
			redirectEvidence("https://c.example/cb?state=st-1", nil), Fail},
		{AuthorizeRedirect, "oauth2.redirect.state-echoed", redirectEvidence("https://c.example/cb?code=c&state=st-1", nil),
			redirectEvidence("https://c.example/cb?code=c&state=st-2", nil), Fail},
		{AuthorizeRedirect, "oauth2.redirect.error-code", redirectEvidence("https://c.example/cb?error=invalid_scope&state=st-1", nil),
			redirectEvidence("https://c.example/cb?error=bad_request&state=st-1", nil), Fail},
		{CamaraError, "camara.error.status", camaraEvidence(camaraOK),
			camaraEvidence(`{"status":400,"code":"UNAUTHENTICATED","message":"no token"}`), Fail},
		{CamaraError, "camara.error.code", camaraEvidence(camaraOK),
			camaraEvidence(`{"status":401,"message":"no token"}`), Fail},
		{CamaraError, "camara.error.www-authenticate", camaraEvidence(camaraOK),
			func() *Evidence { e := camaraEvidence(camaraOK); e.Header.Del("Www-Authenticate"); return e }(), Warn},
		{CamaraError, "camara.error.message", camaraEvidence(camaraOK),
			camaraEvidence(`{"status":401,"code":"UNAUTHENTICATED"}`), Fail},
	}
	tests = append(tests, idTokenCases()...)
	tests = append(tests, packCase{Correlator, "camara.correlator.echoed", correlatorEvidence("c-1"), correlatorEvidence(""), Fail})
	tests = append(tests, httpCases()...)
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			covered[tt.id] = true
			good := byID(tt.pack.Eval(tt.good))
			bad := byID(tt.pack.Eval(tt.bad))
			if got := good[tt.id].Status; got != Pass {
				t.Fatalf("on conforming evidence: %s", good[tt.id])
			}
			if got := bad[tt.id].Status; got != tt.expected {
				t.Fatalf("on deviating evidence: %s, want %s", bad[tt.id], tt.expected)
			}
			if bad[tt.id].Expected == "" || bad[tt.id].Got == "" || bad[tt.id].Ref == "" {
				t.Errorf("a failure must say expected, got and ref: %+v", bad[tt.id])
			}
			for id, o := range bad {
				if id != tt.id && o.Status != good[id].Status && o.Status != Skip {
					t.Errorf("%s changed from %s to %s, but only %s should fail", id, good[id].Status, o.Status, tt.id)
				}
			}
		})
	}
	for _, p := range Packs() {
		for _, c := range p.Checks {
			if !covered[c.ID] {
				t.Errorf("pack check %s has no pass/fail case", c.ID)
			}
		}
	}
}

// What conformant providers may choose must pass (or, where the standard only discourages it,
// warn): these are the cases that failed providers before.
func TestPackChecksAcceptWhatTheStandardsAllow(t *testing.T) {
	tests := []struct {
		name string
		pack *Pack
		id   string
		ev   *Evidence
		want Status
	}{
		{"lower-case bearer", TokenResponse, "oauth2.token.token_type-bearer", tokenEvidence(nil), Pass},
		{"no-cache, no-store", TokenResponse, "oauth2.token.cache-control-no-store",
			tokenEvidence(func(e *Evidence) { e.Header.Set("Cache-Control", "no-cache, no-store") }), Pass},
		{"several challenges", TokenError, "oauth2.error.www-authenticate",
			errorEvidence(func(e *Evidence) {
				e.Header.Set("Www-Authenticate", `Basic realm="x", Bearer realm="konera", error="invalid_token"`)
			}), Pass},
		{"challenge in a second field", TokenError, "oauth2.error.www-authenticate",
			errorEvidence(func(e *Evidence) { e.Header["Www-Authenticate"] = []string{`Basic realm="x"`, `Bearer`} }), Pass},
		{"a Basic challenge without its realm", TokenError, "oauth2.error.www-authenticate",
			errorEvidence(func(e *Evidence) {
				e.Sent.Header.Set("Authorization", "Basic Y2xpZW50OnNlY3JldA==")
				e.Header.Set("Www-Authenticate", `Basic charset="UTF-8"`)
			}), Fail},
		{"a Basic challenge with its realm", TokenError, "oauth2.error.www-authenticate",
			errorEvidence(func(e *Evidence) {
				e.Sent.Header.Set("Authorization", "Basic Y2xpZW50OnNlY3JldA==")
				e.Header.Set("Www-Authenticate", `Bearer, basic Realm="konera", charset="UTF-8"`)
			}), Pass},
		{"the scheme named only in a parameter", TokenError, "oauth2.error.www-authenticate",
			errorEvidence(func(e *Evidence) { e.Header.Set("Www-Authenticate", `Basic realm="Bearer"`) }), Fail},
		{"invalid_client with 400", TokenError, "oauth2.error.status",
			errorEvidence(func(e *Evidence) { e.Status = 400; e.Sent.AuthHeader = false }), Pass},
		{"401 for a grant error", TokenError, "oauth2.error.status",
			errorEvidence(func(e *Evidence) { e.Body = []byte(`{"error":"invalid_grant"}`) }), Fail},
		{"a registered extension code", TokenError, "oauth2.error.code",
			errorEvidence(func(e *Evidence) { e.Body = []byte(`{"error":"invalid_token"}`) }), Pass},
		{"303", AuthorizeRedirect, "oauth2.redirect.not-307",
			redirectEvidence("https://c.example/cb?code=c&state=st-1", func(e *Evidence) { e.Status = 303 }), Pass},
		{"308 after a GET", AuthorizeRedirect, "oauth2.redirect.not-307",
			redirectEvidence("https://c.example/cb?code=c&state=st-1", func(e *Evidence) { e.Status = 308; e.Sent.Method = "GET" }), Pass},
		{"307 after a GET is only discouraged", AuthorizeRedirect, "oauth2.redirect.not-307",
			redirectEvidence("https://c.example/cb?code=c&state=st-1", func(e *Evidence) { e.Status = 307; e.Sent.Method = "GET" }), Warn},
	}
	for _, tt := range tests {
		if got := byID(tt.pack.Eval(tt.ev))[tt.id]; got.Status != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestPackChecksNotApplicable(t *testing.T) {
	// An error redirect has no code to check; a request without state has no state to echo.
	ev := redirectEvidence("https://c.example/cb?error=access_denied", func(e *Evidence) { e.Sent.Query = url.Values{} })
	got := byID(AuthorizeRedirect.Eval(ev))
	for _, id := range []string{"oauth2.redirect.code", "oauth2.redirect.state-echoed"} {
		if got[id].Status != Skip || got[id].Reason == "" {
			t.Errorf("%s: %s, want skip with a reason", id, got[id])
		}
	}
	// A client that did not use the Authorization header is owed no challenge.
	e := errorEvidence(func(e *Evidence) { e.Sent.AuthHeader = false; e.Header.Del("Www-Authenticate") })
	if o := byID(TokenError.Eval(e))["oauth2.error.www-authenticate"]; o.Status != Skip {
		t.Errorf("www-authenticate without header auth: %s, want skip", o)
	}
}

func byID(out []Outcome) map[string]Outcome {
	m := map[string]Outcome{}
	for _, o := range out {
		m[o.ID] = o
	}
	return m
}

func cookieEvidence(scheme string, setCookie ...string) *Evidence {
	return &Evidence{Status: 200, Header: http.Header{"Set-Cookie": setCookie}, Body: []byte(`{}`), Sent: Sent{Scheme: scheme}}
}

func envelopeEvidence(status int, body string) *Evidence {
	return &Evidence{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func challengeEvidence(challenge string) *Evidence {
	ev := &Evidence{Status: 401, Header: http.Header{}, Body: []byte(`{}`)}
	if challenge != "" {
		ev.Header.Set("WWW-Authenticate", challenge)
	}
	return ev
}

// httpCases are the cases of the packs for APIs outside OAuth and CAMARA: cookies, challenges,
// Konekt's envelope, KPN's errors.
func httpCases() []packCase {
	const okData = `{"success":true,"data":{"userid":1}}`
	const okError = `{"success":false,"error":"bad password"}`
	return []packCase{
		{SessionCookie, "http.cookie.httponly", cookieEvidence("https", "s=v; Path=/; HttpOnly; Secure"),
			cookieEvidence("https", "s=v; Path=/; HttpOnly; Secure", "t=w; Secure"), Warn},
		{SessionCookie, "http.cookie.secure", cookieEvidence("https", "s=v; HttpOnly; Secure"),
			cookieEvidence("https", "s=v; HttpOnly"), Warn},
		{Unauthorized, "http.challenge.present", challengeEvidence(`Basic realm="k"`), challengeEvidence(""), Warn},
		{Unauthorized, "http.challenge.basic-realm", challengeEvidence(`Basic realm="k", Bearer`), challengeEvidence(`Basic charset="UTF-8"`), Warn},
		{KonektEnvelope, "konekt.envelope.success", envelopeEvidence(200, okData), envelopeEvidence(200, `{"data":{"userid":1}}`), Fail},
		{KonektEnvelope, "konekt.envelope.status", envelopeEvidence(401, okError), envelopeEvidence(200, okError), Fail},
		{KonektEnvelope, "konekt.envelope.data", envelopeEvidence(200, okData), envelopeEvidence(200, `{"success":true}`), Fail},
		{KonektEnvelope, "konekt.envelope.error", envelopeEvidence(401, okError), envelopeEvidence(401, `{"success":false,"error":""}`), Fail},
		{KPNError, "kpn.error.code", envelopeEvidence(400, `{"error_code":400,"message":"bad msisdn"}`),
			envelopeEvidence(400, `{"error_code":"400","message":"bad msisdn"}`), Warn},
		{KPNError, "kpn.error.message", envelopeEvidence(400, `{"error_code":400,"message":"bad msisdn"}`),
			envelopeEvidence(400, `{"error_code":400}`), Warn},
	}
}

// A Secure cookie cannot be asked of an answer over plain HTTP: the check does not apply.
func TestCookieSecureOnlyOverHTTPS(t *testing.T) {
	got := byID(SessionCookie.Eval(cookieEvidence("http", "s=v; HttpOnly")))["http.cookie.secure"]
	if got.Status != Skip || got.Reason == "" {
		t.Errorf("over http: %+v", got)
	}
	got = byID(SessionCookie.Eval(cookieEvidence("https")))["http.cookie.httponly"]
	if got.Status != Skip {
		t.Errorf("no cookie set: %+v", got)
	}
}
