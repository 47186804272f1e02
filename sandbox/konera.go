package sandbox

import (
	"net/http"
	"time"
)

// Konera's fixture numbers. The device is the phone network-based authentication identifies; the
// others give SIM Swap a swapped SIM, long-settled SIMs, and a valid number the device does not hold.
const (
	koneraProvider        = "konera"
	koneraDeviceNumber    = "+15143792381"
	koneraOtherNumber     = "+13541234567"
	koneraSwappedNumber   = "+17147684731"
	koneraUnswappedNumber = "+34666666666"
)

// Konera's paths, as seed 000 documents them on its two hosts, served here from one.
const (
	koneraPathIssuer        = "/auth/realms/konera"
	koneraPathClientToken   = "/auth/realms/konera/protocol/openid-connect/token"
	koneraPathAuthorize     = "/auth/authorize"
	koneraPathOperator      = "/operator/authorize"
	koneraPathCallback      = "/auth/callback"
	koneraPathCodeToken     = "/auth/token"
	koneraPathSimSwapCheck  = "/camara/sim-swap/v2/check"
	koneraPathSimSwapDate   = "/camara/sim-swap/v2/retrieve-date"
	koneraPathVerify        = "/number-verification/v1/verify"
	koneraPathVerifyCamara  = "/camara/number-verification/v1/verify"
	koneraSessionCookieName = "KONERA_AUTH_SESSION"
)

// Scopes Konera grants.
const (
	scopeOpenID            = "openid"
	scopeSimSwapCheck      = "sim-swap:check"
	scopeSimSwapDate       = "sim-swap:retrieve-date"
	scopeNumberVerifyCheck = "number-verification:verify"
)

// Lifetimes of what Konera issues.
const (
	koneraTokenLifetime = 300 * time.Second
	koneraCodeLifetime  = 60 * time.Second
)

// simRecord is the SIM history of one number: the latest change, and whether that change was a
// swap rather than the first activation.
type simRecord struct {
	latestChange time.Time
	swapped      bool
}

// routeKind decides the body of the 405 a route sends for a wrong method: each kind of endpoint
// refuses in its own error format.
type routeKind int

const (
	tokenRoute   routeKind = iota // OAuth token endpoint: token error, with the token style's faults
	browserRoute                  // page a user agent visits: plain OAuth error
	camaraRoute                   // CAMARA API: CAMARA error
)

// route is one path a provider serves: the method it takes, the kind of endpoint it is, and its
// handler.
type route struct {
	method string
	kind   routeKind
	handle http.HandlerFunc
}

// serveRoutes routes by exact path, and answers an unknown path with a CAMARA 404 and a known path
// with the wrong method with a 405 naming the method it takes, each in the error format of the
// kind of endpoint it is.
func serveRoutes(w http.ResponseWriter, r *http.Request, routes map[string]route, as *authServer, camara camaraStyle) {
	rt, ok := routes[r.URL.Path]
	if !ok {
		camara.writeError(w, r, http.StatusNotFound, codeNotFound, "no resource at "+r.URL.Path)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		message := r.Method + " is not allowed here; use " + rt.method
		switch rt.kind {
		case tokenRoute:
			as.style.writeError(w, http.StatusMethodNotAllowed, "invalid_request", message)
		case browserRoute:
			writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", message)
		default:
			camara.writeError(w, r, http.StatusMethodNotAllowed, codeMethodNotAllowed, message)
		}
		return
	}
	rt.handle(w, r)
}

// konera is the Konera aggregator of seed 000: a Keycloak-style client-credentials endpoint, an
// OIDC authorization code flow through the operator's network-based authentication, a code
// exchange authenticated by a 2-legged bearer token, CAMARA SIM Swap v2 and Number Verification.
type konera struct {
	now    func() time.Time
	start  time.Time
	cfg    config
	client *registeredClient
	faults faultSet
	store  *store
	as     *authServer
	sims   map[string]simRecord
	routes map[string]route
	camara camaraStyle
	api    camaraAPI
	walk   authorizeStyle
}

func newKonera(cfg config, st *store) providerServer {
	start := cfg.now()
	cfg.client.scopes = koneraClientScopes()
	k := &konera{
		now:    cfg.now,
		start:  start,
		cfg:    cfg,
		client: cfg.client,
		faults: cfg.faults,
		store:  st,
		sims: map[string]simRecord{
			koneraSwappedNumber:   {latestChange: start.Add(-10 * time.Hour), swapped: true},
			koneraUnswappedNumber: {latestChange: start.Add(-5000 * time.Hour)},
			koneraDeviceNumber:    {latestChange: start.Add(-3000 * time.Hour)},
			koneraOtherNumber:     {latestChange: start.Add(-4000 * time.Hour)},
		},
		camara: newCamaraStyle(cfg, correlatorHeader),
	}
	k.walk = authorizeStyle{faults: cfg.faults, tolerate: cfg.tolerate}
	k.as = newAuthServer(cfg, st, asPolicy{
		realm:         "konera",
		clients:       []*registeredClient{cfg.client},
		tokenLifetime: koneraTokenLifetime,
		codeLifetime:  koneraCodeLifetime,
		narrowScopes:  cfg.tolerate.on(tolScopeNarrowed),
	})
	k.api = camaraAPI{as: k.as, style: k.camara}
	k.routes = map[string]route{
		koneraPathClientToken:  {http.MethodPost, tokenRoute, k.handleClientCredentials},
		koneraPathAuthorize:    {http.MethodGet, browserRoute, k.handleAuthorize},
		koneraPathOperator:     {http.MethodGet, browserRoute, k.handleOperator},
		koneraPathCallback:     {http.MethodGet, browserRoute, k.handleCallback},
		koneraPathCodeToken:    {http.MethodPost, tokenRoute, k.handleCodeExchange},
		koneraPathSimSwapCheck: {http.MethodPost, camaraRoute, k.handleSimSwapCheck},
		koneraPathSimSwapDate:  {http.MethodPost, camaraRoute, k.handleSimSwapDate},
		koneraPathVerify:       {http.MethodPost, camaraRoute, k.handleVerify},
		koneraPathVerifyCamara: {http.MethodPost, camaraRoute, k.handleVerify},
	}
	return k
}

// ServeHTTP routes by exact path.
func (k *konera) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveRoutes(w, r, k.routes, k.as, k.camara)
}

func (k *konera) values(baseURL string) map[string]string {
	return k.cfg.clientValues(map[string]string{
		"url":              baseURL,
		"device_number":    koneraDeviceNumber,
		"other_number":     koneraOtherNumber,
		"swapped_number":   koneraSwappedNumber,
		"unswapped_number": koneraUnswappedNumber,
	})
}
