package flows

import (
	"net/http"
	"time"

	"github.com/telconform/telconform/checks"
)

// Request is a request as it was sent, with secrets masked.
type Request struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"headers,omitempty"`
	Body   string      `json:"body,omitempty"`
}

// Response is a response as it was received, with secrets masked and the body cut at the
// runner's limit.
type Response struct {
	Status    int         `json:"status"`
	Header    http.Header `json:"headers,omitempty"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
	Binary    bool        `json:"binary,omitempty"` // Body is a hex excerpt: the body was not text
	Size      int         `json:"size"`             // bytes of body read, before truncation
	// More says the body went on past the runner's read limit: Size bytes were read, no more,
	// and the checks saw only those.
	More bool `json:"more,omitempty"`
}

// Exchange is one request and what came of it: a response, or the error that stopped it.
type Exchange struct {
	Request  Request       `json:"request"`
	Response *Response     `json:"response,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"-"`
}

// Received is a request one of telconform's listeners received, as evidence, with secrets masked
// and the body cut at the runner's limit.
type Received struct {
	Listener  string      `json:"listener"`
	Method    string      `json:"method"`
	URL       string      `json:"url"` // path and query as they arrived
	Header    http.Header `json:"headers,omitempty"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
	Binary    bool        `json:"binary,omitempty"`
	Size      int         `json:"size"`
	At        time.Time   `json:"at"`
}

// TokenRecord is a JWT a step minted, decoded: its header and claims. The token itself is a
// secret and is never recorded.
type TokenRecord struct {
	// Kind says where the token came from: "minted" by the step, or an "id_token" a provider
	// sent.
	Kind   string         `json:"kind"`
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// Handoff records a walk a person performed on the device: the URL they opened and the
// callback they brought back (empty when the browser was not sent back).
type Handoff struct {
	URL      string `json:"url"`
	Callback string `json:"callback"`
	Via      string `json:"via"`
}

// StepResult is the record of one step: what was sent and received, what was captured and what
// every check found.
type StepResult struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Explain string `json:"explain,omitempty"`
	Kind    string `json:"kind"`
	// Status is error when the step could not run, skip when it did not run (Reason says why),
	// and otherwise the worst of its checks.
	Status    checks.Status     `json:"status"`
	Reason    string            `json:"reason,omitempty"`
	Started   time.Time         `json:"started"`
	Duration  time.Duration     `json:"-"`
	Exchanges []Exchange        `json:"exchanges,omitempty"`
	Handoff   *Handoff          `json:"handoff,omitempty"`
	Received  *Received         `json:"received,omitempty"`
	Token     *TokenRecord      `json:"token,omitempty"`
	Captured  map[string]string `json:"captured,omitempty"`
	Outcomes  []checks.Outcome  `json:"checks"`
	// Pending marks a step that has not run yet in this session (its Status is skip, its
	// Reason "not run"), so a front end can tell it from a step that was skipped.
	Pending bool `json:"-"`
}

// FlowResult is the record of one flow run against one target.
type FlowResult struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Explain  string        `json:"explain,omitempty"`
	Status   checks.Status `json:"status"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"-"`
	Steps    []StepResult  `json:"steps"`
}

// TargetResult is the record of every flow run against one profile.
type TargetResult struct {
	Name    string        `json:"name"`
	Title   string        `json:"title"`
	Source  string        `json:"source,omitempty"`
	Status  checks.Status `json:"status"`
	Flows   []FlowResult  `json:"flows"`
	Sandbox string        `json:"sandbox,omitempty"` // provider of the built-in sandbox it ran against
	Faults  []string      `json:"faults,omitempty"`  // sandbox faults switched on for the run
	// Tolerances are the sandbox tolerances switched on for the run.
	Tolerances []string `json:"tolerances,omitempty"`
}

// RunResult is the record of a whole run: what reports are written from.
type RunResult struct {
	Started     time.Time      `json:"started"`
	Duration    time.Duration  `json:"-"`
	Interrupted bool           `json:"interrupted,omitempty"`
	Status      checks.Status  `json:"status"`
	Targets     []TargetResult `json:"profiles"`
}

// Summary counts what a run did, for the summary line and the report's summary object.
type Summary struct {
	Profiles int                   `json:"profiles"`
	Flows    int                   `json:"flows"`
	Steps    map[checks.Status]int `json:"steps"`
	Checks   map[checks.Status]int `json:"checks"`
	Failed   int                   `json:"failed"` // flows that failed or errored
}

// Summarize counts steps and checks by status.
func (r *RunResult) Summarize() Summary {
	s := Summary{Steps: map[checks.Status]int{}, Checks: map[checks.Status]int{}}
	for _, t := range r.Targets {
		s.Profiles++
		for _, f := range t.Flows {
			s.Flows++
			if f.Status == checks.Fail || f.Status == checks.Error {
				s.Failed++
			}
			for _, st := range f.Steps {
				s.Steps[st.Status]++
				for _, o := range st.Outcomes {
					s.Checks[o.Status]++
				}
			}
		}
	}
	return s
}

// stepStatus is the worst of a step's outcomes; skipped and informational checks do not make a
// step worse than passing.
func stepStatus(outcomes []checks.Outcome) checks.Status {
	st := checks.Pass
	for _, o := range outcomes {
		switch o.Status {
		case checks.Fail, checks.Warn, checks.Known, checks.Fixed:
			st = checks.Worse(st, o.Status)
		}
	}
	return st
}

// rollUp gives a flow (or target, or run) the worst status of its parts. Skipped parts do not
// make it worse, but a whole made only of skipped parts is itself skipped.
func rollUp(parts []checks.Status) checks.Status {
	if len(parts) == 0 {
		return checks.Skip
	}
	st, allSkipped := checks.Pass, true
	for _, p := range parts {
		if p != checks.Skip {
			allSkipped = false
			st = checks.Worse(st, p)
		}
	}
	if allSkipped {
		return checks.Skip
	}
	return st
}
