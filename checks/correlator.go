package checks

// Correlator is the pack for the correlation header a CAMARA API echoes (Design Guide 5.8.5). Its
// name is CAMARA's x-correlator unless the step's expect.correlation_header names another (seed
// 001 uses x-correlation-id): a profile setting, since providers differ.
var Correlator = register(&Pack{
	Name:  "camara.correlator",
	Title: "Correlation header echoed (CAMARA Design Guide 5.8.5)",
	Checks: []PackCheck{
		{
			ID: "camara.correlator.echoed", Level: LevelFail, Ref: "CAMARA Design Guide 5.8.5",
			Explain: "A non-empty correlation value sent with a request comes back, unchanged, in the same header of the response.",
			Target:  "header (the correlation header)",
			eval: func(ev *Evidence) verdict {
				name := correlationHeader(ev)
				sent := ev.Sent.Header.Get(name)
				if sent == "" {
					return notApplicable("the request sent no " + name)
				}
				v := header(ev, name)
				return holds(v.Kind == KindString && v.Str == sent, name+" "+quote(sent), v)
			},
		},
	},
})

// correlationHeader is the header a step's correlation value travels in.
func correlationHeader(ev *Evidence) string {
	if name := ev.Expect["correlation_header"]; name != "" {
		return name
	}
	return "x-correlator"
}
