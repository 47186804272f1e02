package sandbox

import "slices"

// vonageFaults lists the deviations the Vonage sandbox can make and what each breaks.
func vonageFaults() []Fault {
	k := family(vonageProvider)
	refused := func(step string) map[string]string {
		return because("the request was answered instead of refused", step+"/vonage.problem.title")
	}
	own := []Fault{
		k(faultJWTSignatureUnchecked, "seed 004 Authentication", "Network enablement and the token endpoint accept an application JWT whatever its signature.",
			[]string{"enablement-bad-signature/http.status", "token-bad-jwt/oauth2.token.not-issued", "token-bad-jwt/oauth2.error.expected"},
			merged(refused("enablement-bad-signature"), because(whyNoError, onSteps([]string{"token-bad-jwt"}, "oauth2.error.code", "oauth2.error.status", "oauth2.error.www-authenticate")...))),
		k(faultJWTExpiryUnchecked, "seed 004 Authentication", "Network enablement accepts an application JWT that has expired.",
			[]string{"enablement-expired-jwt/http.status"}, refused("enablement-expired-jwt")),
		k(faultApplicationUnchecked, "seed 004 Authentication", "Network enablement accepts a JWT for an application it does not know.",
			[]string{"enablement-unknown-application/http.status"}, refused("enablement-unknown-application")),
		k(faultEnablementScopeLost, "seed 004 Network Enablement", "Network enablement leaves the requested scope out of its answer.",
			[]string{"enablement/vonage.enablement.auth-url", "enablement-other-number/vonage.enablement.auth-url", "authorize-again-enablement/vonage.enablement.auth-url"}, nil),
		k(faultUnknownScopeGranted, "seed 004 Network Enablement", "Network enablement hands out an authorize URL for a scope the application may not use.",
			[]string{"enablement-unknown-scope/vonage.enablement.no-auth-url"}, nil),
		k(faultUnknownScopeCrash, "seed 004 Network Enablement", "Network enablement fails with 500 when asked for a scope the application may not use.",
			[]string{"enablement-unknown-scope/http.status"}, nil),
		k(faultEnablementJSONRefused, "seed 004 Network Enablement", "Network enablement refuses the JSON body the seed documents (415).",
			append(onSteps([]string{"enablement", "enablement-other-number", "authorize-again-enablement"}, "vonage.enablement.auth-url"),
				"enablement/http.status", "enablement-scope-field/http.status"), nil),
		k(faultTokenJWTRefused, "seed 004 Authentication", "The token endpoint refuses the application JWT it should accept, asking for a client_secret.",
			append(onSteps([]string{"token"}, "http.status", "oauth2.token.access_token", "oauth2.token.token_type-bearer", "oauth2.token.expires_in-present"),
				"code-reuse/oauth2.error.expected", "exchange-other-redirect/oauth2.error.expected"), nil),
		k(faultAuthorizeErrorUnregistered, "RFC6749 4.1.2.1", "Authorization error redirects use the unregistered code bad_request.",
			[]string{"authorize-other-number/oauth2.redirect.error-code"}, nil),
		k(faultScopeFieldRefused, "seed 004 Network Enablement", "Network enablement reads only scopes, not the scope field the seed's table names.",
			[]string{"enablement-scope-field/http.status"}, nil),
		k(faultErrorCallbackNoState, "RFC6749 4.1.2.1", "Error callbacks leave out the state.",
			[]string{"authorize-other-number/oauth2.redirect.state-echoed"}, nil),
		{Provider: vonageProvider, Name: faultRedirectLoop, Clause: "RFC9110 15.4", Description: "The authorize URL redirects to itself, for ever.",
			Breaks: []string{"authorize/error", "authorize-other-number/error", "authorize-again/error",
				"authorize-unregistered-redirect/error", "authorize-unknown-client/error"}},
		k(faultProblemDetailsMissing, "seed 004 Errors", "Network enablement refuses with an empty body instead of problem details.",
			onSteps([]string{"enablement-bad-signature", "enablement-expired-jwt", "enablement-unknown-application"}, "vonage.problem.title"), nil),
		k(faultNoWWWAuthenticate, "RFC6749 5.2", "The token endpoint refuses a bad application JWT with 401 and no challenge.",
			[]string{"token-bad-jwt/oauth2.error.www-authenticate"}, nil),
	}
	return slices.Concat(tokenResponseFaults(vonageProvider), codeGrantFaults(vonageProvider), walkFaults(vonageProvider), camaraBodyFaults(vonageProvider),
		numberVerifyFaults(vonageProvider, otherAPISteps{}), own)
}
