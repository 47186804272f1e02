package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// probe looks for one fault's deviation at each place it can show. It records, per place, whether
// the deviation showed, and which places it could not reach because another fault blocked the way.
type probe struct {
	*harness
	seen    map[string]bool
	skipped []string
}

func (p *probe) see(where string, deviated bool) { p.seen[where] = deviated }
func (p *probe) skip(where string)               { p.skipped = append(p.skipped, where) }

// clientToken is harness.clientToken, except when the endpoint turns the right credentials away
// with 401 invalid_client, as client-credentials-refused makes it. The token it would have issued
// is then put in the store directly, so that every other probe still runs under that fault. The
// fault's own probe watches the endpoint, so another fault that broke it would show there.
func (p *probe) clientToken(scope string) string {
	p.t.Helper()
	r, token := p.requestClientToken(scope)
	switch {
	case token != "":
		return token
	case r.status != http.StatusUnauthorized || !p.is(r, "error", "invalid_client"):
		p.t.Fatalf("client token: status %d, body %s", r.status, r.body)
	}
	scopes := koneraClientScopes()
	if scope != "" {
		scopes = strings.Fields(scope)
	}
	return p.mint(accessToken{clientID: DefaultClientID, scopes: scopes})
}

// deviceToken is harness.deviceToken for seed 000's scope, recording a skip when no code comes
// back. When the exchange refuses the good code with 400 invalid_grant, as code-exchange-refused
// makes it, the token comes from the store, for the same reason as in clientToken.
func (p *probe) deviceToken(where string) (string, bool) {
	p.t.Helper()
	code, ok := p.code(where)
	if !ok {
		return "", false
	}
	r, token := p.exchangeCode(p.clientToken(""), code)
	switch {
	case token != "":
		return token, true
	case r.status != http.StatusBadRequest || !p.is(r, "error", "invalid_grant"):
		p.t.Fatalf("code exchange: status %d, body %s", r.status, r.body)
	}
	return p.mint(accessToken{clientID: DefaultClientID, scopes: strings.Fields(nvScope), device: koneraDeviceNumber}), true
}

// mint issues t from the store as the token endpoints would at this moment.
func (p *probe) mint(t accessToken) string {
	t.expires = p.clock.Now().Add(koneraTokenLifetime)
	return p.sb.store.issueAccessToken(t)
}

// code is harness.code for seed 000's request, recording a skip when no code comes back.
func (p *probe) code(where string) (string, bool) {
	code, ok := p.harness.code(authorizeParams())
	if !ok {
		p.skip(where)
	}
	return code, ok
}

// Requests the probes share.
func (p *probe) clientTokenOK() reply {
	return p.postForm(koneraPathClientToken, clientForm(), nil)
}

func (p *probe) clientTokenError() reply {
	form := clientForm()
	form.Set("grant_type", "password")
	return p.postForm(koneraPathClientToken, form, nil)
}

func (p *probe) exchangeOK(where string) (reply, bool) {
	code, ok := p.code(where)
	if !ok {
		return reply{}, false
	}
	return p.exchange(p.clientToken(""), exchangeParams(code)), true
}

func (p *probe) exchangeError() reply {
	params := exchangeParams("")
	params.Del("code")
	return p.exchange(p.clientToken(""), params)
}

func (p *probe) check(bearer, number, maxAge string) reply {
	body := `{"phoneNumber":"` + number + `"`
	if maxAge != "" {
		body += `,"maxAge":` + maxAge
	}
	return p.postJSON(koneraPathSimSwapCheck, bearer, body+"}")
}

func (p *probe) retrieveDate(bearer, number string) reply {
	return p.postJSON(koneraPathSimSwapDate, bearer, `{"phoneNumber":"`+number+`"}`)
}

func (p *probe) verify(bearer, number string) reply {
	return p.postJSON(koneraPathVerify, bearer, `{"phoneNumber":"`+number+`"}`)
}

// member returns one member of a JSON body, and whether it is there.
func (p *probe) member(r reply, name string) (any, bool) {
	obj := r.object(p.t)
	v, ok := obj[name]
	return v, ok
}

func (p *probe) lacks(r reply, name string) bool {
	_, has := p.member(r, name)
	return !has
}

func (p *probe) is(r reply, name string, want any) bool {
	v, _ := p.member(r, name)
	return v == want
}

// issues reports whether do succeeded and handed out a new access token.
func (p *probe) issues(do func() reply) bool {
	before := len(p.sb.Issued())
	r := do()
	return r.status == http.StatusOK && len(p.newIssued(before, accessTokenPrefix)) > 0
}

// codeUsed reports whether the store has marked code as exchanged; a refused exchange leaves no
// other trace to look for.
func codeUsed(st *store, code string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.codes[code]
	return ok && c.used
}

// redirectQuery returns the query of the redirect to the client after walking params.
// A Location that does not parse (location-unparseable) is a redirect no probe can read: skipped.
func (p *probe) redirectQuery(params url.Values) (reply, url.Values) {
	r := p.walk(params)
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		p.skip("redirect to the client")
		return r, nil
	}
	return r, u.Query()
}

// errorAuthorizeParams is an authorize request the sandbox answers with an error redirect.
func errorAuthorizeParams() url.Values {
	params := authorizeParams()
	params.Set("response_type", "token")
	return params
}

// malformedNumber is one of the CAMARA test definitions' invalid phone numbers.
const malformedNumber = "+12334foo22222"

// runProbe runs fault's probe against a fresh sandbox with faults switched on.
func runProbe(t *testing.T, fault string, faults ...string) *probe {
	t.Helper()
	p := &probe{harness: newHarness(t, faults...), seen: map[string]bool{}}
	faultProbes()[fault](p)
	return p
}

// refusedByMethod asks for a token with the right credentials in the form body and by Basic, and
// reports which were refused as a wrong secret is: 401 invalid_client, Basic challenged.
func (p *probe) refusedByMethod() (body, basic bool) {
	refused := func(r reply) bool { return r.status == http.StatusUnauthorized && p.is(r, "error", "invalid_client") }
	body = refused(p.clientTokenOK())
	form := clientForm()
	form.Del("client_id")
	form.Del("client_secret")
	r := p.postForm(koneraPathClientToken, form, basicHeader(DefaultClientID, DefaultClientSecret))
	basic = refused(r) && r.header.Get("WWW-Authenticate") == `Basic realm="konera"`
	return body, basic
}
