// Package reports turns the record of a run (flows.RunResult) into what outlives the run: report
// files that CI systems read (JUnit XML, JSON), files that people read (Markdown for a CI job
// summary or an issue, a self-contained HTML page), and the short text summary a headless run
// prints last.
//
// Everything here renders what the result already holds. The runner masks secrets at the source,
// so a report never needs to know which values are secret, and it must never go looking for more
// than the result carries. Files are written atomically: a reader, or a CI job collecting
// artifacts, sees either the previous report or the new one, never half of one.
package reports

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// Meta identifies the tool that produced a report, so that a report found later on a CI server
// says which telconform wrote it and can be compared with another version's.
type Meta struct{ Tool, Version string }

// defaultTool names the tool in reports when the caller left Meta.Tool empty.
const defaultTool = "telconform"

// tool is the name reports use, never empty so that JUnit readers always get a suite name.
func (m Meta) tool() string {
	if m.Tool == "" {
		return defaultTool
	}
	return m.Tool
}

// name is the tool and its version as a report's title gives them: "telconform 0.1.0".
func (m Meta) name() string {
	if m.Version == "" {
		return m.tool()
	}
	return m.tool() + " " + m.Version
}

// Format is one kind of report file. Keeping the name, the extension and the writer together lets
// the command line pick a format from a file name and lets the UI's export screen list them all
// without either knowing the formats by name.
type Format struct {
	Name  string // "junit", "json", "markdown", "html"
	Ext   string // ".xml", ".json", ".md", ".html": lower case with the dot
	Write func(w io.Writer, run *flows.RunResult, meta Meta) error
}

// Formats lists every report format, in the order help text and the export screen show them. It
// is the one place a format is added: ForPath, WriteFile, help text and the export screen all
// read it.
func Formats() []Format {
	return []Format{
		{Name: "junit", Ext: ".xml", Write: JUnit},
		{Name: "json", Ext: ".json", Write: JSON},
		{Name: "markdown", Ext: ".md", Write: Markdown},
		{Name: "html", Ext: ".html", Write: HTML},
	}
}

// ForPath picks the format for a report file from its extension, ignoring case, so that
// `--report out/results.XML` works as a person expects. It lets the command line reject a bad
// file name before the run starts rather than after it.
func ForPath(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats() {
		if f.Ext == ext {
			return f, nil
		}
	}
	if ext == "" {
		return Format{}, fmt.Errorf("no report extension: use %s", extensions())
	}
	return Format{}, fmt.Errorf("unknown report extension %q: use %s", filepath.Ext(path), extensions())
}

// extensions lists the supported extensions for error messages, in Formats' order:
// ".xml, .json, .md or .html".
func extensions() string {
	fs := Formats()
	exts := make([]string, len(fs))
	for i, f := range fs {
		exts[i] = f.Ext
	}
	if len(exts) == 1 {
		return exts[0]
	}
	return strings.Join(exts[:len(exts)-1], ", ") + " or " + exts[len(exts)-1]
}

// WriteFile writes the report whose format the path's extension names. The file is replaced
// atomically, so a failed write, or one that ctx stops (a second Ctrl-C), leaves the previous
// report in place and no temporary file. Errors are one line naming the path and the cause.
func WriteFile(ctx context.Context, path string, run *flows.RunResult, meta Meta) error {
	f, err := ForPath(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writeAtomic(ctx, path, func(w io.Writer) error { return f.Write(w, run, meta) })
}

// orEmpty lets every writer accept a nil run and render it as a run that did nothing, rather than
// panic at the very end of a run.
func orEmpty(run *flows.RunResult) *flows.RunResult {
	if run == nil {
		return &flows.RunResult{}
	}
	return run
}

// checkLine renders an outcome that did not hold on one line, the same way in the JUnit failure
// text and in the text summary: `id: target: expected X, got Y [ref]`.
func checkLine(o checks.Outcome) string {
	s := o.ID
	if o.Target != "" {
		s += ": " + o.Target
	}
	if o.Expected != "" || o.Got != "" {
		s += fmt.Sprintf(": expected %s, got %s", o.Expected, o.Got)
	}
	if o.Ref != "" {
		s += " [" + o.Ref + "]"
	}
	return s
}

// millis is a duration as whole milliseconds, rounded, the unit of every duration in the JSON
// report.
func millis(d time.Duration) int64 {
	return d.Round(time.Millisecond).Milliseconds()
}

// plural counts a noun in English: "1 flow", "3 flows".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// verdict is the word a report for people opens with: the run's status as the summary shouts it,
// or INTERRUPTED, because a run stopped half-way has not judged the flows it never reached. A run
// with no status at all (a nil run) ran nothing, which the runner's roll-up calls skipped.
func verdict(run *flows.RunResult) string {
	switch {
	case run.Interrupted:
		return "INTERRUPTED"
	case run.Status == "":
		return word(checks.Skip)
	}
	return word(run.Status)
}

// notice is one entry of the "what needs attention" list that the Markdown and HTML reports open
// with: a check that did not hold, or a step that could not run (check is nil, reason says why).
type notice struct {
	status              checks.Status
	profile, flow, step string
	// p, f and s index the profile, flow and step in the run, so that the HTML page can link
	// the entry to the step's evidence.
	p, f, s int
	check   *checks.Outcome
	reason  string
}

// notices lists what a reader of the run must look at, most serious first: checks that failed or
// errored and steps that could not run, then warnings, then known deviations that hold now
// (fixed) and those that still do not (known), each group in run order. Unlike the summary's
// findings nothing is folded or cut: a report file has the room, and a reader fixing one failure
// needs its own expected and got, not a neighbour's.
func notices(run *flows.RunResult) []notice {
	var bad, warned, fixed, known []notice
	for pi, t := range run.Targets {
		for fi, f := range t.Flows {
			for si, st := range f.Steps {
				at := notice{profile: t.Name, flow: f.ID, step: st.ID, p: pi, f: fi, s: si}
				if st.Status == checks.Error {
					n := at
					n.status, n.reason = checks.Error, st.Reason
					bad = append(bad, n)
				}
				for _, o := range st.Outcomes {
					n := at
					n.status, n.check = o.Status, &o
					switch {
					case o.Failed():
						bad = append(bad, n)
					case o.Status == checks.Warn:
						warned = append(warned, n)
					case o.Status == checks.Fixed:
						fixed = append(fixed, n)
					case o.Status == checks.Known:
						known = append(known, n)
					}
				}
			}
		}
	}
	return slices.Concat(bad, warned, fixed, known)
}

// faulted lists the profiles that ran against a sandbox told to deviate, with the faults, so a
// report can say up front that failures there are the point of the run.
func faulted(run *flows.RunResult) []string {
	var out []string
	for _, t := range run.Targets {
		if len(t.Faults) > 0 {
			out = append(out, t.Name+" ("+strings.Join(t.Faults, ", ")+")")
		}
	}
	return out
}

// tally counts a step's checks that passed and those that failed or errored.
func tally(outcomes []checks.Outcome) (passed, failed int) {
	for _, o := range outcomes {
		switch {
		case o.Status == checks.Pass:
			passed++
		case o.Failed():
			failed++
		}
	}
	return passed, failed
}

// countColumns are the statuses a counts table shows: pass and fail always, any other only when
// some step or check has it, in the JSON summary's order, then any status the runner adds later
// (sorted), so that a new status is shown rather than dropped.
func countColumns(s flows.Summary) []checks.Status {
	cols := []checks.Status{checks.Pass, checks.Fail}
	var extra []checks.Status
	for _, by := range []map[checks.Status]int{s.Steps, s.Checks} {
		for k, n := range by {
			if n > 0 && !slices.Contains(checkCountKeys, k) && !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	for _, k := range append(slices.Clone(checkCountKeys[2:]), extra...) {
		if s.Steps[k]+s.Checks[k] > 0 {
			cols = append(cols, k)
		}
	}
	return cols
}

// maxValue bounds one value from the run (a got, a reason, a title) in the reports people read,
// in characters. A got can be a whole response body, and a CI job summary has a size limit; the
// JSON report keeps every value whole.
const maxValue = 1000

// oneLine prepares a value from the run for a report people read: cut to at most limit
// characters, then with terminal controls, bidirectional overrides and line breaks written out
// (termtext.Line), so the value stays on one line and shows what it holds. The cut is made on the
// raw value, at a character boundary, before anything is escaped, so no escape can be split by
// it; an invalid byte counts as one character, as termtext writes it out alone. left is how many
// characters were cut off.
func oneLine(s string, limit int) (text string, left int) {
	if len(s) > limit { // a string of no more bytes than limit has no more characters either
		n := 0
		for i := range s {
			if n == limit {
				left = utf8.RuneCountInString(s[i:])
				s = s[:i]
				break
			}
			n++
		}
	}
	return termtext.Line(s), left
}

// cutNote ends a value oneLine cut short, saying how much is missing and where it is.
func cutNote(left int) string {
	return fmt.Sprintf("… (cut: %d more characters; a .json report keeps the whole value)", left)
}

// prose joins the lines of an explain text, which flow files wrap at their own width, into one
// paragraph. termtext would otherwise show each line break as a written-out \n, which is right
// for a provider's bytes and only noise in a sentence.
func prose(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
