// Package reports turns the record of a run (flows.RunResult) into what outlives the run: report
// files that CI systems read (JUnit XML, JSON) and the short text summary a headless run prints
// last.
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
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
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

// Format is one kind of report file. Keeping the name, the extension and the writer together lets
// the command line pick a format from a file name and lets the UI's export screen list them all
// without either knowing the formats by name.
type Format struct {
	Name  string // "junit", "json"
	Ext   string // ".xml", ".json", lower case with the dot
	Write func(w io.Writer, run *flows.RunResult, meta Meta) error
}

// Formats lists every report format. It is the one place a new format (Markdown, HTML) is added:
// ForPath, WriteFile, help text and the export screen all read it.
func Formats() []Format {
	return []Format{
		{Name: "junit", Ext: ".xml", Write: JUnit},
		{Name: "json", Ext: ".json", Write: JSON},
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

// extensions lists the supported extensions for error messages: ".xml or .json".
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
