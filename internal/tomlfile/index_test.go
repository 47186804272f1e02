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

// TestDecodeLocatesEveryProblemOfABigFile decodes a file with 10,000 unknown tables, each with an
// unknown key: every one is reported with its own line and key.
func TestDecodeLocatesEveryProblemOfABigFile(t *testing.T) {
	const n = 10000
	var v struct {
		Name string            `toml:"name"`
		Vars map[string]string `toml:"vars"`
	}
	_, err := Decode("big.toml", unknownTables(n), &v)
	errs, ok := err.(FileErrors)
	if !ok {
		t.Fatalf("err %T %v", err, err)
	}
	if len(errs) != 2*n {
		t.Fatalf("%d errors, want %d", len(errs), 2*n)
	}
	if last := errs[len(errs)-1]; last.Line != 2+2*n || last.Key != fmt.Sprintf("extra%d.key", n-1) {
		t.Errorf("last error %v", last)
	}
}

// TestDecodeIsLinear holds the work of locating problems to the size of the file, not its square
// (10,000 × 10,000 line scans took 37 s before the index). Allocations stand in for the work, as
// they do not depend on the machine: four times the problems may cost about four times the
// allocations; a scan of the file per problem would cost sixteen.
func TestDecodeIsLinear(t *testing.T) {
	allocs := func(n int) float64 {
		data := unknownTables(n)
		return testing.AllocsPerRun(3, func() {
			var v struct {
				Vars map[string]string `toml:"vars"`
			}
			_, _ = Decode("big.toml", data, &v)
		})
	}
	small, large := allocs(500), allocs(2000)
	t.Logf("allocations: %.0f for 500 problems, %.0f for 2,000 (%.1f×)", small, large, large/small)
	if ratio := large / small; ratio > 5 {
		t.Errorf("4× the problems took %.1f× the allocations (%.0f, then %.0f): locating them is not linear", ratio, small, large)
	}
}

// unknownTables is a file whose n tables, each with a key, are all unknown.
func unknownTables(n int) []byte {
	var b strings.Builder
	b.WriteString("name = \"x\"\n[vars]\n")
	for i := range n {
		fmt.Fprintf(&b, "[extra%d]\nkey = 1\n", i)
	}
	return []byte(b.String())
}

// BenchmarkDecodeUnknownKeys decodes files of 1,000 and 10,000 unknown tables. Here: 5 ms and
// 76 ms; the 14× (not 10×) is the TOML decoder's own, and a scan per problem would be 100×.
func BenchmarkDecodeUnknownKeys(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data := unknownTables(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				var v struct {
					Vars map[string]string `toml:"vars"`
				}
				_, _ = Decode("b.toml", data, &v)
			}
		})
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
	if c := Closest("auth_method", []string{"token_endpoint_auth_method", "key_id"}); c != "token_endpoint_auth_method" {
		t.Errorf("closest %q for a name written without its prefix", c)
	}
	if c := Closest("id", []string{"client_id", "key_id"}); c != "" {
		t.Errorf("closest %q when two names end the same", c)
	}
}
