package sandbox

import (
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	// telHintPattern is a login_hint naming a phone number as an RFC 3966 global tel URI.
	telHintPattern = regexp.MustCompile(`^tel:\+[1-9][0-9]{4,14}$`)
	// portPattern is the decimal port of an ipport login_hint.
	portPattern = regexp.MustCompile(`^[0-9]{1,5}$`)
)

// handleAuthorize starts the OIDC authorization code flow of seed 000. It validates the request
// the way RFC 6749 4.1.2.1 orders: a bad client or redirect URI is answered here, since redirecting
// to an unverified URI would make the sandbox an open redirector; any other problem goes back to
// the client as an error redirect. A good request is parked under a session, bound to the user
// agent by a cookie, and the user agent is sent on to the operator.
func (k *konera) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	if (len(query["client_id"]) != 1 || query.Get("client_id") != k.client.id) && !k.faults.on(faultUnknownClientRedirected) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown client_id")
		return
	}
	redirectURI, ok := k.walk.redirectURI(k.client, query["redirect_uri"])
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is missing or not registered for this client")
		return
	}
	state := query.Get("state")
	fail := func(code, description string) {
		k.walk.errorToClient(w, redirectURI, state, code, description)
	}

	params, repeated := singleValued(query)
	if repeated != "" {
		fail("invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}
	if params["response_type"] != "code" {
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	scopes := strings.Fields(params["scope"])
	if (!slices.Contains(scopes, scopeOpenID) || !slices.Contains(scopes, scopeNumberVerifyCheck)) && !k.as.policy.narrowScopes {
		fail("invalid_scope", "scope must include openid and number-verification:verify")
		return
	}
	if hint := params["login_hint"]; hint != "" && !validLoginHint(hint) {
		fail("invalid_request", "login_hint must be tel:+<E.164 number> or ipport:<address>[:port]")
		return
	}

	session := k.store.startSession(authSession{
		clientID:    k.client.id,
		redirectURI: redirectURI,
		scopes:      scopes,
		state:       state,
	})
	http.SetCookie(w, &http.Cookie{Name: koneraSessionCookieName, Value: session, Path: "/", HttpOnly: true})
	redirect(w, k.walk.status(), absoluteURL(r, koneraPathOperator, url.Values{"session": {session}}))
}

// handleOperator stands in for the mobile operator: it recognises the device by the network it
// is on, so it asks the person nothing, and hands the user agent back to the aggregator with a
// one-time code proving it did.
func (k *konera) handleOperator(w http.ResponseWriter, r *http.Request) {
	session := r.URL.Query().Get("session")
	opCode, ok := k.store.identifyDevice(session, koneraDeviceNumber)
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown authorization session")
		return
	}
	redirect(w, k.walk.status(), absoluteURL(r, koneraPathCallback, url.Values{
		"session": {session},
		"op_code": {opCode},
	}))
}

// handleCallback is where the operator hands back to the aggregator. The session cookie set at
// authorize must come back with it, which ties the whole walk to one user agent (the CSRF
// protection RFC 6749 10.12 asks for); then the code is issued and the client gets its redirect.
func (k *konera) handleCallback(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	session := query.Get("session")
	if !k.store.hasSession(session) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown authorization session")
		return
	}
	if cookie, err := r.Cookie(koneraSessionCookieName); err != nil || cookie.Value != session {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "session cookie missing")
		return
	}
	auth, ok := k.store.finishSession(session, query.Get("op_code"))
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the operator has not authenticated this session")
		return
	}
	params := url.Values{}
	if !k.faults.on(faultCodeMissing) {
		params.Set("code", k.store.issueCode(authCode{
			clientID:    auth.clientID,
			redirectURI: auth.redirectURI,
			scopes:      auth.scopes,
			device:      auth.device,
			expires:     k.now().Add(koneraCodeLifetime),
		}))
	}
	k.walk.toClient(w, auth.redirectURI, auth.state, params)
}

// validLoginHint accepts the two login_hint forms of the CAMARA security profile that identify a
// device: tel:+<E.164> and ipport:<IPv4 or [IPv6]>[:port].
func validLoginHint(hint string) bool {
	if telHintPattern.MatchString(hint) {
		return true
	}
	rest, ok := strings.CutPrefix(hint, "ipport:")
	if !ok {
		return false
	}
	var host, port string
	if inner, ok := strings.CutPrefix(rest, "["); ok {
		end := strings.IndexByte(inner, ']')
		if end < 0 {
			return false
		}
		host, port = inner[:end], inner[end+1:]
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return false
		}
	} else {
		host = rest
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			host, port = rest[:i], rest[i:]
		}
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is4() {
			return false
		}
	}
	if port == "" {
		return true
	}
	digits, ok := strings.CutPrefix(port, ":")
	if !ok || !portPattern.MatchString(digits) {
		return false
	}
	n, err := strconv.Atoi(digits)
	return err == nil && n >= 1 && n <= 65535
}
