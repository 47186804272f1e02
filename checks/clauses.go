package checks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Clause is one rule a check can cite: a section of a standard, a CAMARA test-definition
// scenario, a section of a provider's own document. A check's ref names clauses; every one must
// be in the registry, so a report's citation always points at something real.
type Clause struct {
	ID    string // as refs write it: "RFC6749 5.2", "CAMARA NV phone_number_verify_401.1_no_authorization_header"
	Title string
	// API, Feature and Tag identify a CAMARA test-definition scenario: the API ("Number
	// Verification", "SIM Swap"), the feature file's operation and the scenario's tag (tags repeat
	// across features, so feature and tag together are the key).
	API, Feature, Tag string
	// Untestable says why telconform cannot drive a provider into the scenario from outside
	// with a profile's data, for the scenarios no flow covers.
	Untestable string
}

// Scenario reports whether the clause is a CAMARA test-definition scenario.
func (c Clause) Scenario() bool { return c.Tag != "" }

var clauseRegistry = map[string]Clause{}

func clause(id, title string) {
	clauseRegistry[id] = Clause{ID: id, Title: title}
}

// scenario registers a CAMARA scenario: api is NV or SS, feature the operation, tag as the feature
// file writes it, and why it cannot be driven from outside ("" when a flow can).
func scenario(api, feature, tag, title, untestable string) {
	id := "CAMARA " + api + " " + tag
	if feature == "phoneNumberShare" {
		id = "CAMARA NV share " + tag
	}
	clauseRegistry[id] = Clause{ID: id, Title: title, API: apiNames[api], Feature: feature, Tag: tag, Untestable: untestable}
}

var apiNames = map[string]string{"NV": "Number Verification", "SS": "SIM Swap"}

// Reasons a CAMARA scenario cannot be driven from outside.
const (
	needsShare     = "GET /device-phone-number (phoneNumberShare) is not in any seed provider's document"
	needsHistory   = "needs a number with a SIM history the profile cannot set up (a swap at a given age, activation only)"
	needsPolicy    = "needs an operator that applies a monitored-period or legal limit the profile cannot know"
	needsUnknown   = "needs a number the operator does not serve, which the profile cannot name"
	needsNonNetAut = "needs a 3-legged token from an authentication that is not network-based (SMS, password), which the seed providers do not offer"
	needs3LeggedSS = "needs a 3-legged SIM Swap token, and no seed provider issues one (Konera's SIM Swap takes client-credentials tokens)"
)

func init() {
	// RFC 6749, OAuth 2.0.
	clause("RFC6749 2.1", "Client types: public and confidential")
	clause("RFC6749 2.3", "Client authentication: one method per request")
	clause("RFC6749 2.3.1", "Client password: HTTP Basic (form-encoded), or the body")
	clause("RFC6749 3.1.2", "Redirection endpoint: absolute URI, query kept")
	clause("RFC6749 3.1.2.4", "Invalid redirection endpoint: not redirected to")
	clause("RFC6749 3.2", "Token endpoint: POST, parameters sent at most once")
	clause("RFC6749 3.3", "Access token scope: a server may grant less than asked and says so")
	clause("RFC6749 4.1.2", "Authorization response: code and state")
	clause("RFC6749 4.1.2.1", "Authorization error response; no redirect to a bad redirect_uri")
	clause("RFC6749 4.1.3", "Access token request: redirect_uri identical")
	clause("RFC6749 4.1.4", "Access token response of the code grant")
	clause("RFC6749 4.4", "Client credentials grant")
	clause("RFC6749 4.4.2", "Client credentials access token request")
	clause("RFC6749 4.4.3", "Client credentials access token response: no refresh token")
	clause("RFC6749 5.1", "Successful token response: access_token, token_type, expires_in, no caching")
	clause("RFC6749 6", "Refreshing an access token: grant_type=refresh_token, the client authenticated")
	clause("RFC6749 5.2", "Token error response: 400 (401 for invalid_client), registered codes, challenge")
	clause("RFC6749 7.1", "Access token types: case-insensitive")
	clause("RFC6749 8.5", "Defining new error codes: the extensions registry")
	clause("RFC6749 10.5", "Authorization codes: short-lived, single use")
	clause("RFC6749 10.12", "Cross-site request forgery: state")
	// RFC 6750, bearer tokens.
	clause("RFC6750 3.1", "Bearer error codes: invalid_request, invalid_token (401), insufficient_scope (403)")
	clause("RFC6750 4", "Example access token response: token_type Bearer")
	// OAuth security and client assertions.
	clause("RFC9700 2.1", "Redirect URIs compared by exact string match")
	clause("RFC9700 4.12", "307 redirects after credentials: MUST NOT")
	clause("RFC7523 3", "JWT client authentication: iss, sub, aud, exp, signature")
	// HTTP.
	clause("RFC7617 2", "The Basic scheme: the challenge names a realm")
	clause("RFC6265 4.1.1", "Set-Cookie: a cookie and its attributes")
	clause("RFC6265 4.1.2.5", "The Secure cookie attribute: sent over secure channels only")
	clause("RFC6265 4.1.2.6", "The HttpOnly cookie attribute: out of reach of scripts")
	clause("RFC9110 10.2.2", "Location: a URI reference")
	clause("RFC9110 11.6.1", "WWW-Authenticate: one or more challenges")
	clause("RFC9110 15.4", "Redirection: a client detects redirect loops")
	clause("RFC9110 15.4.3", "302 Found: the client follows the Location")
	clause("RFC9110 15.4.4", "303 See Other: the client follows the Location with GET")
	clause("RFC9110 15.4.9", "308 Permanent Redirect")
	clause("RFC9110 15.5.2", "401 Unauthorized: at least one WWW-Authenticate challenge")
	clause("RFC9111 5.2", "Cache-Control directives")
	// OpenID Connect.
	clause("OIDC Core 2", "ID token: iss, sub, aud, exp, iat, nonce")
	clause("OIDC Core 3.1.2.6", "Authentication error response codes")
	clause("OIDC Core 3.1.3.3", "Token response: an id_token when openid was asked for")
	clause("OIDC Core 3.1.3.7", "ID token validation: signature, alg, iss, aud, exp, iat, nonce")
	// CAMARA documents.
	clause("CAMARA Design Guide 2.2", "Date-time values: RFC 3339 with a time zone")
	clause("CAMARA Design Guide 3.1 ErrorInfo", "Error body {status, code, message}")
	clause("CAMARA Design Guide 5.8.5", "x-correlator: echoed; an invalid one is 400 INVALID_ARGUMENT")
	clause("CAMARA ICM Appendix A", "Security and Interoperability Profile: normative OAuth errors")
	clause("CAMARA ICM login_hint", "Security and Interoperability Profile: a server that does not support login_hint may ignore it")
	clause("CAMARA ICM ID token sub", "Security and Interoperability Profile: sub is not the MSISDN; pairwise recommended")
	clause("CAMARA Commonalities 0.8 x-camara-commonalities", "The Commonalities release a response follows: 0.6 or a full version")
	clause("CAMARA SS CheckSimSwapInfo", "checkSimSwap 200 body: swapped, a boolean")
	clause("CAMARA NV test definitions", "Number Verification v2.1.0 test definitions (r3.2)")
	clause("CAMARA SS test definitions", "SIM Swap v2.1.0 test definitions (r3.3)")
	// The seed documents and the engine's own bench.
	clause("seed 000", "Konera aggregator: Building your first app")
	clause("seed 000 Client Credentials Flow", "Konera: Client Credentials Flow (Two-Legged)")
	clause("seed 000 OIDC Authorization Code Flow", "Konera: OIDC Authorization Code Flow (Three-Legged)")
	clause("seed 001", "Konera PXG: Number Verification V1")
	clause("seed 001 TokenResponse", "Konera PXG token response: access_token, token_type, expires_in, scope; refresh_token with offline_access; id_token with openid")
	clause("seed 001 NumberVerificationResult", "Konera PXG verify result: devicePhoneNumberVerified, assessedAt (date-time or null)")
	clause("seed 002", "Konekt REST API: how to authenticate")
	clause("seed 002 Session", "Konekt: a session from email and password, restored by cookie or sesskey, 20 minutes idle")
	clause("seed 002 Basic", "Konekt: HTTP Basic with email and password on every request")
	clause("seed 002 API Keys", "Konekt: view (GET) and regenerate (POST) the key; key as a parameter; sensitive endpoints refuse keys")
	clause("Hologram API envelope", "The public model of seed 002's API: {success, data} or {success: false, error}, status agreeing")
	clause("seed 003", "KPN Number Verify")
	clause("seed 003 Token", "KPN: POST /token with client_id, client_secret, scopes (a comma list) → a Bearer token")
	clause("seed 003 Insights", "KPN: POST /insights/{msisdn} (digits, no +): device_match or device_match_notify, operator_lookup")
	clause("seed 003 Session", "KPN: the session URI, opened by the device, starts the device match")
	clause("seed 003 Polling", "KPN: GET /polling with the polling_uri header: device_match null until the session, then the result")
	clause("seed 003 Notification", "KPN: after the session, the result is POSTed to notification_uri with Bearer notification_token")
	clause("KPN OpenAPI errors", "Number Verify - KPN OpenAPI 1.2.1: errors as {error_code, message}")
	clause("seed 004", "Vonage Network APIs: client authentication")
	clause("seed 004 Authentication", "Vonage: the application JWT as Bearer (RS256, the application's key)")
	clause("seed 004 Network Enablement", "Vonage: network enablement answers an authorize URL per scope")
	clause("seed 004 Errors", "Vonage's APIs answer errors as RFC 9457 problem details")
	clause("telconform lab", "The engine's test bench (not a provider)")

	// CAMARA Number Verification v2.1.0, phoneNumberVerify.
	v := func(tag, title, untestable string) { scenario("NV", "phoneNumberVerify", tag, title, untestable) }
	v("phone_number_verify_01_generic_success_scenario", "200, x-correlator echoed, the response schema", "")
	v("phone_number_verify.02_validate_phone_number_success_true", "the token's own number: true", "")
	v("phone_number_verify.03_validate_phone_number_success_false", "another valid number: false", "")
	v("phone_number_verify.04_validate_hashed_phone_number_success_true", "the SHA-256 of the token's number: true", "")
	v("phone_number_verify.05_validate_hashed_phone_number_success_false", "the SHA-256 of another number: false", "")
	v("phone_number_verify_400.1_no_request_body", "no body: 400 INVALID_ARGUMENT", "")
	v("phone_number_verify_400.2_empty_request_body", "{}: 400 INVALID_ARGUMENT", "")
	v("phone_number_verify_400.3_invalid_request_non_existing_property", "an unknown property alone: 400 INVALID_ARGUMENT", "")
	v("phone_number_verify_400.4_both_phone_number_and_hashed_in_request", "both fields: 400 INVALID_ARGUMENT", "")
	v("phone_number_verify_401.1_no_authorization_header", "no token: 401 UNAUTHENTICATED", "")
	v("phone_number_verify_401.2_expired_access_token", "an expired token: 401 UNAUTHENTICATED", "")
	v("phone_number_verify_401.3_invalid_access_token", "an invalid token: 401 UNAUTHENTICATED", "")
	v("phoneNumberVerify_403.1_invalid_token_permissions", "a token without the scope: 403 PERMISSION_DENIED", "")
	v("phoneNumberVerify_403.2_not_authenticated_using_network_or_sim_based_authentication",
		"a token not from network or SIM authentication: 403 NUMBER_VERIFICATION.USER_NOT_AUTHENTICATED_BY_MOBILE_NETWORK", "")
	v("phone_number_verify_C02.01_phone_number_not_schema_compliant", "a malformed phoneNumber: 400 INVALID_ARGUMENT", "")
	// phoneNumberShare.
	sh := func(tag, title string) { scenario("NV", "phoneNumberShare", tag, title, needsShare) }
	sh("phone_number_share_01_generic_success_scenario", "200, x-correlator echoed, the response schema")
	sh("phone_number_share_02_success_scenario", "devicePhoneNumber is the token's number")
	sh("phone_number_verify_401.1_no_authorization_header", "no token: 401 UNAUTHENTICATED")
	sh("phone_number_verify_401.2_expired_access_token", "an expired token: 401 UNAUTHENTICATED")
	sh("phone_number_verify_401.3_invalid_access_token", "an invalid token: 401 UNAUTHENTICATED")
	sh("phoneNumberShare_403.1_invalid_token_permissions", "a token without the scope: 403 PERMISSION_DENIED")
	sh("phoneNumberShare_403.2_not_authenticated_using_network_or_sim_based_authentication", "not network or SIM authentication: 403")

	// CAMARA SIM Swap v2.1.0, checkSimSwap.
	c := func(suffix, title, untestable string) {
		scenario("SS", "checkSimSwap", "check_sim_swap_"+suffix, title, untestable)
	}
	c("1_generic_success_scenario", "200, x-correlator echoed, the response schema", "")
	c("2_valid_sim_swap_no_max_age", "a swap within 240 h, no maxAge: true", "")
	c("3_valid_sim_swap_max_age", "maxAge at least the hours since the swap: true", "")
	c("4_more_than_240_hours", "a swap more than 240 h ago, no maxAge: false", needsHistory)
	c("5_out_of_max_age", "maxAge one hour short of the swap: false", needsHistory)
	c("6_no_sim_swap_no_max_age", "never swapped, no maxAge: false", "")
	c("7_no_sim_swap_with_max_age", "never swapped, with maxAge: false", "")
	c("401.1_no_authorization_header", "no token: 401 UNAUTHENTICATED", "")
	c("401.2_expired_access_token", "an expired token: 401 UNAUTHENTICATED", "")
	c("401.3_invalid_access_token", "an invalid token: 401 UNAUTHENTICATED", "")
	c("400.1_invalid_max_age", "maxAge breaks the schema: 400 INVALID_ARGUMENT", "")
	c("400.2_invalid_max_age_value", "maxAge 100000: 400 OUT_OF_RANGE", "")
	c("400.3_max_age_out_of_monitored_period", "maxAge beyond the operator's limit: 400 OUT_OF_RANGE", needsPolicy)
	c("C02.01_phone_number_not_schema_compliant", "a malformed phoneNumber: 400 INVALID_ARGUMENT", "")
	c("C02.02_phone_number_not_found", "an unknown number: 404 IDENTIFIER_NOT_FOUND", needsUnknown)
	c("C02.03_unnecessary_phone_number", "a 3-legged token and a phoneNumber: 422 UNNECESSARY_IDENTIFIER", needs3LeggedSS)
	c("C02.04_missing_phone_number", "a 2-legged token and no phoneNumber: 422 MISSING_IDENTIFIER", "")
	c("C02.05_phone_number_not_supported", "a number the service does not cover: 422 SERVICE_NOT_APPLICABLE", needsUnknown)
	// retrieveSimSwapDate.
	r := func(suffix, title, untestable string) {
		scenario("SS", "retrieveSimSwapDate", "retrieve_sim_swap_date_"+suffix, title, untestable)
	}
	r("1_generic_success_scenario", "200, x-correlator echoed, the response schema", "")
	r("2_valid_sim_swap", "latestSimChange is a valid timestamp", "")
	r("3_no_sim_swap_returns_activation_date", "never swapped: the activation date", needsHistory)
	r("4_sim_never_associated", "no SIM ever: latestSimChange null", needsHistory)
	r("5_no_sim_swap_or_activation_date_due_to_legal_constrain", "beyond the legal window: null, monitoredPeriod", needsPolicy)
	r("401.1_no_authorization_header", "no token: 401 UNAUTHENTICATED", "")
	r("401.2_expired_access_token", "an expired token: 401 UNAUTHENTICATED", "")
	r("401.3_invalid_access_token", "an invalid token: 401 UNAUTHENTICATED", "")
	r("C02.01_phone_number_not_schema_compliant", "a malformed phoneNumber: 400 INVALID_ARGUMENT", "")
	r("C02.02_phone_number_not_found", "an unknown number: 404 IDENTIFIER_NOT_FOUND", needsUnknown)
	r("C02.03_unnecessary_phone_number", "a 3-legged token and a phoneNumber: 422 UNNECESSARY_IDENTIFIER", needs3LeggedSS)
	r("C02.04_missing_phone_number", "a 2-legged token and no phoneNumber: 422 MISSING_IDENTIFIER", "")
	r("C02.05_phone_number_not_supported", "a number the service does not cover: 422 SERVICE_NOT_APPLICABLE", needsUnknown)
}

// LookupClause finds a clause by the id refs write.
func LookupClause(id string) (Clause, bool) {
	c, ok := clauseRegistry[id]
	return c, ok
}

// Clauses lists the registry, sorted by id.
func Clauses() []Clause {
	out := make([]Clause, 0, len(clauseRegistry))
	for _, c := range clauseRegistry {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Clause) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// sectionNumber is a bare section number that continues the document before it: the "10.12" of
// "RFC6749 4.1.2, 10.12".
var sectionNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)

// ParseRef reads a check's ref into the clauses it names. Parts are separated by ";"; within a
// part, "," separates sections of the same document; text in parentheses is a note. Every clause
// must be in the registry: the error names the first that is not, and the clauses returned are
// those that are (a user's flow may cite documents of its own).
func ParseRef(ref string) ([]Clause, error) {
	var out []Clause
	var firstErr error
	for _, part := range strings.Split(ref, ";") {
		part = strings.TrimSpace(stripNotes(part))
		if part == "" {
			continue
		}
		items := strings.Split(part, ",")
		first := strings.TrimSpace(items[0])
		doc := first
		if i := strings.LastIndexByte(first, ' '); i > 0 && sectionNumber.MatchString(first[i+1:]) {
			doc = first[:i]
		}
		for i, item := range items {
			id := strings.TrimSpace(item)
			if i > 0 {
				if !sectionNumber.MatchString(id) {
					if firstErr == nil {
						firstErr = fmt.Errorf("%q: after a comma, write a section of the same document, or start a new document after a semicolon", ref)
					}
					continue
				}
				id = doc + " " + id
			}
			c, ok := clauseRegistry[id]
			if !ok {
				if firstErr == nil {
					firstErr = fmt.Errorf("%q names %q, which is not a clause telconform knows (checks/clauses.go lists them)", ref, id)
				}
				continue
			}
			out = append(out, c)
		}
	}
	return out, firstErr
}

func stripNotes(s string) string {
	for {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			return s
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 {
			return s[:open]
		}
		s = s[:open] + s[open+end+1:]
	}
}
