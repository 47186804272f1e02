package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

// The JSON report's own types. They copy the result types field by field instead of marshalling
// flows.RunResult directly, so the report's shape is a contract of this package: a field added to
// the runner's types does not silently appear in every consumer's input, and the key order is the
// order of the struct fields below.

type jsonReport struct {
	Tool        string        `json:"tool"`
	Version     string        `json:"version"`
	Started     string        `json:"started"`
	DurationMS  int64         `json:"duration_ms"`
	Status      checks.Status `json:"status"`
	Interrupted bool          `json:"interrupted"`
	Summary     jsonSummary   `json:"summary"`
	Profiles    []jsonProfile `json:"profiles"`
}

type jsonSummary struct {
	Profiles    int          `json:"profiles"`
	Flows       int          `json:"flows"`
	FlowsFailed int          `json:"flows_failed"`
	Steps       statusCounts `json:"steps"`
	Checks      statusCounts `json:"checks"`
}

type jsonProfile struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Source  string   `json:"source"`
	Sandbox string   `json:"sandbox,omitempty"`
	Faults  []string `json:"faults,omitempty"`
	// Tolerances are the sandbox tolerances switched on.
	Tolerances []string      `json:"tolerances,omitempty"`
	Status     checks.Status `json:"status"`
	Flows      []jsonFlow    `json:"flows"`
}

type jsonFlow struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Explain    string        `json:"explain,omitempty"`
	Status     checks.Status `json:"status"`
	Started    string        `json:"started"`
	DurationMS int64         `json:"duration_ms"`
	Steps      []jsonStep    `json:"steps"`
}

type jsonStep struct {
	ID         string             `json:"id"`
	Title      string             `json:"title"`
	Explain    string             `json:"explain,omitempty"`
	Kind       string             `json:"kind"`
	Status     checks.Status      `json:"status"`
	Reason     string             `json:"reason,omitempty"`
	Started    string             `json:"started"`
	DurationMS int64              `json:"duration_ms"`
	Exchanges  []jsonExchange     `json:"exchanges"`
	Handoff    *flows.Handoff     `json:"handoff,omitempty"`
	Received   *flows.Received    `json:"received,omitempty"`
	Token      *flows.TokenRecord `json:"token,omitempty"`
	Captured   map[string]string  `json:"captured,omitempty"`
	Checks     []jsonCheck        `json:"checks"`
}

type jsonExchange struct {
	Request    jsonRequest   `json:"request"`
	Response   *jsonResponse `json:"response,omitempty"`
	Error      string        `json:"error,omitempty"`
	DurationMS int64         `json:"duration_ms"`
}

type jsonRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body,omitempty"`
}

type jsonResponse struct {
	Status    int         `json:"status"`
	Headers   http.Header `json:"headers"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
	Binary    bool        `json:"binary,omitempty"`
	Size      int         `json:"size"`
	More      bool        `json:"more,omitempty"` // the body went on past the read limit
}

type jsonCheck struct {
	ID       string        `json:"id"`
	Level    checks.Level  `json:"level"`
	Ref      string        `json:"ref,omitempty"`
	Status   checks.Status `json:"status"`
	Target   string        `json:"target,omitempty"`
	Expected string        `json:"expected,omitempty"`
	Got      string        `json:"got,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Explain  string        `json:"explain,omitempty"`
	// Scenarios are the CAMARA test-definition scenarios the check covers, from its ref, so a
	// report can be read scenario by scenario.
	Scenarios []jsonScenario `json:"scenarios,omitempty"`
}

type jsonScenario struct {
	API     string `json:"api"`
	Feature string `json:"feature"`
	Tag     string `json:"tag"`
}

// Count keys every JSON summary carries, zero or not and in this order, so a consumer can read
// `.summary.checks.fail` without first asking whether it exists.
var (
	stepCountKeys  = []checks.Status{checks.Pass, checks.Fail, checks.Warn, checks.Skip, checks.Error, checks.Known, checks.Fixed}
	checkCountKeys = []checks.Status{checks.Pass, checks.Fail, checks.Warn, checks.Info, checks.Skip, checks.Error, checks.Known, checks.Fixed}
)

// jsonTime is the one timestamp format of the JSON report: RFC 3339 with the offset the run
// recorded and millisecond precision, matching the precision of the durations beside it.
const jsonTime = "2006-01-02T15:04:05.000Z07:00"

// JSON writes the whole run as one indented JSON document, for tools that want every request,
// response and check rather than JUnit's pass/fail view. Key order is fixed and every count is
// present, so two reports diff cleanly and scripts need no guards.
func JSON(w io.Writer, run *flows.RunResult, meta Meta) error {
	run = orEmpty(run)
	rep := jsonReport{
		Tool:        meta.tool(),
		Version:     meta.Version,
		Started:     run.Started.Format(jsonTime),
		DurationMS:  millis(run.Duration),
		Status:      run.Status,
		Interrupted: run.Interrupted,
		Summary:     jsonSummaryOf(run.Summarize()),
		Profiles:    make([]jsonProfile, 0, len(run.Targets)),
	}
	for _, t := range run.Targets {
		p := jsonProfile{Name: t.Name, Title: t.Title, Source: t.Source, Sandbox: t.Sandbox, Faults: t.Faults, Tolerances: t.Tolerances,
			Status: t.Status, Flows: make([]jsonFlow, 0, len(t.Flows))}
		for _, f := range t.Flows {
			p.Flows = append(p.Flows, jsonFlowOf(f))
		}
		rep.Profiles = append(rep.Profiles, p)
	}
	// Bodies and URLs are full of < > &; escaping them as \u003c would make the report unreadable
	// to people for no gain, since nobody embeds it in HTML.
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return err
	}
	// Indenting into a buffer sized for the result up front: growing it step by step cost more
	// than the encoding itself on a whole run's report.
	var out bytes.Buffer
	out.Grow(compact.Len() * 2)
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

// jsonSummaryOf turns the runner's counts into the report's.
func jsonSummaryOf(s flows.Summary) jsonSummary {
	return jsonSummary{
		Profiles:    s.Profiles,
		Flows:       s.Flows,
		FlowsFailed: s.Failed,
		Steps:       statusCounts{keys: stepCountKeys, by: s.Steps},
		Checks:      statusCounts{keys: checkCountKeys, by: s.Checks},
	}
}

// statusCounts is a count per status that always carries its keys, in their fixed order,
// followed by any status the runner may add later (sorted), so a new status is reported rather
// than dropped and two reports still diff line by line.
type statusCounts struct {
	keys []checks.Status
	by   map[checks.Status]int
}

// MarshalJSON writes the counts as one object in statusCounts' order.
func (c statusCounts) MarshalJSON() ([]byte, error) {
	keys := slices.Clone(c.keys)
	var extra []checks.Status
	for k := range c.by {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range append(keys, extra...) {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(string(k))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s:%d", name, c.by[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func jsonFlowOf(f flows.FlowResult) jsonFlow {
	jf := jsonFlow{ID: f.ID, Title: f.Title, Explain: f.Explain, Status: f.Status, Started: f.Started.Format(jsonTime),
		DurationMS: millis(f.Duration), Steps: make([]jsonStep, 0, len(f.Steps))}
	for _, st := range f.Steps {
		js := jsonStep{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind, Status: st.Status, Reason: st.Reason,
			Started: st.Started.Format(jsonTime), DurationMS: millis(st.Duration),
			Exchanges: make([]jsonExchange, 0, len(st.Exchanges)), Handoff: st.Handoff, Received: st.Received,
			Token: st.Token, Captured: st.Captured, Checks: make([]jsonCheck, 0, len(st.Outcomes))}
		for _, ex := range st.Exchanges {
			js.Exchanges = append(js.Exchanges, jsonExchangeOf(ex))
		}
		for _, o := range st.Outcomes {
			js.Checks = append(js.Checks, jsonCheck{ID: o.ID, Level: o.Level, Ref: o.Ref, Status: o.Status,
				Target: o.Target, Expected: o.Expected, Got: o.Got, Reason: o.Reason, Explain: o.Explain,
				Scenarios: scenariosOf(o.Ref)})
		}
		jf.Steps = append(jf.Steps, js)
	}
	return jf
}

// scenariosOf lists the CAMARA scenarios a ref names; parts telconform does not know (a user's
// flow may cite its own documents) name none.
func scenariosOf(ref string) []jsonScenario {
	clauses, _ := checks.ParseRef(ref)
	var out []jsonScenario
	for _, c := range clauses {
		if c.Scenario() {
			out = append(out, jsonScenario{API: c.API, Feature: c.Feature, Tag: c.Tag})
		}
	}
	return out
}

func jsonExchangeOf(ex flows.Exchange) jsonExchange {
	je := jsonExchange{
		Request: jsonRequest{Method: ex.Request.Method, URL: ex.Request.URL,
			Headers: headersOf(ex.Request.Header), Body: ex.Request.Body},
		Error:      ex.Error,
		DurationMS: millis(ex.Duration),
	}
	if r := ex.Response; r != nil {
		je.Response = &jsonResponse{Status: r.Status, Headers: headersOf(r.Header), Body: r.Body,
			Truncated: r.Truncated, Binary: r.Binary, Size: r.Size, More: r.More}
	}
	return je
}

// headersOf renders missing headers as {} rather than null, so consumers can index them directly.
func headersOf(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h
}
