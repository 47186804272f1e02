package checks

// KonektEnvelope is the pack for the envelope every answer of Konekt's REST API comes in: seed
// 002 shows {success: true, data: {...}}; the public model of this style of API (Hologram's,
// reference/protocols.md section 3) adds {success: false, error: "..."} for failures and an HTTP
// status that agrees with success. A failure may still carry data (Hologram's SIM claim does), so
// data is not required to be absent.
var KonektEnvelope = register(&Pack{
	Name:  "konekt.envelope",
	Title: "Konekt's envelope {success, data | error} (seed 002)",
	Checks: []PackCheck{
		{
			ID: "konekt.envelope.success", Level: LevelFail, Ref: "seed 002; Hologram API envelope",
			Explain: "Every answer says whether it succeeded: a boolean success.",
			Target:  "body success",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "success")
				return holds(v.Kind == KindBool, "boolean", v)
			},
		},
		{
			ID: "konekt.envelope.status", Level: LevelFail, Ref: "Hologram API envelope",
			Explain: "The HTTP status agrees with success: 2xx with true, an error status with false.",
			Target:  "status",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "success")
				if v.Kind != KindBool {
					return notApplicable("no boolean success to compare with")
				}
				ok := ev.Status >= 200 && ev.Status < 300
				want := "a 2xx status, as success is true"
				if !v.Bool {
					want = "a 4xx or 5xx status, as success is false"
				}
				return holds(ok == v.Bool, want, NumberValue(float64(ev.Status)))
			},
		},
		{
			ID: "konekt.envelope.data", Level: LevelFail, Ref: "seed 002",
			Explain: "A successful answer carries its result in data.",
			Target:  "body data",
			eval: func(ev *Evidence) verdict {
				if s := body(ev, "success"); s.Kind != KindBool || !s.Bool {
					return notApplicable("not a successful answer")
				}
				v := body(ev, "data")
				return holds(v.Kind == KindObject || v.Kind == KindArray, "an object or an array", v)
			},
		},
		{
			ID: "konekt.envelope.error", Level: LevelFail, Ref: "Hologram API envelope",
			Explain: "A failed answer says why in error, a non-empty string.",
			Target:  "body error",
			eval: func(ev *Evidence) verdict {
				if s := body(ev, "success"); s.Kind != KindBool || s.Bool {
					return notApplicable("not a failed answer")
				}
				v := body(ev, "error")
				return holds(v.Kind == KindString && v.Str != "", "non-empty string", v)
			},
		},
	},
})
