package sandbox

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// koneraClientScopes returns the scopes the client-credentials endpoint grants; a request that
// names none gets all of them.
func koneraClientScopes() []string { return []string{scopeSimSwapCheck, scopeSimSwapDate} }

// handleClientCredentials is Konera's Keycloak token endpoint, which seed 000 uses for 2-legged
// tokens: grant_type=client_credentials, with the client's credentials in the form body or,
// as RFC 6749 2.3.1 says a server must also support, by HTTP Basic.
func (k *konera) handleClientCredentials(w http.ResponseWriter, r *http.Request) {
	// Only the body counts: RFC 6749 2.3.1 forbids credentials in the URI, so the query is ignored.
	if err := r.ParseForm(); err != nil {
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "the request body is not a valid form")
		return
	}
	form, repeated := singleValued(r.PostForm)
	if repeated != "" {
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}

	id, secret := form["client_id"], form["client_secret"]
	basicID, basicSecret, usedBasic, basicOK := basicCredentials(r)
	if usedBasic {
		// A client id repeated in the body is harmless when it agrees; a secret in both places
		// means two authentication methods at once, which RFC 6749 2.3 forbids.
		if secret != "" || (id != "" && basicOK && id != basicID) {
			k.token.writeError(w, http.StatusBadRequest, "invalid_request", "client credentials sent both by HTTP Basic and in the body")
			return
		}
		id, secret = basicID, basicSecret
	}

	switch grant := form["grant_type"]; {
	case grant == "":
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	case grant != "client_credentials":
		k.token.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants client_credentials only")
		return
	}

	if !k.authenticateClient(w, id, secret, usedBasic) {
		return
	}

	allowed := koneraClientScopes()
	granted := allowed
	if requested := strings.Fields(form["scope"]); len(requested) > 0 {
		granted = nil
		for _, scope := range requested {
			if !slices.Contains(allowed, scope) {
				k.token.writeError(w, http.StatusBadRequest, "invalid_scope", "scope "+scope+" is not available to this client")
				return
			}
			if !slices.Contains(granted, scope) {
				granted = append(granted, scope)
			}
		}
	}

	now := k.now()
	value := k.store.issueAccessToken(accessToken{
		clientID: id,
		scopes:   granted,
		expires:  now.Add(koneraTokenLifetime),
	})
	body := object{
		{"access_token", value},
		{"token_type", "Bearer"},
		{"expires_in", int(koneraTokenLifetime.Seconds())},
		{"refresh_expires_in", 0},
		{"not-before-policy", 0},
		{"scope", strings.Join(granted, " ")},
	}
	if k.faults.on(faultCCRefreshToken) {
		body = body.with("refresh_token", k.store.issueRefreshToken())
	}
	k.writeTokenSuccess(w, body)
}

// authenticateClient checks the client's id and secret and, when they fail, writes the refusal
// and returns false. A client that used Basic is challenged with Basic, as RFC 6749 5.2 requires.
func (k *konera) authenticateClient(w http.ResponseWriter, id, secret string, usedBasic bool) bool {
	refuse := func(description string) bool {
		if usedBasic {
			w.Header().Set("WWW-Authenticate", `Basic realm="konera"`)
		}
		k.token.writeError(w, http.StatusUnauthorized, "invalid_client", description)
		return false
	}
	rightSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(k.client.secret)) == 1
	switch {
	case id == "":
		return refuse("client authentication failed: no client credentials")
	case id != k.client.id:
		return refuse("client authentication failed: unknown client")
	case rightSecret && k.faults.on(faultClientCredentialsRefused):
		// Refused in the very words a wrong secret gets, so a client cannot tell the two apart.
		return refuse("client authentication failed: wrong client secret")
	case rightSecret:
		return true
	case k.faults.on(faultWrongSecretAccepted):
		return true
	case k.faults.on(faultUnauthorizedClient):
		k.token.writeError(w, http.StatusBadRequest, "unauthorized_client", "Invalid client secret")
		return false
	default:
		return refuse("client authentication failed: wrong client secret")
	}
}

// handleCodeExchange is Konera's /auth/token as seed 000 documents it: the code, grant_type and
// redirect_uri in the query string (a form body works too), and the client authenticated not by
// its secret but by a 2-legged bearer token from the client-credentials endpoint.
func (k *konera) handleCodeExchange(w http.ResponseWriter, r *http.Request) {
	clientID, ok := k.bearerClient(r)
	if !ok {
		if !k.faults.on(faultNoWWWAuthenticate) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="konera", error="invalid_token"`)
		}
		k.token.writeError(w, http.StatusUnauthorized, "invalid_client",
			"client authentication failed: a valid client-credentials bearer token is required")
		return
	}
	if err := r.ParseForm(); err != nil {
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "the request parameters cannot be parsed")
		return
	}
	params, repeated := singleValued(r.Form)
	if repeated != "" {
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}
	switch grant := params["grant_type"]; {
	case grant == "":
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	case grant != "authorization_code":
		k.token.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants authorization_code only")
		return
	}
	code := params["code"]
	if code == "" {
		k.token.writeError(w, http.StatusBadRequest, "invalid_request", "code is missing")
		return
	}

	now := k.now()
	grant, refusal := k.store.redeemCode(code, redemption{
		clientID:       clientID,
		redirectURI:    params["redirect_uri"],
		ignoreRedirect: k.faults.on(faultTokenRedirectURIUnchecked),
		reusable:       k.faults.on(faultCodeReusable),
		refuseValid:    k.faults.on(faultCodeExchangeRefused),
		now:            now,
	})
	if refusal != "" {
		k.token.writeError(w, http.StatusBadRequest, "invalid_grant", refusal)
		return
	}
	value := k.store.issueAccessToken(accessToken{
		clientID: clientID,
		scopes:   grant.scopes,
		device:   grant.device,
		expires:  now.Add(koneraTokenLifetime),
	})
	k.writeTokenSuccess(w, object{
		{"access_token", value},
		{"token_type", "Bearer"},
		{"expires_in", int(koneraTokenLifetime.Seconds())},
		{"scope", strings.Join(grant.scopes, " ")},
	})
}

// bearerClient returns the client a code exchange is made for: the owner of a valid, unexpired
// client-credentials token in its Authorization header. Under token-bearer-unchecked any
// Authorization, or none, stands for the registered client.
func (k *konera) bearerClient(r *http.Request) (string, bool) {
	if k.faults.on(faultTokenBearerUnchecked) {
		return k.client.id, true
	}
	value, _, ok := bearerToken(r)
	if !ok {
		return "", false
	}
	t, known := k.store.accessToken(value)
	if !known || t.device != "" || t.expiredAt(k.now()) {
		return "", false
	}
	return t.clientID, true
}

// writeTokenSuccess applies the faults that bend a successful token body, then sends it with the
// token endpoints' shared headers.
func (k *konera) writeTokenSuccess(w http.ResponseWriter, body object) {
	if k.faults.on(faultAccessTokenMissing) {
		body = body.without("access_token")
	}
	if k.faults.on(faultTokenTypeMissing) {
		body = body.without("token_type")
	}
	if k.faults.on(faultExpiresInString) {
		body = body.with("expires_in", strconv.Itoa(int(koneraTokenLifetime.Seconds())))
	}
	if k.faults.on(faultExpiresInMissing) {
		body = body.without("expires_in")
	}
	k.token.writeSuccess(w, body)
}
