package checks

// KPNError is the pack for the error body of KPN's Number Verify API. Seed 003 documents none;
// KPN's public OpenAPI gives {error_code, message}, and its own examples disagree on the code (a
// 401 with error_code 400), so only the shape is checked, and only as a warning: an API gateway
// in front of the service may answer some errors in its own format.
var KPNError = register(&Pack{
	Name:  "kpn.error",
	Title: "KPN error body {error_code, message} (KPN OpenAPI)",
	Checks: []PackCheck{
		{
			ID: "kpn.error.code", Level: LevelWarn, Ref: "KPN OpenAPI errors",
			Explain: "error_code is an integer a client can branch on.",
			Target:  "body error_code",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "error_code")
				return holds(v.IsInteger(), "integer", v)
			},
		},
		{
			ID: "kpn.error.message", Level: LevelWarn, Ref: "KPN OpenAPI errors",
			Explain: "message explains the error to a person.",
			Target:  "body message",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "message")
				return holds(v.Kind == KindString && v.Str != "", "non-empty string", v)
			},
		},
	},
})
