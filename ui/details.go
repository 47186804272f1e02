package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

// renderStep draws everything a person needs to understand one step: what it proves (in the
// flow file's words), its state, what was sent and received, and every check with expected
// versus got and the clause it enforces, failures first. Everything in res is already masked.
//
// preview is what a step not sent yet will do, with the values known so far filled in.
func renderStep(st Styles, step *flows.Step, res flows.StepResult, preview string, running, walk bool, width int) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(truncate(s, width) + "\n") }
	lines := func(ls []string) {
		for _, l := range ls {
			line(l)
		}
	}
	lines(wrapStyled(st.Heading.Render, step.Title, width))
	lines(wrap(step.Explain, width))
	b.WriteString("\n")

	switch {
	case running:
		line(st.Running.Render("Sending…") + st.Muted.Render("  (x cancels)"))
	case res.Status == "":
		hint := "Not sent yet."
		if walk {
			hint += " Press enter to send it."
		}
		line(st.Muted.Render(hint))
		switch {
		case step.Kind == flows.KindWait:
			line("Waits " + preview)
		case preview != "":
			lines(breakURL(preview, width))
		}
		if n := step.CheckCount(); n > 0 {
			line(st.Muted.Render(fmt.Sprintf("It will run %d checks.", n)))
		}
		return strings.TrimSuffix(b.String(), "\n")
	default:
		verdict := statusLabel(st, res.Status)
		if res.Duration > 0 {
			verdict += st.Muted.Render(" · " + roundDuration(res.Duration))
		}
		line(verdict)
		if res.Reason != "" {
			lines(wrap(res.Reason, width))
		}
	}
	// The checks come first: they are what the step is for. The evidence follows.
	if len(res.Outcomes) > 0 {
		b.WriteString("\n")
		line(st.Heading.Render("Checks") + "  " + st.Muted.Render(countOutcomes(res.Outcomes)))
		for _, o := range orderOutcomes(res.Outcomes) {
			lines(outcomeLines(st, o, width))
		}
	}
	if res.Handoff != nil {
		b.WriteString("\n")
		line(st.Heading.Render("Done on the phone") + st.Muted.Render(" ("+res.Handoff.Via+")"))
		lines(breakURL(res.Handoff.URL, width))
		back := res.Handoff.Callback
		if back == "" {
			back = "no redirect: the browser stayed on the provider's page"
		}
		lines(breakURL("came back: "+back, width))
	}
	for i, ex := range res.Exchanges {
		b.WriteString("\n")
		title := "Request"
		if len(res.Exchanges) > 1 {
			title = fmt.Sprintf("Hop %d of %d", i+1, len(res.Exchanges))
		}
		line(st.Heading.Render(title))
		lines(exchangeLines(st, ex, width))
	}
	if len(res.Captured) > 0 {
		b.WriteString("\n")
		line(st.Heading.Render("Captured for later steps"))
		for _, k := range slices.Sorted(maps.Keys(res.Captured)) {
			lines(breakURL("  "+k+" = "+res.Captured[k], width))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// wrapStyled wraps text and styles each line.
func wrapStyled(style func(...string) string, text string, width int) []string {
	ls := wrap(text, width)
	for i, l := range ls {
		ls[i] = style(l)
	}
	return ls
}

func exchangeLines(st Styles, ex flows.Exchange, width int) []string {
	var out []string
	out = append(out, breakURL(ex.Request.Method+" "+ex.Request.URL, width)...)
	out = append(out, headerLines(st, ex.Request.Header)...)
	if ex.Request.Body != "" {
		out = append(out, bodyLines(ex.Request.Body, width)...)
	}
	if ex.Error != "" {
		out = append(out, st.Fail.Render("✗ "+ex.Error))
		return out
	}
	if ex.Response == nil {
		return out
	}
	r := ex.Response
	status := fmt.Sprintf("← %d %s", r.Status, http.StatusText(r.Status))
	if ex.Duration > 0 {
		status += st.Muted.Render(" · " + roundDuration(ex.Duration))
	}
	out = append(out, "", st.Heading.Render(status))
	out = append(out, headerLines(st, r.Header)...)
	if r.Body != "" {
		out = append(out, bodyLines(r.Body, width)...)
		if r.Truncated {
			out = append(out, st.Muted.Render(fmt.Sprintf("… (%d bytes in all; the report keeps the first part)", r.Size)))
		}
	}
	return out
}

// headerLines lists headers sorted by name, leaving out the ones that say nothing about the test.
func headerLines(st Styles, h http.Header) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if k == "Date" || k == "Content-Length" || k == "User-Agent" || k == "Accept-Encoding" {
			continue
		}
		out = append(out, st.Muted.Render(k+": ")+strings.Join(h[k], ", "))
	}
	return out
}

// bodyLines pretty-prints a JSON body, or shows the text as it came.
func bodyLines(body string, width int) []string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(body), "", "  ") == nil {
		body = buf.String()
	}
	var out []string
	for _, l := range strings.Split(body, "\n") {
		out = append(out, breakURL(l, width)...)
	}
	return out
}

// orderOutcomes puts what needs attention first: failures, warnings, then passes and skips.
func orderOutcomes(outcomes []checks.Outcome) []checks.Outcome {
	rank := map[checks.Status]int{checks.Error: 0, checks.Fail: 0, checks.Warn: 1, checks.Info: 2, checks.Pass: 3, checks.Skip: 4}
	out := append([]checks.Outcome(nil), outcomes...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Status] < rank[out[j].Status] })
	return out
}

func outcomeLines(st Styles, o checks.Outcome, width int) []string {
	var mark string
	switch o.Status {
	case checks.Pass:
		mark = st.Pass.Render("✓")
	case checks.Fail, checks.Error:
		mark = st.Fail.Render("✗")
	case checks.Warn:
		mark = st.Warn.Render("!")
	default:
		mark = st.Skip.Render("-")
	}
	head := fmt.Sprintf("%s %s  %s", mark, o.ID, st.Muted.Render(o.Target))
	switch o.Status {
	case checks.Pass:
		return []string{head + st.Muted.Render(": "+o.Got)}
	case checks.Skip, checks.Info:
		return []string{head, st.Muted.Render("    " + o.Reason)}
	}
	// A check that did not hold gets the room to say why: target, expected, got, the clause.
	out := []string{fmt.Sprintf("%s %s", mark, o.ID)}
	out = append(out, labelled("    on       ", o.Target, width)...)
	out = append(out, labelled("    expected ", o.Expected, width)...)
	out = append(out, labelled("    got      ", o.Got, width)...)
	if o.Ref != "" {
		out = append(out, labelled("    per      ", o.Ref, width)...)
	}
	if o.Explain != "" {
		out = append(out, indent(wrap(o.Explain, width-4), "    ")...)
	}
	return out
}

// labelled wraps a value under a label, continuation lines aligned with the value.
func labelled(label, value string, width int) []string {
	ls := wrap(value, max(10, width-len(label)))
	for i := range ls {
		if i == 0 {
			ls[i] = label + ls[i]
		} else {
			ls[i] = strings.Repeat(" ", len(label)) + ls[i]
		}
	}
	if len(ls) == 0 {
		return []string{label}
	}
	return ls
}

func countOutcomes(outcomes []checks.Outcome) string {
	n := map[checks.Status]int{}
	for _, o := range outcomes {
		n[o.Status]++
	}
	var parts []string
	for _, c := range []struct {
		s     checks.Status
		label string
	}{{checks.Fail, "failed"}, {checks.Warn, "warned"}, {checks.Pass, "passed"}, {checks.Skip, "skipped"}} {
		if n[c.s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c.s], c.label))
		}
	}
	return strings.Join(parts, ", ")
}

func indent(ls []string, prefix string) []string {
	for i := range ls {
		ls[i] = prefix + ls[i]
	}
	return ls
}

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return d.Round(10 * time.Millisecond).String()
}
