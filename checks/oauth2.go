package checks

import (
	"strconv"
	"strings"
)

// tokenErrorCodes are the error codes RFC 6749 5.2 defines for the token endpoint.
var tokenErrorCodes = []string{
	"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope",
}

// extensionErrorCodes are codes registered in the IANA OAuth Extensions Error Registry, which
// RFC 6749 8.5 lets a server use beside its own: RFC 6750 (bearer), RFC 7009 (revocation),
// RFC 8628 and OpenID CIBA (polling), RFC 8707 (resource indicators), RFC 9396 (authorization
// details), RFC 9449 (DPoP), RFC 9470 (step-up), RFC 7591 (registration), OIDC Core 3.1.2.6.
var extensionErrorCodes = []string{
	"invalid_token", "insufficient_scope", "unsupported_token_type", "authorization_pending",
	"slow_down", "access_denied", "expired_token", "invalid_target", "invalid_authorization_details",
	"invalid_dpop_proof", "use_dpop_nonce", "insufficient_user_authentication", "invalid_redirect_uri",
	"invalid_client_metadata", "invalid_software_statement", "unapproved_software_statement",
	"interaction_required", "login_required", "account_selection_required", "consent_required",
	"invalid_request_uri", "invalid_request_object", "request_not_supported",
	"request_uri_not_supported", "registration_not_supported", "unknown_user_id",
}

// authorizeErrorCodes are the codes an authorization error redirect may carry: RFC 6749 4.1.2.1
// and the additions of OIDC Core 3.1.2.6 (which CAMARA's profile lists in its Appendix A).
var authorizeErrorCodes = []string{
	"invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
	"invalid_scope", "server_error", "temporarily_unavailable",
	"interaction_required", "login_required", "account_selection_required", "consent_required",
	"invalid_request_uri", "invalid_request_object", "request_not_supported",
	"request_uri_not_supported", "registration_not_supported",
}

// TokenResponse is the pack for a successful OAuth2 access token response (RFC 6749 5.1).
var TokenResponse = register(&Pack{
	Name:  "oauth2.token",
	Title: "OAuth2 access token response (RFC 6749 5.1)",
	Checks: []PackCheck{
		{
			ID: "oauth2.token.content-type-json", Level: LevelFail, Ref: "RFC6749 5.1",
			Explain: "A token response is a JSON document served as application/json.",
			Target:  "header Content-Type",
			eval: func(ev *Evidence) verdict {
				ct := header(ev, "Content-Type")
				return holds(isJSONContentType(ct), "application/json", ct)
			},
		},
		{
			ID: "oauth2.token.access_token", Level: LevelFail, Ref: "RFC6749 5.1",
			Explain: "The response carries the access token the client asked for.",
			Target:  "body access_token",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "access_token")
				return holds(v.Kind == KindString && v.Str != "", "non-empty string", v)
			},
		},
		{
			ID: "oauth2.token.token_type-bearer", Level: LevelFail, Ref: "RFC6749 5.1, 7.1; RFC6750 4",
			Explain: "token_type is required and says how to use the token; the value is case-insensitive.",
			Target:  "body token_type",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "token_type")
				return holds(v.Kind == KindString && strings.EqualFold(v.Str, "Bearer"), `string "Bearer" (any case)`, v)
			},
		},
		{
			ID: "oauth2.token.expires_in-present", Level: LevelWarn, Ref: "RFC6749 5.1 (RECOMMENDED)",
			Explain: "Without expires_in a client cannot know when to fetch a new token.",
			Target:  "body expires_in",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "expires_in")
				return holds(v.Present(), "present", v)
			},
		},
		{
			ID: "oauth2.token.expires_in-integer", Level: LevelFail, Ref: "RFC6749 5.1",
			Explain: "expires_in is a lifetime in seconds: a positive JSON number, not a string.",
			Target:  "body expires_in",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "expires_in")
				if !v.Present() {
					return notApplicable("absent (see oauth2.token.expires_in-present)")
				}
				return holds(v.IsInteger() && v.Num > 0, "positive integer", v)
			},
		},
		{
			ID: "oauth2.token.cache-control-no-store", Level: LevelFail, Ref: "RFC6749 5.1",
			Explain: "Responses carrying tokens must not be stored by caches.",
			Target:  "header Cache-Control",
			eval: func(ev *Evidence) verdict {
				v := header(ev, "Cache-Control")
				return holds(hasDirective(v, "no-store"), "no-store", v)
			},
		},
		{
			ID: "oauth2.token.pragma-no-cache", Level: LevelWarn, Ref: "RFC6749 5.1 (Pragma is obsoleted by RFC 9111)",
			Explain: "RFC 6749 also asks for Pragma: no-cache, for HTTP/1.0 caches.",
			Target:  "header Pragma",
			eval: func(ev *Evidence) verdict {
				v := header(ev, "Pragma")
				return holds(hasDirective(v, "no-cache"), "no-cache", v)
			},
		},
	},
})

// TokenError is the pack for an OAuth2 error response from the token endpoint (RFC 6749 5.2).
var TokenError = register(&Pack{
	Name:  "oauth2.error",
	Title: "OAuth2 token error response (RFC 6749 5.2)",
	Checks: []PackCheck{
		{
			ID: "oauth2.error.status", Level: LevelFail, Ref: "RFC6749 5.2",
			Explain: "Token errors are 400 Bad Request; 401 is for a client that failed to authenticate: invalid_client, or invalid_token for one that authenticated with a bearer token (RFC 6750 3.1).",
			Target:  "status",
			eval: func(ev *Evidence) verdict {
				v := NumberValue(float64(ev.Status))
				if code := body(ev, "error").Str; code == "invalid_client" || code == "invalid_token" {
					return holds(ev.Status == 400 || ev.Status == 401, "number 400 or 401 ("+code+")", v)
				}
				return holds(ev.Status == 400, "number 400 (401 only for invalid_client or invalid_token)", v)
			},
		},
		{
			ID: "oauth2.error.code", Level: LevelFail, Ref: "RFC6749 5.2, 8.5",
			Explain: "The error member names a code RFC 6749 defines, or one registered in the OAuth Extensions Error Registry.",
			Target:  "body error",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "error")
				ok := oneOfStrings(v, tokenErrorCodes) || oneOfStrings(v, extensionErrorCodes)
				return holds(ok, "one of "+strings.Join(tokenErrorCodes, ", ")+", or a registered extension code", v)
			},
		},
		{
			ID: "oauth2.error.www-authenticate", Level: LevelFail, Ref: "RFC6749 5.2; RFC7617 2",
			Explain: "A client that authenticated with the Authorization header and failed gets 401 with a WWW-Authenticate challenge for the same scheme; a Basic challenge names its realm.",
			Target:  "header WWW-Authenticate",
			eval: func(ev *Evidence) verdict {
				if !ev.Sent.AuthHeader {
					return notApplicable("the client did not authenticate with the Authorization header")
				}
				if ev.Status != 401 {
					return notApplicable("not a 401 response (status " + strconv.Itoa(ev.Status) + ")")
				}
				scheme, _, _ := strings.Cut(ev.Sent.Header.Get("Authorization"), " ")
				v := header(ev, "WWW-Authenticate")
				c, found := findChallenge(v, scheme)
				if found && strings.EqualFold(scheme, "Basic") {
					_, realm := c.Params["realm"]
					return holds(realm, "a Basic challenge with a realm (RFC 7617 2)", v)
				}
				return holds(found, "a "+scheme+" challenge (RFC 9110 11.6.1)", v)
			},
		},
		{
			ID: "oauth2.error.challenge-on-401", Level: LevelWarn, Ref: "RFC9110 15.5.2",
			Explain: "HTTP requires a challenge on every 401. RFC 6749 5.2 asks for one only of a client that used the Authorization header, so for a client that authenticated in the body its absence is a warning.",
			Target:  "header WWW-Authenticate",
			eval: func(ev *Evidence) verdict {
				if ev.Status != 401 {
					return notApplicable("not a 401 response (status " + strconv.Itoa(ev.Status) + ")")
				}
				if ev.Sent.AuthHeader {
					return notApplicable("the client authenticated with the Authorization header: oauth2.error.www-authenticate checks the challenge")
				}
				v := header(ev, "WWW-Authenticate")
				return holds(v.Kind == KindString && len(ParseChallenges(v.Str)) > 0, "at least one challenge", v)
			},
		},
	},
})

// AuthorizeRedirect is the pack for the redirect that ends an authorization request: a code and
// the state echoed exactly, or an error and the state (RFC 6749 4.1.2 and 4.1.2.1).
var AuthorizeRedirect = register(&Pack{
	Name:  "oauth2.authorize-redirect",
	Title: "Authorization response redirect (RFC 6749 4.1.2)",
	Checks: []PackCheck{
		{
			ID: "oauth2.redirect.not-307", Level: LevelFail, Ref: "RFC9700 4.12",
			Explain: "A 307 makes the browser re-send what it posted (a user's credentials) to the client; after a GET there is no body to re-send, so it is only discouraged.",
			Target:  "status",
			eval: func(ev *Evidence) verdict {
				if ev.Redirect == nil {
					return notApplicable("the walk did not end on a redirect")
				}
				if ev.Status == 0 {
					return notApplicable("the redirect happened on the device; its status was not seen")
				}
				v := NumberValue(float64(ev.Status))
				if ev.Status != 307 {
					return holds(true, "a redirect other than 307", v)
				}
				if ev.Sent.Method == "" || ev.Sent.Method == "GET" || ev.Sent.Method == "HEAD" {
					// Nothing to re-send: RFC 9700 4.12 forbids 307 where credentials could travel.
					return verdict{applies: true, held: false, warnOnly: true,
						expected: "a redirect other than 307 (RFC 9700 4.12 recommends 303)", got: v.String() + " after a " + orGET(ev.Sent.Method)}
				}
				return holds(false, "a redirect other than 307 after a "+ev.Sent.Method+" that may carry credentials", v)
			},
		},
		{
			ID: "oauth2.redirect.code", Level: LevelFail, Ref: "RFC6749 4.1.2",
			Explain: "A successful authorization returns a code to exchange for a token.",
			Target:  "query code",
			eval: func(ev *Evidence) verdict {
				if ev.LocationProblem != "" {
					return verdict{applies: true, expected: "a redirect to the client carrying a code", got: ev.LocationProblem}
				}
				if q := (Target{Where: "query", Name: "error"}).Value(ev); q.Present() {
					return notApplicable("an error redirect (" + q.Str + ")")
				}
				v := Target{Where: "query", Name: "code"}.Value(ev)
				return holds(v.Kind == KindString && v.Str != "", "non-empty string", v)
			},
		},
		{
			ID: "oauth2.redirect.state-echoed", Level: LevelFail, Ref: "RFC6749 4.1.2, 10.12",
			Explain: "The state the client sent comes back unchanged; it is the client's CSRF protection.",
			Target:  "query state",
			eval: func(ev *Evidence) verdict {
				if !ev.Sent.Query.Has("state") {
					return notApplicable("the request sent no state")
				}
				if ev.LocationProblem != "" {
					return verdict{applies: true, expected: "a redirect to the client carrying the state sent", got: ev.LocationProblem}
				}
				want := StringValue(ev.Sent.Query.Get("state"))
				v := Target{Where: "query", Name: "state"}.Value(ev)
				// The state sent is said in full (the masker hides it where a profile makes it a
				// secret): "expected the state sent" alone leaves a person to dig it out.
				return holds(sameValue(v, want), "the state sent, exactly: "+want.String(), v)
			},
		},
		{
			ID: "oauth2.redirect.error-code", Level: LevelFail, Ref: "RFC6749 4.1.2.1; OIDC Core 3.1.2.6",
			Explain: "An error redirect names one of the registered error codes.",
			Target:  "query error",
			eval: func(ev *Evidence) verdict {
				v := Target{Where: "query", Name: "error"}.Value(ev)
				if !v.Present() {
					return notApplicable("not an error redirect")
				}
				return holds(oneOfStrings(v, authorizeErrorCodes), "a registered error code", v)
			},
		},
	},
})

func orGET(m string) string {
	if m == "" {
		return "GET"
	}
	return m
}
