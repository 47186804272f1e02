package sandbox

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
		// Token responses (RFC 6749 5.1).
		k(faultAccessTokenMissing, "RFC6749 5.1", "Successful token responses carry no access_token.",
			[]string{"oauth2.token.access_token"}, nil),
		k(faultTokenTypeMissing, "RFC6749 5.1", "Token responses leave out token_type.",
			[]string{"oauth2.token.token_type-bearer"}, nil),
		k(faultExpiresInString, "RFC6749 5.1", "Token responses give expires_in as the string \"300\" instead of a number.",
			[]string{"oauth2.token.expires_in-integer"}, nil),
		k(faultExpiresInNegative, "RFC6749 5.1", "Token responses give expires_in as -300.",
			[]string{"oauth2.token.expires_in-integer"}, nil),
		k(faultExpiresInMissing, "RFC6749 5.1", "Successful token responses carry no expires_in.",
			[]string{"oauth2.token.expires_in-present"}, nil),
		k(faultNoCacheControl, "RFC6749 5.1", "Token endpoints send no Cache-Control header.",
			[]string{"oauth2.token.cache-control-no-store"}, nil),
		k(faultNoPragma, "RFC6749 5.1", "Token endpoints send no Pragma header.",
			[]string{"oauth2.token.pragma-no-cache"}, nil),
		k(faultTokenNotJSON, "RFC6749 5.1", "Successful token responses are labelled text/plain although the body is JSON.",
			[]string{"oauth2.token.content-type-json"}, nil),
		k(faultCCRefreshToken, "RFC6749 4.4.3", "Client-credentials responses include a refresh_token they should not have.",
			[]string{"oauth2.token.no-refresh-token"}, nil),

		// Client authentication and token errors (RFC 6749 2.3, 5.2).
		k(faultWrongSecretAccepted, "RFC6749 5.2", "The client-credentials endpoint lets a known client in with any secret.",
			[]string{"wrong-secret/oauth2.token.not-issued", "wrong-secret/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"wrong-secret"}, oauthErrorChecks...)...)),
		k(faultRepeatedParamAccepted, "RFC6749 3.2", "The client-credentials endpoint takes the first of a parameter sent twice instead of refusing the request.",
			[]string{"repeated-parameter/oauth2.token.not-issued", "repeated-parameter/oauth2.error.expected"},
			because(whyNoError, onSteps([]string{"repeated-parameter"}, "oauth2.error.code", "oauth2.error.status")...)),
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

		// The authorization code flow (RFC 6749 4.1, RFC 9700).
		k(faultStateNotEchoed, "RFC6749 4.1.2", "Redirects back to the client drop the state parameter.",
			[]string{"oauth2.redirect.state-echoed"}, nil),
		k(faultCodeMissing, "RFC6749 4.1.2", "The successful redirect back to the client carries state but no code.",
			[]string{"oauth2.redirect.code"}, nil),
		k(faultRedirect307, "RFC9700 4.12", "The last redirect back to the client uses 307 instead of 302.",
			[]string{"oauth2.redirect.not-307"}, nil),
		k(faultLocationRelative, "RFC6749 3.1.2", "The last redirect names the client's callback by a relative Location, on the server's own host.",
			[]string{"oauth2.redirect.code", "oauth2.redirect.state-echoed"}, nil),
		k(faultLocationUnparseable, "RFC9110 10.2.2", "The last redirect's Location is not a URL (a bad %-escape), with the code inside.",
			[]string{"oauth2.redirect.code", "oauth2.redirect.state-echoed"}, nil),
		k(faultAuthorizeErrorUnregistered, "RFC6749 4.1.2.1", "Authorization error redirects use the unregistered code bad_request.",
			[]string{"oauth2.redirect.error-code", "oauth2.redirect.expected-error"}, nil),
		k(faultRedirectURIUnchecked, "RFC6749 4.1.2.1", "The authorize endpoint redirects to whatever redirect_uri it is given.",
			[]string{"oauth2.redirect.not-redirected"}, nil),
		k(faultUnknownClientRedirected, "RFC6749 4.1.2.1", "The authorize endpoint redirects for a client_id it does not know.",
			[]string{"authorize-unknown-client/oauth2.redirect.not-redirected"}, nil),
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
		k(faultAPIAcceptsInvalidToken, "CAMARA SS check_sim_swap_401.3_invalid_access_token", "SIM Swap and Number Verification accept bearer tokens they never issued.",
			onSteps([]string{"invalid-token", "verify-invalid-token"}, "http.status"), answered("invalid-token", "verify-invalid-token")),
		k(faultExpiredTokenAccepted, "CAMARA SS check_sim_swap_401.2_expired_access_token", "SIM Swap and Number Verification accept expired access tokens.",
			[]string{"expired-token/http.status"}, answered("expired-token")),
		k(faultSimSwapAcceptsMissingToken, "CAMARA SS check_sim_swap_401.1_no_authorization_header", "SIM Swap answers requests that carry no Authorization header.",
			[]string{"no-token/http.status"}, answered("no-token")),
		k(faultVerifyAcceptsMissingToken, "CAMARA NV phone_number_verify_401.1_no_authorization_header", "Number Verification answers requests that carry no Authorization header.",
			[]string{"verify-no-token/http.status"}, answered("verify-no-token")),
		k(faultVerifyAccepts2Legged, "CAMARA NV phoneNumberVerify_403.1_invalid_token_permissions", "Number Verification accepts a client-credentials token as if the device had signed in.",
			[]string{"verify-2legged/http.status"}, answered("verify-2legged")),
		{Provider: koneraProvider, Name: faultVerifyScopeUnchecked, Clause: "CAMARA NV phoneNumberVerify_403.1_invalid_token_permissions",
			Description: "Number Verification accepts a device token granted without number-verification:verify.",
			Breaks:      []string{"verify-without-api-scope/http.status"}, Also: answered("verify-without-api-scope"),
			With: []string{tolScopeNarrowed}},

		// CAMARA APIs: requests and results.
		k(faultPhoneNumberUnvalidated, "CAMARA NV phone_number_verify_C02.01_phone_number_not_schema_compliant", "SIM Swap and Number Verification answer malformed phone numbers instead of refusing them.",
			onSteps([]string{"malformed-number", "verify-malformed"}, "http.status"), answered("malformed-number", "verify-malformed")),
		k(faultMaxAgeUnchecked, "CAMARA SS check_sim_swap_400.2_invalid_max_age_value", "SIM Swap check uses any integer maxAge, even outside 1 to 2400.",
			onSteps([]string{"max-age-out-of-range", "max-age-just-above"}, "http.status"),
			merged(answered("max-age-out-of-range", "max-age-just-above"), because(whyCodeNeeded, "camara.code.out-of-range"))),
		k(faultMaxAgeInvalidArgument, "CAMARA SS check_sim_swap_400.2_invalid_max_age_value", "An out-of-range maxAge is refused as INVALID_ARGUMENT instead of OUT_OF_RANGE.",
			[]string{"max-age-out-of-range/camara.code", "camara.code.out-of-range"}, nil),
		k(faultSwappedAsString, "CAMARA SS CheckSimSwapInfo", "SIM Swap check sends swapped as the string \"true\" or \"false\".",
			[]string{"camara.sim-swap.swapped-boolean", "camara.sim-swap.swapped"}, nil),
		k(faultSwapNotDetected, "CAMARA SS check_sim_swap_3_valid_sim_swap_max_age", "SIM Swap check never reports a swap.",
			[]string{"check-swapped/camara.sim-swap.swapped"}, nil),
		k(faultSwapDateNotRFC3339, "CAMARA Design Guide 2.2", "SIM Swap retrieve-date sends latestSimChange without the T and the time zone.",
			[]string{"camara.sim-swap.latest-sim-change"}, nil),
		k(faultVerifyAlwaysTrue, "CAMARA NV phone_number_verify.03_validate_phone_number_success_false", "Number Verification says every well-formed number belongs to the device.",
			[]string{"verify-other/camara.nv.verified"}, nil),
		k(faultVerifyAlwaysFalse, "CAMARA NV phone_number_verify.02_validate_phone_number_success_true", "Number Verification says no well-formed number is the device's, not even its own.",
			[]string{"verify-device/camara.nv.verified"}, nil),
		k(faultAPIInternalError, "CAMARA SS check_sim_swap_1_generic_success_scenario", "SIM Swap and Number Verification answer 500 INTERNAL wherever they should succeed.",
			onSteps([]string{"check-swapped", "check-not-swapped", "retrieve-date", "verify-device", "verify-other"}, "http.status"),
			because(whyNoResult, "camara.sim-swap.swapped", "camara.sim-swap.swapped-boolean", "camara.sim-swap.latest-sim-change", "camara.nv.verified")),

		// CAMARA error bodies and headers (Design Guide 3.1, 5.8.5).
		k(faultCamaraErrorNoCode, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies leave out code.",
			[]string{"camara.error.code", "camara.code"}, because(whyCodeNeeded, "camara.code.out-of-range")),
		k(faultCamaraErrorNoMessage, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies leave out message.",
			[]string{"camara.error.message"}, nil),
		k(faultCamaraStatusMismatch, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies say status 400 whatever the HTTP status is.",
			[]string{"camara.error.status"}, nil),
		k(faultUnauthenticatedNoChallenge, "RFC9110 15.5.2", "CAMARA endpoints answer 401 without a WWW-Authenticate challenge.",
			[]string{"camara.error.www-authenticate"}, nil),
		k(faultCorrelatorNotEchoed, "CAMARA Design Guide 5.8.5", "CAMARA endpoints do not send the x-correlator header back.",
			[]string{"camara.x-correlator.echoed"}, nil),
		k(faultCommonalitiesMalformed, "CAMARA Commonalities 0.8 x-camara-commonalities", "CAMARA responses send x-camara-commonalities: v0.6 (not a release number).",
			[]string{"camara.commonalities-version"}, nil),
	}
	return append(clientAuthFaults(koneraProvider, koneraTokenSteps, []string{"wrong-secret"}), faults...)
}
