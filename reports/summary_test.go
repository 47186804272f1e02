package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

func summaryOf(run *flows.RunResult, written []string) string {
	var buf bytes.Buffer
	Summary(&buf, run, testMeta, written)
	return buf.String()
}

func TestSummaryGolden(t *testing.T) {
	checkGolden(t, "summary.txt", []byte(summaryOf(testRun(), []string{"r.xml", "r.json"})))
}

// The summary goes to CI logs that many people read: it must never show what was sent or
// received, only which checks said what.
func TestSummaryLeavesOutRequestsAndResponses(t *testing.T) {
	run := testRun()
	out := summaryOf(run, nil)
	var leaked []string
	for _, tr := range run.Targets {
		for _, f := range tr.Flows {
			for _, st := range f.Steps {
				for k, v := range st.Captured {
					if strings.Contains(out, v) {
						leaked = append(leaked, "captured "+k)
					}
				}
				for _, ex := range st.Exchanges {
					values := []string{ex.Request.Body, ex.Request.URL}
					for _, vs := range ex.Request.Header {
						values = append(values, vs...)
					}
					if r := ex.Response; r != nil {
						values = append(values, r.Body)
						for _, vs := range r.Header {
							values = append(values, vs...)
						}
					}
					for _, v := range values {
						if v != "" && strings.Contains(out, v) {
							leaked = append(leaked, fmt.Sprintf("%s %q", st.ID, v))
						}
					}
				}
			}
		}
	}
	if len(leaked) > 0 {
		t.Errorf("the summary shows request or response content: %v\n%s", leaked, out)
	}
	if strings.Contains(out, "[secret:") {
		t.Errorf("the summary shows a masked value, so it shows more than checks:\n%s", out)
	}
}

func TestSummaryIsPlainASCII(t *testing.T) {
	out := summaryOf(testRun(), []string{"r.xml"})
	for i, r := range out {
		if r > 0x7e || (r < 0x20 && r != '\n') {
			t.Fatalf("byte %d of the summary is %q, not plain ASCII:\n%s", i, r, out)
		}
	}
}

// Steps that failed or were skipped for the same reason share one line, so an unreachable
// provider or an interrupted run leaves room for the other findings.
func TestSummaryGroupsRepeatedFindings(t *testing.T) {
	run := &flows.RunResult{Status: checks.Error, Targets: []flows.TargetResult{{Name: "p", Status: checks.Error,
		Flows: []flows.FlowResult{{ID: "f", Status: checks.Error}}}}}
	f := &run.Targets[0].Flows[0]
	for _, id := range []string{"a", "b"} {
		f.Steps = append(f.Steps, flows.StepResult{ID: id, Status: checks.Error, Reason: "connection refused"})
	}
	for i := range 5 {
		f.Steps = append(f.Steps, flows.StepResult{ID: fmt.Sprintf("s%d", i), Status: checks.Skip, Reason: "run interrupted"})
	}
	out := summaryOf(run, nil)
	for _, want := range []string{
		"        x a, b  error: connection refused\n",
		"        - 5 steps (s0, s1, ...)  skipped: run interrupted\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// A flow with more findings than a screen allows shows the first ones, failures first, and says
// how many more the report holds.
func TestSummaryCutsLongFlows(t *testing.T) {
	run := &flows.RunResult{Status: checks.Fail, Targets: []flows.TargetResult{{Name: "p", Status: checks.Fail,
		Flows: []flows.FlowResult{{ID: "f", Status: checks.Fail}}}}}
	f := &run.Targets[0].Flows[0]
	for i := range 11 {
		f.Steps = append(f.Steps, flows.StepResult{ID: fmt.Sprintf("later-%d", i), Status: checks.Skip, Reason: fmt.Sprintf("reason %d", i)})
	}
	f.Steps = append(f.Steps, flows.StepResult{ID: "last", Status: checks.Fail, Outcomes: []checks.Outcome{
		{ID: "c", Level: checks.LevelFail, Status: checks.Fail, Expected: "1", Got: strings.Repeat("2", 500)}}})

	lines := strings.Split(summaryOf(run, nil), "\n")
	var findings []string
	for _, l := range lines {
		if strings.HasPrefix(l, "        ") {
			findings = append(findings, strings.TrimSpace(l))
		}
	}
	if len(findings) != maxFindings+1 {
		t.Fatalf("%d finding lines, want %d and a line saying how many more:\n%s",
			len(findings), maxFindings, strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(findings[0], "x last  c: expected 1, got 222") || !strings.HasSuffix(findings[0], "...") {
		t.Errorf("first finding = %q, want the failure, clipped", findings[0])
	}
	if want := "... and 4 more (see the report)"; findings[maxFindings] != want {
		t.Errorf("last finding line = %q, want %q", findings[maxFindings], want)
	}
	for _, l := range lines {
		if len(l) > maxLine {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
	}
}

func TestSummaryInterruptedRun(t *testing.T) {
	run := testRun()
	run.Interrupted = true
	lines := strings.Split(strings.TrimSuffix(summaryOf(run, nil), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "INTERRUPTED: 1 of 2 flows failed;") {
		t.Errorf("last line = %q, want the INTERRUPTED verdict", last)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "Reports:") {
			t.Errorf("no report was written, yet the summary lists %q", l)
		}
	}
}

// A reason or a value with a newline or an escape sequence must not break the layout or reach
// the terminal as a command: both are written out, visibly.
func TestSummaryKeepsValuesOnOneLine(t *testing.T) {
	run := &flows.RunResult{Status: checks.Error, Duration: 3 * time.Minute, Targets: []flows.TargetResult{{
		Name: "p", Status: checks.Error, Flows: []flows.FlowResult{{ID: "f", Status: checks.Error,
			Steps: []flows.StepResult{{ID: "s", Status: checks.Error, Reason: "line one\nline two\x1b[31m"}}}}}}}
	out := summaryOf(run, nil)
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `x s  error: line one\nline two\x1b[31m`+"\n") {
		t.Errorf("reason not kept on one line:\n%q", out)
	}
	if !strings.HasPrefix(out, "telconform 0.1.0: 1 profile, 1 flow, 1 step, 0 checks in 3m0s\n") {
		t.Errorf("header = %q", strings.SplitN(out, "\n", 2)[0])
	}
}
