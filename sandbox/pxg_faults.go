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
		k(faultWrongSecretAccepted, "RFC6749 5.2", "The token endpoint lets a known client in with any secret.",
			notRefused("wrong-secret"), noError("wrong-secret")),
		k(faultToken401NoChallenge, "RFC9110 15.5.2", "The token endpoint refuses a client that authenticated in the body with 401 and no challenge.",
			[]string{"wrong-secret/oauth2.error.challenge-on-401"}, nil),
		k(faultCodeExchangeRefused, "RFC6749 4.1.4", "Code exchange refuses valid codes as invalid_grant and leaves them unused.",
			onSteps(pxgExchangeSteps, "http.status"), noToken),
		k(faultRefreshWithoutOffline, "seed 001 TokenResponse", "A refresh token comes with every token, offline_access or not.",
			[]string{"pxg.token.no-refresh-token"}, nil),
		k(faultRefreshTokenMissing, "seed 001 TokenResponse", "No refresh token comes back, although offline_access was granted.",
			[]string{"token-exchange/pxg.token.refresh-token"}, nil),
		k(faultRefreshRefused, "RFC6749 6", "The token endpoint refuses the refresh tokens it issued.",
			[]string{"refresh/http.status"}, because(whyNoToken, onSteps([]string{"refresh"}, "oauth2.token.access_token", "oauth2.token.expires_in-present", "oauth2.token.token_type-bearer")...)),
		k(faultRefreshUnchecked, "RFC6749 5.2", "The token endpoint takes any refresh token, even one it never issued.",
			notRefused("refresh-unknown"), noError("refresh-unknown")),
		k(faultTokenScopeMissing, "seed 001 TokenResponse", "Token responses leave out the scope granted.",
			[]string{"pxg.token.scope"}, nil),
		k(faultAssessedAtNotRFC3339, "CAMARA Design Guide 2.2", "assessedAt is written without the T and the time zone.",
			[]string{"pxg.assessed-at"}, nil),
		k(faultJWKSUnavailable, "OIDC Core 3.1.3.7", "The JWKS is not served: 404.",
			[]string{"jwks/http.status", "jwks/pxg.jwks.keys"}, because("no key to verify the id_token with", "oidc.id-token.signature")),
		k(faultJWKSNoKeys, "OIDC Core 3.1.3.7", "The JWKS is an object with no keys member.",
			[]string{"jwks/pxg.jwks.keys"}, because("no key to verify the id_token with", "oidc.id-token.signature")),
	}
	return slices.Concat(tokenResponseFaults(pxgProvider), codeGrantFaults(pxgProvider), walkFaults(pxgProvider), camaraErrorFaults(pxgProvider),
		numberVerifyFaults(pxgProvider, otherAPISteps{}), idTokenFaults(pxgProvider), own)
}
