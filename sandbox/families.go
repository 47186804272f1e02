package sandbox

// Fault families: deviations of the pieces every provider shares (the authorization server's
// token responses, the authorization walk, CAMARA errors, id_tokens), declared once. The checks
// they break are named without a step, so the declarations hold for every provider whose flows
// run those checks; a provider lists the families that apply to it.

// family makes a provider's fault.
func family(provider string) func(name, clause, description string, breaks []string, also map[string]string) Fault {
	return func(name, clause, description string, breaks []string, also map[string]string) Fault {
		return Fault{Provider: provider, Name: name, Clause: clause, Description: description, Breaks: breaks, Also: also}
	}
}

// tokenResponseFaults break a successful token response (RFC 6749 5.1).
func tokenResponseFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultAccessTokenMissing, "RFC6749 5.1", "Successful token responses carry no access_token.",
			[]string{"oauth2.token.access_token"}, nil),
		f(faultTokenTypeMissing, "RFC6749 5.1", "Token responses leave out token_type.",
			[]string{"oauth2.token.token_type-bearer"}, nil),
		f(faultExpiresInString, "RFC6749 5.1", "Token responses give expires_in as the string \"300\" instead of a number.",
			[]string{"oauth2.token.expires_in-integer"}, nil),
		f(faultExpiresInNegative, "RFC6749 5.1", "Token responses give expires_in as -300.",
			[]string{"oauth2.token.expires_in-integer"}, nil),
		f(faultExpiresInMissing, "RFC6749 5.1", "Successful token responses carry no expires_in.",
			[]string{"oauth2.token.expires_in-present"}, nil),
		f(faultNoCacheControl, "RFC6749 5.1", "Token endpoints send no Cache-Control header.",
			[]string{"oauth2.token.cache-control-no-store"}, nil),
		f(faultNoPragma, "RFC6749 5.1", "Token endpoints send no Pragma header.",
			[]string{"oauth2.token.pragma-no-cache"}, nil),
		f(faultTokenNotJSON, "RFC6749 5.1", "Successful token responses are labelled text/plain although the body is JSON.",
			[]string{"oauth2.token.content-type-json"}, nil),
	}
}

// codeGrantFaults break the token endpoint's errors and its checks of an authorization code
// (RFC 6749 4.1.3, 5.2), for a provider whose flows try code-reuse and exchange-other-redirect.
// Konera declares its own: its flows have more error steps, which these faults break too.
func codeGrantFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultTokenError200, "RFC6749 5.2", "OAuth errors from the token endpoint come back with HTTP status 200.",
			[]string{"oauth2.error.status"}, nil),
		f(faultTokenErrorUnregistered, "RFC6749 5.2", "OAuth errors from the token endpoint use the unregistered code request_failed.",
			[]string{"oauth2.error.code", "oauth2.error.expected"},
			map[string]string{"oauth2.error.status": "401 is for invalid_client alone, and the code is no longer invalid_client"}),
		f(faultCodeReusable, "RFC6749 4.1.2", "Authorization codes can be exchanged more than once.",
			notRefused("code-reuse"), noError("code-reuse")),
		f(faultTokenRedirectURIUnchecked, "RFC6749 4.1.3", "Code exchange ignores a redirect_uri that differs from the authorization's.",
			notRefused("exchange-other-redirect"), noError("exchange-other-redirect")),
	}
}

// notRefused is what a fault breaks when the token endpoint issues a token where step expects an
// error, and noError what the step's error checks then have nothing to look at.
func notRefused(step string) []string {
	return []string{step + "/oauth2.token.not-issued", step + "/oauth2.error.expected"}
}

func noError(step string) map[string]string {
	return because(whyNoError, onSteps([]string{step}, "oauth2.error.code", "oauth2.error.status")...)
}

// unreadableError: an error redirect whose Location the client cannot read loses its error too.
var unreadableError = map[string]string{"oauth2.redirect.expected-error": "the error comes back in a Location the client cannot read"}

// walkFaults break the authorization walk's last redirect and the redirect URI check (RFC 6749
// 4.1.2, 4.1.2.1, RFC 9700).
func walkFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultStateNotEchoed, "RFC6749 4.1.2", "Redirects back to the client drop the state parameter.",
			[]string{"oauth2.redirect.state-echoed"}, nil),
		f(faultCodeMissing, "RFC6749 4.1.2", "The successful redirect back to the client carries state but no code.",
			[]string{"oauth2.redirect.code"}, nil),
		f(faultRedirect307, "RFC9700 4.12", "The last redirect back to the client uses 307 instead of 302.",
			[]string{"oauth2.redirect.not-307"}, nil),
		f(faultLocationRelative, "RFC6749 3.1.2", "The last redirect names the client's callback by a relative Location, on the server's own host.",
			[]string{"oauth2.redirect.code", "oauth2.redirect.state-echoed"}, unreadableError),
		f(faultLocationUnparseable, "RFC9110 10.2.2", "The last redirect's Location is not a URL (a bad %-escape), with the code inside.",
			[]string{"oauth2.redirect.code", "oauth2.redirect.state-echoed"}, unreadableError),
		f(faultRedirectURIUnchecked, "RFC6749 4.1.2.1", "The authorize endpoint redirects to whatever redirect_uri it is given.",
			[]string{"oauth2.redirect.not-redirected"}, nil),
		f(faultUnknownClientRedirected, "RFC6749 4.1.2.1", "The authorize endpoint redirects for a client_id it does not know.",
			[]string{"authorize-unknown-client/oauth2.redirect.not-redirected"}, nil),
	}
}

// camaraErrorFaults break CAMARA's error body and headers (Design Guide 3.1, 5.8.5, RFC 9110):
// the body faults, and those of the correlation header and the Commonalities version.
func camaraErrorFaults(provider string) []Fault {
	return append(camaraBodyFaults(provider), camaraHeaderFaults(provider)...)
}

// camaraBodyFaults break CAMARA's error body and the challenge of its 401s.
func camaraBodyFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultCamaraErrorNoCode, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies leave out code.",
			[]string{"camara.error.code", "camara.code"}, because(whyCodeNeeded, "camara.code.out-of-range", "camara.code.invalid-argument")),
		f(faultCamaraErrorNoMessage, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies leave out message.",
			[]string{"camara.error.message"}, nil),
		f(faultCamaraStatusMismatch, "CAMARA Design Guide 3.1 ErrorInfo", "CAMARA error bodies say status 400 whatever the HTTP status is.",
			[]string{"camara.error.status"}, nil),
		f(faultUnauthenticatedNoChallenge, "RFC9110 15.5.2", "CAMARA endpoints answer 401 without a WWW-Authenticate challenge.",
			[]string{"camara.error.www-authenticate"}, nil),
	}
}

// camaraHeaderFaults break the correlation header and the Commonalities version a CAMARA API
// sends (Design Guide 5.8.5).
func camaraHeaderFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultCorrelatorNotEchoed, "CAMARA Design Guide 5.8.5", "CAMARA endpoints do not send the correlation header (x-correlator) back.",
			[]string{"camara.correlator.echoed"}, nil),
		f(faultCommonalitiesMalformed, "CAMARA Commonalities 0.8 x-camara-commonalities", "CAMARA responses send x-camara-commonalities: v0.6 (not a release number).",
			[]string{"camara.commonalities-version"}, nil),
		f(faultCorrelatorUnvalidated, "CAMARA Design Guide 5.8.5", "CAMARA endpoints accept a correlation value that breaks the pattern.",
			[]string{"invalid-correlator/http.status"},
			because(whyAnswered, append(onSteps([]string{"invalid-correlator"}, camaraErrorChecks...), "invalid-correlator/camara.code")...)),
	}
}

// otherAPISteps are the steps of a provider's other CAMARA APIs (SIM Swap's, for Konera) that the
// Number Verification faults break too, because the deviation is the provider's, not one API's.
type otherAPISteps struct {
	invalidToken, expiredToken, malformed []string // refusals that become answers
	answered                              []string // answers that become 500s
	results                               []string // the result checks of those answers
}

// numberVerifyFaults break Number Verification's verify in the steps every provider's flow gives
// it: verify-device and verify-other, their hashed pair, the malformed number, the body and token
// cases. other adds the provider's other APIs the same deviations break.
func numberVerifyFaults(provider string, other otherAPISteps) []Fault {
	f := family(provider)
	answered := func(steps ...string) map[string]string {
		return because(whyAnswered, append(onSteps(steps, camaraErrorChecks...), onSteps(steps, "camara.code")...)...)
	}
	refusal := func(name, clause, description string, steps ...string) Fault {
		return f(name, clause, description, onSteps(steps, "http.status"), answered(steps...))
	}
	bodySteps := []string{"verify-no-body", "verify-empty-body", "verify-unknown-property", "verify-both-fields"}
	results := []string{"verify-device", "verify-other", "verify-hashed-device", "verify-hashed-other"}
	return []Fault{
		refusal(faultVerifyAcceptsMissingToken, "CAMARA NV phone_number_verify_401.1_no_authorization_header",
			"Number Verification answers requests that carry no Authorization header.", "verify-no-token"),
		refusal(faultAPIAcceptsInvalidToken, "CAMARA NV phone_number_verify_401.3_invalid_access_token",
			"The CAMARA APIs accept bearer tokens they never issued.", append([]string{"verify-invalid-token"}, other.invalidToken...)...),
		refusal(faultExpiredTokenAccepted, "CAMARA NV phone_number_verify_401.2_expired_access_token",
			"The CAMARA APIs accept expired access tokens.", append([]string{"verify-expired-token"}, other.expiredToken...)...),
		refusal(faultPhoneNumberUnvalidated, "CAMARA NV phone_number_verify_C02.01_phone_number_not_schema_compliant",
			"The CAMARA APIs answer malformed phone numbers instead of refusing them.", append([]string{"verify-malformed"}, other.malformed...)...),
		refusal(faultVerifyBodyUnchecked, "CAMARA NV phone_number_verify_400.2_empty_request_body",
			"Number Verification answers for the device when the body is missing, empty, unknown or holds both fields.", bodySteps...),
		f(faultVerifyAlwaysTrue, "CAMARA NV phone_number_verify.03_validate_phone_number_success_false",
			"Number Verification says every well-formed number belongs to the device.",
			onSteps([]string{"verify-other", "verify-hashed-other"}, "camara.nv.verified"), nil),
		f(faultVerifyAlwaysFalse, "CAMARA NV phone_number_verify.02_validate_phone_number_success_true",
			"Number Verification says no well-formed number is the device's, not even its own.",
			onSteps([]string{"verify-device", "verify-hashed-device"}, "camara.nv.verified"), nil),
		f(faultAPIInternalError, "CAMARA NV phone_number_verify_01_generic_success_scenario",
			"The CAMARA APIs answer 500 INTERNAL wherever they should succeed.",
			onSteps(append(results, other.answered...), "http.status"),
			because(whyNoResult, append([]string{"camara.nv.verified", "pxg.assessed-at", "camara.correlator.echoed"}, other.results...)...)),
	}
}

// idTokenFaults break the id_tokens of a token response (OIDC Core 2, 3.1.3.3, 3.1.3.7).
func idTokenFaults(provider string) []Fault {
	f := family(provider)
	return []Fault{
		f(faultIDTokenMissing, "OIDC Core 3.1.3.3", "Token responses to an authorization with openid carry no id_token.",
			[]string{"oidc.id-token.present"}, nil),
		f(faultIDTokenWrongKey, "OIDC Core 3.1.3.7", "id_tokens are signed with a key the JWKS does not publish.",
			[]string{"oidc.id-token.signature"}, nil),
		f(faultIDTokenAlgNone, "OIDC Core 3.1.3.7", "id_tokens are unsigned, with alg none.",
			[]string{"oidc.id-token.alg", "oidc.id-token.signature"}, nil),
		f(faultIDTokenWrongIss, "OIDC Core 3.1.3.7", "id_tokens name another issuer.",
			[]string{"oidc.id-token.iss"}, nil),
		f(faultIDTokenWrongAud, "OIDC Core 3.1.3.7", "id_tokens name another audience than the client.",
			[]string{"oidc.id-token.aud"}, nil),
		f(faultIDTokenExpired, "OIDC Core 3.1.3.7", "id_tokens have expired when they are issued.",
			[]string{"oidc.id-token.exp"}, nil),
		f(faultIDTokenIATFuture, "OIDC Core 3.1.3.7", "id_tokens say they were issued an hour from now.",
			[]string{"oidc.id-token.iat"}, nil),
		f(faultIDTokenNoSub, "OIDC Core 2", "id_tokens carry no sub.",
			[]string{"oidc.id-token.sub"}, nil),
		f(faultIDTokenSubMSISDN, "CAMARA ICM ID token sub", "id_tokens carry the device's phone number as sub.",
			[]string{"oidc.id-token.sub-not-msisdn"}, nil),
		f(faultNonceNotEchoed, "OIDC Core 3.1.3.7", "id_tokens leave out the nonce the authorization request sent.",
			[]string{"oidc.id-token.nonce"}, nil),
	}
}
