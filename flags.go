package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// newFlagSet makes a flag set that reports nothing itself: errors come back to the command, which
// prints one line, and help is written by helpText from the same definitions.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// helpText lists a flag set's flags from their definitions, so that help cannot drift from what
// the command accepts: `--name ARG  usage`, with ARG the back-quoted word of the usage.
func helpText(fs *flag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		left := dash + f.Name
		if arg != "" {
			left += " " + strings.ToUpper(arg)
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0s" && !strings.Contains(usage, "default") {
			usage += " (default " + d + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for _, r := range rows {
		lines := wrapWords(r.usage, 96-width-4)
		for i, l := range lines {
			left := ""
			if i == 0 {
				left = r.left
			}
			fmt.Fprintf(&b, "  %-*s  %s\n", width, left, l)
		}
	}
	return b.String()
}

// wrapWords breaks text into lines of at most width characters.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
