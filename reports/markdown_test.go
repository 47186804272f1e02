package reports

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// hostile is what a provider that wants to write into a report puts in every value it controls:
// raw HTML, a table delimiter, a code span, a javascript: link, an entity, a line break, a
// terminal escape that clears the screen and a right-to-left override.
const hostile = "<script>alert(1)</script> a|b `code` [x](javascript:x) &amp; one\ntwo \x1b[2J \u202eevil"

// hostileLong is a got of 100 KB made of characters that each need an escape, so a cut in the
// wrong place would leave half of one.
var hostileLong = strings.Repeat("<|`\x1b", 25_000)

// hostileRun is a run built by hand in which every value a provider or a flow file can set is
// hostile: names, titles, reasons, targets, expected and got, refs, explains, headers, bodies,
// received requests, token claims and a handoff.
func hostileRun() *flows.RunResult {
	t0 := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	header := http.Header{"X-Hostile": {hostile}, hostile: {"v"}}
	return &flows.RunResult{Started: t0, Duration: time.Second, Status: checks.Error, Targets: []flows.TargetResult{{
		Name: hostile, Title: hostile, Source: hostile, Sandbox: hostile, Status: checks.Error,
		Faults: []string{hostile}, Tolerances: []string{hostile},
		Flows: []flows.FlowResult{{ID: hostile, Title: hostile, Explain: hostile, Status: checks.Error, Started: t0,
			Steps: []flows.StepResult{
				{ID: hostile, Title: hostile, Explain: hostile, Kind: hostile, Status: checks.Fail, Started: t0,
					Exchanges: []flows.Exchange{{
						Request:  flows.Request{Method: hostile, URL: hostile, Header: header, Body: hostile},
						Response: &flows.Response{Status: 200, Header: header, Body: hostile, Truncated: true, Size: 70000},
						Error:    hostile,
					}},
					Received: &flows.Received{Listener: hostile, Method: hostile, URL: hostile, Header: header, Body: hostile},
					Token: &flows.TokenRecord{Kind: hostile, Header: map[string]any{"alg": hostile},
						Claims: map[string]any{hostile: hostile}},
					Handoff: &flows.Handoff{URL: hostile, Callback: hostile, Via: hostile},
					Outcomes: []checks.Outcome{
						{ID: hostile, Level: checks.LevelFail, Status: checks.Fail, Target: hostile, Expected: hostile,
							Got: hostile, Ref: hostile, Explain: hostile},
						{ID: "long", Level: checks.LevelFail, Status: checks.Fail, Target: "body", Expected: "short",
							Got: hostileLong, Ref: "RFC0000 1"},
						{ID: "known", Level: checks.LevelFail, Status: checks.Known, Reason: hostile},
					}},
				{ID: "down", Title: "could not run", Kind: "request", Status: checks.Error, Reason: hostile, Started: t0},
				{ID: "later", Title: "not run", Kind: "request", Status: checks.Skip, Reason: hostile, Started: t0},
			}}},
	}}}
}

// passingRun is testRun cut to its passing flow.
func passingRun() *flows.RunResult {
	run := testRun()
	run.Status = checks.Pass
	run.Targets[0].Status = checks.Pass
	run.Targets[0].Flows = run.Targets[0].Flows[:1]
	return run
}

func markdownOf(t testing.TB, run *flows.RunResult) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Markdown(&buf, run, testMeta); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// asciiPunct is CommonMark's rule for a backslash escape: a backslash before one of
// !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ makes it literal and is not shown; the helpers below read
// text the way a renderer does.
func asciiPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// mdUnescape undoes mdEscape: what a Markdown renderer shows for the text, backslashes gone.
func mdUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && asciiPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdLive is what is left of a line once every backslash escape is taken out: the characters a
// Markdown renderer may act on.
func mdLive(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' && i+1 < len(line) && asciiPunct(line[i+1]) {
			i++
			continue
		}
		b.WriteByte(line[i])
	}
	return b.String()
}

// section is the part of a report from the line starting with from up to the next line starting
// with one of ends, or to the end.
func section(t *testing.T, report, from string, ends ...string) string {
	t.Helper()
	i := strings.Index(report, from)
	if i < 0 {
		t.Fatalf("report has no %q:\n%s", from, report)
	}
	rest := report[i+len(from):]
	for _, e := range ends {
		if j := strings.Index(rest, e); j >= 0 {
			rest = rest[:j]
		}
	}
	return rest
}

// The golden file shows a reviewer what a change does to the report; the tests below hold the
// properties that make it right.
func TestMarkdownGolden(t *testing.T) {
	checkGolden(t, "report.md", []byte(markdownOf(t, testRun())))
}

func TestMarkdownVerdictLine(t *testing.T) {
	failing := testRun()
	failing.Status = checks.Fail
	interrupted := testRun()
	interrupted.Interrupted = true
	for _, tc := range []struct {
		name string
		run  *flows.RunResult
		want string
	}{
		{"passing", passingRun(), "# PASS: telconform 0.1.0"},
		{"failing", failing, "# FAIL: telconform 0.1.0"},
		{"errored", testRun(), "# ERROR: telconform 0.1.0"},
		{"interrupted", interrupted, "# INTERRUPTED: telconform 0.1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := markdownOf(t, tc.run)
			first, rest, _ := strings.Cut(out, "\n")
			if first != tc.want {
				t.Errorf("first line = %q, want %q", first, tc.want)
			}
			if want := "Started 2025-03-14T09:26:53+01:00, took 1.23s. 1 profile, "; !strings.Contains(rest, want) {
				t.Errorf("no start time and duration line %q:\n%s", want, out)
			}
		})
	}
}

// attentionRun is testRun with a known and a fixed deviation added, so that it has one of every
// kind of thing the "what needs attention" list shows.
func attentionRun() *flows.RunResult {
	run := testRun()
	st := &run.Targets[0].Flows[0].Steps[1]
	st.Status = checks.Known
	st.Outcomes = append(st.Outcomes,
		checks.Outcome{ID: "oauth2.error.www-authenticate", Level: checks.LevelFail, Ref: "RFC6750 3", Status: checks.Known,
			Target: "header WWW-Authenticate", Expected: "a challenge", Got: "", Reason: "known deviation: ticket OPS-12"},
		checks.Outcome{ID: "oauth2.error.json", Level: checks.LevelFail, Ref: "RFC6749 5.2", Status: checks.Fixed,
			Reason: "listed as a known deviation (OPS-9), and it holds now: take it out of the profile"})
	return run
}

// Every failed, errored and warned check, every step that could not run, and every known or fixed
// deviation is listed before the first profile's section, most serious first, each with its
// expected, got and ref.
func TestMarkdownListsWhatNeedsAttention(t *testing.T) {
	run := attentionRun()
	out := markdownOf(t, run)
	attention := section(t, out, "## What needs attention\n", "\n## ")

	var wantOrder []string
	for _, status := range []checks.Status{checks.Fail, checks.Warn, checks.Fixed, checks.Known} {
		for _, tr := range run.Targets {
			for _, f := range tr.Flows {
				for _, st := range f.Steps {
					if status == checks.Fail && st.Status == checks.Error {
						head := "- **ERROR** step " + mdText(tr.Name) + " / " + mdText(f.ID) + " / " + mdText(st.ID) + " could not run\n"
						wantOrder = append(wantOrder, head)
						if !strings.Contains(attention, head+"  - reason: "+mdText(st.Reason)+"\n") {
							t.Errorf("no entry for the errored step %s with its reason:\n%s", st.ID, attention)
						}
					}
					for _, o := range st.Outcomes {
						if o.Status != status && !(status == checks.Fail && o.Status == checks.Error) {
							continue
						}
						head := "- **" + word(o.Status) + "** " + mdText(o.ID) + " at " + mdText(tr.Name) + " / " + mdText(f.ID) + " / " + mdText(st.ID) + "\n"
						wantOrder = append(wantOrder, head)
						i := strings.Index(attention, head)
						if i < 0 {
							t.Errorf("no entry %q in:\n%s", head, attention)
							continue
						}
						entry, _, _ := strings.Cut(attention[i+len(head):], "\n- ")
						entry += "\n"
						var want []string
						if o.Expected != "" || o.Got != "" {
							want = append(want, "  - expected: "+mdValue(o.Expected)+"\n", "  - got: "+mdValue(o.Got)+"\n")
						}
						for label, v := range map[string]string{"target": o.Target, "ref": o.Ref, "reason": o.Reason, "explain": o.Explain} {
							if v != "" {
								want = append(want, "  - "+label+": "+mdText(v)+"\n")
							}
						}
						for _, w := range want {
							if !strings.Contains(entry, w) {
								t.Errorf("entry for %s lacks %q:\n%s", o.ID, w, entry)
							}
						}
					}
				}
			}
		}
	}
	if len(wantOrder) != 5 {
		t.Fatalf("the fixture has %d things that need attention, want 5 (a failure, an error, a warning, a fixed and a known)", len(wantOrder))
	}
	last := -1
	for _, head := range wantOrder {
		i := strings.Index(attention, head)
		if i < last {
			t.Errorf("%q comes before an entry less serious than it", head)
		}
		last = i
	}
	if n := strings.Count("\n"+attention, "\n- **"); n != len(wantOrder) {
		t.Errorf("%d entries, want %d:\n%s", n, len(wantOrder), attention)
	}
}

// A run with nothing to look at says so rather than showing an empty heading.
func TestMarkdownNothingNeedsAttention(t *testing.T) {
	attention := section(t, markdownOf(t, passingRun()), "## What needs attention\n", "\n## ")
	if !strings.Contains(attention, "Nothing: ") || strings.Contains(attention, "- **") {
		t.Errorf("attention section of a passing run:\n%s", attention)
	}
}

// Each profile says which faults were injected and which tolerances were on; each flow and each
// step has its verdict, and a skipped or errored step its reason.
func TestMarkdownProfilesFlowsAndSteps(t *testing.T) {
	run := testRun()
	run.Targets[0].Faults = []string{"konera/state-not-echoed"}
	run.Targets[0].Tolerances = []string{"konera/redirect-303"}
	out := markdownOf(t, run)
	for _, want := range []string{
		"**Faults injected**: the sandbox deviates on purpose in sandbox-konera (konera/state-not-echoed)",
		"\n## ERROR sandbox-konera: Konera aggregator (built-in sandbox)\n",
		"**FAULTS INJECTED** (the sandbox deviates on purpose): konera/state-not-echoed\n",
		"Tolerances (what the standards allow; every check must still pass): konera/redirect-303\n",
		"\n### ERROR konera.sim-swap: SIM Swap: check \\& retrieve \"v2\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	flowsTable := "| verdict " + section(t, out, "| verdict ", "\n\n")
	for _, f := range run.Targets[0].Flows {
		want := []string{word(f.Status), mdText(f.ID), mdText(f.Title), stepCounts(f.Steps)}
		if !slices.ContainsFunc(strings.Split(flowsTable, "\n"), func(l string) bool { return slices.Equal(mdCells(l), want) }) {
			t.Errorf("the flows table has no row %q:\n%s", want, flowsTable)
		}
	}
	steps := section(t, out, "### ERROR konera.sim-swap", "\n## ", "\n### ")
	for _, st := range run.Targets[0].Flows[1].Steps {
		var row string
		for _, l := range strings.Split(steps, "\n") {
			if strings.HasPrefix(l, "| "+word(st.Status)+" ") && strings.Contains(l, " | "+mdText(st.ID)+" ") {
				row = l
			}
		}
		if row == "" {
			t.Errorf("no row for step %s with status %s:\n%s", st.ID, word(st.Status), steps)
			continue
		}
		passed, failed := tally(st.Outcomes)
		cells := mdCells(row)
		if len(cells) != 7 || cells[4] != fmt.Sprint(passed) || cells[5] != fmt.Sprint(failed) {
			t.Errorf("row %q: want %d passed, %d failed in 7 cells", row, passed, failed)
		}
		if (st.Status == checks.Skip || st.Status == checks.Error) != (cells[len(cells)-1] != "") {
			t.Errorf("row %q: a reason belongs to skipped and errored steps only", row)
		}
	}
}

// mdCells splits a table row as GitHub does: on delimiters that no backslash escapes, cells
// trimmed.
func mdCells(row string) []string {
	var cells []string
	var cell strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cell.WriteByte(row[i])
			cell.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(row[i])
		}
	}
	// A row starts and ends with a delimiter: drop the empty pieces outside them.
	return cells[1:]
}

// A provider's text cannot write Markdown into the report, break a table or reach a terminal as
// a command; it is still shown, written out, and a 100 KB value is cut with a note.
func TestMarkdownHostileRunIsInert(t *testing.T) {
	out := markdownOf(t, hostileRun())
	if !utf8.ValidString(out) {
		t.Error("the report is not UTF-8")
	}
	for _, raw := range []string{"\x1b", "\u202e", "\r"} {
		if strings.Contains(out, raw) {
			t.Errorf("the report holds the raw character %q", raw)
		}
	}
	lines := strings.Split(out, "\n")
	columns := 0
	for n, line := range lines {
		live := mdLive(line)
		if strings.ContainsAny(live, "<>`[]&\\") {
			t.Errorf("line %d holds a character Markdown acts on, unescaped: %q", n+1, line)
		}
		if !strings.HasPrefix(line, "|") {
			columns = 0
			if strings.Contains(live, "|") {
				t.Errorf("line %d holds an unescaped | outside a table: %q", n+1, line)
			}
			continue
		}
		if columns == 0 {
			columns = strings.Count(live, "|") // the header row sets the count
		} else if got := strings.Count(live, "|"); got != columns {
			t.Errorf("line %d has %d delimiters, its table's header %d: %q", n+1, got, columns, line)
		}
	}
	if !strings.Contains(mdUnescape(out), termtext.Line(hostile)) {
		t.Errorf("the hostile value is not shown written out (%q):\n%s", termtext.Line(hostile), out)
	}
	if want := cutNote(utf8.RuneCountInString(hostileLong) - maxValue); !strings.Contains(out, want) {
		t.Errorf("the 100 KB value is not cut with the note %q", want)
	}
	if len(out) > 32<<10 {
		t.Errorf("the report is %d bytes: the 100 KB value was not cut", len(out))
	}
}

// The cut is made before escaping, so it never leaves half of an escape, and what is kept is
// exactly maxValue characters of the value.
func TestMarkdownCutKeepsEscapesWhole(t *testing.T) {
	for _, tc := range []struct {
		name, value, unit string
	}{
		{"table delimiters", strings.Repeat("|", 3*maxValue), `\|`},
		{"backslashes", strings.Repeat(`\`, 3*maxValue), `\\`},
		{"escape characters", strings.Repeat("\x1b", 3*maxValue), `\\x1b`},
		{"line breaks", strings.Repeat("\n", 3*maxValue), `\\n`},
		{"overrides", strings.Repeat("\u202e", 3*maxValue), `\\u202e`},
		{"invalid bytes", strings.Repeat("\xff", 3*maxValue), `\\xff`},
		{"wide characters", strings.Repeat("é✓", 3*maxValue/2), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mdText(tc.value)
			head, note, ok := strings.Cut(got, "…")
			if !ok {
				t.Fatalf("not cut: %d bytes", len(got))
			}
			if want := cutNote(2 * maxValue); "…"+note != want {
				t.Errorf("note = %q, want %q", "…"+note, want)
			}
			if tc.unit != "" && head != strings.Repeat(tc.unit, maxValue) {
				t.Errorf("kept %q…, want %d whole %q", head[max(0, len(head)-20):], maxValue, tc.unit)
			}
			if tc.unit == "" && utf8.RuneCountInString(head) != maxValue {
				t.Errorf("kept %d characters, want %d", utf8.RuneCountInString(head), maxValue)
			}
		})
	}
	if s := strings.Repeat("a", maxValue); mdText(s) != s {
		t.Errorf("a value of exactly maxValue characters is cut")
	}
}

// Whatever a value holds, mdText gives one line in which every character Markdown acts on is
// escaped and nothing a terminal acts on is left, and a renderer shows the value written out.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{"", hostile, "a\\|b", "\\", "*_~#>+-=", "\xff\xfe", "[x](javascript:alert(1))", "<!-- x -->"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := mdText(s)
		if termtext.Line(out) != out || strings.ContainsAny(out, "\n\r") {
			t.Fatalf("mdText(%q) = %q holds a character a terminal acts on", s, out)
		}
		if strings.Contains(out, "…") {
			return // the value was cut: the note is the report's own words
		}
		if live := mdLive(out); strings.IndexFunc(live, func(r rune) bool { return r < 0x80 && mdActive(byte(r)) }) >= 0 {
			t.Fatalf("mdText(%q) = %q leaves a character Markdown acts on unescaped: %q", s, out, live)
		}
		if got := mdUnescape(out); got != termtext.Line(s) {
			t.Fatalf("mdText(%q) renders as %q, want %q", s, got, termtext.Line(s))
		}
	})
}

func TestMarkdownNilRun(t *testing.T) {
	out := markdownOf(t, nil)
	for _, want := range []string{"# SKIP: telconform 0.1.0\n", "0 profiles, 0 flows, 0 failed.", "## What needs attention\n", "Nothing: "} {
		if !strings.Contains(out, want) {
			t.Errorf("the report of a nil run lacks %q:\n%s", want, out)
		}
	}
}

// The reports people read render one run the same way every time: no map order, no clock.
func TestMarkdownAndHTMLAreDeterministic(t *testing.T) {
	run := hostileRun()
	run.Targets = append(run.Targets, testRun().Targets...)
	for name, render := range map[string]func(testing.TB, *flows.RunResult) string{"markdown": markdownOf, "html": htmlOf} {
		first := render(t, run)
		for range 5 {
			if again := render(t, run); again != first {
				t.Fatalf("two %s reports of one run differ", name)
			}
		}
	}
}

func TestForPathPicksMarkdownAndHTML(t *testing.T) {
	for path, want := range map[string]string{".MD": "markdown", "x.md": "markdown", "out/R.Md": "markdown",
		"x.html": "html", "X.HTML": "html"} {
		f, err := ForPath(path)
		if err != nil || f.Name != want {
			t.Errorf("ForPath(%q) = %q, %v; want %s", path, f.Name, err, want)
		}
	}
	if _, err := ForPath("r.txt"); err == nil || !strings.Contains(err.Error(), "use .xml, .json, .md or .html") {
		t.Errorf("ForPath(r.txt) = %v, want the four extensions listed", err)
	}
}

// bigRun is a run the size of a default headless run against every built-in sandbox: testRun's
// flows repeated until there are about 150 steps.
func bigRun() *flows.RunResult {
	run := testRun()
	base := run.Targets[0].Flows
	for len(run.Targets[0].Flows)*4 < 150 {
		run.Targets[0].Flows = append(run.Targets[0].Flows, base...)
	}
	return run
}

func benchmarkFormat(b *testing.B, write func(w io.Writer, run *flows.RunResult, meta Meta) error) {
	for _, bc := range []struct {
		name string
		run  *flows.RunResult
	}{{"testRun", testRun()}, {"150steps", bigRun()}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := write(&buf, bc.run, testMeta); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/report")
		})
	}
}

func BenchmarkMarkdown(b *testing.B) { benchmarkFormat(b, Markdown) }
