package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// maxFindings is how many lines of findings the summary shows under one flow. The summary has to
// fit one screen of a CI log; the report files hold the rest.
const maxFindings = 8

// maxLine bounds one line of findings, in characters. A check's "got" can be a whole response
// body; the summary only has to say which check failed and roughly why.
const maxLine = 160

// Summary writes the short plain-text account a headless run prints last: one line per flow with
// its verdict, what went wrong under it, and one verdict line for the whole run. It is plain
// ASCII without colour because it ends up in CI logs, and it leaves out requests and responses:
// they belong in the report files, whose paths (written) it lists at the end.
//
// A failed write to w is not reported: the summary is best effort on stdout, and the exit code
// and report files carry the result either way.
func Summary(w io.Writer, run *flows.RunResult, meta Meta, written []string) {
	run = orEmpty(run)
	s := run.Summarize()
	var b strings.Builder

	name := meta.tool()
	if meta.Version != "" {
		name += " " + meta.Version
	}
	fmt.Fprintf(&b, "%s: %s, %s, %s, %s in %s\n", name, plural(s.Profiles, "profile"),
		plural(s.Flows, "flow"), plural(total(s.Steps), "step"), plural(total(s.Checks), "check"),
		runTime(run.Duration))

	width := 0
	for _, t := range run.Targets {
		for _, f := range t.Flows {
			width = max(width, len(f.ID))
		}
	}
	for _, t := range run.Targets {
		b.WriteString("\n" + termtext.Line(strings.TrimSpace(t.Name+"  "+t.Title)) + "\n")
		if len(t.Faults) > 0 {
			b.WriteString("  FAULTS INJECTED (the sandbox deviates on purpose): " + strings.Join(t.Faults, ", ") + "\n")
		}
		if len(t.Tolerances) > 0 {
			b.WriteString("  tolerances: " + strings.Join(t.Tolerances, ", ") + "\n")
		}
		for _, f := range t.Flows {
			fmt.Fprintf(&b, "  %-5s %-*s    %s\n", word(f.Status), width, termtext.Line(f.ID), stepCounts(f.Steps))
			writeFindings(&b, findings(f.Steps))
		}
	}

	verdict := word(run.Status)
	if run.Interrupted {
		verdict = "INTERRUPTED"
	}
	flowsLine := fmt.Sprintf("%d of %s failed", s.Failed, plural(s.Flows, "flow"))
	if s.Failed == 0 {
		flowsLine = fmt.Sprintf("%s, none failed", plural(s.Flows, "flow"))
	}
	fmt.Fprintf(&b, "\n%s: %s; checks %d passed, %d failed, %d warned, %d skipped",
		verdict, flowsLine,
		s.Checks[checks.Pass], s.Checks[checks.Fail], s.Checks[checks.Warn], s.Checks[checks.Skip])
	if n := s.Checks[checks.Info]; n > 0 {
		fmt.Fprintf(&b, ", %d info", n)
	}
	if n := s.Checks[checks.Error]; n > 0 {
		fmt.Fprintf(&b, ", %d errored", n)
	}
	if n := s.Checks[checks.Known]; n > 0 {
		fmt.Fprintf(&b, ", %d known", n)
	}
	if n := s.Checks[checks.Fixed]; n > 0 {
		fmt.Fprintf(&b, ", %d fixed (take them out of the profile's [[known]])", n)
	}
	b.WriteString("\n")
	if len(written) > 0 {
		b.WriteString("Reports: " + strings.Join(written, ", ") + "\n")
	}
	io.WriteString(w, b.String())
}

// finding is one line under a flow: a mark (x failed, ! warned, + fixed, ~ known, - skipped), the
// step it belongs to, and what happened.
type finding struct {
	mark byte
	step string
	text string
}

// findings lists what a reader of the summary must know about a flow's steps, most serious first
// (failures and errors, then warnings, known deviations that now hold, known deviations, then
// skipped steps), each group in step order, so that when the list is cut the failures are what
// remains.
func findings(steps []flows.StepResult) []finding {
	var bad, warned, fixed, known, skipped []finding
	for _, st := range steps {
		switch st.Status {
		case checks.Error:
			bad = append(bad, finding{'x', st.ID, "error: " + st.Reason})
		case checks.Skip:
			text := "skipped"
			if st.Reason != "" {
				text += ": " + st.Reason
			}
			skipped = append(skipped, finding{'-', st.ID, text})
		}
		for _, o := range st.Outcomes {
			switch {
			case o.Failed():
				bad = append(bad, finding{'x', st.ID, checkLine(o)})
			case o.Status == checks.Warn:
				warned = append(warned, finding{'!', st.ID, checkLine(o)})
			case o.Status == checks.Fixed:
				fixed = append(fixed, finding{'+', st.ID, "fixed: " + o.ID + " holds now: take it out of the profile's [[known]]"})
			case o.Status == checks.Known:
				known = append(known, finding{'~', st.ID, "known (" + strings.TrimPrefix(o.Reason, "known deviation: ") + "): " + checkLine(o)})
			}
		}
	}
	return group(slices.Concat(bad, warned, fixed, known, skipped))
}

// group folds findings that say the same thing about several steps into one line ("x token,
// wrong-secret  error: connection refused"), so that an unreachable provider or an interrupted run
// does not push the other findings out of the summary.
func group(fs []finding) []finding {
	var out []finding
	steps := map[string][]string{}
	for _, f := range fs {
		key := string(f.mark) + f.text
		if _, seen := steps[key]; !seen {
			out = append(out, f)
		}
		steps[key] = append(steps[key], f.step)
	}
	for i, f := range out {
		names := steps[string(f.mark)+f.text]
		switch {
		case len(names) > 3:
			out[i].step = fmt.Sprintf("%d steps (%s, %s, ...)", len(names), names[0], names[1])
		default:
			out[i].step = strings.Join(names, ", ")
		}
	}
	return out
}

// writeFindings writes at most maxFindings findings, then says how many more the report holds.
func writeFindings(b *strings.Builder, fs []finding) {
	for i, f := range fs {
		if i == maxFindings {
			fmt.Fprintf(b, "        ... and %d more (see the report)\n", len(fs)-maxFindings)
			return
		}
		line := fmt.Sprintf("        %c %s  %s", f.mark, f.step, f.text)
		b.WriteString(clip(termtext.Line(line), maxLine) + "\n")
	}
}

// stepCounts sums up a flow's steps after its verdict: "10 steps, 1 failed, 1 skipped".
func stepCounts(steps []flows.StepResult) string {
	n := map[checks.Status]int{}
	for _, st := range steps {
		n[st.Status]++
	}
	s := plural(len(steps), "step")
	for _, c := range []struct {
		status checks.Status
		label  string
	}{{checks.Fail, "failed"}, {checks.Error, "errored"}, {checks.Warn, "warned"}, {checks.Fixed, "fixed"}, {checks.Known, "known"}, {checks.Skip, "skipped"}} {
		if n[c.status] > 0 {
			s += fmt.Sprintf(", %d %s", n[c.status], c.label)
		}
	}
	return s
}

// word is a status as the summary shouts it: PASS, FAIL, WARN, SKIP, ERROR.
func word(s checks.Status) string { return strings.ToUpper(string(s)) }

func total(by map[checks.Status]int) int {
	n := 0
	for _, c := range by {
		n += c
	}
	return n
}

// runTime is a run's duration for people: "0.42s" for short runs, "2m5s" once seconds stop being
// a convenient unit.
func runTime(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// clip cuts s to n characters, marking the cut with "...".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-3]) + "..."
}
