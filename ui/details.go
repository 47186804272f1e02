package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// stepView is what the detail pane shows of one step: its definition, its last record, and while
// it runs what has happened so far; before it runs, what it will do.
type stepView struct {
	step     *flows.Step
	res      *flows.StepResult  // nil before the engine has said anything about the step
	preview  *flows.Description // what the step will do, when it has not run
	running  bool
	live     []flows.Exchange // the hops made so far
	received []flows.Received
	attempts []flows.Attempt // a poll's attempts so far
	waited   time.Duration   // how long the running step has been going, by the interface's clock
	next     bool            // the engine waits for the person to run this step
	halted   bool            // run mode stopped here by a cancel
	walk     bool
}

// renderStep draws everything a person needs to understand one step: what it proves (in the
// flow file's words), its state, what was sent and received, and every check with expected
// versus got and the clause it enforces, failures first. Everything in it is already masked.
func renderStep(st Styles, v stepView, width int) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(truncate(s, width) + "\n") }
	lines := func(ls []string) {
		for _, l := range ls {
			line(l)
		}
	}
	lines(wrapStyled(st.Heading.Render, v.step.Title, width))
	lines(wrap(v.step.Explain, width))
	b.WriteString("\n")

	switch {
	case v.running:
		line(st.Running.Render("Running…") + st.Muted.Render("  (x cancels)"))
		switch v.step.Kind.Name() {
		case "poll":
			lines(pollLines(st, v.attempts, v.live, width))
			if n := len(v.live); n > 0 {
				// The attempts are summed up above; the newest is shown whole.
				b.WriteString("\n")
				line(st.Heading.Render(fmt.Sprintf("Attempt %d", n)))
				lines(exchangeLines(st, v.live[n-1], width))
			}
		case "await":
			if len(v.received) == 0 {
				lines(awaitLines(st, v.preview, v.waited, width))
			}
			for _, r := range v.received {
				b.WriteString("\n")
				lines(receivedLines(st, r, width))
			}
		default:
			for i, ex := range v.live {
				b.WriteString("\n")
				line(st.Heading.Render(fmt.Sprintf("Hop %d", i+1)))
				lines(exchangeLines(st, ex, width))
			}
		}
		return strings.TrimSuffix(b.String(), "\n")
	case v.res == nil || v.res.Pending:
		hint := "Not sent yet."
		switch {
		case v.halted:
			hint += " Stopped here: press enter to go on."
		case v.next && v.walk:
			hint += " Press enter to send it."
		}
		line(st.Muted.Render(hint))
		if d := v.preview; d != nil {
			lines(previewLines(st, *d, width))
		}
		if ids := v.step.CheckIDs(); len(ids) > 0 {
			b.WriteString("\n")
			line(st.Heading.Render(fmt.Sprintf("It will run %s", plural(len(ids), "check"))))
			for _, id := range ids {
				line("  " + id)
			}
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	res := *v.res
	verdict := statusLabel(st, res.Status)
	if res.Duration > 0 {
		verdict += st.Muted.Render(" · " + roundDuration(res.Duration))
	}
	line(verdict)
	if res.Reason != "" {
		lines(wrap(res.Reason, width))
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
	if res.Received != nil {
		b.WriteString("\n")
		lines(receivedLines(st, *res.Received, width))
	}
	if res.Token != nil {
		b.WriteString("\n")
		heading := "Token signed"
		if res.Token.Kind == "id_token" {
			heading = "ID token received"
		}
		lines(wrapStyled(st.Heading.Render, heading, width))
		lines(wrapStyled(st.Muted.Render, "The token itself is a secret; its header and claims:", width))
		lines(bodyLines(jsonText(res.Token.Header), width))
		lines(bodyLines(jsonText(res.Token.Claims), width))
	}
	for i, ex := range res.Exchanges {
		b.WriteString("\n")
		title := "Request"
		switch {
		case res.Kind == "poll":
			title = fmt.Sprintf("Attempt %d of %d", i+1, len(res.Exchanges))
		case len(res.Exchanges) > 1:
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

// previewLines draws what a step will send: the request with its headers and body, templates
// not known yet left as {{name}}, and what else will happen.
func previewLines(st Styles, d flows.Description, width int) []string {
	var out []string
	switch {
	case d.Method != "":
		out = append(out, breakURL(d.Method+" "+d.URL, width)...)
		out = append(out, headerLines(st, d.Header)...)
		if d.Body != "" {
			out = append(out, bodyLines(d.Body, width)...)
		}
	case d.Summary != "":
		out = append(out, wrap(d.Summary, width)...)
	}
	for _, n := range d.Notes {
		out = append(out, wrapStyled(st.Muted.Render, n, width)...)
	}
	return out
}

// receivedLines draws a request a listener received.
func receivedLines(st Styles, r flows.Received, width int) []string {
	out := []string{st.Heading.Render("Received at the " + r.Listener + " listener")}
	out = append(out, breakURL(r.Method+" "+r.URL, width)...)
	out = append(out, headerLines(st, r.Header)...)
	if r.Body != "" {
		out = append(out, bodyLines(r.Body, width)...)
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
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
	out = append(out, wrapStyled(st.Muted.Render, credentials(ex.Request), width)...)
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
		cut := (r.More || r.Truncated) && !r.Binary
		if cut {
			// Say it first: a person paging through a long body should know its end is not the
			// provider's.
			out = append(out, wrapStyled(st.Warn.Render, keptNote(r), width)...)
			out = append(out, cutBodyLines(r.Body, width)...)
			out = append(out, st.Warn.Render("… the rest was not kept"))
		} else {
			out = append(out, bodyLines(r.Body, width)...)
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

// keptNote says how much of a long body was kept, against how much there was.
func keptNote(r *flows.Response) string {
	if r.More {
		return fmt.Sprintf("Showing the first %s kept of more than %s (telconform stops reading there; the checks saw %s).",
			byteSize(len(r.Body)), byteSize(r.Size), byteSize(r.Size))
	}
	return fmt.Sprintf("Showing the first %s kept of %s.", byteSize(len(r.Body)), byteSize(r.Size))
}

// cutBodyLines pretty-prints a body that was cut short. JSON cut midway does not parse, so it
// is indented token by token instead, which needs no end; anything else is shown as it came.
func cutBodyLines(body string, width int) []string {
	if pretty, ok := indentPartialJSON(body); ok {
		body = pretty
	}
	var out []string
	for _, l := range strings.Split(body, "\n") {
		out = append(out, breakURL(l, width)...)
	}
	return out
}

// indentPartialJSON indents text that starts like JSON, two spaces a level, without needing it
// to be whole: strings are copied as they are (escapes included), whitespace between tokens is
// dropped, and a line break follows every opening bracket and comma.
func indentPartialJSON(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return text, false
	}
	var b strings.Builder
	b.Grow(len(t) * 2)
	depth, inString, escaped := 0, false, false
	newline := func() {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("  ", depth))
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			b.WriteByte(c)
		case '{', '[':
			b.WriteByte(c)
			j := i + 1
			for j < len(t) && strings.IndexByte(" \t\r\n", t[j]) >= 0 {
				j++
			}
			if j < len(t) && (t[j] == '}' || t[j] == ']') {
				b.WriteByte(t[j]) // an empty object or array stays on its line
				i = j
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth = max(0, depth-1)
			newline()
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			newline()
		case ':':
			b.WriteString(": ")
		case ' ', '\t', '\r', '\n':
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// attention ranks statuses by how much they need a person: failures, warnings, known and fixed
// deviations, then the rest.
var attention = map[checks.Status]int{checks.Error: 0, checks.Fail: 0, checks.Warn: 1, checks.Fixed: 2, checks.Known: 2, checks.Info: 3, checks.Pass: 4, checks.Skip: 5}

// orderOutcomes puts what needs attention first: failures, warnings, then passes and skips.
func orderOutcomes(outcomes []checks.Outcome) []checks.Outcome {
	out := append([]checks.Outcome(nil), outcomes...)
	sort.SliceStable(out, func(i, j int) bool { return attention[out[i].Status] < attention[out[j].Status] })
	return out
}

// statusMark is a status as one character in its colour.
func statusMark(st Styles, s checks.Status) string {
	switch s {
	case checks.Pass:
		return st.Pass.Render("✓")
	case checks.Fixed:
		return st.Pass.Render("+")
	case checks.Fail, checks.Error:
		return st.Fail.Render("✗")
	case checks.Warn:
		return st.Warn.Render("!")
	case checks.Known:
		return st.Warn.Render("~")
	default:
		return st.Skip.Render("-")
	}
}

func outcomeLines(st Styles, o checks.Outcome, width int) []string {
	mark := statusMark(st, o.Status)
	// A check that held: its id, then what it looked at and found, wrapped under it.
	held := func(text string) []string {
		ls := wrap(o.ID+" "+text, width-2)
		out := []string{mark + " " + o.ID + st.Muted.Render(strings.TrimPrefix(ls[0], o.ID))}
		for _, l := range ls[1:] {
			out = append(out, "    "+st.Muted.Render(l))
		}
		return out
	}
	switch o.Status {
	case checks.Pass:
		return held(o.Target + ": " + o.Got)
	case checks.Skip, checks.Info, checks.Fixed:
		return append(held(o.Target), indent(wrapStyled(st.Muted.Render, o.Reason, width-4), "    ")...)
	}
	// A check that did not hold gets the room to say why: target, expected, got, the clause.
	out := []string{fmt.Sprintf("%s %s", mark, o.ID)}
	if o.Status == checks.Known {
		out = append(out, labelled("    known    ", strings.TrimPrefix(o.Reason, "known deviation: "), width)...)
	}
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
	}{{checks.Fail, "failed"}, {checks.Warn, "warned"}, {checks.Fixed, "fixed"}, {checks.Known, "known"}, {checks.Pass, "passed"}, {checks.Skip, "skipped"}} {
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

// byteSize is a size the way a person reads it: 812 bytes, 64 KiB, 10 MiB.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return plural(n, "byte")
}

// renderFlowSummary draws how a flow's last run went: its verdict and counts, then every check
// that did not hold, failures first, each under its step, then the steps that did not run and
// why. It is what a person reads first after a run, and what they come back to.
func renderFlowSummary(st Styles, f *flows.Flow, fr *flows.FlowResult, width int) string {
	var out []string
	add := func(ls ...string) { out = append(out, ls...) }
	add(wrapStyled(st.Heading.Render, f.Title, width)...)
	if fr == nil || allPending(fr) {
		add("", st.Muted.Render("Not run yet in this session."))
		return fitLines(out, width)
	}
	steps := map[checks.Status]int{}
	for _, s := range fr.Steps {
		if !s.Pending {
			steps[s.Status]++
		}
	}
	verdict := statusLabel(st, fr.Status)
	if fr.Duration > 0 {
		verdict += st.Muted.Render(" · " + roundDuration(fr.Duration))
	}
	add("", verdict)
	add(wrap(fmt.Sprintf("Steps: %d passed, %d failed, %d warned, %d skipped. Checks: %s.",
		steps[checks.Pass], steps[checks.Fail]+steps[checks.Error], steps[checks.Warn],
		steps[checks.Skip], orNone(countOutcomes(flattenOutcomes(fr)))), width)...)

	type finding struct {
		step string
		o    checks.Outcome
	}
	var bad []finding
	for _, s := range fr.Steps {
		for _, o := range s.Outcomes {
			if o.Failed() || o.Status == checks.Warn || o.Status == checks.Known || o.Status == checks.Fixed {
				bad = append(bad, finding{s.ID, o})
			}
		}
	}
	sort.SliceStable(bad, func(i, j int) bool {
		return attention[bad[i].o.Status] < attention[bad[j].o.Status]
	})
	if len(bad) > 0 {
		add("", st.Heading.Render("What to look at"))
		for _, b := range bad {
			add(wrap(b.step, width)...)
			for _, l := range outcomeLines(st, b.o, width-2) {
				add("  " + l)
			}
		}
	}
	var errored, skipped []string
	pending := 0
	for _, s := range fr.Steps {
		switch {
		case s.Pending:
			pending++
		case s.Status == checks.Error:
			errored = append(errored, statusMark(st, s.Status)+" "+s.ID+": "+s.Reason)
		case s.Status == checks.Skip:
			skipped = append(skipped, statusMark(st, s.Status)+" "+s.ID+": "+s.Reason)
		}
	}
	if len(errored) > 0 {
		add("", st.Heading.Render("Steps that could not run"))
		for _, l := range errored {
			add(wrap(l, width)...)
		}
	}
	if len(skipped) > 0 {
		add("", st.Heading.Render("Steps skipped"))
		for _, l := range skipped {
			add(wrapStyled(st.Muted.Render, l, width)...)
		}
	}
	if pending > 0 {
		add("", st.Muted.Render(plural(pending, "step")+" not run yet in this session."))
	}
	if len(bad) == 0 && len(errored) == 0 {
		add("", st.Pass.Render("Every check held."))
	}
	add("", st.Muted.Render("j/k open the steps; [ and ] the other flows of the run."))
	return fitLines(out, width)
}

func allPending(fr *flows.FlowResult) bool {
	for _, s := range fr.Steps {
		if !s.Pending {
			return false
		}
	}
	return true
}

func flattenOutcomes(fr *flows.FlowResult) []checks.Outcome {
	var all []checks.Outcome
	for _, s := range fr.Steps {
		all = append(all, s.Outcomes...)
	}
	return all
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// pollLines draws a poll under way: how long it has gone on against its timeout, then one line
// per attempt with its time, the status that came back and what the condition saw.
func pollLines(st Styles, attempts []flows.Attempt, live []flows.Exchange, width int) []string {
	if len(attempts) == 0 {
		return []string{st.Muted.Render("First attempt under way.")}
	}
	last := attempts[len(attempts)-1]
	out := []string{progressLine(st, last.Elapsed, last.Timeout, width), "", st.Heading.Render("Attempts")}
	for _, a := range attempts {
		status := "-"
		if a.N-1 < len(live) {
			switch ex := live[a.N-1]; {
			case ex.Response != nil:
				status = fmt.Sprint(ex.Response.Status)
			case ex.Error != "":
				status = "error"
			}
		}
		mark := statusMark(st, a.Outcome.Status)
		if a.Outcome.Status != checks.Pass {
			mark = st.Muted.Render("·") // not yet: the poll goes on
		}
		out = append(out, wrap(fmt.Sprintf("%s #%d  +%s  %s  %s: %s", mark, a.N, roundDuration(a.Elapsed), status,
			a.Outcome.Target, a.Outcome.Got), width)...)
	}
	return out
}

// awaitLines draws a listener waiting for the provider's request: where, for how long so far,
// and how to hand the address on.
func awaitLines(st Styles, d *flows.Description, waited time.Duration, width int) []string {
	var out []string
	if d != nil && d.URL != "" {
		out = append(out, "", st.Heading.Render("Listening at"))
		out = append(out, breakURL(d.URL, width)...)
		out = append(out, wrapStyled(st.Muted.Render, "y copies it · u shows it alone, unboxed · c draws it as a QR code", width)...)
	}
	note := "Waiting for the provider's request"
	if waited > 0 {
		note += " · " + roundDuration(waited) + " so far"
	}
	if d != nil && len(d.Notes) > 0 {
		note += ". " + d.Notes[0]
	}
	out = append(out, "")
	return append(out, wrapStyled(st.Running.Render, note, width)...)
}

// progressLine is elapsed against a limit, in words and as a bar.
func progressLine(st Styles, elapsed, limit time.Duration, width int) string {
	words := roundDuration(elapsed) + " of " + limit.String()
	if limit <= 0 {
		return words
	}
	n := max(10, min(30, width-lipgloss.Width(words)-3))
	done := min(n, int(float64(n)*float64(elapsed)/float64(limit)))
	return words + "  " + st.Running.Render(strings.Repeat("#", done)) + st.Muted.Render(strings.Repeat(".", n-done))
}

// credentials says what authenticated a request, from the request as recorded (its values are
// masked already, and only names are drawn): the Authorization scheme, the cookies sent, and the
// query, form or JSON fields whose values are secrets. A request that carried none says so,
// which is what a negative test sends on purpose.
func credentials(r flows.Request) string {
	var by []string
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		by = append(by, scheme+" (Authorization header)")
	}
	for _, c := range r.Header.Values("Cookie") {
		for _, pair := range strings.Split(c, ";") {
			if name, _, ok := strings.Cut(strings.TrimSpace(pair), "="); ok {
				by = append(by, "cookie "+name)
			}
		}
	}
	secret := func(v string) bool { return strings.Contains(v, "[secret:") }
	if u, err := url.Parse(r.URL); err == nil {
		for _, k := range slices.Sorted(maps.Keys(u.Query())) {
			if secret(u.Query().Get(k)) {
				by = append(by, "query "+k)
			}
		}
	}
	switch ct := r.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if form, err := url.ParseQuery(r.Body); err == nil {
			for _, k := range slices.Sorted(maps.Keys(form)) {
				if secret(form.Get(k)) {
					by = append(by, "form "+k)
				}
			}
		}
	case strings.Contains(ct, "json"):
		var obj map[string]any
		if json.Unmarshal([]byte(r.Body), &obj) == nil {
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				if v, ok := obj[k].(string); ok && secret(v) {
					by = append(by, "body "+k)
				}
			}
		}
	}
	if len(by) == 0 {
		return "Sent with no credentials."
	}
	// The names were decoded from what a provider may have chosen (a redirect's query, a JSON
	// body): escape them again before they reach a terminal.
	return termtext.Line("Credentials: " + strings.Join(by, ", ") + ".")
}
