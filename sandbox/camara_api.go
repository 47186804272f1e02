package sandbox

import (
	"net/http"
	"slices"
)

// newCamaraStyle is how a provider's CAMARA responses deviate, from the faults and tolerances every
// provider's CAMARA APIs share. header is the correlation header it echoes: CAMARA's x-correlator,
// or a provider's own name for it.
func newCamaraStyle(cfg config, header string) camaraStyle {
	st := camaraStyle{
		omitCode:         cfg.faults.on(faultCamaraErrorNoCode),
		omitMessage:      cfg.faults.on(faultCamaraErrorNoMessage),
		statusAlways400:  cfg.faults.on(faultCamaraStatusMismatch),
		noEcho:           cfg.faults.on(faultCorrelatorNotEchoed),
		failSuccesses:    cfg.faults.on(faultAPIInternalError),
		correlatorHeader: header,
		anyCorrelator:    cfg.faults.on(faultCorrelatorUnvalidated),
	}
	switch {
	case cfg.faults.on(faultCommonalitiesMalformed):
		st.commonalities = "v0.6"
	case cfg.tolerate.on(tolCommonalities06):
		st.commonalities = "0.6"
	case cfg.tolerate.on(tolCommonalities08):
		st.commonalities = "0.8.0"
	}
	return st
}

// caller is who an API request acts for once its bearer token has been accepted.
type caller struct {
	scopes []string
	device string // the device's number when the token is 3-legged; "" when 2-legged
}

func (c caller) threeLegged() bool     { return c.device != "" }
func (c caller) has(scope string) bool { return slices.Contains(c.scopes, scope) }
func callerOf(t accessToken) caller    { return caller{scopes: t.scopes, device: t.device} }

// camaraAPI is what every provider's CAMARA operations share: bearer tokens from the provider's
// authorization server, the CAMARA error body and headers, and the refusals.
type camaraAPI struct {
	as    *authServer
	style camaraStyle
}

// authenticate accepts the bearer token of a CAMARA request. asMissing and asUnknown are who a
// request with no token, or with a token the sandbox never issued, is taken to be when a fault
// says to let those through; nil refuses them. A non-Bearer Authorization header is always refused.
func (api camaraAPI) authenticate(r *http.Request, asMissing, asUnknown *caller) (caller, bool) {
	value, present, ok := bearerToken(r)
	switch {
	case !present && asMissing != nil:
		return *asMissing, true
	case !present || !ok:
		return caller{}, false
	}
	t, known := api.as.store.accessToken(value)
	switch {
	case !known && asUnknown != nil:
		return *asUnknown, true
	case !known:
		return caller{}, false
	case t.expiredAt(api.as.now()) && !api.as.faults.on(faultExpiredTokenAccepted):
		return caller{}, false
	}
	return callerOf(t), true
}

// unauthenticated refuses a CAMARA request without valid credentials. The body is the generic
// one Commonalities requires whatever the reason; the challenge satisfies RFC 9110 15.5.2.
func (api camaraAPI) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if !api.as.faults.on(faultUnauthenticatedNoChallenge) {
		api.as.style.challenge(w, `Bearer realm="`+api.as.policy.realm+`"`)
	}
	api.style.writeError(w, r, http.StatusUnauthorized, codeUnauthenticated,
		"Request not authenticated due to missing, invalid, or expired credentials.")
}

// permissionDenied refuses a CAMARA request whose token does not allow the operation.
func (api camaraAPI) permissionDenied(w http.ResponseWriter, r *http.Request, why string) {
	api.style.writeError(w, r, http.StatusForbidden, codePermissionDenied, why)
}
