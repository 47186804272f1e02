package sandbox

import "slices"

// PXG faults of its own; the others are the shared families'.
const (
	faultRefreshWithoutOffline = "refresh-without-offline-access"
	faultRefreshTokenMissing   = "refresh-token-missing"
	faultRefreshRefused        = "refresh-refused"
	faultRefreshUnchecked      = "refresh-token-unchecked"
	faultTokenScopeMissing     = "token-scope-missing"
	faultAssessedAtNotRFC3339  = "assessed-at-not-rfc3339"
	faultJWKSUnavailable       = "jwks-unavailable"
	faultJWKSNoKeys            = "jwks-no-keys"
)

// The steps of pxg.number-verification that exchange a code, and what a refused exchange lacks.
var (
	pxgExchangeSteps = []string{"token-exchange", "exchange-without-offline"}
	pxgTokenChecks   = []string{"oauth2.token.access_token", "oauth2.token.expires_in-present", "oauth2.token.token_type-bearer",
		"oidc.id-token.present", "pxg.token.scope", "pxg.token.refresh-token"}
)

// pxgFaults lists the deviations the PXG sandbox can make and what each breaks.
func pxgFaults() []Fault {
	k := family(pxgProvider)
	noToken := because(whyNoToken, pxgTokenChecks...)
	own := []Fault{
		k(faultTokenError200, "RFC6749 5.2", "OAuth errors from the token endpoint come back with HTTP status 200.",
			[]string{"oauth2.error.status"}, nil),
		k(faultTokenErrorUnregistered, "RFC6749 5.2", "OAuth errors from the token endpoint use the unregistered code request_failed.",
			[]string{"oauth2.error.code", "oauth2.error.expected"},
			map[string]string{"oauth2.error.status": "401 is for invalid_client alone, and the code is no longer invalid_client"}),
		k(faultWrongSecretAccepted, "RFC6749 5.2", "The token endpoint lets a known client in with any secret.",
			[]string{"wrong-secret/oauth2.token.not-issued", "wrong-secret/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"wrong-secret"}, "oauth2.error.code", "oauth2.error.status")...)),
		k(faultToken401NoChallenge, "RFC9110 15.5.2", "The token endpoint refuses a client that authenticated in the body with 401 and no challenge.",
			[]string{"wrong-secret/oauth2.error.challenge-on-401"}, nil),
		k(faultCodeReusable, "RFC6749 4.1.2", "Authorization codes can be exchanged more than once.",
			[]string{"code-reuse/oauth2.token.not-issued", "code-reuse/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"code-reuse"}, "oauth2.error.code", "oauth2.error.status")...)),
		k(faultTokenRedirectURIUnchecked, "RFC6749 4.1.3", "Code exchange ignores a redirect_uri that differs from the authorization's.",
			[]string{"exchange-other-redirect/oauth2.token.not-issued", "exchange-other-redirect/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"exchange-other-redirect"}, "oauth2.error.code", "oauth2.error.status")...)),
		k(faultCodeExchangeRefused, "RFC6749 4.1.4", "Code exchange refuses valid codes as invalid_grant and leaves them unused.",
			onSteps(pxgExchangeSteps, "http.status"), noToken),
		k(faultRefreshWithoutOffline, "seed 001 TokenResponse", "A refresh token comes with every token, offline_access or not.",
			[]string{"pxg.token.no-refresh-token"}, nil),
		k(faultRefreshTokenMissing, "seed 001 TokenResponse", "No refresh token comes back, although offline_access was granted.",
			[]string{"token-exchange/pxg.token.refresh-token"}, nil),
		k(faultRefreshRefused, "RFC6749 6", "The token endpoint refuses the refresh tokens it issued.",
			[]string{"refresh/http.status"}, because(whyNoToken, onSteps([]string{"refresh"}, "oauth2.token.access_token", "oauth2.token.expires_in-present", "oauth2.token.token_type-bearer")...)),
		k(faultRefreshUnchecked, "RFC6749 5.2", "The token endpoint takes any refresh token, even one it never issued.",
			[]string{"refresh-unknown/oauth2.token.not-issued", "refresh-unknown/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"refresh-unknown"}, "oauth2.error.code", "oauth2.error.status")...)),
		k(faultTokenScopeMissing, "seed 001 TokenResponse", "Token responses leave out the scope granted.",
			[]string{"pxg.token.scope"}, nil),
		k(faultAssessedAtNotRFC3339, "CAMARA Design Guide 2.2", "assessedAt is written without the T and the time zone.",
			[]string{"pxg.assessed-at"}, nil),
		k(faultJWKSUnavailable, "OIDC Core 3.1.3.7", "The JWKS is not served: 404.",
			[]string{"jwks/http.status", "jwks/pxg.jwks.keys"}, because("no key to verify the id_token with", "oidc.id-token.signature")),
		k(faultJWKSNoKeys, "OIDC Core 3.1.3.7", "The JWKS is an object with no keys member.",
			[]string{"jwks/pxg.jwks.keys"}, because("no key to verify the id_token with", "oidc.id-token.signature")),
	}
	return slices.Concat(tokenResponseFaults(pxgProvider), walkFaults(pxgProvider), camaraErrorFaults(pxgProvider),
		numberVerifyFaults(pxgProvider, otherAPISteps{}), idTokenFaults(pxgProvider), own)
}
