package flows

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
)

// Target is a resolved profile: the flows to run and everything their templates need.
type Target struct {
	Name    string
	Title   string
	Source  string // the profile file, or "built-in"
	Sandbox string // provider of the in-process sandbox this target runs against, if any
	Flows   []*Flow
	Vars    map[string]string
	Secrets map[string]string // masked from the moment the run starts
	Clock   Clock             // nil means RealClock
	// MaxWait is the longest wait step the target allows; a longer one is skipped with a reason.
	// Negative means no limit (the sandbox's simulated clock makes waits free).
	MaxWait time.Duration
	// Walk says who follows authorization redirects: WalkAgent (telconform, the default) or
	// WalkDevice (a person, on the phone).
	Walk string
}

// Runner executes flows. Its zero value is ready to use; the fields tune it.
type Runner struct {
	// Transport sends the requests; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// BodyLimit is how many bytes of each body a result keeps (checks see up to ReadLimit).
	BodyLimit int
	// ReadLimit is how many bytes of a response body are read at most.
	ReadLimit int64
	// StepTimeout bounds each request.
	StepTimeout time.Duration
	// MaxHops bounds the redirects a walk follows.
	MaxHops int
	// UserAgent is sent with every request.
	UserAgent string
	// Input reaches a person for steps only a person can do; nil (headless) means such steps
	// are answered from the profile's variables or skipped with a reason naming the variable.
	Input Input
}

func (r *Runner) bodyLimit() int {
	if r.BodyLimit > 0 {
		return r.BodyLimit
	}
	return 64 << 10
}

func (r *Runner) readLimit() int64 {
	if r.ReadLimit > 0 {
		return r.ReadLimit
	}
	return 10 << 20
}

func (r *Runner) maxHops() int {
	if r.MaxHops > 0 {
		return r.MaxHops
	}
	return 10
}

func clockOf(t *Target) Clock {
	if t.Clock != nil {
		return t.Clock
	}
	return RealClock{}
}

// Times and durations: Started fields come from the target's clock, which is the time the
// protocol sees (a simulated clock jumps over waits against the sandbox). Durations are always
// real elapsed time, measured on the monotonic clock, so a run that skipped five minutes of
// simulated waiting still reports how long it really took.

// Run runs every flow of every target in order and returns the whole record. A cancelled ctx
// stops the run: the step under way ends as an error, and what did not run is recorded as
// skipped, so the report of an interrupted run still says what happened.
func (r *Runner) Run(ctx context.Context, targets []*Target, emit func(Event)) RunResult {
	began := time.Now()
	res := RunResult{Started: began}
	if len(targets) > 0 {
		res.Started = clockOf(targets[0]).Now()
	}
	var parts []checks.Status
	for _, t := range targets {
		tr := r.RunTarget(ctx, t, emit)
		res.Targets = append(res.Targets, tr)
		parts = append(parts, tr.Status)
	}
	res.Status = rollUp(parts)
	res.Interrupted = ctx.Err() != nil
	res.Duration = time.Since(began)
	return res
}

// RunTarget runs every flow of one target, sharing one masker so that a secret learned in one
// flow stays masked in the next.
func (r *Runner) RunTarget(ctx context.Context, t *Target, emit func(Event)) TargetResult {
	m := NewMasker()
	for name, v := range t.Secrets {
		m.Add(name, v)
	}
	tr := TargetResult{Name: t.Name, Title: t.Title, Source: t.Source, Sandbox: t.Sandbox}
	var parts []checks.Status
	for _, f := range t.Flows {
		s := r.NewSession(t, f, m, emit)
		fr := s.Run(ctx)
		tr.Flows = append(tr.Flows, fr)
		parts = append(parts, fr.Status)
	}
	tr.Status = rollUp(parts)
	return tr
}

// Session is one run of one flow: its cookie jar, the values generated and captured so far and
// the record of each step. The terminal UI drives a session one step at a time; Run drives it
// through every step.
type Session struct {
	runner  *Runner
	target  *Target
	flow    *Flow
	masker  *Masker
	emit    func(Event)
	clock   Clock
	client  *http.Client
	jar     http.CookieJar
	vars    map[string]string
	results []StepResult
	started time.Time // on the target's clock
	began   time.Time // on the monotonic clock, for the duration
}

// NewSession prepares a run of flow f against target t. emit may be nil.
func (r *Runner) NewSession(t *Target, f *Flow, m *Masker, emit func(Event)) *Session {
	if emit == nil {
		emit = func(Event) {}
	}
	if m == nil {
		m = NewMasker()
		for name, v := range t.Secrets {
			m.Add(name, v)
		}
	}
	transport := r.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	jar, _ := cookiejar.New(nil)
	s := &Session{
		runner: r, target: t, flow: f, masker: m, emit: emit, clock: clockOf(t), jar: jar,
		vars:    map[string]string{},
		results: make([]StepResult, len(f.Steps)),
		client: &http.Client{
			Transport: transport,
			Timeout:   r.StepTimeout,
			// A redirect is a thing under test: the runner sees every one.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	for i, st := range f.Steps {
		s.results[i] = StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind,
			Status: checks.Skip, Reason: "not run"}
	}
	return s
}

// Run runs every step in order and returns the flow's record.
func (s *Session) Run(ctx context.Context) FlowResult {
	s.started, s.began = s.clock.Now(), time.Now()
	s.emit(FlowStarted{Where: s.where(-1), Flow: s.flow})
	for i := range s.flow.Steps {
		if ctx.Err() != nil {
			s.results[i] = s.skipped(s.flow.Steps[i], "run interrupted")
			continue
		}
		s.Step(ctx, i)
	}
	fr := s.Result()
	s.emit(FlowDone{Where: s.where(-1), Result: fr})
	return fr
}

// Result is the flow's record so far, re-masked with every secret known now (a secret learned in
// a late step may have been echoed in an early one).
func (s *Session) Result() FlowResult {
	if s.started.IsZero() {
		s.started, s.began = s.clock.Now(), time.Now()
	}
	fr := FlowResult{ID: s.flow.ID, Title: s.flow.Title, Explain: s.flow.Explain, Started: s.started,
		Duration: time.Since(s.began)}
	var parts []checks.Status
	for _, st := range s.results {
		st = s.maskResult(st)
		fr.Steps = append(fr.Steps, st)
		parts = append(parts, st.Status)
	}
	fr.Status = rollUp(parts)
	return fr
}

func (s *Session) where(step int) Where {
	return Where{Target: s.target.Name, Flow: s.flow.ID, Step: step}
}

// lookup finds a template variable: values generated or captured in this session first, then
// the profile's secrets and variables.
func (s *Session) lookup(name string) (string, bool) {
	if v, ok := s.vars[name]; ok {
		return v, true
	}
	if v, ok := s.target.Secrets[name]; ok {
		return v, true
	}
	v, ok := s.target.Vars[name]
	return v, ok
}

// missingReason explains why a step cannot fill a template, naming what to do about it.
func (s *Session) missingReason(err error) string {
	var me *MissingError
	if !errors.As(err, &me) {
		return err.Error()
	}
	for _, st := range s.flow.Steps {
		if _, ok := st.Capture[me.Name]; ok {
			return fmt.Sprintf("needs {{%s}}, which step %s did not capture", me.Name, st.ID)
		}
		if _, ok := st.CaptureSecret[me.Name]; ok {
			return fmt.Sprintf("needs {{%s}}, which step %s did not capture", me.Name, st.ID)
		}
	}
	return fmt.Sprintf("needs {{%s}}: set it in the profile's [vars] or with --var %s=VALUE", me.Name, me.Name)
}

// skipped records a step that did not run, listing the checks it would have made.
func (s *Session) skipped(st *Step, reason string) StepResult {
	res := StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind,
		Status: checks.Skip, Reason: reason, Started: s.clock.Now()}
	res.Outcomes = skippedOutcomes(st, "step skipped")
	return res
}

func skippedOutcomes(st *Step, reason string) []checks.Outcome {
	var out []checks.Outcome
	for _, p := range st.packs {
		out = append(out, p.Skipped(reason)...)
	}
	for _, c := range st.checks {
		out = append(out, c.Skipped(reason))
	}
	return out
}

// maskResult masks every string of a step record with the secrets known now.
func (s *Session) maskResult(st StepResult) StepResult {
	m := s.masker
	st.Reason = m.Mask(st.Reason)
	ex := make([]Exchange, len(st.Exchanges))
	for i, e := range st.Exchanges {
		ex[i] = s.maskExchange(e)
	}
	st.Exchanges = ex
	if st.Handoff != nil {
		h := *st.Handoff
		h.URL, h.Callback = m.Mask(h.URL), m.Mask(h.Callback)
		st.Handoff = &h
	}
	if st.Captured != nil {
		c := make(map[string]string, len(st.Captured))
		for k, v := range st.Captured {
			c[k] = m.Mask(v)
		}
		st.Captured = c
	}
	out := make([]checks.Outcome, len(st.Outcomes))
	for i, o := range st.Outcomes {
		out[i] = m.maskOutcome(o)
	}
	st.Outcomes = out
	return st
}

func (s *Session) maskExchange(e Exchange) Exchange {
	m := s.masker
	e.Request = Request{Method: e.Request.Method, URL: m.Mask(e.Request.URL),
		Header: s.maskHeaders(e.Request.Header), Body: m.Mask(e.Request.Body)}
	if e.Response != nil {
		r := *e.Response
		r.Header = s.maskHeaders(r.Header)
		r.Body = m.Mask(r.Body)
		e.Response = &r
	}
	e.Error = m.Mask(e.Error)
	return e
}

func (s *Session) maskHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], s.masker.Mask(v))
		}
	}
	return out
}

// cut keeps the first n bytes of a body for the record.
func cut(b []byte, n int) (string, bool) {
	if len(b) <= n {
		return string(b), false
	}
	return strings.ToValidUTF8(string(b[:n]), ""), true
}

// Preview says what step i would do if it were sent now, with the values known so far filled
// in: "POST https://…/token", "GET https://…/authorize?… (then follow redirects)", "5m1s". A
// value not known yet is left as its {{template}}. It must not be called while a step runs.
func (s *Session) Preview(i int) string {
	st := s.flow.Steps[i]
	fill := func(t string) string {
		out, _ := expand(t, s.lookup, nil)
		return out
	}
	if st.Kind == KindWait {
		return fill(st.Wait)
	}
	method := st.Method
	if method == "" {
		method = http.MethodGet
		if len(st.Form) > 0 || st.JSON != "" || st.Body != "" {
			method = http.MethodPost
		}
	}
	u := fill(st.URL)
	if len(st.Query) > 0 {
		q := url.Values{}
		for _, k := range slices.Sorted(maps.Keys(st.Query)) {
			q.Set(k, fill(st.Query[k]))
		}
		u += "?" + q.Encode()
	}
	line := s.masker.Mask(method + " " + u)
	if st.Kind == KindWalk {
		line += " (then follow redirects)"
	}
	return line
}
