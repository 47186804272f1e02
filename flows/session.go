package flows

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/telconform/telconform/checks"
)

// Session is one run of one flow: its cookie jar, the values generated and captured so far, the
// listeners' positions and the record of each step. Only one step of a session runs at a time: a
// step asked for while another runs waits until that one has finished, even if it was cancelled.
type Session struct {
	runner    *Runner
	target    *Target
	flow      *Flow
	masker    *Masker
	emit      func(Event)
	clock     Clock
	transport http.RoundTripper
	jar       http.CookieJar

	running sync.Mutex // held while a step runs

	mu      sync.Mutex // guards what follows
	vars    map[string]string
	types   map[string]checks.Kind // the JSON type of each captured value
	results []StepResult
	masked  []maskedRecord    // results[i] as last masked
	marks   map[string]int    // listener name → sequence of the last request a step consumed
	hung    map[string]string // host → the step whose request to it got no answer in time
	started time.Time         // on the target's clock
	began   time.Time         // on the monotonic clock, for the duration
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
		transport: r.transport(),
		vars:      map[string]string{},
		types:     map[string]checks.Kind{},
		hung:      map[string]string{},
		results:   make([]StepResult, len(f.Steps)),
		masked:    make([]maskedRecord, len(f.Steps)),
		marks:     map[string]int{},
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
	s.record(i, s.applyKnown(st, s.runStep(ctx, i, st)))
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
	for _, sk := range s.target.Skips {
		if sk.Flow == s.flow.ID && sk.Step == st.ID {
			return s.skipped(st, "the profile skips it: "+sk.Reason)
		}
	}
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
		if t, ok := hashOf(st.Generate[name]); ok {
			filled, err := expand(t, s.lookup, nil)
			if err != nil {
				return s.skipped(st, s.missingReason(err))
			}
			sum := sha256.Sum256([]byte(filled))
			v = hex.EncodeToString(sum[:])
		}
		if SecretName(name) {
			s.masker.Add(name, v)
		}
		s.set(name, v)
	}
	x := &execution{s: s, index: i, step: st, res: &res, ctx: ctx}
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
	if ev.Token == nil {
		// An id_token in a token response is evidence in its own right: decoded for jwt:
		// targets and the id-token pack, its header and claims recorded.
		if tok := idTokenOf(ev.Body); tok != nil {
			ev.Token, res.Token = tok, recordOf("id_token", tok)
		}
	}
	s.capture(st, ev, &res)
	res.Outcomes = append(x.outcomes, s.evaluate(st, ev)...)
	res.Status = stepStatus(res.Outcomes)
	return res
}

// applyKnown marks the outcomes of the deviations the profile lists for this step: known while the
// check still does not hold, fixed once it does. A check that was not evaluated stays skipped: it
// says nothing either way.
func (s *Session) applyKnown(st *Step, res StepResult) StepResult {
	marked := false
	for _, d := range s.target.Known {
		if d.Flow != s.flow.ID || d.Step != st.ID {
			continue
		}
		for i, o := range res.Outcomes {
			if o.ID != d.Check {
				continue
			}
			switch o.Status {
			case checks.Skip:
				continue
			case checks.Pass:
				o.Status, o.Reason = checks.Fixed, "listed as a known deviation ("+d.Reason+"), and it holds now: take it out of the profile"
			default:
				o.Status, o.Reason = checks.Known, "known deviation: "+d.Reason
			}
			res.Outcomes[i], marked = o, true
		}
	}
	if marked && res.Status != checks.Error && res.Status != checks.Skip {
		res.Status = stepStatus(res.Outcomes)
	}
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
			s.mu.Lock()
			s.types[name] = v.Kind
			s.mu.Unlock()
			if res.Captured == nil {
				res.Captured = map[string]string{}
			}
			res.Captured[name] = v.Str
		}
	}
	save(st.CaptureSecret, true)
	save(st.Capture, false)
}

// evaluate runs the step's packs and inline checks on its evidence, with what the step expects
// and the provider's time.
func (s *Session) evaluate(st *Step, ev *checks.Evidence) []checks.Outcome {
	ev.Now = s.clock.Now()
	if len(st.Expect) > 0 {
		ev.Expect = map[string]string{}
		for name, t := range st.Expect {
			if v, err := expand(t, s.lookup, nil); err == nil {
				ev.Expect[name] = v
			}
		}
	}
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
