package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// HTML writes the run as one page a person opens in a browser, from a CI artifact or a mail,
// offline: the Markdown report's content, and under each step the evidence (requests, responses,
// received requests, minted tokens, handoffs) in <details> that failures open by default.
//
// The page is self-contained (inline CSS, no script, no font, no request to anywhere) and a
// Content-Security-Policy says so to the browser as well. Values from the run reach the page
// only as strings that html/template escapes for where they land; terminal controls and
// bidirectional overrides in them are written out first, as in every other report, so a body
// cannot reorder what a person reads.
func HTML(w io.Writer, run *flows.RunResult, meta Meta) error {
	run = orEmpty(run)
	var out bytes.Buffer
	if err := htmlPageTemplate.Execute(&out, htmlPageOf(run, meta)); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

// The page's view of a run. Every string field holds text, never markup: html/template escapes
// it, and nothing here is ever a template.HTML.

type htmlPage struct {
	Verdict, Class, Tool string
	Started, Took        string
	Totals               string
	Interrupted          bool
	Counts               htmlCounts
	Faulted              string
	Notices              []htmlNotice
	Profiles             []htmlProfile
}

type htmlCounts struct {
	Cols          []string
	Steps, Checks []int
	StepsTotal    int
	ChecksTotal   int
}

type htmlNotice struct {
	Status, Class string
	Check, Where  string // Check is empty for a step that could not run
	Anchor        string
	Fields        []htmlField
}

type htmlField struct{ Label, Value string }

type htmlProfile struct {
	Status, Class, Name, Title string
	About                      string
	Faults, Tolerances         string
	Flows                      []htmlFlow
}

type htmlFlow struct {
	Anchor, Status, Class string
	ID, Title, Explain    string
	Counts                string
	Steps                 []htmlStep
}

type htmlStep struct {
	Anchor, Status, Class string
	ID, Title, Explain    string
	Kind, Took            string
	Passed, Failed        int
	Reason                string
	Open                  bool
	Checks                []htmlCheck
	Exchanges             []htmlExchange
	Received              *htmlReceived
	Token                 *htmlToken
	Handoff               *htmlHandoff
}

type htmlCheck struct {
	Status, Class   string
	ID, Target, Ref string
	Expected, Got   string
	ShowValues      bool
	Reason, Explain string
}

// An exchange's request and response are each shown as HTTP writes a message: headers, a blank
// line, the body. The method and URL are in the summary line above them.
type htmlExchange struct {
	Line     string
	Open     bool
	Request  string
	Error    string
	Response *htmlResponse
}

type htmlResponse struct {
	Status  string
	Message string
	Notes   []string
}

type htmlReceived struct {
	Listener, Method, URL, At string
	Message                   string
	Notes                     []string
}

type htmlToken struct{ Kind, Header, Claims string }

type htmlHandoff struct{ URL, Callback, Via string }

// htmlLine is a one-line value from the run as the page shows it: cut to maxValue characters
// with a note, controls written out.
func htmlLine(s string) string {
	text, left := oneLine(s, maxValue)
	if left > 0 {
		text += cutNote(left)
	}
	return text
}

// statusClass maps a status onto the page's own CSS classes, so that no value from the run ever
// lands in an attribute.
func statusClass(s checks.Status) string {
	switch s {
	case checks.Pass, checks.Fail, checks.Warn, checks.Info, checks.Skip, checks.Error, checks.Known, checks.Fixed:
		return string(s)
	}
	return "other"
}

func htmlPageOf(run *flows.RunResult, meta Meta) htmlPage {
	s := run.Summarize()
	p := htmlPage{
		Verdict: verdict(run), Class: statusClass(run.Status), Tool: termtext.Line(meta.name()),
		Totals:      fmt.Sprintf("%s, %s, %d failed.", plural(s.Profiles, "profile"), plural(s.Flows, "flow"), s.Failed),
		Interrupted: run.Interrupted,
		Counts:      htmlCounts{StepsTotal: total(s.Steps), ChecksTotal: total(s.Checks)},
	}
	if run.Interrupted {
		p.Class = "error"
	}
	if !run.Started.IsZero() {
		p.Started, p.Took = run.Started.Format(time.RFC3339), runTime(run.Duration)
	}
	for _, c := range countColumns(s) {
		p.Counts.Cols = append(p.Counts.Cols, termtext.Line(string(c)))
		p.Counts.Steps = append(p.Counts.Steps, s.Steps[c])
		p.Counts.Checks = append(p.Counts.Checks, s.Checks[c])
	}
	if f := faulted(run); len(f) > 0 {
		p.Faulted = htmlLine(strings.Join(f, ", "))
	}
	for _, n := range notices(run) {
		p.Notices = append(p.Notices, htmlNoticeOf(n))
	}
	for pi, t := range run.Targets {
		hp := htmlProfile{Status: word(t.Status), Class: statusClass(t.Status), Name: htmlLine(t.Name), Title: htmlLine(t.Title),
			Faults: htmlLine(strings.Join(t.Faults, ", ")), Tolerances: htmlLine(strings.Join(t.Tolerances, ", "))}
		var about []string
		if t.Source != "" {
			about = append(about, "source: "+htmlLine(t.Source))
		}
		if t.Sandbox != "" {
			about = append(about, "sandbox: "+htmlLine(t.Sandbox))
		}
		hp.About = strings.Join(about, "; ")
		for fi, f := range t.Flows {
			hf := htmlFlow{Anchor: fmt.Sprintf("p%d-f%d", pi+1, fi+1), Status: word(f.Status), Class: statusClass(f.Status),
				ID: htmlLine(f.ID), Title: htmlLine(f.Title), Explain: htmlLine(prose(f.Explain)), Counts: stepCounts(f.Steps)}
			for si, st := range f.Steps {
				hf.Steps = append(hf.Steps, htmlStepOf(fmt.Sprintf("p%d-f%d-s%d", pi+1, fi+1, si+1), st))
			}
			hp.Flows = append(hp.Flows, hf)
		}
		p.Profiles = append(p.Profiles, hp)
	}
	return p
}

func htmlNoticeOf(n notice) htmlNotice {
	hn := htmlNotice{Status: word(n.status), Class: statusClass(n.status),
		Where:  htmlLine(n.profile) + " / " + htmlLine(n.flow) + " / " + htmlLine(n.step),
		Anchor: fmt.Sprintf("p%d-f%d-s%d", n.p+1, n.f+1, n.s+1)}
	add := func(label, value string) { hn.Fields = append(hn.Fields, htmlField{label, value}) }
	if n.check == nil {
		if n.reason != "" {
			add("reason", htmlLine(n.reason))
		}
		return hn
	}
	o := n.check
	hn.Check = htmlLine(o.ID)
	if o.Target != "" {
		add("target", htmlLine(o.Target))
	}
	if o.Expected != "" || o.Got != "" {
		add("expected", htmlValue(o.Expected))
		add("got", htmlValue(o.Got))
	}
	if o.Ref != "" {
		add("ref", htmlLine(o.Ref))
	}
	if o.Reason != "" {
		add("reason", htmlLine(o.Reason))
	}
	if o.Explain != "" {
		add("explain", htmlLine(prose(o.Explain)))
	}
	return hn
}

// htmlValue is htmlLine for an expected or got, where an empty value is itself the finding.
func htmlValue(s string) string {
	if s == "" {
		return "(empty)"
	}
	return htmlLine(s)
}

// htmlStepOf gathers a step's verdict and evidence. A step that failed, errored or warned is open
// with its exchanges, since that is what its reader came for; the others stay closed so the page
// can be scanned.
func htmlStepOf(anchor string, st flows.StepResult) htmlStep {
	hs := htmlStep{Anchor: anchor, Status: word(st.Status), Class: statusClass(st.Status),
		ID: htmlLine(st.ID), Title: htmlLine(st.Title), Explain: htmlLine(prose(st.Explain)), Kind: htmlLine(st.Kind),
		Took: fmt.Sprintf("%d ms", millis(st.Duration))}
	hs.Passed, hs.Failed = tally(st.Outcomes)
	switch st.Status {
	case checks.Fail, checks.Error, checks.Warn:
		hs.Open = true
	}
	if st.Status == checks.Skip || st.Status == checks.Error {
		hs.Reason = htmlLine(st.Reason)
	}
	for _, o := range st.Outcomes {
		hs.Checks = append(hs.Checks, htmlCheck{Status: word(o.Status), Class: statusClass(o.Status),
			ID: htmlLine(o.ID), Target: htmlLine(o.Target), Ref: htmlLine(o.Ref),
			ShowValues: o.Expected != "" || o.Got != "", Expected: htmlValue(o.Expected), Got: htmlValue(o.Got),
			Reason: htmlLine(o.Reason), Explain: htmlLine(prose(o.Explain))})
	}
	for _, ex := range st.Exchanges {
		hs.Exchanges = append(hs.Exchanges, htmlExchangeOf(ex, hs.Open))
	}
	if r := st.Received; r != nil {
		hr := &htmlReceived{Listener: htmlLine(r.Listener), Method: htmlLine(r.Method), URL: termtext.Line(r.URL),
			Message: httpMessage(r.Header, r.Body), Notes: bodyNotes(r.Size, r.Truncated, r.Binary, false)}
		if !r.At.IsZero() {
			hr.At = r.At.Format(jsonTime)
		}
		hs.Received = hr
	}
	if tk := st.Token; tk != nil {
		hs.Token = &htmlToken{Kind: htmlLine(tk.Kind), Header: htmlJSON(tk.Header), Claims: htmlJSON(tk.Claims)}
	}
	if h := st.Handoff; h != nil {
		hs.Handoff = &htmlHandoff{URL: termtext.Line(h.URL), Callback: termtext.Line(h.Callback), Via: htmlLine(h.Via)}
	}
	return hs
}

// htmlExchangeOf shows one request and what came of it. URLs, headers and bodies are shown whole:
// the runner has already bounded them, and they are the evidence.
func htmlExchangeOf(ex flows.Exchange, open bool) htmlExchange {
	he := htmlExchange{
		Line:    termtext.Line(requestLine(ex)) + fmt.Sprintf(" (%d ms)", millis(ex.Duration)),
		Open:    open,
		Request: httpMessage(ex.Request.Header, ex.Request.Body),
		Error:   termtext.Line(ex.Error),
	}
	if r := ex.Response; r != nil {
		he.Response = &htmlResponse{Status: strings.TrimSpace(fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))),
			Message: httpMessage(r.Header, r.Body), Notes: bodyNotes(r.Size, r.Truncated, r.Binary, r.More)}
	}
	return he
}

// httpMessage is headers and a body as HTTP lays them out: one header a line, names sorted so
// that two pages of one run are identical, then a blank line and the body.
func httpMessage(h http.Header, body string) string {
	head := htmlHeaders(h)
	switch {
	case body == "":
		return head
	case head == "":
		return termtext.Block(body)
	}
	return head + "\n\n" + termtext.Block(body)
}

// bodyNotes says what a body record is, from the flags the runner set on it, as the JSON report's
// truncated, binary and more do.
func bodyNotes(size int, truncated, binary, more bool) []string {
	notes := []string{plural(size, "byte") + " read"}
	if binary {
		notes = append(notes, "binary: not text, so the record is a hex excerpt")
	}
	if truncated {
		notes = append(notes, "truncated: the record keeps the start of the body only")
	}
	if more {
		notes = append(notes, "more: the body went on past the read limit; the checks saw only what was read")
	}
	return notes
}

// htmlHeaders writes headers one per line, names sorted.
func htmlHeaders(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(termtext.Line(k) + ": " + termtext.Line(v) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// htmlJSON shows a decoded JWT part indented, keys sorted (encoding/json sorts map keys).
func htmlJSON(v map[string]any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // html/template escapes for the page; \u003c would only hurt reading
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "(cannot show: " + err.Error() + ")"
	}
	return termtext.Block(strings.TrimSuffix(b.String(), "\n"))
}

var htmlPageTemplate = template.Must(template.New("page").Parse(htmlPageText))

// htmlPageText is the page. Colours come in pairs for light and dark; every status is also
// written out as a word, so colour is never the only signal.
const htmlPageText = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="color-scheme" content="light dark">
<title>{{.Verdict}}: {{.Tool}}</title>
<style>
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--code:#f6f8fa;
--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--info:#0969da;--skip:#59636e;--known:#8250df;--fault:#fff8c5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--code:#151b23;
--pass:#3fb950;--fail:#f85149;--warn:#d29922;--info:#4493f8;--skip:#9198a1;--known:#ab7df8;--fault:#3b2e00}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:78rem;padding:1rem;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 .5rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
code,pre,.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{white-space:pre-wrap;background:var(--code);padding:.5rem;border-radius:6px;margin:.25rem 0 .5rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.2rem .5rem;border-bottom:1px solid var(--line)}
td.n,th.n{text-align:right}
.st{display:inline-block;min-width:3.5em;text-align:center;font:700 12px/1.7 ui-monospace,Menlo,Consolas,monospace;
border:1px solid currentColor;border-radius:4px;padding:0 .3em}
.pass{color:var(--pass)}.fail,.error{color:var(--fail)}.warn{color:var(--warn)}.info{color:var(--info)}
.skip,.other{color:var(--skip)}.known,.fixed{color:var(--known)}
.muted,.note{color:var(--muted)}
.fault{background:var(--fault);border-left:4px solid var(--fail);padding:.4rem .7rem}
.notice{border-left:4px solid var(--line);padding:.1rem .8rem;margin:.8rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}dt{color:var(--muted)}dd{margin:0}
details{border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
details details{margin:.4rem 0}
summary{cursor:pointer}
@media (max-width:40rem){body{padding:.5rem}dl{grid-template-columns:1fr}dt{margin-top:.3rem}}
</style>
</head>
<body>
<header>
<h1><span class="st {{.Class}}">{{.Verdict}}</span> {{.Tool}}</h1>
<p>{{if .Started}}Started {{.Started}}, took {{.Took}}. {{end}}{{.Totals}}</p>
{{if .Interrupted}}<p class="fault">The run was interrupted: the steps it did not reach are skipped, and its verdict covers only what ran.</p>{{end}}
<div class="scroll"><table>
<tr><th></th><th class="n">total</th>{{range .Counts.Cols}}<th class="n">{{.}}</th>{{end}}</tr>
<tr><th>steps</th><td class="n">{{.Counts.StepsTotal}}</td>{{range .Counts.Steps}}<td class="n">{{.}}</td>{{end}}</tr>
<tr><th>checks</th><td class="n">{{.Counts.ChecksTotal}}</td>{{range .Counts.Checks}}<td class="n">{{.}}</td>{{end}}</tr>
</table></div>
</header>
<main>
<section>
<h2>What needs attention</h2>
{{if .Faulted}}<p class="fault"><strong>Faults injected</strong>: the sandbox deviates on purpose in {{.Faulted}}, so failures there are what the run is for.</p>{{end}}
{{range .Notices}}<div class="notice">
<p><span class="st {{.Class}}">{{.Status}}</span> {{if .Check}}<span class="id">{{.Check}}</span> at{{else}}step{{end}} <a href="#{{.Anchor}}">{{.Where}}</a>{{if not .Check}} could not run{{end}}</p>
<dl>{{range .Fields}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
</div>
{{else}}<p>Nothing: no check failed, warned or is a known deviation, and every step that ran could run.</p>
{{end}}</section>
{{range .Profiles}}
<section>
<h2><span class="st {{.Class}}">{{.Status}}</span> {{.Name}}{{if .Title}}: {{.Title}}{{end}}</h2>
{{if .About}}<p class="muted">{{.About}}</p>{{end}}
{{if .Faults}}<p class="fault"><strong>FAULTS INJECTED</strong> (the sandbox deviates on purpose): {{.Faults}}</p>{{end}}
{{if .Tolerances}}<p>Tolerances (what the standards allow; every check must still pass): {{.Tolerances}}</p>{{end}}
{{if .Flows}}<div class="scroll"><table>
<tr><th>verdict</th><th>flow</th><th>title</th><th>steps</th></tr>
{{range .Flows}}<tr><td><span class="st {{.Class}}">{{.Status}}</span></td><td><a class="id" href="#{{.Anchor}}">{{.ID}}</a></td><td>{{.Title}}</td><td>{{.Counts}}</td></tr>
{{end}}</table></div>
{{else}}<p>No flow ran.</p>{{end}}
{{range .Flows}}
<section id="{{.Anchor}}">
<h3><span class="st {{.Class}}">{{.Status}}</span> <span class="id">{{.ID}}</span>{{if .Title}}: {{.Title}}{{end}}</h3>
{{if .Explain}}<p>{{.Explain}}</p>{{end}}
{{range .Steps}}
<details id="{{.Anchor}}"{{if .Open}} open{{end}}>
<summary><span class="st {{.Class}}">{{.Status}}</span> <span class="id">{{.ID}}</span> {{.Title}} <span class="muted">({{.Kind}}; {{.Passed}} passed, {{.Failed}} failed; {{.Took}})</span>{{if .Reason}}<br><span class="note">reason: {{.Reason}}</span>{{end}}</summary>
{{if .Explain}}<p class="muted">{{.Explain}}</p>{{end}}
{{if .Checks}}<div class="scroll"><table>
<tr><th>status</th><th>check</th><th>target</th><th>expected</th><th>got</th><th>ref</th></tr>
{{range .Checks}}<tr><td><span class="st {{.Class}}">{{.Status}}</span></td><td><span class="id">{{.ID}}</span>{{if .Explain}}<br><span class="muted">{{.Explain}}</span>{{end}}{{if .Reason}}<br><span class="note">{{.Reason}}</span>{{end}}</td><td>{{.Target}}</td><td>{{if .ShowValues}}{{.Expected}}{{end}}</td><td>{{if .ShowValues}}{{.Got}}{{end}}</td><td>{{.Ref}}</td></tr>
{{end}}</table></div>{{end}}
{{range .Exchanges}}<details{{if .Open}} open{{end}}>
<summary><code>{{.Line}}</code></summary>
<p><strong>Request</strong></p>
{{if .Request}}<pre>{{.Request}}</pre>{{else}}<p class="note">no headers, no body</p>{{end}}
{{with .Response}}<p><strong>Response</strong> <code>{{.Status}}</code> <span class="note">{{range $i, $n := .Notes}}{{if $i}}; {{end}}{{$n}}{{end}}</span></p>
{{if .Message}}<pre>{{.Message}}</pre>{{end}}
{{end}}{{if .Error}}<p class="fail"><strong>Error</strong> {{.Error}}</p>
{{end}}</details>
{{end}}{{with .Received}}<details open>
<summary><strong>Received</strong> by listener {{.Listener}}: <code>{{.Method}} {{.URL}}</code></summary>
<p class="note">{{if .At}}at {{.At}}; {{end}}{{range $i, $n := .Notes}}{{if $i}}; {{end}}{{$n}}{{end}}</p>
{{if .Message}}<pre>{{.Message}}</pre>{{end}}
</details>
{{end}}{{with .Token}}<details open>
<summary><strong>Token</strong> ({{.Kind}}): header and claims; the token itself is a secret and is not recorded</summary>
<pre>{{.Header}}</pre>
<pre>{{.Claims}}</pre>
</details>
{{end}}{{with .Handoff}}<dl>
<dt>handoff via</dt><dd>{{.Via}}</dd>
<dt>opened</dt><dd><code>{{.URL}}</code></dd>
<dt>came back</dt><dd>{{if .Callback}}<code>{{.Callback}}</code>{{else}}(the browser was not sent back){{end}}</dd>
</dl>
{{end}}</details>
{{end}}</section>
{{end}}</section>
{{end}}</main>
<footer><p class="muted">Written by {{.Tool}}. Secrets are masked at the source; the JSON report holds every value whole.</p></footer>
</body>
</html>
`
