package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Vonage Network APIs (seed 004): the application authenticates with a JWT it signs (RS256, the
// application's private key); network enablement hands out, per scope, the authorize URL the
// device must open; the authorization walk answers with a 301 to the registered redirect URI
// (code and state, or an error); the code is exchanged with the JWT as bearer; Number
// Verification is CAMARA v0.3.1.
const (
	vonageProvider      = "vonage"
	vonageApplicationID = "b1f4e6a2-5c3d-4e8f-9a7b-0c1d2e3f4a5b"
	vonageDeviceNumber  = "+447700900123"
	vonageOtherNumber   = "+447700900456"

	vonagePathEnablement = "/v0.1/network-enablement"
	vonagePathAuthorize  = "/oauth2/auth"
	vonagePathToken      = "/oauth2/token"
	vonagePathVerify     = "/camara/number-verification/v031/verify"

	vonageScopeVerify  = "dpv:FraudPreventionAndDetection#number-verification-verify-read"
	vonageTokenLife    = time.Hour // the seed's example: expires_in 3600
	vonageCodeLife     = 60 * time.Second
	vonageJWTMaxLife   = 24 * time.Hour // Vonage's documented maximum
	problemContentType = "application/problem+json"
)

// Vonage faults of its own; the others are the shared families'.
const (
	faultJWTSignatureUnchecked = "jwt-signature-unchecked"
	faultJWTExpiryUnchecked    = "jwt-expiry-unchecked"
	faultApplicationUnchecked  = "application-id-unchecked"
	faultEnablementScopeLost   = "enablement-scope-missing"
	faultScopeFieldRefused     = "scope-field-refused"
	faultErrorCallbackNoState  = "error-callback-without-state"
	faultRedirectLoop          = "redirect-loop"
	faultUnknownScopeGranted   = "unknown-scope-granted"
	faultProblemDetailsMissing = "problem-details-missing"
	faultEnablementJSONRefused = "enablement-json-refused"
	faultTokenJWTRefused       = "token-jwt-refused"
	faultUnknownScopeCrash     = "unknown-scope-500"
)

type vonage struct {
	cfg      config
	client   *registeredClient
	faults   faultSet
	tolerate faultSet
	store    *store
	as       *authServer
	api      camaraAPI
	walk     authorizeStyle
	appKey   *rsa.PublicKey
	routes   map[string]route
}

func newVonage(cfg config, st *store) providerServer {
	// The OAuth client is the application: its id is the application id, and it authenticates
	// with the JWT it signs rather than a secret.
	cfg.client.id = vonageApplicationID
	cfg.client.scopes = []string{scopeOpenID, vonageScopeVerify}
	v := &vonage{cfg: cfg, client: cfg.client, faults: cfg.faults, tolerate: cfg.tolerate, store: st,
		walk: authorizeStyle{faults: cfg.faults, tolerate: cfg.tolerate, usual: http.StatusMovedPermanently}, appKey: &vonageAppKey().PublicKey}
	v.as = newAuthServer(cfg, st, asPolicy{
		realm:         vonageProvider,
		clients:       []*registeredClient{cfg.client},
		tokenLifetime: vonageTokenLife,
		codeLifetime:  vonageCodeLife,
	})
	v.api = camaraAPI{as: v.as, style: newCamaraStyle(cfg, correlatorHeader)}
	v.routes = map[string]route{
		vonagePathEnablement: {http.MethodPost, camaraRoute, v.handleEnablement},
		vonagePathAuthorize:  {http.MethodGet, browserRoute, v.handleAuthorize},
		vonagePathToken:      {http.MethodPost, tokenRoute, v.handleToken},
		vonagePathVerify:     {http.MethodPost, camaraRoute, v.handleVerify},
	}
	return v
}

func (v *vonage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveRoutes(w, r, v.routes, v.as, v.api.style)
}

func (v *vonage) values(baseURL string) map[string]string {
	vals := v.cfg.clientValues(map[string]string{
		"url":                     baseURL,
		"application_id":          vonageApplicationID,
		"application_private_key": pemOf(vonageAppKey()),
		"device_number":           vonageDeviceNumber,
		"other_number":            vonageOtherNumber,
	})
	delete(vals, "client_secret") // the application has no secret: it signs
	return vals
}

// problem sends a Vonage error: RFC 9457 problem details, Vonage's generic error format.
func (v *vonage) problem(w http.ResponseWriter, status int, title, detail string) {
	if v.faults.on(faultProblemDetailsMissing) {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, problemContentType, object{
		{"type", "https://developer.vonage.com/api-errors#" + strings.ToLower(strings.ReplaceAll(title, " ", "-"))},
		{"title", title},
		{"detail", detail},
		{"instance", randomValue("sbx-problem-")},
	})
}

// application authenticates a request by the application JWT in its Authorization header:
// RS256, signed by the application's key, naming a known application, not expired, at most 24
// hours long. It returns why not, or "".
func (v *vonage) application(r *http.Request) string {
	token, present, ok := bearerToken(r)
	if !present || !ok {
		return "an application JWT is required as Bearer token"
	}
	v.store.record(token) // a credential like any the sandbox issues: tests look for it in reports
	now := v.as.now()
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt()}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(opts...)
	var err error
	if v.faults.on(faultJWTSignatureUnchecked) {
		_, _, err = parser.ParseUnverified(token, claims)
		if err == nil {
			err = jwt.NewValidator(opts...).Validate(claims)
		}
	} else {
		_, err = parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return v.appKey, nil })
	}
	if err != nil && !(errors.Is(err, jwt.ErrTokenExpired) && v.faults.on(faultJWTExpiryUnchecked)) {
		return "the application JWT does not verify: " + err.Error()
	}
	if app, _ := claims["application_id"].(string); app != vonageApplicationID && !v.faults.on(faultApplicationUnchecked) {
		return fmt.Sprintf("application_id %q is not a known application", app)
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if exp != nil && iat != nil && exp.Sub(iat.Time) > vonageJWTMaxLife {
		return "the application JWT lives longer than 24 hours"
	}
	return ""
}

// handleEnablement is the network enablement API: for a phone number and the scopes asked for,
// the authorize URL the device must open for each (or an error for a scope it cannot have).
func (v *vonage) handleEnablement(w http.ResponseWriter, r *http.Request) {
	if why := v.application(r); why != "" {
		v.problem(w, http.StatusUnauthorized, "Unauthorized", why)
		return
	}
	if v.faults.on(faultEnablementJSONRefused) {
		v.problem(w, http.StatusUnsupportedMediaType, "Unsupported Media Type", "send the request as a form")
		return
	}
	var body struct {
		PhoneNumber string   `json:"phone_number"`
		Scopes      []string `json:"scopes"`
		Scope       []string `json:"scope"`
		State       string   `json:"state"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err := dec.Decode(&body); err != nil {
		v.problem(w, http.StatusBadRequest, "Bad Request", "the body is not a JSON object: "+err.Error())
		return
	}
	scopes := body.Scopes
	if len(scopes) == 0 && !v.faults.on(faultScopeFieldRefused) {
		// The seed's table spells the field scope, its example scopes: both are read.
		scopes = body.Scope
	}
	switch {
	case !phoneNumberPattern.MatchString(body.PhoneNumber):
		v.problem(w, http.StatusBadRequest, "Bad Request", "phone_number must be an E.164 number with its +")
		return
	case len(scopes) == 0:
		v.problem(w, http.StatusBadRequest, "Bad Request", "scopes must name at least one scope")
		return
	case body.State == "":
		v.problem(w, http.StatusBadRequest, "Bad Request", "state is required")
		return
	}
	result := object{}
	for _, scope := range scopes {
		allowed := slices.Contains(v.client.scopes, scope) || v.faults.on(faultUnknownScopeGranted)
		switch {
		case allowed:
		case v.faults.on(faultUnknownScopeCrash):
			v.problem(w, http.StatusInternalServerError, "Internal Server Error", "no such scope")
			return
		case v.tolerate.on(tolUnknownScopeRefused):
			v.problem(w, http.StatusForbidden, "Forbidden", "the application may not use "+scope)
			return
		default:
			result = append(result, member{scope, object{{"error", object{
				{"title", "Forbidden"},
				{"instance", randomValue("sbx-problem-")},
				{"detail", "the application may not use " + scope},
				{"error_type", "UNAUTHORIZED"},
			}}}})
			continue
		}
		if scope == vonageScopeVerify && v.faults.on(faultEnablementScopeLost) {
			continue
		}
		authURL := absoluteURL(r, vonagePathAuthorize, url.Values{
			"client_id":     {v.client.id},
			"scope":         {scopeOpenID + " " + scope},
			"state":         {body.State},
			"redirect_uri":  {v.client.redirectURI},
			"response_type": {"code"},
			"login_hint":    {"tel:" + body.PhoneNumber},
		})
		result = append(result, member{scope, object{{"auth_url", authURL}, {"requires_carrier_network", true}}})
	}
	writeJSON(w, http.StatusOK, jsonContentType, object{{"scopes", result}})
}

// handleAuthorize is the authorize URL enablement hands out: the operator recognises the device
// on its network and answers with a 301 (as the seed says) to the registered redirect URI, with a
// code, or with access_denied when the number to verify is not the device's.
func (v *vonage) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	if v.faults.on(faultRedirectLoop) {
		redirect(w, http.StatusMovedPermanently, absoluteURL(r, vonagePathAuthorize, query))
		return
	}
	if (len(query["client_id"]) != 1 || query.Get("client_id") != v.client.id) && !v.faults.on(faultUnknownClientRedirected) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown client_id")
		return
	}
	redirectURI, ok := v.walk.redirectURI(v.client, query["redirect_uri"])
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is missing or not registered for this application")
		return
	}
	state := query.Get("state")
	errorState := state
	if v.faults.on(faultErrorCallbackNoState) {
		errorState = ""
	}
	params, repeated := singleValued(query)
	switch {
	case repeated != "":
		v.walk.errorToClient(w, redirectURI, errorState, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	case params["response_type"] != "code":
		v.walk.errorToClient(w, redirectURI, errorState, "unsupported_response_type", "only response_type=code is supported")
		return
	}
	if hint := strings.TrimPrefix(params["login_hint"], "tel:"); hint != vonageDeviceNumber && !v.tolerate.on(tolLoginHintIgnored) {
		// Network-based authentication recognises the device; another number is not its own.
		// (The CAMARA profile lets a server ignore login_hint, a tolerance here.)
		v.walk.errorToClient(w, redirectURI, errorState, "access_denied", "the device on the network is not "+hint)
		return
	}
	code := ""
	if !v.faults.on(faultCodeMissing) {
		code = v.store.issueCode(authCode{clientID: v.client.id, redirectURI: redirectURI,
			scopes: strings.Fields(params["scope"]), device: vonageDeviceNumber, expires: v.as.now().Add(vonageCodeLife)})
	}
	p := url.Values{}
	if code != "" {
		p.Set("code", code)
	}
	v.walk.toClient(w, redirectURI, state, p)
}

// handleToken exchanges a code for an access token, the application authenticated by its JWT.
func (v *vonage) handleToken(w http.ResponseWriter, r *http.Request) {
	why := v.application(r)
	if why == "" && v.faults.on(faultTokenJWTRefused) {
		why = "client_secret is required"
	}
	if why != "" {
		if !v.faults.on(faultNoWWWAuthenticate) {
			v.as.style.challenge(w, `Bearer realm="vonage", error="invalid_token"`)
		}
		v.as.style.writeError(w, http.StatusUnauthorized, "invalid_client", why)
		return
	}
	if err := r.ParseForm(); err != nil {
		v.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "the request body is not a valid form")
		return
	}
	form, repeated := singleValued(r.PostForm)
	switch {
	case repeated != "":
		v.as.style.writeError(w, http.StatusBadRequest, "invalid_request", "parameter "+repeated+" is sent more than once")
		return
	case form["grant_type"] != "authorization_code":
		v.as.style.writeError(w, http.StatusBadRequest, "unsupported_grant_type", "this endpoint grants authorization_code")
		return
	}
	g, refusal := v.store.redeemCode(form["code"], redemption{
		clientID:       v.client.id,
		redirectURI:    form["redirect_uri"],
		ignoreRedirect: v.faults.on(faultTokenRedirectURIUnchecked),
		reusable:       v.faults.on(faultCodeReusable),
		now:            v.as.now(),
	})
	if refusal != "" {
		v.as.style.writeError(w, http.StatusBadRequest, "invalid_grant", refusal)
		return
	}
	value, lifetime := v.as.issueToken(v.client.id, g.scopes, g.device)
	v.as.writeTokenSuccess(w, object{{"access_token", value}, {"token_type", "Bearer"}, {"expires_in", lifetime}})
}

// handleVerify is CAMARA Number Verification v0.3.1.
func (v *vonage) handleVerify(w http.ResponseWriter, r *http.Request) {
	v.api.verifyNumber(w, r, vonageScopeVerify, vonageDeviceNumber, nil)
}
