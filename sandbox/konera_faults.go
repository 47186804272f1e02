package sandbox

import "slices"

// Konera fault names. Each switches on exactly one deviation from seed 000, RFC 6749 or CAMARA.
const (
	faultTokenTypeMissing           = "token-type-missing"
	faultExpiresInString            = "expires-in-string"
	faultExpiresInNegative          = "expires-in-negative"
	faultNoCacheControl             = "no-cache-control"
	faultNoPragma                   = "no-pragma"
	faultTokenNotJSON               = "token-not-json"
	faultAccessTokenMissing         = "access-token-missing"
	faultCCRefreshToken             = "cc-refresh-token"
	faultWrongSecretAccepted        = "wrong-secret-accepted"
	faultUnauthorizedClient         = "unauthorized-client"
	faultTokenError200              = "token-error-200"
	faultTokenErrorUnregistered     = "token-error-unregistered"
	faultNoWWWAuthenticate          = "no-www-authenticate"
	faultStateNotEchoed             = "state-not-echoed"
	faultCodeMissing                = "code-missing"
	faultRedirect307                = "redirect-307"
	faultLocationRelative           = "location-relative"
	faultLocationUnparseable        = "location-unparseable"
	faultAuthorizeErrorUnregistered = "authorize-error-unregistered"
	faultRedirectURIUnchecked       = "redirect-uri-unchecked"
	faultUnknownClientRedirected    = "unknown-client-redirected"
	faultUnauthenticatedNoChallenge = "camara-401-no-challenge"
	faultCodeReusable               = "code-reusable"
	faultTokenRedirectURIUnchecked  = "token-redirect-uri-unchecked"
	faultAPIAcceptsInvalidToken     = "api-accepts-invalid-token"
	faultExpiredTokenAccepted       = "expired-token-accepted"
	faultSimSwapAcceptsMissingToken = "sim-swap-accepts-missing-token"
	faultVerifyAcceptsMissingToken  = "verify-accepts-missing-token"
	faultVerifyAccepts2Legged       = "verify-accepts-2legged"
	faultVerifyScopeUnchecked       = "verify-scope-unchecked"
	faultVerifyAlwaysTrue           = "verify-always-true"
	faultPhoneNumberUnvalidated     = "phone-number-unvalidated"
	faultMaxAgeUnchecked            = "max-age-unchecked"
	faultMaxAgeInvalidArgument      = "max-age-invalid-argument"
	faultCamaraErrorNoCode          = "camara-error-no-code"
	faultCamaraErrorNoMessage       = "camara-error-no-message"
	faultCamaraStatusMismatch       = "camara-status-mismatch"
	faultCommonalitiesMalformed     = "commonalities-malformed"
	faultSwappedAsString            = "swapped-as-string"
	faultSwapNotDetected            = "swap-not-detected"
	faultSwapDateNotRFC3339         = "swap-date-not-rfc3339"
	faultCorrelatorNotEchoed        = "correlator-not-echoed"
	faultExpiresInMissing           = "expires-in-missing"
	faultVerifyAlwaysFalse          = "verify-always-false"
	faultAPIInternalError           = "api-internal-error"
	faultClientCredentialsRefused   = "client-credentials-refused"
	faultCodeExchangeRefused        = "code-exchange-refused"
	faultTokenBearerUnchecked       = "token-bearer-unchecked"
	faultRepeatedParamAccepted      = "repeated-parameter-accepted"
	faultVerifyBodyUnchecked        = "verify-body-unchecked"
	faultMissingIdentifierAccepted  = "missing-identifier-accepted"
	faultCorrelatorUnvalidated      = "correlator-unvalidated"
	faultMaxAgeZeroOutOfRange       = "max-age-zero-out-of-range"
)

// Reasons shared by many declarations.
const (
	whyAnswered   = "the request was answered instead of refused, so there is no error body"
	whyNoToken    = "the endpoint refused, so there is no token to look at"
	whyNoError    = "a token was issued instead of an error"
	whyNoResult   = "an error response carries no result"
	whyCodeNeeded = "the code the scenario expects is not there"
)

// The steps of the Konera flows that ask for a token, and the response members a refusal lacks.
var (
	koneraTokenSteps  = []string{"token", "cc-token"}
	koneraErrorSteps  = []string{"wrong-secret", "unsupported-grant", "code-reuse", "exchange-bad-bearer"}
	tokenMembers      = []string{"oauth2.token.access_token", "oauth2.token.expires_in-present", "oauth2.token.token_type-bearer"}
	camaraErrorChecks = []string{"camara.error.status", "camara.error.code", "camara.error.message"}
	oauthErrorChecks  = []string{"oauth2.error.code", "oauth2.error.status", "http.status"}
)

// koneraFaults lists the deviations the Konera sandbox can make, with a line for --help each and
// what each breaks.
func koneraFaults() []Fault {
	k := func(name, clause, description string, breaks []string, also map[string]string) Fault {
		return Fault{Provider: koneraProvider, Name: name, Clause: clause, Description: description, Breaks: breaks, Also: also}
	}
	answered := func(steps ...string) map[string]string {
		return because(whyAnswered, append(onSteps(steps, camaraErrorChecks...), onSteps(steps, "camara.code")...)...)
	}
	noToken := because(whyNoToken, tokenMembers...)
	faults := []Fault{
		k(faultCCRefreshToken, "RFC6749 4.4.3", "Client-credentials responses include a refresh_token they should not have.",
			[]string{"oauth2.token.no-refresh-token"}, nil),

		// Client authentication and token errors (RFC 6749 2.3, 5.2).
		k(faultWrongSecretAccepted, "RFC6749 5.2", "The client-credentials endpoint lets a known client in with any secret.",
			[]string{"wrong-secret/oauth2.token.not-issued", "wrong-secret/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"wrong-secret"}, oauthErrorChecks...)...)),
		k(faultRepeatedParamAccepted, "RFC6749 3.2", "The client-credentials endpoint takes the first of a parameter sent twice instead of refusing the request.",
			notRefused("repeated-parameter"), noError("repeated-parameter")),
		k(faultUnauthorizedClient, "RFC6749 5.2", "A wrong client secret is refused with 400 unauthorized_client, as Keycloak does, not 401 invalid_client.",
			[]string{"wrong-secret/oauth2.error.expected", "wrong-secret/http.status"}, nil),
		k(faultClientCredentialsRefused, "RFC6749 4.4.3", "The client-credentials endpoint turns away the right secret as if it were wrong.",
			onSteps(koneraTokenSteps, "http.status"), noToken),
		k(faultTokenError200, "RFC6749 5.2", "OAuth errors from the token endpoints come back with HTTP status 200.",
			append([]string{"oauth2.error.status"}, onSteps(koneraErrorSteps, "http.status")...), nil),
		k(faultTokenErrorUnregistered, "RFC6749 5.2", "OAuth errors from the token endpoints use the unregistered code request_failed.",
			[]string{"oauth2.error.code", "oauth2.error.expected"},
			map[string]string{"oauth2.error.status": "401 is for invalid_client alone, and the code is no longer invalid_client"}),
		k(faultNoWWWAuthenticate, "RFC6749 5.2", "The code-exchange endpoint answers 401 without a WWW-Authenticate challenge.",
			[]string{"oauth2.error.www-authenticate"}, nil),

		k(faultAuthorizeErrorUnregistered, "RFC6749 4.1.2.1", "Authorization error redirects use the unregistered code bad_request.",
			[]string{"oauth2.redirect.error-code", "oauth2.redirect.expected-error"}, nil),
		k(faultCodeReusable, "RFC6749 4.1.2", "Authorization codes can be exchanged more than once.",
			[]string{"code-reuse/oauth2.token.not-issued", "code-reuse/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"code-reuse"}, oauthErrorChecks...)...)),
		k(faultTokenRedirectURIUnchecked, "RFC6749 4.1.3", "Code exchange ignores a redirect_uri that differs from the authorization's.",
			[]string{"exchange-other-redirect/oauth2.token.not-issued", "exchange-other-redirect/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"exchange-other-redirect"}, oauthErrorChecks...)...)),
		{Provider: koneraProvider, Name: faultCodeExchangeRefused, Clause: "RFC6749 4.1.4",
			Description: "Code exchange refuses valid codes as invalid_grant and leaves them unused.",
			Breaks:      onSteps([]string{"token-exchange", "exchange-without-api-scope"}, "http.status"), Also: noToken,
			With: []string{tolScopeNarrowed}},
		k(faultTokenBearerUnchecked, "RFC6749 5.2", "Code exchange takes any bearer token, or none, as the registered client's.",
			[]string{"exchange-bad-bearer/oauth2.token.not-issued", "exchange-bad-bearer/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"exchange-bad-bearer"}, oauthErrorChecks...)...)),

		// CAMARA APIs: authentication (RFC 6750, CAMARA 401/403 scenarios).
		k(faultSimSwapAcceptsMissingToken, "CAMARA SS check_sim_swap_401.1_no_authorization_header", "SIM Swap answers requests that carry no Authorization header.",
			onSteps([]string{"no-token", "retrieve-date-no-token"}, "http.status"), answered("no-token", "retrieve-date-no-token")),
		k(faultMissingIdentifierAccepted, "CAMARA SS check_sim_swap_C02.04_missing_phone_number", "SIM Swap answers a 2-legged request that names no phone number.",
			onSteps([]string{"check-missing-number", "retrieve-date-missing-number"}, "http.status"), answered("check-missing-number", "retrieve-date-missing-number")),
		k(faultVerifyAccepts2Legged, "CAMARA NV phoneNumberVerify_403.1_invalid_token_permissions", "Number Verification accepts a client-credentials token as if the device had signed in.",
			[]string{"verify-2legged/http.status"}, answered("verify-2legged")),
		{Provider: koneraProvider, Name: faultVerifyScopeUnchecked, Clause: "CAMARA NV phoneNumberVerify_403.1_invalid_token_permissions",
			Description: "Number Verification accepts a device token granted without number-verification:verify.",
			Breaks:      []string{"verify-without-api-scope/http.status"}, Also: answered("verify-without-api-scope"),
			With: []string{tolScopeNarrowed}},

		// CAMARA APIs: requests and results.
		k(faultMaxAgeUnchecked, "CAMARA SS check_sim_swap_400.2_invalid_max_age_value", "SIM Swap check uses any integer maxAge, even outside 1 to 2400.",
			onSteps([]string{"max-age-out-of-range", "max-age-just-above", "max-age-zero"}, "http.status"),
			merged(answered("max-age-out-of-range", "max-age-just-above", "max-age-zero"),
				because(whyCodeNeeded, "camara.code.out-of-range", "camara.code.invalid-argument"))),
		k(faultMaxAgeZeroOutOfRange, "CAMARA SS check_sim_swap_400.1_invalid_max_age", "A maxAge below 1 is refused as OUT_OF_RANGE instead of INVALID_ARGUMENT.",
			[]string{"max-age-zero/camara.code.invalid-argument"}, nil),
		k(faultMaxAgeInvalidArgument, "CAMARA SS check_sim_swap_400.2_invalid_max_age_value", "An out-of-range maxAge is refused as INVALID_ARGUMENT instead of OUT_OF_RANGE.",
			[]string{"max-age-out-of-range/camara.code", "camara.code.out-of-range"}, nil),
		k(faultSwappedAsString, "CAMARA SS CheckSimSwapInfo", "SIM Swap check sends swapped as the string \"true\" or \"false\".",
			[]string{"camara.sim-swap.swapped-boolean", "camara.sim-swap.swapped"}, nil),
		k(faultSwapNotDetected, "CAMARA SS check_sim_swap_3_valid_sim_swap_max_age", "SIM Swap check never reports a swap.",
			onSteps([]string{"check-swapped", "check-swapped-default-max-age"}, "camara.sim-swap.swapped"), nil),
		k(faultSwapDateNotRFC3339, "CAMARA Design Guide 2.2", "SIM Swap retrieve-date sends latestSimChange without the T and the time zone.",
			[]string{"camara.sim-swap.latest-sim-change"}, nil),
	}
	return slices.Concat(clientAuthFaults(koneraProvider, koneraTokenSteps, []string{"wrong-secret"}),
		tokenResponseFaults(koneraProvider), walkFaults(koneraProvider), camaraErrorFaults(koneraProvider),
		numberVerifyFaults(koneraProvider, otherAPISteps{
			invalidToken: []string{"invalid-token", "retrieve-date-invalid-token"},
			expiredToken: []string{"expired-token", "retrieve-date-expired-token"},
			malformed:    []string{"malformed-number", "retrieve-date-malformed"},
			answered: []string{"check-swapped", "check-not-swapped", "retrieve-date",
				"check-swapped-default-max-age", "check-not-swapped-default-max-age"},
			results: []string{"camara.sim-swap.swapped", "camara.sim-swap.swapped-boolean", "camara.sim-swap.latest-sim-change"},
		}), faults)
}
