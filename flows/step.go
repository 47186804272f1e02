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
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
)

// Step runs step i of the flow with the values captured so far, records it (replacing any
// earlier record of the same step, so a person can re-run one) and returns the record.
func (s *Session) Step(ctx context.Context, i int) StepResult {
	st := s.flow.Steps[i]
	s.emit(StepStarted{Where: s.where(i), Step: st})
	res := s.runStep(ctx, i, st)
	s.results[i] = res
	res = s.maskResult(res)
	for _, o := range res.Outcomes {
		s.emit(CheckDone{Where: s.where(i), Outcome: o})
	}
	s.emit(StepDone{Where: s.where(i), Result: res})
	return res
}

func (s *Session) runStep(ctx context.Context, i int, st *Step) StepResult {
	start, began := s.clock.Now(), time.Now()
	res := StepResult{ID: st.ID, Title: st.Title, Explain: st.Explain, Kind: st.Kind, Started: start}
	if reason := s.unmetRequirement(st); reason != "" {
		return s.skipped(st, reason)
	}
	for name, kind := range st.Generate {
		// A profile variable of the same name wins, so a headless run handed a callback from a
		// device can also be handed the state that callback echoes.
		if v, ok := s.target.Vars[name]; ok {
			s.vars[name] = v
			continue
		}
		s.vars[name] = generate(kind, start)
	}
	var ev *checks.Evidence
	var err error
	switch st.Kind {
	case KindWait:
		err = s.wait(ctx, st, &res)
	case KindWalk:
		ev, err = s.walk(ctx, i, st, &res)
	default:
		ev, err = s.send(ctx, i, st, &res)
	}
	res.Duration = time.Since(began)
	var skip *skipError
	switch {
	case errors.As(err, &skip):
		res.Status, res.Reason = checks.Skip, skip.reason
		res.Outcomes = skippedOutcomes(st, "step skipped: "+skip.reason)
		return res
	case err != nil && ctx.Err() != nil:
		// Interrupted by the person running it, not failed by the provider.
		res.Status, res.Reason = checks.Skip, "run interrupted"
		res.Outcomes = skippedOutcomes(st, "run interrupted")
		return res
	case err != nil:
		res.Status, res.Reason = checks.Error, err.Error()
		res.Outcomes = skippedOutcomes(st, "no response to check")
		return res
	case ev == nil: // a wait
		res.Status = checks.Pass
		return res
	}
	s.capture(st, ev, &res)
	res.Outcomes = s.evaluate(st, ev)
	res.Status = stepStatus(res.Outcomes)
	return res
}

// unmetRequirement says which required step did not run, if any.
func (s *Session) unmetRequirement(st *Step) string {
	for _, r := range st.Requires {
		for j, other := range s.flow.Steps {
			if other.ID == r && (s.results[j].Status == checks.Skip || s.results[j].Status == checks.Error) {
				return fmt.Sprintf("step %s did not run (%s)", r, s.results[j].Reason)
			}
		}
	}
	return ""
}

// skipError means a step could not be attempted (a value it needs is missing, a wait is longer
// than allowed); it is recorded as a skip with the reason, not as an error.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func generate(kind string, now time.Time) string {
	switch kind {
	case "uuid":
		var b [16]byte
		_, _ = rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
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

// wait lets the step's duration pass on the target's clock.
func (s *Session) wait(ctx context.Context, st *Step, res *StepResult) error {
	text, err := expand(st.Wait, s.lookup, nil)
	if err != nil {
		return &skipError{s.missingReason(err)}
	}
	d, err := parseDurationSum(text)
	if err != nil {
		return fmt.Errorf("wait %q: %v", text, err)
	}
	if max := s.target.MaxWait; max >= 0 && d > max {
		return &skipError{fmt.Sprintf("waiting %s is longer than the %s allowed: run with --max-wait %s to include it", d, max, d.Round(time.Second))}
	}
	res.Captured = map[string]string{"waited": d.String()}
	if err := s.clock.Sleep(ctx, d); err != nil {
		return fmt.Errorf("interrupted while waiting: %w", err)
	}
	return nil
}

// parseDurationSum reads durations joined by "+", as in "300s + 2s".
func parseDurationSum(s string) (time.Duration, error) {
	var total time.Duration
	for _, part := range strings.Split(s, "+") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return 0, err
		}
		total += d
	}
	return total, nil
}

// send runs an HTTP step: one request, no redirect followed.
func (s *Session) send(ctx context.Context, i int, st *Step, res *StepResult) (*checks.Evidence, error) {
	req, sent, err := s.buildRequest(ctx, st)
	if err != nil {
		return nil, err
	}
	ev, err := s.exchange(i, req, res)
	if err != nil {
		return nil, err
	}
	ev.Sent = sent
	return ev, nil
}

// buildRequest fills the step's templates and makes its request.
func (s *Session) buildRequest(ctx context.Context, st *Step) (*http.Request, checks.Sent, error) {
	var sent checks.Sent
	fill := func(t string, escape func(string) string) (string, error) {
		return expand(t, s.lookup, escape)
	}
	rawURL, err := fill(st.URL, nil)
	if err != nil {
		return nil, sent, &skipError{s.missingReason(err)}
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, sent, fmt.Errorf("url %q is not an absolute URL: check the profile's base URLs", rawURL)
	}
	q := u.Query()
	for _, k := range slices.Sorted(maps.Keys(st.Query)) {
		v, err := fill(st.Query[k], nil)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		q.Set(k, v)
	}
	if len(st.Query) > 0 {
		u.RawQuery = q.Encode()
	}
	var body io.Reader
	var contentType string
	switch {
	case len(st.Form) > 0:
		form := url.Values{}
		for _, k := range slices.Sorted(maps.Keys(st.Form)) {
			v, err := fill(st.Form[k], nil)
			if err != nil {
				return nil, sent, &skipError{s.missingReason(err)}
			}
			form.Set(k, v)
		}
		sent.Form = form
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case st.JSON != "":
		j, err := fill(st.JSON, jsonEscape)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		body, contentType = strings.NewReader(j), "application/json"
	case st.Body != "":
		b, err := fill(st.Body, nil)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		body = strings.NewReader(b)
	}
	method := st.Method
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPost
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, sent, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s.runner.UserAgent != "" {
		req.Header.Set("User-Agent", s.runner.UserAgent)
	}
	for _, k := range slices.Sorted(maps.Keys(st.Header)) {
		v, err := fill(st.Header[k], nil)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		req.Header.Set(k, v)
	}
	if st.Basic != nil {
		user, err := fill(st.Basic.User, nil)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		pass, err := fill(st.Basic.Password, nil)
		if err != nil {
			return nil, sent, &skipError{s.missingReason(err)}
		}
		req.SetBasicAuth(user, pass)
	}
	sent.Query = u.Query()
	sent.Header = req.Header.Clone()
	sent.AuthHeader = req.Header.Get("Authorization") != ""
	return req, sent, nil
}

// exchange sends one request with the session's cookies, records it and returns its evidence.
// The request and its response are emitted as events as they happen, masked.
func (s *Session) exchange(i int, req *http.Request, res *StepResult) (*checks.Evidence, error) {
	for _, c := range s.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	var reqBody []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
		}
	}
	s.masker.learnHeaders(req.Header)
	limit := s.runner.bodyLimit()
	recBody, _ := cut(reqBody, limit)
	ex := Exchange{Request: Request{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: recBody}}
	s.emit(RequestSent{Where: s.where(i), Request: s.maskExchange(ex).Request})

	began := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		ex.Duration = time.Since(began)
		ex.Error = transportError(err)
		res.Exchanges = append(res.Exchanges, ex)
		s.emit(ResponseReceived{Where: s.where(i), Exchange: s.maskExchange(ex)})
		return nil, errors.New(ex.Error)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, s.runner.readLimit()))
	ex.Duration = time.Since(began)
	if err != nil {
		ex.Error = "reading the response body: " + transportError(err)
		res.Exchanges = append(res.Exchanges, ex)
		s.emit(ResponseReceived{Where: s.where(i), Exchange: s.maskExchange(ex)})
		return nil, errors.New(ex.Error)
	}
	s.jar.SetCookies(req.URL, resp.Cookies())
	s.masker.learnHeaders(resp.Header)
	s.masker.learnBody(data)
	ev := &checks.Evidence{Status: resp.StatusCode, Header: resp.Header, Body: data, Duration: ex.Duration}
	if loc := resp.Header.Get("Location"); loc != "" && isRedirect(resp.StatusCode) {
		if u, err := req.URL.Parse(loc); err == nil {
			ev.Redirect = u
			s.masker.learnQuery(u)
		}
	}
	recResp, truncated := cut(data, limit)
	ex.Response = &Response{Status: resp.StatusCode, Header: resp.Header.Clone(), Body: recResp,
		Truncated: truncated, Size: len(data)}
	res.Exchanges = append(res.Exchanges, ex)
	s.emit(ResponseReceived{Where: s.where(i), Exchange: s.maskExchange(ex)})
	return ev, nil
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
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.Canceled) {
			return "interrupted"
		}
		if ue.Timeout() {
			return "timed out: " + ue.Err.Error()
		}
		return ue.Err.Error()
	}
	return err.Error()
}

// capture saves the values the step asks for. A value the response does not have is simply not
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
			s.vars[name] = v.Str
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
	resolve := func(t string) (string, error) {
		v, err := expand(t, s.lookup, nil)
		if err != nil {
			return "", errors.New(s.missingReason(err))
		}
		return v, nil
	}
	for _, c := range st.checks {
		out = append(out, c.Eval(ev, resolve))
	}
	return out
}
