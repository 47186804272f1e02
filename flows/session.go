package flows

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/telconform/telconform/checks"
)

// Session is one run of one flow: its cookie jar, the values generated and captured so far, the
// listeners' positions and the record of each step. Only one step of a session runs at a time: a
// step asked for while another runs waits until that one has finished, even if it was cancelled.
type Session struct {
	runner *Runner
	target *Target
	flow   *Flow
	masker *Masker
	emit   func(Event)
	clock  Clock
	client *http.Client
	jar    http.CookieJar

	running sync.Mutex // held while a step runs

	mu      sync.Mutex // guards what follows
	vars    map[string]string
	results []StepResult
	masked  []maskedRecord // results[i] as last masked
	marks   map[string]int // listener name → sequence of the last request a step consumed
	started time.Time      // on the target's clock
	began   time.Time      // on the monotonic clock, for the duration
}

// NewSession prepares a run of flow f against target t. m is the masker of the target's run
// (nil makes one with the target's secrets); emit may be nil.
func (r *Runner) NewSession(t *Target, f *Flow, m *Masker, emit func(Event)) *Session {
	if emit == nil {
		emit = func(Event) {}
	}
	if m == nil {
		m = NewTargetMasker(t)
	}
	jar, _ := cookiejar.New(nil)
	s := &Session{
		runner: r, target: t, flow: f, masker: m, emit: emit, clock: clockOf(t), jar: jar,
		vars:    map[string]string{},
		results: make([]StepResult, len(f.Steps)),
		masked:  make([]maskedRecord, len(f.Steps)),
		marks:   map[string]int{},
		client: &http.Client{
			Transport: r.transport(),
			Timeout:   r.StepTimeout,
			// A redirect is a thing under test: the engine sees every one.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	for i, st := range f.Steps {
		s.results[i] = notRun(st)
	}
	for _, l := range f.Listeners {
		if ln := t.listener(f.ID, l.Name); ln != nil {
			s.vars[l.Var()] = ln.URL()
			s.marks[l.Name] = ln.Mark()
		}
	}
	return s
}

// NewTargetMasker makes the masker of one target's run, knowing its secrets from the start.
func NewTargetMasker(t *Target) *Masker {
	m := NewMasker()
	for _, name := range slices.Sorted(maps.Keys(t.Secrets)) {
		m.Add(name, t.Secrets[name])
	}
	return m
}

// maskedRecord is a step record masked at one generation of the masker.
type maskedRecord struct {
	valid bool
	gen   uint64
	res   StepResult
}

func notRun(st *Step) StepResult {
	return StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind.Name(),
		Status: checks.Skip, Reason: "not run", Pending: true}
}

// Flow is the flow the session runs.
func (s *Session) Flow() *Flow { return s.flow }

// Run runs every step in order and returns the flow's record. A cancelled ctx stops it: the
// steps after are recorded as skipped because the run was interrupted.
func (s *Session) Run(ctx context.Context) FlowResult {
	s.begin()
	for i := range s.flow.Steps {
		if ctx.Err() != nil {
			s.record(i, s.skipped(s.flow.Steps[i], "run interrupted"))
			continue
		}
		s.Step(ctx, i)
	}
	fr := s.Result()
	s.emit(FlowDone{Where: s.where(-1), Result: fr})
	return fr
}

// begin marks the start of the flow and announces it.
func (s *Session) begin() {
	s.mu.Lock()
	s.started, s.began = s.clock.Now(), time.Now()
	s.mu.Unlock()
	s.emit(FlowStarted{Where: s.where(-1), Flow: s.flow, Result: s.Result()})
}

// Step runs step i with the values captured so far, records it (replacing any earlier record of
// the same step, so a person can re-run one) and returns the record, masked.
func (s *Session) Step(ctx context.Context, i int) StepResult {
	s.running.Lock()
	defer s.running.Unlock()
	st := s.flow.Steps[i]
	s.emit(StepStarted{Where: s.where(i), Step: st})
	s.record(i, s.runStep(ctx, i, st))
	fr := s.Result()
	res := fr.Steps[i]
	for _, o := range res.Outcomes {
		s.emit(CheckDone{Where: s.where(i), Outcome: o})
	}
	s.emit(StepDone{Where: s.where(i), Result: res, FlowResult: fr})
	return res
}

func (s *Session) record(i int, res StepResult) {
	s.mu.Lock()
	s.results[i] = res
	s.masked[i].valid = false
	s.mu.Unlock()
}

func (s *Session) runStep(ctx context.Context, i int, st *Step) StepResult {
	start, began := s.clock.Now(), time.Now()
	res := StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind.Name(), Started: start}
	if reason := s.unmetRequirement(st); reason != "" {
		return s.skipped(st, reason)
	}
	for _, name := range slices.Sorted(maps.Keys(st.Generate)) {
		// A profile variable of the same name wins, so a headless run handed a callback from a
		// device can also be handed the state that callback echoes.
		if v, ok := s.target.Vars[name]; ok {
			s.set(name, v)
			continue
		}
		v := generate(st.Generate[name], start)
		if SecretName(name) {
			s.masker.Add(name, v)
		}
		s.set(name, v)
	}
	x := &execution{s: s, index: i, step: st, res: &res}
	ev, err := st.Kind.run(ctx, x)
	res.Duration = time.Since(began)
	var skip *skipError
	var failed *stepFailure
	switch {
	case errors.As(err, &skip):
		res.Status, res.Reason = checks.Skip, skip.reason
		res.Outcomes = skippedOutcomes(st, "step skipped: "+skip.reason)
		return res
	case err != nil && ctx.Err() != nil:
		// Interrupted by the person running it, not failed by the provider.
		reason := "run interrupted"
		if errors.Is(context.Cause(ctx), ErrCancelled) {
			reason = ErrCancelled.Error()
		}
		res.Status, res.Reason = checks.Skip, reason
		res.Outcomes = skippedOutcomes(st, reason)
		return res
	case errors.As(err, &failed):
		res.Reason = failed.reason
		res.Outcomes = append(failed.outcomes, skippedOutcomes(st, "not evaluated: "+failed.reason)...)
		res.Status = stepStatus(res.Outcomes)
		return res
	case err != nil:
		res.Status, res.Reason = checks.Error, err.Error()
		res.Outcomes = skippedOutcomes(st, "no response to check")
		return res
	case ev == nil: // a wait, or an input
		res.Outcomes = append(res.Outcomes, x.outcomes...)
		res.Status = stepStatus(res.Outcomes)
		return res
	}
	s.capture(st, ev, &res)
	res.Outcomes = append(x.outcomes, s.evaluate(st, ev)...)
	res.Status = stepStatus(res.Outcomes)
	return res
}

// unmetRequirement says which required step did not run, if any.
func (s *Session) unmetRequirement(st *Step) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range st.Requires {
		j := s.flow.StepIndex(r)
		if j < 0 {
			continue
		}
		if got := s.results[j]; got.Status == checks.Skip || got.Status == checks.Error {
			return fmt.Sprintf("step %s did not run (%s)", r, got.Reason)
		}
	}
	return ""
}

// skipError means a step could not be attempted (a value it needs is missing, a wait is longer
// than allowed); it is recorded as a skip with the reason, not as an error.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

// stepFailure means the provider did not do what the step waited for (a poll whose condition
// never held, a webhook that never came): the step fails with the reason and the outcomes that
// say so, and its other checks are not evaluated.
type stepFailure struct {
	reason   string
	outcomes []checks.Outcome
}

func (e *stepFailure) Error() string { return e.reason }

func generate(kind string, now time.Time) string {
	switch kind {
	case "uuid":
		return newUUID()
	case "now":
		return now.UTC().Format(time.RFC3339)
	case "unix":
		return strconv.FormatInt(now.Unix(), 10)
	default: // random
		var b [16]byte
		_, _ = rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:])
	}
}

// newUUID makes a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// capture saves the values the step asks for. A value the evidence does not have is simply not
// captured; the steps that need it are skipped with a reason naming this step.
func (s *Session) capture(st *Step, ev *checks.Evidence, res *StepResult) {
	save := func(caps map[string]string, secret bool) {
		for _, name := range slices.Sorted(maps.Keys(caps)) {
			t, _ := checks.ParseTarget(caps[name])
			v := t.Value(ev)
			if !v.Present() || v.Kind == checks.KindNull {
				continue
			}
			if secret {
				s.masker.Add(name, v.Str)
			}
			s.set(name, v.Str)
			if res.Captured == nil {
				res.Captured = map[string]string{}
			}
			res.Captured[name] = v.Str
		}
	}
	save(st.CaptureSecret, true)
	save(st.Capture, false)
}

// evaluate runs the step's packs and inline checks on its evidence.
func (s *Session) evaluate(st *Step, ev *checks.Evidence) []checks.Outcome {
	var out []checks.Outcome
	for _, p := range st.packs {
		out = append(out, p.Eval(ev)...)
	}
	for _, c := range st.checks {
		out = append(out, c.Eval(ev, s.resolver()))
	}
	return out
}

// resolver fills templates in a check's expected values.
func (s *Session) resolver() checks.Resolver {
	return func(t string) (string, error) {
		v, err := expand(t, s.lookup, nil)
		if err != nil {
			return "", errors.New(s.missingReason(err))
		}
		return v, nil
	}
}

// Result is the flow's record so far, re-masked with every secret known now (a secret learned in
// a late step may have been echoed in an early one).
func (s *Session) Result() FlowResult {
	s.mu.Lock()
	if s.started.IsZero() {
		s.started, s.began = s.clock.Now(), time.Now()
	}
	fr := FlowResult{ID: s.flow.ID, Title: s.flow.Title, Explain: s.flow.Explain, Started: s.started,
		Duration: time.Since(s.began), Steps: make([]StepResult, len(s.results))}
	gen := s.masker.generation()
	parts := make([]checks.Status, len(s.results))
	for i, st := range s.results {
		if m := s.masked[i]; !m.valid || m.gen != gen {
			s.masked[i] = maskedRecord{valid: true, gen: gen, res: s.maskResult(st)}
		}
		fr.Steps[i], parts[i] = s.masked[i].res, st.Status
	}
	s.mu.Unlock()
	fr.Status = rollUp(parts)
	return fr
}

func (s *Session) where(step int) Where {
	return Where{Target: s.target.Name, Flow: s.flow.ID, Step: step}
}

// lookup finds a template variable: values generated or captured in this session first, then
// the profile's secrets and variables.
func (s *Session) lookup(name string) (string, bool) {
	s.mu.Lock()
	v, ok := s.vars[name]
	s.mu.Unlock()
	if ok {
		return v, true
	}
	if v, ok := s.target.Secrets[name]; ok {
		return v, true
	}
	v, ok = s.target.Vars[name]
	return v, ok
}

func (s *Session) set(name, v string) {
	s.mu.Lock()
	s.vars[name] = v
	s.mu.Unlock()
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
	res := StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind.Name(),
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

// Describe says what step i would do if it were run now, with the values known so far.
func (s *Session) Describe(i int) Description {
	st := s.flow.Steps[i]
	d := &describer{lookup: s.lookup, mask: s.masker.Mask,
		auth:   func(b *built, mode string) error { return s.clientAuth(b, mode, false) },
		method: s.target.Client.Method, walk: s.target.Walk}
	desc := d.finish(st.Kind.describe(d))
	desc.Checks = st.CheckIDs()
	return desc
}

// execution is one step while it runs: the session, the record being built and the exchanges
// counted so far. Kinds reach the network, the clock and the person only through it.
type execution struct {
	s        *Session
	index    int
	step     *Step
	res      *StepResult
	hops     int
	outcomes []checks.Outcome // outcomes the kind itself decided (a poll's condition)
}

// fill fills a template; a name without a value makes the step a skip that says what to do.
func (x *execution) fill(t string, escape func(string) string) (string, error) {
	out, err := expand(t, x.s.lookup, escape)
	if err != nil {
		return "", &skipError{x.s.missingReason(err)}
	}
	return out, nil
}

// clientAuth adds the client's credentials, as the profile says.
func (x *execution) clientAuth(b *built, mode string) error { return x.s.clientAuth(b, mode, true) }

func (x *execution) emit(e Event) { x.s.emit(e) }

func (x *execution) where() Where { return x.s.where(x.index) }

// exchange sends one request with the session's cookies, records it and returns its evidence.
// The request and its response are emitted as events as they happen, masked. Whatever arrived
// of a response that broke off (status, headers, part of the body) is kept in the record.
func (x *execution) exchange(req *http.Request) (*checks.Evidence, error) {
	s := x.s
	x.hops++
	hop := x.hops
	for _, c := range s.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	if s.runner.UserAgent != "" && req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", s.runner.UserAgent)
	}
	var reqBody []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
		}
	}
	s.masker.learnHeaders(req.Header)
	s.masker.learnQuery(req.URL)
	s.masker.learnForm(string(reqBody))
	ex := Exchange{Request: Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: string(reqBody)}}
	s.emit(RequestSent{Where: x.where(), Hop: hop, Request: s.maskExchange(ex).Request})

	began := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		ex.Duration = time.Since(began)
		ex.Error = transportError(err)
		s.masker.learnText(ex.Error)
		return nil, x.recorded(hop, ex, errors.New(ex.Error))
	}
	defer resp.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, s.runner.readLimit()))
	ex.Duration = time.Since(began)
	s.jar.SetCookies(req.URL, resp.Cookies())
	s.masker.learnHeaders(resp.Header)
	s.masker.learnBody(data)
	ex.Response = &Response{Status: resp.StatusCode, Header: resp.Header.Clone(), Body: string(data), Size: len(data)}
	if readErr != nil {
		ex.Error = "reading the response body: " + transportError(readErr)
		return nil, x.recorded(hop, ex, errors.New(ex.Error))
	}
	ev := &checks.Evidence{Status: resp.StatusCode, Header: resp.Header, Body: data, Duration: ex.Duration}
	if loc := resp.Header.Get("Location"); loc != "" && isRedirect(resp.StatusCode) {
		if u, err := req.URL.Parse(loc); err == nil {
			ev.Redirect = u
			s.masker.learnQuery(u)
		}
	}
	return ev, x.recorded(hop, ex, nil)
}

// recorded appends an exchange to the step's record, emits it, and passes err through.
func (x *execution) recorded(hop int, ex Exchange, err error) error {
	x.res.Exchanges = append(x.res.Exchanges, ex)
	x.s.emit(ResponseReceived{Where: x.where(), Hop: hop, Exchange: x.s.maskExchange(ex)})
	return err
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// transportError turns a client error into its cause, without Go's "Get \"url\": " wrapping
// (the URL is in the record already): "dial tcp 127.0.0.1:9: connect: connection refused".
func transportError(err error) string {
	var ue interface {
		Unwrap() error
		Timeout() bool
	}
	if errors.As(err, &ue) {
		inner := ue.Unwrap()
		if errors.Is(inner, context.Canceled) {
			return "interrupted"
		}
		if ue.Timeout() {
			return "timed out: " + inner.Error()
		}
		return inner.Error()
	}
	return err.Error()
}

// maskResult masks every string of a step record with the secrets known now, before anything is
// cut to size.
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
	if st.Received != nil {
		r := s.maskReceived(*st.Received)
		st.Received = &r
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

// maskExchange masks an exchange, then cuts its bodies to the runner's limit: a secret straddling
// the cut is replaced whole before anything is dropped.
func (s *Session) maskExchange(e Exchange) Exchange {
	m := s.masker
	limit := s.runner.bodyLimit()
	body, _ := cut(m.Mask(e.Request.Body), limit)
	e.Request = Request{Method: e.Request.Method, URL: m.Mask(e.Request.URL),
		Header: s.maskHeaders(e.Request.Header), Body: body}
	if e.Response != nil {
		r := *e.Response
		r.Header = s.maskHeaders(r.Header)
		r.Body, r.Truncated = cut(m.Mask(r.Body), limit)
		e.Response = &r
	}
	e.Error = m.Mask(e.Error)
	return e
}

func (s *Session) maskReceived(r Received) Received {
	m := s.masker
	r.URL = m.Mask(r.URL)
	r.Header = s.maskHeaders(r.Header)
	var truncated bool
	r.Body, truncated = cut(m.Mask(r.Body), s.runner.bodyLimit())
	r.Truncated = r.Truncated || truncated
	return r
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
func cut(b string, n int) (string, bool) {
	if len(b) <= n {
		return b, false
	}
	return strings.ToValidUTF8(b[:n], ""), true
}
