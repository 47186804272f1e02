package flows

import (
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestBuiltinFlowsParse(t *testing.T) {
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"konera.client-credentials": {"client_id", "client_secret", "token_url"},
	}
	for _, f := range cat.All() {
		if f.Title == "" || f.Explain == "" {
			t.Errorf("%s lacks a title or an explanation", f.ID)
		}
		for _, s := range f.Steps {
			if s.Title == "" || s.Explain == "" {
				t.Errorf("%s/%s lacks a title or an explanation", f.ID, s.ID)
			}
			if s.Kind != KindWait && s.CheckCount() == 0 {
				t.Errorf("%s/%s checks nothing", f.ID, s.ID)
			}
			for _, c := range s.Checks {
				if c.Ref == "" {
					t.Errorf("%s/%s: check %s cites no clause or document (ref)", f.ID, s.ID, c.ID)
				}
			}
		}
		if w, ok := want[f.ID]; ok && !reflect.DeepEqual(f.Needs(), w) {
			t.Errorf("%s needs %v, want %v", f.ID, f.Needs(), w)
		}
	}
}

const goodFlow = `
[[flow]]
id = "acme.token"
title = "Token"

  [[flow.step]]
  id = "token"
  title = "Get a token"
  url = "{{token_url}}"
  form = { client_id = "{{client_id}}" }
  capture = { tok = "body:access_token" }
  checks = [
    { id = "http.status", on = "status", equals = 200 },
  ]

  [[flow.step]]
  id = "use"
  title = "Use it"
  url = "{{api}}/x"
  header = { Authorization = "Bearer {{tok}}" }
  checks = [ { id = "x", on = "body:x", equals = "{{expected_x}}" } ]
`

func TestParseWorksOutNeeds(t *testing.T) {
	fl, err := Parse("acme.toml", []byte(goodFlow))
	if err != nil {
		t.Fatal(err)
	}
	got := fl[0].Needs()
	want := []string{"client_id", "token_url", "api", "expected_x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("needs %v, want %v (tok is captured, so not needed)", got, want)
	}
}

// TestParseErrorsNameFileLineAndKey shows each kind of mistake reported as one line that says
// where it is and what to do.
func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"syntax", func(s string) string { return strings.Replace(s, `title = "Token"`, `title = "Token`, 1) }, "acme.toml:4: "},
		{"unknown key", func(s string) string { return strings.Replace(s, `url = "{{token_url}}"`, `urll = "{{token_url}}"`, 1) },
			`acme.toml:9: flow.step.urll: unknown key (did you mean "url"?)`},
		{"unknown key in inline check", func(s string) string { return strings.Replace(s, `equals = 200 }`, `equal = 200 }`, 1) },
			`acme.toml:13: flow.step.checks.equal: unknown key (did you mean "equals"?)`},
		{"wrong type", func(s string) string { return strings.Replace(s, `title = "Token"`, `title = 7`, 1) },
			"acme.toml:4: flow.title: wrong type: got an integer, want a string"},
		{"unknown pack", func(s string) string {
			return strings.Replace(s, `id = "use"`, "id = \"use\"\n  packs = [\"oauth2.tokn\"]", 1)
		}, `acme.toml:18: packs: unknown pack "oauth2.tokn"`},
		{"bad check", func(s string) string { return strings.Replace(s, `on = "status"`, `on = "statuss"`, 1) },
			`acme.toml:13: checks: check http.status: unknown target "statuss"`},
		{"missing url", func(s string) string { return strings.Replace(s, `url = "{{api}}/x"`, ``, 1) },
			"acme.toml:17: url: this step needs a url"},
		{"bad kind", func(s string) string { return strings.Replace(s, `id = "use"`, "id = \"use\"\n  kind = \"sleep\"", 1) },
			`acme.toml:18: kind: unknown step kind "sleep"`},
		{"duplicate step", func(s string) string { return strings.Replace(s, `id = "use"`, `id = "token"`, 1) },
			"step token appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("acme.toml", []byte(tt.edit(goodFlow)))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("more than one line: %q", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func TestKeyLine(t *testing.T) {
	src := `name = "x"
# comment
[vars]
a = "1"
"quoted" = "2"
explain = """
b = "inside a string"
"""
[secrets]
b = "3"

[[flow]]
  [[flow.step]]
  form = { grant = "g", nested = { deep = 1 } }
  checks = [
    { id = "one" },
    { id = "two", extra = 1 },
  ]
`
	tests := []struct {
		key  string
		want int
	}{
		{"name", 1}, {"vars", 3}, {"vars.a", 4}, {"vars.quoted", 5}, {"secrets.b", 10},
		{"flow.step.form.grant", 14}, {"flow.step.form.nested.deep", 14},
		{"flow.step.checks.extra", 17}, {"flow.step.checks", 15}, {"vars.missing", 3}, {"nowhere", 0},
	}
	for _, tt := range tests {
		if got := KeyLine([]byte(src), toml.Key(strings.Split(tt.key, "."))); got != tt.want {
			t.Errorf("%s: line %d, want %d", tt.key, got, tt.want)
		}
	}
}
