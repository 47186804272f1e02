package sandbox

import (
	"net/http"
	"strings"
)

// koneraClientScopes returns the scopes the client-credentials endpoint grants; a request that
// names none gets all of them.
func koneraClientScopes() []string { return []string{scopeSimSwapCheck, scopeSimSwapDate} }

// handleClientCredentials is Konera's Keycloak token endpoint, which seed 000 uses for 2-legged
// tokens: grant_type=client_credentials, with the client authenticated the way it registered
// (in the form body, by HTTP Basic, which RFC 6749 2.3.1 says a server must support, or with a
// private_key_jwt assertion).
func (k *konera) handleClientCredentials(w http.ResponseWriter, r *http.Request) {
	// Only the body counts: RFC 6749 2.3.1 forbids credentials in the URI, so the query is ignored.
	if err := r.ParseForm(); err != nil {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "the request body is not a valid form")
		return
	}
	form, repeated := singleValued(r.PostForm)
	if repeated != "" && !k.faults.on(faultRepeatedParamAccepted) {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}
	creds, err := presentedCredentials(r, form)
	if err != nil {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	switch grant := form["grant_type"]; {
	case grant == "":
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	case grant != "client_credentials":
		k.as.style.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants client_credentials only")
		return
	}
	endpoint := absoluteURL(r, koneraPathClientToken, nil)
	client := k.as.authenticate(w, creds, endpoint, absoluteURL(r, koneraPathIssuer, nil))
	if client == nil {
		return
	}
	granted, refusal := k.as.grantScopes(client, strings.Fields(form["scope"]))
	if refusal != "" {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_scope", refusal)
		return
	}
	value, lifetime := k.as.issueToken(client.id, granted, "")
	body := object{
		{"access_token", value},
		{"token_type", "Bearer"},
		{"expires_in", lifetime},
		{"refresh_expires_in", 0},
		{"not-before-policy", 0},
		{"scope", strings.Join(granted, " ")},
	}
	if k.faults.on(faultCCRefreshToken) {
		body = body.with("refresh_token", k.store.issueRefreshToken(refreshGrant{clientID: client.id, scopes: granted}))
	}
	k.as.writeTokenSuccess(w, body)
}

// handleCodeExchange is Konera's /auth/token as seed 000 documents it: the code, grant_type and
// redirect_uri in the query string (a form body works too), and the client authenticated not by
// its secret but by a 2-legged bearer token from the client-credentials endpoint.
func (k *konera) handleCodeExchange(w http.ResponseWriter, r *http.Request) {
	clientID, ok := k.bearerClient(r)
	if !ok {
		if !k.faults.on(faultNoWWWAuthenticate) {
			k.as.style.challenge(w, `Bearer realm="konera", error="invalid_token"`)
		}
		code := "invalid_client"
		if k.cfg.tolerate.on(tolExtensionErrorCodes) {
			code = extensionCodeBadBearer
		}
		k.as.style.writeError(w, http.StatusUnauthorized, code,
			"client authentication failed: a valid client-credentials bearer token is required")
		return
	}
	if err := r.ParseForm(); err != nil {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "the request parameters cannot be parsed")
		return
	}
	params, repeated := singleValued(r.Form)
	if repeated != "" {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}
	switch grant := params["grant_type"]; {
	case grant == "":
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	case grant != "authorization_code":
		k.as.style.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants authorization_code only")
		return
	}
	code := params["code"]
	if code == "" {
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "code is missing")
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
		k.as.style.writeError(w, http.StatusBadRequest, "invalid_grant", refusal)
		return
	}
	value, lifetime := k.as.issueToken(clientID, grant.scopes, grant.device)
	k.as.writeTokenSuccess(w, object{
		{"access_token", value},
		{"token_type", "Bearer"},
		{"expires_in", lifetime},
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
