package checks

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func evidence() *Evidence {
	redirect, _ := url.Parse("https://client.example/cb?code=abc&state=s1")
	return &Evidence{
		Status:   200,
		Header:   http.Header{"Cache-Control": {"no-store"}, "X-Correlator": {"c-1"}},
		Body:     []byte(`{"swapped":true,"maxAge":"240","n":300,"f":1.5,"nil":null,"obj":{"a":1},"arr":[1],"num":"+34666666666","at":"2026-11-21T10:00:00Z"}`),
		Redirect: redirect,
		Duration: 42 * time.Millisecond,
	}
}

func TestInlineChecks(t *testing.T) {
	resolve := func(s string) (string, error) {
		if strings.Contains(s, "{{missing}}") {
			return "", errors.New("needs {{missing}}")
		}
		return strings.ReplaceAll(s, "{{state}}", "s1"), nil
	}
	tests := []struct {
		name string
		spec Spec
		want Status
		got  string
	}{
		{"status equals", Spec{On: "status", Equals: int64(200)}, Pass, "number 200"},
		{"status differs", Spec{On: "status", Equals: int64(401)}, Fail, "number 200"},
		{"bool equals", Spec{On: "body:swapped", Equals: true}, Pass, "boolean true"},
		{"string is not a number", Spec{On: "body:maxAge", Equals: int64(240)}, Fail, `string "240"`},
		{"header any case", Spec{On: "header:cache-control", Equals: "no-store"}, Pass, ""},
		{"template filled", Spec{On: "query:state", Equals: "{{state}}"}, Pass, ""},
		{"template missing is a skip", Spec{On: "query:state", Equals: "{{missing}}"}, Skip, ""},
		{"not equals", Spec{On: "query:code", NotEquals: "xyz"}, Pass, ""},
		{"not equals needs a value", Spec{On: "query:nope", NotEquals: "xyz"}, Fail, "absent"},
		{"exists", Spec{On: "body:nil", Exists: ptr(true)}, Pass, "null"},
		{"absent", Spec{On: "body:access_token", Absent: ptr(true)}, Pass, "absent"},
		{"absent but there", Spec{On: "body:n", Absent: ptr(true)}, Fail, "number 300"},
		{"type integer", Spec{On: "body:n", Type: "integer"}, Pass, ""},
		{"type integer fraction", Spec{On: "body:f", Type: "integer"}, Fail, "number 1.5"},
		{"type object", Spec{On: "body:obj", Type: "object"}, Pass, ""},
		{"type array", Spec{On: "body:arr", Type: "array"}, Pass, ""},
		{"type null", Spec{On: "body:nil", Type: "null"}, Pass, ""},
		{"type boolean of string", Spec{On: "body:maxAge", Type: "boolean"}, Fail, ""},
		{"matches", Spec{On: "header:X-Correlator", Matches: `^c-\d$`}, Pass, ""},
		{"matches absent", Spec{On: "header:X-Nope", Matches: `.`}, Fail, "absent"},
		{"one of", Spec{On: "status", OneOf: []any{int64(400), int64(200)}}, Pass, ""},
		{"one of misses", Spec{On: "body:maxAge", OneOf: []any{"1", "2"}}, Fail, ""},
		{"range", Spec{On: "duration", Gt: ptr(0.0), Lt: ptr(1000.0)}, Pass, "number 42"},
		{"range above", Spec{On: "body:n", Lt: ptr(100.0)}, Fail, ""},
		{"e164", Spec{On: "body:num", Format: "e164"}, Pass, ""},
		{"rfc3339", Spec{On: "body:at", Format: "rfc3339"}, Pass, ""},
		{"url", Spec{On: "redirect", Format: "url"}, Pass, ""},
		{"warn level", Spec{On: "status", Equals: int64(201), Level: LevelWarn}, Warn, ""},
		{"info level", Spec{On: "status", Equals: int64(201), Level: LevelInfo}, Info, ""},
		{"whole body", Spec{On: "body", Type: "object"}, Pass, ""},
		{"null where null is allowed", Spec{On: "body:nil", Format: "rfc3339", Nullable: true}, Skip, ""},
		{"null where it is not", Spec{On: "body:nil", Format: "rfc3339"}, Fail, "null"},
		{"nullable still checks a value", Spec{On: "body:num", Format: "rfc3339", Nullable: true}, Fail, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.ID = "t"
			c, err := tt.spec.Compile()
			if err != nil {
				t.Fatal(err)
			}
			o := c.Eval(evidence(), resolve)
			if o.Status != tt.want {
				t.Errorf("status %s, want %s (%s)", o.Status, tt.want, o)
			}
			if tt.got != "" && o.Got != tt.got {
				t.Errorf("got %q, want %q", o.Got, tt.got)
			}
			if o.Expected == "" {
				t.Errorf("outcome has no expected text: %s", o)
			}
		})
	}
}

func TestSpecCompileErrors(t *testing.T) {
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{On: "status", Equals: int64(1)}, `needs an "id"`},
		{Spec{ID: "x", Equals: int64(1)}, `needs "on"`},
		{Spec{ID: "x", On: "bodyy:a", Equals: int64(1)}, "unknown target"},
		{Spec{ID: "x", On: "header:", Exists: ptr(true)}, "needs a name"},
		{Spec{ID: "x", On: "status:1", Exists: ptr(true)}, "takes no name"},
		{Spec{ID: "x", On: "status"}, "no predicate"},
		{Spec{ID: "x", On: "status", Equals: int64(1), Exists: ptr(true)}, "more than one predicate"},
		{Spec{ID: "x", On: "status", Equals: "200"}, "without quotes"},
		{Spec{ID: "x", On: "body:a", Type: "int"}, `type "int"`},
		{Spec{ID: "x", On: "body:a", Matches: "("}, "matches"},
		{Spec{ID: "x", On: "body:a", Format: "phone"}, `format "phone"`},
		{Spec{ID: "x", On: "body:a", OneOf: []any{}}, "at least one"},
		{Spec{ID: "x", On: "body:a", Equals: []any{1}}, "not a string, number or boolean"},
		{Spec{ID: "x", On: "body:a", Exists: ptr(true), Level: "error"}, "level"},
	}
	for _, tt := range tests {
		_, err := tt.spec.Compile()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one containing %q", tt.spec, err, tt.want)
		}
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		f    func(string) bool
		in   string
		want bool
	}{
		{IsE164, "+34666666666", true},
		{IsE164, "34666666666", false},
		{IsE164, "+0346666666", false},
		{IsE164, "+1234567890123456", false},
		{IsE164, "++49565456787", false},
		{IsRFC3339, "2026-11-21T10:00:00Z", true},
		{IsRFC3339, "2026-11-21t10:00:00.123+01:00", true},
		{IsRFC3339, "2026-11-21 10:00:00", false},
		{IsRFC3339, "2026-11-21T10:00:00", false},
		{IsRFC3339, "2026-13-21T10:00:00Z", false},
		{IsAbsoluteURL, "https://a.example/x", true},
		{IsAbsoluteURL, "/relative", false},
		{IsJWT, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true},
		{IsJWT, "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln", false}, // no alg
		{IsJWT, "abc.def", false},
		{IsJWT, "sbx-at-1234", false},
		{IsUUID, "b4333c46-49c0-4f62-80d7-f0ef930f1c46", true},
		{IsUUID, "b4333c46", false},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestWorse(t *testing.T) {
	if Worse(Pass, Fail) != Fail || Worse(Error, Fail) != Error || Worse(Warn, Skip) != Warn || Worse(Pass, Skip) != Skip {
		t.Error("Worse does not order statuses by severity")
	}
}
