package tomlfile

import (
	"fmt"
	"strings"
	"testing"
)

const indexSrc = `name = "x"
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
  id = "one"
  [[flow.step]]
  form = { grant = "g", nested = { deep = 1 } }
  checks = [
    { id = "one" },
    { id = "two", extra = 1 },
  ]
  [[flow.step]]
  id = "second"
    [flow.step.request]
    url = "u" # a comment with = and [brackets]
[[flow]]
  id = "two"
  [[flow.step]]
  request.url = 'x'
`

func TestIndexLines(t *testing.T) {
	ix := NewIndex([]byte(indexSrc))
	tests := []struct {
		key  string
		want int
	}{
		{"name", 1}, {"vars", 3}, {"vars.a", 4}, {"vars.quoted", 5}, {"secrets.b", 10},
		{"flow.step.form.grant", 15}, {"flow.step.form.nested.deep", 15},
		{"flow.step.checks.extra", 18}, {"flow.step.checks", 16}, {"vars.missing", 3}, {"nowhere", 0},
		// Exact paths name the element of each array.
		{"flow.0.id", 13}, {"flow.1.id", 25}, {"flow.0.step.0.checks.1.id", 18}, {"flow.0.step.0.checks.0.id", 17},
		{"flow.0.step.1.request.url", 23}, {"flow.0.step.1.request", 22}, {"flow.0.step.1.id", 21},
		{"flow.1.step.0.request.url", 27}, {"flow.0.step.1.nothing", 20},
	}
	for _, tt := range tests {
		if got := ix.Line(tt.key); got != tt.want {
			t.Errorf("%s: line %d, want %d", tt.key, got, tt.want)
		}
	}
	if got := ix.Nth("flow.id", 1); got != 25 {
		t.Errorf("second flow.id on line %d, want 25", got)
	}
}

// TestDecodeIsLinear decodes a file with 10,000 unknown keys: every one is reported on its own
// line, and the work grows with the file, not with its square (10,000 × 10,000 line scans took
// 37 s before the index).
func TestDecodeIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("name = \"x\"\n[vars]\n")
	const n = 10000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[extra%d]\nkey = 1\n", i)
	}
	var v struct {
		Name string            `toml:"name"`
		Vars map[string]string `toml:"vars"`
	}
	_, err := Decode("big.toml", []byte(b.String()), &v)
	errs, ok := err.(FileErrors)
	if !ok {
		t.Fatalf("err %T %v", err, err)
	}
	// Each [extraN] table and its key are unknown.
	if len(errs) != 2*n {
		t.Fatalf("%d errors, want %d", len(errs), 2*n)
	}
	if last := errs[len(errs)-1]; last.Line != 2+2*n || last.Key != fmt.Sprintf("extra%d.key", n-1) {
		t.Errorf("last error %v", last)
	}
}

func BenchmarkDecodeUnknownKeys(b *testing.B) {
	var src strings.Builder
	src.WriteString("[vars]\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&src, "[t%d]\nk = 1\n", i)
	}
	data := []byte(src.String())
	for b.Loop() {
		var v struct {
			Vars map[string]string `toml:"vars"`
		}
		_, _ = Decode("b.toml", data, &v)
	}
}

func TestEditDistanceAndClosest(t *testing.T) {
	if d := EditDistance("clientid", "client_id"); d != 1 {
		t.Errorf("distance %d", d)
	}
	if c := Closest("urll", []string{"url", "until"}); c != "url" {
		t.Errorf("closest %q", c)
	}
	if c := Closest("zzzz", []string{"url"}); c != "" {
		t.Errorf("closest %q for a far name", c)
	}
}
