package checks

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets for checks: targets and predicates as a flow file writes them, run against any
// evidence a provider can produce. Seeds live in testdata/fuzz and run as ordinary tests.

// fuzzEvidence builds evidence from provider-controlled bytes: a status, a header value, a body
// and a redirect.
func fuzzEvidence(status int, header, body, redirect string) *Evidence {
	ev := &Evidence{Status: status, Header: http.Header{"X-Test": {header}, "Content-Type": {"application/json"}}, Body: []byte(body)}
	if u, err := url.Parse(redirect); err == nil {
		ev.Redirect = u
	}
	return ev
}

// FuzzTarget: any `on` either parses or is refused with a message; a parsed target reads any
// evidence without panicking, and what it reads is either absent or renders as a value.
func FuzzTarget(f *testing.F) {
	for _, on := range []string{"status", "header:X-Test", "body", "body:a.b", "body:#", "query:code", "redirect",
		"duration", "received:header:Authorization", "received:body:x", "jwt:claims.exp", "body:..", "body:a|@reverse"} {
		f.Add(on, 200, "v", `{"a":{"b":[1,2]}}`, "https://c.example/cb?code=x")
	}
	f.Fuzz(func(t *testing.T, on string, status int, header, body, redirect string) {
		tgt, err := ParseTarget(on)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q refused without a message", on)
			}
			return
		}
		v := tgt.Value(fuzzEvidence(status, header, body, redirect))
		if v.Present() && v.String() == "" {
			t.Fatalf("%q read a present value that renders as nothing: %+v", on, v)
		}
		_ = tgt.String()
	})
}

// FuzzPredicate: a check compiled from any predicate text runs against any evidence; exists and
// absent always disagree, and on a value that is there, equals and not_equals always disagree
// (not_equals wants the value present).
func FuzzPredicate(f *testing.F) {
	for _, c := range []struct{ on, want, pattern, format, body string }{
		{"body:a", "x", "^x$", "uuid", `{"a":"x"}`},
		{"body:a", "1", "[", "date-time", `{"a":1}`},
		{"body", "", "(?i)A", "e164", `not json`},
		{"body:a", "{{name}}", ".*", "uri", `{"a":null}`},
	} {
		f.Add(c.on, c.want, c.pattern, c.format, c.body)
	}
	yes := true
	f.Fuzz(func(t *testing.T, on, want, pattern, format, body string) {
		ev := fuzzEvidence(200, want, body, "")
		resolve := func(s string) (string, error) { return strings.ReplaceAll(s, "{{name}}", "x"), nil }
		eval := func(s Spec) (Outcome, bool) {
			s.ID, s.On, s.Ref = "c", on, "RFC6749 5.1"
			c, err := s.Compile()
			if err != nil {
				return Outcome{}, false
			}
			o := c.Eval(ev, resolve)
			switch o.Status {
			case Pass, Fail, Skip:
			default:
				t.Fatalf("%+v gave status %s", s, o.Status)
			}
			return o, true
		}
		ex, ok1 := eval(Spec{Exists: &yes})
		ab, ok2 := eval(Spec{Absent: &yes})
		if ok1 && ok2 && (ex.Status == Pass) == (ab.Status == Pass) {
			t.Fatalf("on %q: exists %s and absent %s agree", on, ex.Status, ab.Status)
		}
		eq, ok1 := eval(Spec{Equals: want})
		ne, ok2 := eval(Spec{NotEquals: want})
		if ok1 && ok2 && ex.Status == Pass && eq.Status != Skip && ne.Status != Skip && (eq.Status == Pass) == (ne.Status == Pass) {
			t.Fatalf("on %q: equals %q %s and not_equals %s agree (got %s)", on, want, eq.Status, ne.Status, eq.Got)
		}
		eval(Spec{Matches: pattern})
		eval(Spec{Format: format})
		eval(Spec{OneOf: []any{want, pattern}})
	})
}
