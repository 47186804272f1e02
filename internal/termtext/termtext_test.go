package termtext

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, line, block string }{
		{"plain text é ✓", "plain text é ✓", "plain text é ✓"},
		{"a\nb\tc", `a\nb\tc`, "a\nb\tc"},
		{"before\x1b[2J\x1b[Hafter", `before\x1b[2J\x1b[Hafter`, `before\x1b[2J\x1b[Hafter`},
		{"\x1b]0;retitled\x07", `\x1b]0;retitled\x07`, `\x1b]0;retitled\x07`},
		{"line\rover", `line\rover`, `line\rover`},
		{"nul\x00del\x7f", `nul\x00del\x7f`, `nul\x00del\x7f`},
		{"c1 \u009b2J", `c1 \u009b2J`, `c1 \u009b2J`},
		{"bidi \u202eevil", `bidi \u202eevil`, `bidi \u202eevil`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"a real \uFFFD stays", "a real \uFFFD stays", "a real \uFFFD stays"},
	} {
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := Block(c.in); got != c.block {
			t.Errorf("Block(%q) = %q, want %q", c.in, got, c.block)
		}
	}
}

// Whatever the input, the output holds nothing a terminal acts on and is valid UTF-8.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\x1b[31mb", "\xff\x00\u202e", "ok\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Block(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q escapes to %q, which is not UTF-8", s, out)
			}
			for _, r := range out {
				if acted(r, true) {
					t.Fatalf("%q escapes to %q, which holds %U", s, out, r)
				}
			}
		}
	})
}
