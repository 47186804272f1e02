package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Konera PXG (seed 001): Number Verification v1 behind an OIDC authorization code flow. The
// authorize endpoint hands the user agent to the operator's authorization server, which
// recognises the device on its network and sends it back to the client with a code; the token
// endpoint takes the client's credentials in the form and answers with an access token, an
// id_token when openid was granted and a refresh token when offline_access was; verify answers
// with devicePhoneNumberVerified and assessedAt, and echoes x-correlation-id.
const (
	pxgProvider     = "pxg"
	pxgDeviceNumber = "+34666666666"
	pxgOtherNumber  = "+919036499174"

	pxgPathAuthorize = "/camara/api/auth/v1/authorize"
	pxgPathOperator  = "/operator/authorize"
	pxgPathToken     = "/camara/api/auth/v1/token"
	pxgPathJWKS      = "/camara/api/auth/v1/jwks"
	pxgPathVerify    = "/camara/api/number-verification/v1/verify"

	pxgCorrelationHeader = "x-correlation-id"
	pxgTokenLifetime     = time.Hour // the seed's example: expires_in 3600
	pxgCodeLifetime      = 60 * time.Second

	scopeOfflineAccess = "offline_access"
	scopeFraudPurpose  = "dpv:FraudPreventionAndDetection"
)

type pxg struct {
	cfg    config
	client *registeredClient
	faults faultSet
	store  *store
	as     *authServer
	api    camaraAPI
	walk   authorizeStyle
	routes map[string]route
}

func newPXG(cfg config, st *store) providerServer {
	cfg.client.scopes = []string{scopeOpenID, scopeFraudPurpose, scopeNumberVerifyCheck, scopeOfflineAccess}
	p := &pxg{cfg: cfg, client: cfg.client, faults: cfg.faults, store: st,
		walk: authorizeStyle{faults: cfg.faults, tolerate: cfg.tolerate}}
	p.as = newAuthServer(cfg, st, asPolicy{
		realm:         pxgProvider,
		clients:       []*registeredClient{cfg.client},
		tokenLifetime: pxgTokenLifetime,
		codeLifetime:  pxgCodeLifetime,
	})
	p.api = camaraAPI{as: p.as, style: newCamaraStyle(cfg, pxgCorrelationHeader)}
	p.routes = map[string]route{
		pxgPathAuthorize: {http.MethodGet, browserRoute, p.handleAuthorize},
		pxgPathOperator:  {http.MethodGet, browserRoute, p.handleOperator},
		pxgPathToken:     {http.MethodPost, tokenRoute, p.handleToken},
		pxgPathJWKS:      {http.MethodGet, browserRoute, p.handleJWKS},
		pxgPathVerify:    {http.MethodPost, camaraRoute, p.handleVerify},
	}
	return p
}

func (p *pxg) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveRoutes(w, r, p.routes, p.as, p.api.style)
}

func (p *pxg) values(baseURL string) map[string]string {
	return p.cfg.clientValues(map[string]string{
		"url":           baseURL,
		"issuer":        baseURL,
		"jwks_url":      baseURL + pxgPathJWKS,
		"device_number": pxgDeviceNumber,
		"other_number":  pxgOtherNumber,
	})
}

// handleAuthorize validates an authorization request as RFC 6749 4.1.2.1 orders (a bad client or
// redirect URI is answered here, never redirected to), parks it with its scope, state and nonce,
// and sends the user agent to the operator.
func (p *pxg) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	if (len(query["client_id"]) != 1 || query.Get("client_id") != p.client.id) && !p.faults.on(faultUnknownClientRedirected) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown client_id")
		return
	}
	redirectURI, ok := p.walk.redirectURI(p.client, query["redirect_uri"])
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is missing or not registered for this client")
		return
	}
	state := query.Get("state")
	fail := func(code, description string) { p.walk.errorToClient(w, redirectURI, state, code, description) }
	params, repeated := singleValued(query)
	switch {
	case repeated != "":
		fail("invalid_request", "parameter "+repeated+" is sent more than once")
		return
	case params["response_type"] != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	case params["login_hint"] != "" && !validLoginHint(params["login_hint"]):
		fail("invalid_request", "login_hint must be tel:+<E.164 number> or ipport:<address>[:port]")
		return
	case params["prompt"] != "" && params["prompt"] != "none":
		// Network-based authentication asks the person nothing (OIDC Core 3.1.2.6).
		fail("interaction_required", "the operator authenticates the device without asking anyone: use prompt=none or no prompt")
		return
	}
	scopes := strings.Fields(params["scope"])
	if !slices.Contains(scopes, scopeNumberVerifyCheck) {
		fail("invalid_scope", "scope must include "+scopeNumberVerifyCheck)
		return
	}
	for _, s := range scopes {
		if !slices.Contains(p.client.scopes, s) {
			fail("invalid_scope", "scope "+s+" is not available to this client")
			return
		}
	}
	session := p.store.startSession(authSession{clientID: p.client.id, redirectURI: redirectURI,
		scopes: scopes, state: state, nonce: params["nonce"]})
	redirect(w, p.walk.status(), absoluteURL(r, pxgPathOperator, url.Values{"session": {session}}))
}

// handleOperator stands in for the operator's authorization server: it recognises the device by
// the network it is on, asks nothing, and sends the user agent back to the client with a code.
func (p *pxg) handleOperator(w http.ResponseWriter, r *http.Request) {
	session := r.URL.Query().Get("session")
	opCode, ok := p.store.identifyDevice(session, pxgDeviceNumber)
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown authorization session")
		return
	}
	auth, _ := p.store.finishSession(session, opCode)
	params := url.Values{}
	if !p.faults.on(faultCodeMissing) {
		params.Set("code", p.store.issueCode(authCode{clientID: auth.clientID, redirectURI: auth.redirectURI,
			scopes: auth.scopes, device: auth.device, nonce: auth.nonce, expires: p.as.now().Add(pxgCodeLifetime)}))
	}
	p.walk.toClient(w, auth.redirectURI, auth.state, params)
}

// handleToken is the token endpoint of seed 001: the code (or a refresh token) and the client's
// credentials in the form, which RFC 6749 2.3.1 calls client_secret_post (Basic works too, as it
// must).
func (p *pxg) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "the request body is not a valid form")
		return
	}
	form, repeated := singleValued(r.PostForm)
	if repeated != "" {
		p.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	}
	creds, err := presentedCredentials(r, form)
	if err != nil {
		p.as.style.writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	// The issuer is this server's own address, known only from a request.
	issuer, endpoint := absoluteURL(r, "", nil), absoluteURL(r, pxgPathToken, nil)
	client := p.as.authenticate(w, creds, endpoint, issuer)
	if client == nil {
		return
	}
	switch grant := form["grant_type"]; grant {
	case "authorization_code":
		if form["code"] == "" {
			p.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "code is missing")
			return
		}
		g, refusal := p.store.redeemCode(form["code"], redemption{
			clientID:       client.id,
			redirectURI:    form["redirect_uri"],
			ignoreRedirect: p.faults.on(faultTokenRedirectURIUnchecked),
			reusable:       p.faults.on(faultCodeReusable),
			refuseValid:    p.faults.on(faultCodeExchangeRefused),
			now:            p.as.now(),
		})
		if refusal != "" {
			p.as.style.writeError(w, http.StatusBadRequest, "invalid_grant", refusal)
			return
		}
		p.grant(w, issuer, client.id, g.scopes, g.device, g.nonce)
	case "refresh_token":
		g, refusal := p.store.redeemRefresh(form["refresh_token"], client.id)
		switch {
		case refusal != "" && p.faults.on(faultRefreshUnchecked):
			g, refusal = refreshGrant{clientID: client.id, scopes: p.client.scopes, device: pxgDeviceNumber}, ""
		case refusal == "" && p.faults.on(faultRefreshRefused):
			refusal = "refresh token refused"
		}
		if refusal != "" {
			p.as.style.writeError(w, http.StatusBadRequest, "invalid_grant", refusal)
			return
		}
		p.grant(w, issuer, client.id, g.scopes, g.device, "")
	case "":
		p.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		p.as.style.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants authorization_code and refresh_token")
	}
}

// grant answers a token request that succeeded: the access token, an id_token when openid was
// granted and a refresh token when offline_access was.
func (p *pxg) grant(w http.ResponseWriter, issuer, clientID string, scopes []string, device, nonce string) {
	value, lifetime := p.as.issueToken(clientID, scopes, device)
	body := object{
		{"access_token", value},
		{"token_type", "Bearer"},
		{"expires_in", lifetime},
	}
	if !p.faults.on(faultTokenScopeMissing) {
		body = body.with("scope", strings.Join(scopes, " "))
	}
	offline := slices.Contains(scopes, scopeOfflineAccess)
	if offline && !p.faults.on(faultRefreshTokenMissing) || !offline && p.faults.on(faultRefreshWithoutOffline) {
		body = body.with("refresh_token", p.store.issueRefreshToken(refreshGrant{clientID: clientID, scopes: scopes, device: device}))
	}
	if slices.Contains(scopes, scopeOpenID) && !p.faults.on(faultIDTokenMissing) {
		body = body.with("id_token", p.as.issueIDToken(issuer, clientID, device, nonce))
	}
	p.as.writeTokenSuccess(w, body)
}

// handleVerify is Number Verification v1 as seed 001 documents it: CAMARA's verify, with the
// time of the assessment.
func (p *pxg) handleVerify(w http.ResponseWriter, r *http.Request) {
	p.api.verifyNumber(w, r, scopeNumberVerifyCheck, pxgDeviceNumber, func(result object) object {
		at := p.as.now().UTC().Format(time.RFC3339)
		if p.faults.on(faultAssessedAtNotRFC3339) {
			at = p.as.now().UTC().Format("2006-01-02 15:04:05")
		}
		return result.with("assessedAt", at)
	})
}

// handleJWKS publishes the key the id_tokens are signed with.
func (p *pxg) handleJWKS(w http.ResponseWriter, r *http.Request) {
	switch {
	case p.faults.on(faultJWKSUnavailable):
		http.NotFound(w, r)
	case p.faults.on(faultJWKSNoKeys):
		writeJSON(w, http.StatusOK, "application/jwk-set+json", object{})
	default:
		p.as.serveJWKS(w, r)
	}
}
