package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

// Markdown writes the run for people: a CI job summary (GitHub's $GITHUB_STEP_SUMMARY), an issue,
// a chat message. It opens with the verdict and then what needs attention, each failure with its
// expected, got and ref, so the reason a job went red is on the first screen; then it goes profile
// by profile and flow by flow down to each step's verdict. Requests and responses stay out: a job
// summary has a size limit, and the HTML and JSON reports hold them.
//
// Every value from the run goes through mdText, so a provider that chose its error text cannot
// write Markdown into the report: no link, no image, no HTML, no broken table.
func Markdown(w io.Writer, run *flows.RunResult, meta Meta) error {
	run = orEmpty(run)
	s := run.Summarize()
	var b strings.Builder

	fmt.Fprintf(&b, "# %s: %s\n\n", verdict(run), mdText(meta.name()))
	if !run.Started.IsZero() {
		// The time is formatted here, not taken from the run as text: digits, -, : and + only.
		fmt.Fprintf(&b, "Started %s, took %s. ", run.Started.Format(time.RFC3339), runTime(run.Duration))
	}
	fmt.Fprintf(&b, "%s, %s, %d failed.\n\n", plural(s.Profiles, "profile"), plural(s.Flows, "flow"), s.Failed)
	if run.Interrupted {
		b.WriteString("The run was interrupted: the steps it did not reach are skipped, and its verdict covers only what ran.\n\n")
	}
	mdCounts(&b, s)

	b.WriteString("## What needs attention\n\n")
	if f := faulted(run); len(f) > 0 {
		fmt.Fprintf(&b, "**Faults injected**: the sandbox deviates on purpose in %s, so failures there are what the run is for.\n\n",
			mdList(f))
	}
	ns := notices(run)
	for _, n := range ns {
		mdNotice(&b, n)
	}
	if len(ns) == 0 {
		b.WriteString("Nothing: no check failed, warned or is a known deviation, and every step that ran could run.\n")
	}

	for _, t := range run.Targets {
		mdProfile(&b, t)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCounts writes the run's steps and checks by status as a small table.
func mdCounts(b *strings.Builder, s flows.Summary) {
	cols := countColumns(s)
	head := []string{"", "total"}
	right := []bool{false, true}
	steps := []string{"steps", strconv.Itoa(total(s.Steps))}
	chks := []string{"checks", strconv.Itoa(total(s.Checks))}
	for _, c := range cols {
		head = append(head, mdText(string(c)))
		right = append(right, true)
		steps = append(steps, strconv.Itoa(s.Steps[c]))
		chks = append(chks, strconv.Itoa(s.Checks[c]))
	}
	mdTable(b, head, right, [][]string{steps, chks})
	b.WriteString("\n")
}

// mdNotice writes one entry of "what needs attention": the status and where, then one line per
// part of the outcome, so a long got does not hide the ref after it.
func mdNotice(b *strings.Builder, n notice) {
	where := mdText(n.profile) + " / " + mdText(n.flow) + " / " + mdText(n.step)
	field := func(label, value string) {
		fmt.Fprintf(b, "  - %s: %s\n", label, value)
	}
	if n.check == nil {
		fmt.Fprintf(b, "- **%s** step %s could not run\n", word(n.status), where)
		if n.reason != "" {
			field("reason", mdText(n.reason))
		}
		return
	}
	o := n.check
	fmt.Fprintf(b, "- **%s** %s at %s\n", word(o.Status), mdText(o.ID), where)
	if o.Target != "" {
		field("target", mdText(o.Target))
	}
	if o.Expected != "" || o.Got != "" {
		field("expected", mdValue(o.Expected))
		field("got", mdValue(o.Got))
	}
	if o.Ref != "" {
		field("ref", mdText(o.Ref))
	}
	if o.Reason != "" {
		field("reason", mdText(o.Reason))
	}
	if o.Explain != "" {
		field("explain", mdText(prose(o.Explain)))
	}
}

// mdValue is mdText for an expected or got, where an empty value is itself the finding and must
// not look like a missing line.
func mdValue(s string) string {
	if s == "" {
		return "*empty*"
	}
	return mdText(s)
}

// mdProfile writes a profile's heading, what the sandbox was told to do, a table of its flows,
// then each flow's steps.
func mdProfile(b *strings.Builder, t flows.TargetResult) {
	fmt.Fprintf(b, "\n## %s %s", word(t.Status), mdText(t.Name))
	if t.Title != "" {
		b.WriteString(": " + mdText(t.Title))
	}
	b.WriteString("\n\n")
	var about []string
	if t.Source != "" {
		about = append(about, "source: "+mdText(t.Source))
	}
	if t.Sandbox != "" {
		about = append(about, "sandbox: "+mdText(t.Sandbox))
	}
	if len(about) > 0 {
		b.WriteString(strings.Join(about, "; ") + "\n\n")
	}
	if len(t.Faults) > 0 {
		fmt.Fprintf(b, "**FAULTS INJECTED** (the sandbox deviates on purpose): %s\n\n", mdList(t.Faults))
	}
	if len(t.Tolerances) > 0 {
		fmt.Fprintf(b, "Tolerances (what the standards allow; every check must still pass): %s\n\n", mdList(t.Tolerances))
	}
	if len(t.Flows) == 0 {
		b.WriteString("No flow ran.\n")
		return
	}
	rows := make([][]string, 0, len(t.Flows))
	for _, f := range t.Flows {
		rows = append(rows, []string{word(f.Status), mdText(f.ID), mdText(f.Title), stepCounts(f.Steps)})
	}
	mdTable(b, []string{"verdict", "flow", "title", "steps"}, nil, rows)
	for _, f := range t.Flows {
		mdFlow(b, f)
	}
}

// mdFlow writes a flow's heading, what it proves, and a table of its steps.
func mdFlow(b *strings.Builder, f flows.FlowResult) {
	fmt.Fprintf(b, "\n### %s %s", word(f.Status), mdText(f.ID))
	if f.Title != "" {
		b.WriteString(": " + mdText(f.Title))
	}
	b.WriteString("\n\n")
	if f.Explain != "" {
		b.WriteString(mdText(prose(f.Explain)) + "\n\n")
	}
	if len(f.Steps) == 0 {
		b.WriteString("No step ran.\n")
		return
	}
	rows := make([][]string, 0, len(f.Steps))
	for _, st := range f.Steps {
		passed, failed := tally(st.Outcomes)
		reason := ""
		if st.Status == checks.Skip || st.Status == checks.Error {
			reason = mdText(st.Reason)
		}
		rows = append(rows, []string{word(st.Status), mdText(st.ID), mdText(st.Title), mdText(st.Kind),
			strconv.Itoa(passed), strconv.Itoa(failed), reason})
	}
	mdTable(b, []string{"status", "step", "title", "kind", "passed", "failed", "reason"},
		[]bool{false, false, false, false, true, true, false}, rows)
}

// mdList joins values from the run, each made inert.
func mdList(values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = mdText(v)
	}
	return strings.Join(out, ", ")
}

// mdPad is the widest a column is padded to. Padding keeps a table readable as plain text; a
// long cell (a reason) is left to stick out rather than widen every row of its table.
const mdPad = 40

// mdTable writes a GitHub-flavoured table. Cells must already be inert (mdText, or the report's
// own words and numbers). Every delimiter has a space before it, so a cell can never end in a
// backslash that GitHub would read as escaping the delimiter. right marks right-aligned
// (numeric) columns; nil means none.
func mdTable(b *strings.Builder, head []string, right []bool, rows [][]string) {
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], min(utf8.RuneCountInString(c), mdPad), 3)
		}
	}
	// A last column with a long cell (a reason) is mostly empty: padding it would add a run of
	// spaces to every row and align nothing after it.
	last := len(head) - 1
	if width[last] == mdPad && !(last < len(right) && right[last]) {
		width[last] = max(utf8.RuneCountInString(head[last]), 3)
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", max(0, width[i]-utf8.RuneCountInString(c)))
			if i < len(right) && right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i, w := range width {
		if i < len(right) && right[i] {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
}

// mdText makes a value from the run inert in Markdown, and is the only way one gets into the
// report. A provider controls parts of a got or a reason, and GitHub renders a job summary:
// unescaped, a value could open a link, an image, raw HTML or a code span, or add a column to a
// table. So the value is cut to maxValue characters, terminal controls and line breaks are
// written out (termtext, via oneLine: the report is also read in a terminal, and a line break
// would end a table row), and then every character Markdown acts on in the middle of a line gets
// a backslash (mdActive). A value never starts a line, so list markers, headings and quotes
// cannot arise from it. A bare URL may still show as a link, to itself: nothing is hidden.
func mdText(s string) string {
	text, left := oneLine(s, maxValue)
	out := mdEscape(text)
	if left > 0 {
		// Our own words: no character in the note means anything to Markdown here.
		out += cutNote(left)
	}
	return out
}

// mdEscape puts a backslash before every character mdActive names. Working byte by byte is safe:
// in UTF-8 no byte of a multi-byte character is ASCII.
func mdEscape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if mdActive(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + n)
	for i := 0; i < len(s); i++ {
		if mdActive(s[i]) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdActive reports whether Markdown, as GitHub renders it, may act on c inside a line: the escape
// itself, code spans, emphasis and strikethrough, links and images, raw HTML and autolinks,
// entities, table cells, maths, mentions and issue references. Every other character (the .
// - / : , ; of ids, refs and URLs) is left alone, so the report reads as plain text too.
// CommonMark honours a backslash before any ASCII punctuation, these included.
func mdActive(c byte) bool {
	return strings.IndexByte("\\`*_~[]<>&|$@#", c) >= 0
}
