// Package termtext makes text that came from outside (a provider's bytes above all) safe to write
// to a terminal or a CI log: every character a terminal would act on instead of printing is
// written out visibly, so a body cannot retitle the window, clear the screen or move the cursor,
// and a right-to-left override cannot reorder what a person reads.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line escapes s for one line of output: newlines and tabs are written out too.
func Line(s string) string { return escape(s, false) }

// Block escapes s for output over several lines: newlines and tabs stay as they are.
func Block(s string) string { return escape(s, true) }

// acted reports whether a terminal would act on r rather than print it: C0 and C1 controls, DEL,
// and the bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C).
func acted(r rune, keepLayout bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLayout
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

func escape(s string, keepLayout bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || acted(r, keepLayout) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && !keepLayout:
			b.WriteString(`\n`)
		case r == '\t' && !keepLayout:
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && acted(r, keepLayout):
			fmt.Fprintf(&b, `\x%02x`, r)
		case acted(r, keepLayout):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
