package flows

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// BenchmarkParseBuiltin parses every built-in flow file one after the other, the work each run
// does at start-up (in parallel there, one file per goroutine).
func BenchmarkParseBuiltin(b *testing.B) {
	names, err := fs.Glob(builtinFiles, "builtin/*.toml")
	if err != nil || len(names) == 0 {
		b.Fatalf("no built-in flow files: %v", err)
	}
	files := make([][]byte, len(names))
	for i, name := range names {
		if files[i], err = builtinFiles.ReadFile(name); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		for i, data := range files {
			if _, err := Parse(names[i], data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestBuiltinFlowsParse(t *testing.T) {
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// The client's credentials are not among a flow's needs: the profile's client
	// authentication method decides which it reads.
	want := map[string][]string{
		"konera.client-credentials": {"token_url"},
	}
	for _, f := range cat.All() {
		if f.Title == "" || f.Explain == "" {
			t.Errorf("%s lacks a title or an explanation", f.ID)
		}
		for _, s := range f.Steps {
			if s.Title == "" || s.Explain == "" {
				t.Errorf("%s/%s lacks a title or an explanation", f.ID, s.ID)
			}
			// A wait or a mint asks nothing of the provider, so there is nothing of its to check:
			// checks on a JWT telconform signed itself could never fail.
			if local := s.Kind.Name() == "wait" || s.Kind.Name() == "mint"; !local && s.CheckCount() == 0 {
				t.Errorf("%s/%s checks nothing", f.ID, s.ID)
			}
			for _, c := range s.Checks {
				if c.Ref == "" {
					t.Errorf("%s/%s: check %s cites no clause or document (ref)", f.ID, s.ID, c.ID)
				}
			}
		}
		if w, ok := want[f.ID]; ok && (!reflect.DeepEqual(f.Needs(), w) || !f.AuthenticatesClient()) {
			t.Errorf("%s needs %v and authenticates the client: %v; want %v and true", f.ID, f.Needs(), f.AuthenticatesClient(), w)
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
  capture = { tok = "body:access_token" }
  checks = [
    { id = "http.status", on = "status", equals = 200 },
  ]
    [flow.step.request]
    url = "{{token_url}}"
    form = { client_id = "{{client_id}}" }

  [[flow.step]]
  id = "use"
  title = "Use it"
  checks = [ { id = "x", on = "body:x", equals = "{{expected_x}}" } ]
    [flow.step.request]
    url = "{{api}}/x"
    header = { Authorization = "Bearer {{tok}}" }
`

func TestParseWorksOutNeeds(t *testing.T) {
	fl, err := Parse("acme.toml", []byte(goodFlow))
	if err != nil {
		t.Fatal(err)
	}
	got := fl[0].Needs()
	want := []string{"token_url", "client_id", "api", "expected_x"}
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
			`acme.toml:14: flow.step.request.urll: unknown key (did you mean "url"?)`},
		{"unknown key in inline check", func(s string) string { return strings.Replace(s, `equals = 200 }`, `equal = 200 }`, 1) },
			`acme.toml:11: flow.step.checks.equal: unknown key (did you mean "equals"?)`},
		{"wrong type", func(s string) string { return strings.Replace(s, `title = "Token"`, `title = 7`, 1) },
			"acme.toml:4: flow.title: wrong type: got an integer, want a string"},
		{"unknown pack", func(s string) string {
			return strings.Replace(s, `id = "use"`, "id = \"use\"\n  packs = [\"oauth2.tokn\"]", 1)
		}, `acme.toml:19: packs: unknown pack "oauth2.tokn"`},
		{"bad check", func(s string) string { return strings.Replace(s, `on = "status"`, `on = "statuss"`, 1) },
			`acme.toml:11: checks: check http.status: unknown target "statuss"`},
		{"missing url", func(s string) string { return strings.Replace(s, `url = "{{api}}/x"`, ``, 1) },
			"acme.toml:21: request.url: this step needs a url"},
		{"two kinds", func(s string) string { return s + "    [flow.step.wait]\n    duration = \"1s\"\n" },
			`acme.toml:24: wait: a step does one thing: keep one of request and wait`},
		{"no kind", func(s string) string {
			return strings.Replace(s, "    [flow.step.request]\n    url = \"{{api}}/x\"\n    header = { Authorization = \"Bearer {{tok}}\" }\n", "", 1)
		},
			`acme.toml:18: id: step use does nothing: give it one sub-table, [flow.step.request]`},
		{"bad duration", func(s string) string {
			return s + "\n  [[flow.step]]\n  id = \"w\"\n    [flow.step.wait]\n    duration = \"soon\"\n"
		},
			`acme.toml:28: wait.duration: duration "soon"`},
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
