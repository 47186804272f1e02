package checks

import (
	"net/http"
	"strings"
)

// SessionCookie is the pack for the cookies a login answer sets: RFC 6265 asks a server to keep
// a session cookie from scripts (HttpOnly) and, on HTTPS, from plain HTTP (Secure). Both are
// SHOULDs in effect, so they warn.
var SessionCookie = register(&Pack{
	Name:  "http.cookie",
	Title: "Session cookie attributes (RFC 6265 4.1.2.5, 4.1.2.6)",
	Checks: []PackCheck{
		{
			ID: "http.cookie.httponly", Level: LevelWarn, Ref: "RFC6265 4.1.2.6",
			Explain: "A session cookie marked HttpOnly is out of reach of the page's scripts, so a script injected into the page cannot steal the session.",
			Target:  "header Set-Cookie",
			eval: func(ev *Evidence) verdict {
				return everyCookie(ev, "HttpOnly", func(c *http.Cookie) bool { return c.HttpOnly })
			},
		},
		{
			ID: "http.cookie.secure", Level: LevelWarn, Ref: "RFC6265 4.1.2.5",
			Explain: "Over HTTPS a session cookie marked Secure is never sent over plain HTTP, where anyone on the path could read it.",
			Target:  "header Set-Cookie",
			eval: func(ev *Evidence) verdict {
				if !strings.EqualFold(ev.Sent.Scheme, "https") {
					return notApplicable("the request went over " + orUnknown(ev.Sent.Scheme) + ", where a Secure cookie would never come back")
				}
				return everyCookie(ev, "Secure", func(c *http.Cookie) bool { return c.Secure })
			},
		},
	},
})

// everyCookie checks an attribute on every cookie the response sets; the first without it is the
// evidence, by name only (the value is a credential).
func everyCookie(ev *Evidence, attribute string, has func(*http.Cookie) bool) verdict {
	cookies := (&http.Response{Header: ev.Header}).Cookies()
	if len(cookies) == 0 {
		return notApplicable("the response sets no cookie")
	}
	for _, c := range cookies {
		if !has(c) {
			return verdict{applies: true, expected: "every cookie set with " + attribute, got: "cookie " + c.Name + " without " + attribute}
		}
	}
	names := make([]string, len(cookies))
	for i, c := range cookies {
		names[i] = c.Name
	}
	return verdict{applies: true, held: true, expected: "every cookie set with " + attribute, got: strings.Join(names, ", ") + " with " + attribute}
}

// Unauthorized is the pack for the challenge of a 401 outside OAuth's token endpoint (which
// oauth2.error covers): RFC 9110 wants at least one on every 401, and RFC 7617 a realm on every
// Basic one. Documents of the APIs it applies to do not ask for either, so both warn.
var Unauthorized = register(&Pack{
	Name:  "http.challenge",
	Title: "401 challenges (RFC 9110 15.5.2, RFC 7617 2)",
	Checks: []PackCheck{
		{
			ID: "http.challenge.present", Level: LevelWarn, Ref: "RFC9110 15.5.2, 11.6.1",
			Explain: "A 401 says how to authenticate: at least one WWW-Authenticate challenge.",
			Target:  "header WWW-Authenticate",
			eval: func(ev *Evidence) verdict {
				if ev.Status != http.StatusUnauthorized {
					return notApplicable("not a 401 response")
				}
				v := header(ev, "WWW-Authenticate")
				return holds(v.Kind == KindString && len(ParseChallenges(v.Str)) > 0, "at least one challenge", v)
			},
		},
		{
			ID: "http.challenge.basic-realm", Level: LevelWarn, Ref: "RFC7617 2",
			Explain: "A Basic challenge names its realm, which tells the client which credentials apply.",
			Target:  "header WWW-Authenticate",
			eval: func(ev *Evidence) verdict {
				v := header(ev, "WWW-Authenticate")
				if v.Kind != KindString {
					return notApplicable("no challenge")
				}
				for _, c := range ParseChallenges(v.Str) {
					if strings.EqualFold(c.Scheme, "basic") {
						return holds(c.Params["realm"] != "", "a Basic challenge with a realm", v)
					}
				}
				return notApplicable("no Basic challenge")
			},
		},
	},
})

func orUnknown(s string) string {
	if s == "" {
		return "an unknown scheme"
	}
	return s
}
