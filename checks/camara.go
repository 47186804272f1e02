package checks

// CamaraError is the pack for the error body every CAMARA API returns: {status, code, message},
// all required, with status equal to the HTTP status (CAMARA API Design Guide 3.1; the API
// Testing Guidelines check status and code exactly and message for presence).
var CamaraError = register(&Pack{
	Name:  "camara.error",
	Title: "CAMARA error body {status, code, message}",
	Checks: []PackCheck{
		{
			ID: "camara.error.status", Level: LevelFail, Ref: "CAMARA Design Guide 3.1 ErrorInfo",
			Explain: "The body's status repeats the HTTP status as an integer.",
			Target:  "body status",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "status")
				want := NumberValue(float64(ev.Status))
				return holds(sameValue(v, want), "integer "+want.Str+" (the HTTP status)", v)
			},
		},
		{
			ID: "camara.error.code", Level: LevelFail, Ref: "CAMARA Design Guide 3.1 ErrorInfo",
			Explain: "code is the machine-readable error a client branches on.",
			Target:  "body code",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "code")
				return holds(v.Kind == KindString && v.Str != "", "non-empty string", v)
			},
		},
		{
			ID: "camara.error.www-authenticate", Level: LevelWarn, Ref: "RFC9110 15.5.2",
			Explain: "HTTP requires a challenge on every 401; CAMARA's documents do not ask for one, so its absence is a warning.",
			Target:  "header WWW-Authenticate",
			eval: func(ev *Evidence) verdict {
				if ev.Status != 401 {
					return notApplicable("not a 401 response")
				}
				v := header(ev, "WWW-Authenticate")
				return holds(v.Kind == KindString && len(ParseChallenges(v.Str)) > 0, "at least one challenge", v)
			},
		},
		{
			ID: "camara.error.message", Level: LevelFail, Ref: "CAMARA Design Guide 3.1 ErrorInfo",
			Explain: "message is required; it explains the error to a person.",
			Target:  "body message",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "message")
				return holds(v.Kind == KindString, "string", v)
			},
		},
	},
})
