package checks

import (
	"strconv"
	"strings"
)

// tokenErrorCodes are the error codes RFC 6749 5.2 registers for the token endpoint.
var tokenErrorCodes = []string{
	"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
	"unsupported_grant_type", "invalid_scope",
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
			Explain: "Token errors are 400 Bad Request, or 401 for a client that failed to authenticate.",
			Target:  "status",
			eval: func(ev *Evidence) verdict {
				v := NumberValue(float64(ev.Status))
				return holds(ev.Status == 400 || ev.Status == 401, "number 400 or 401", v)
			},
		},
		{
			ID: "oauth2.error.code", Level: LevelFail, Ref: "RFC6749 5.2",
			Explain: "The error member names one of the codes the standard registers.",
			Target:  "body error",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "error")
				return holds(oneOfStrings(v, tokenErrorCodes), "one of "+strings.Join(tokenErrorCodes, ", "), v)
			},
		},
		{
			ID: "oauth2.error.www-authenticate", Level: LevelFail, Ref: "RFC6749 5.2",
			Explain: "A client that authenticated with the Authorization header and failed gets 401 with a WWW-Authenticate challenge for the same scheme.",
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
				ok := v.Kind == KindString && strings.HasPrefix(strings.ToLower(v.Str), strings.ToLower(scheme))
				return holds(ok, "a "+scheme+" challenge", v)
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
			Explain: "A 307 or 308 would make the browser re-send what it posted (credentials) to the client.",
			Target:  "status",
			eval: func(ev *Evidence) verdict {
				if ev.Redirect == nil {
					return notApplicable("the walk did not end on a redirect")
				}
				if ev.Status == 0 {
					return notApplicable("the redirect happened on the device; its status was not seen")
				}
				v := NumberValue(float64(ev.Status))
				return holds(ev.Status != 307 && ev.Status != 308, "a redirect other than 307 or 308", v)
			},
		},
		{
			ID: "oauth2.redirect.code", Level: LevelFail, Ref: "RFC6749 4.1.2",
			Explain: "A successful authorization returns a code to exchange for a token.",
			Target:  "query code",
			eval: func(ev *Evidence) verdict {
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
				want := StringValue(ev.Sent.Query.Get("state"))
				v := Target{Where: "query", Name: "state"}.Value(ev)
				return holds(sameValue(v, want), "the state sent, exactly", v)
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
