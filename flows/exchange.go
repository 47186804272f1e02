package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
)

// execution is one step while it runs: the session, the record being built and the exchanges
// counted so far. Kinds reach the network, the clock and the person only through it.
type execution struct {
	s        *Session
	index    int
	step     *Step
	res      *StepResult
	hops     int
	outcomes []checks.Outcome // outcomes the kind itself decided (a poll's condition)
	relative string           // the last response's Location, when it was a relative reference
	ctx      context.Context  // the step's context
	// noCookies keeps the session's cookie jar out of the next exchanges (cookies = false).
	noCookies bool
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
//
// The request goes straight to the transport: a redirect is a thing under test, so nothing
// follows one, and a Location that does not parse is evidence, not a reason to drop the response
// (as http.Client would). A host that let one request time out is not asked again in this flow:
// a hung provider costs one timeout, not one per step.
func (x *execution) exchange(req *http.Request) (*checks.Evidence, error) {
	s := x.s
	s.mu.Lock()
	hungBy := s.hung[req.URL.Host]
	s.mu.Unlock()
	if hungBy != "" {
		return nil, &skipError{fmt.Sprintf("not attempted: %s did not answer step %s in time", req.URL.Host, hungBy)}
	}
	x.hops++
	hop := x.hops
	if !x.noCookies {
		for _, c := range s.jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
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
	if timeout := s.runner.StepTimeout; timeout > 0 {
		ctx, cancel := context.WithTimeout(req.Context(), timeout)
		defer cancel()
		req = req.WithContext(ctx)
	}
	resp, err := s.transport.RoundTrip(req)
	if err != nil {
		ex.Duration = time.Since(began)
		ex.Error = transportError(err)
		if x.timedOut(req) {
			ex.Error = fmt.Sprintf("timed out: no answer within %s (--timeout)", s.runner.StepTimeout)
		}
		s.masker.learnText(ex.Error)
		return nil, x.recorded(hop, ex, errors.New(ex.Error))
	}
	defer resp.Body.Close()
	limit := s.runner.readLimit()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	more := int64(len(data)) > limit
	if more {
		data = data[:limit]
	}
	ex.Duration = time.Since(began)
	if !x.noCookies {
		s.jar.SetCookies(req.URL, resp.Cookies())
	}
	s.masker.learnHeaders(resp.Header)
	s.masker.learnBody(data)
	ex.Response = &Response{Status: resp.StatusCode, Header: resp.Header.Clone(), Body: string(data), Size: len(data), More: more}
	if readErr != nil {
		ex.Error = "reading the response body: " + transportError(readErr)
		if x.timedOut(req) {
			ex.Error = fmt.Sprintf("timed out: the body did not arrive within %s (--timeout); %d bytes came", s.runner.StepTimeout, len(data))
		}
		s.masker.learnText(ex.Error)
		return nil, x.recorded(hop, ex, errors.New(ex.Error))
	}
	ev := &checks.Evidence{Status: resp.StatusCode, Header: resp.Header, Body: data, Duration: ex.Duration}
	if loc := resp.Header.Get("Location"); loc != "" && isRedirect(resp.StatusCode) {
		u, problem := parseLocation(req.URL, loc)
		if problem != "" {
			// Whatever it carries (a code) is learned from the text, since it cannot be parsed.
			s.masker.learnText(loc)
			ev.LocationProblem = problem
		} else {
			ev.Redirect = u
			s.masker.learnQuery(u)
			if !strings.Contains(loc, "://") {
				x.relative = loc
			}
		}
	}
	x.learnSecretCaptures(ev)
	return ev, x.recorded(hop, ex, nil)
}

// learnSecretCaptures marks what the step will capture as secret the moment the response
// arrives, so the response event already shows it masked: a value only the flow file knows is a
// secret (KPN's session link) is otherwise on screen until the step ends.
func (x *execution) learnSecretCaptures(ev *checks.Evidence) {
	for _, name := range slices.Sorted(maps.Keys(x.step.CaptureSecret)) {
		t, _ := checks.ParseTarget(x.step.CaptureSecret[name])
		if v := t.Value(ev); v.Present() && v.Kind != checks.KindNull && v.Str != "" {
			x.s.masker.Add(name, v.Str)
		}
	}
}

// parseLocation resolves a redirect's Location against the URL of the request that got it, as a
// browser would, or says why it cannot: what a Location that does not parse carried is evidence.
func parseLocation(base *url.URL, loc string) (*url.URL, string) {
	u, err := base.Parse(loc)
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		return nil, fmt.Sprintf("the Location does not parse (%v): %s", ue.Err, loc)
	case err != nil:
		return nil, "the Location does not parse: " + loc
	}
	return u, ""
}

// timedOut reports whether req ran out of its time limit (rather than being cancelled with the
// run), and if so marks its host as hung for the rest of the flow.
func (x *execution) timedOut(req *http.Request) bool {
	if !errors.Is(req.Context().Err(), context.DeadlineExceeded) || x.cancelled() != nil {
		return false
	}
	x.s.mu.Lock()
	x.s.hung[req.URL.Host] = x.step.ID
	x.s.mu.Unlock()
	return true
}

// cancelled is the error of the step's own context: set when the run, not the request's time
// limit, stopped it.
func (x *execution) cancelled() error { return x.ctx.Err() }

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
	body, _, _ := recordBody(m.Mask(e.Request.Body), len(e.Request.Body), limit)
	e.Request = Request{Method: e.Request.Method, URL: m.Mask(e.Request.URL),
		Header: s.maskHeaders(e.Request.Header), Body: body}
	if e.Response != nil {
		r := *e.Response
		r.Header = s.maskHeaders(r.Header)
		var truncated bool
		r.Body, truncated, r.Binary = recordBody(m.Mask(r.Body), r.Size, limit)
		r.Truncated = r.Truncated || truncated
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
	r.Body, truncated, r.Binary = recordBody(m.Mask(r.Body), r.Size, s.runner.bodyLimit())
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
	for n > 0 && !utf8.RuneStart(b[n]) {
		n-- // not through a character: back to where it starts
	}
	return b[:n], true
}

// hexExcerpt is how many bytes of a binary body the record shows.
const hexExcerpt = 32

// recordBody is a (masked) body as the record keeps it: text cut at the limit, or, for a body
// that is not text (not UTF-8, or holding NUL bytes), its size and its first bytes in hex, which
// a report and a terminal can both carry.
func recordBody(b string, size, limit int) (body string, truncated, binary bool) {
	if utf8.ValidString(b) && !strings.ContainsRune(b, 0) {
		body, truncated = cut(b, limit)
		return body, truncated, false
	}
	n := min(len(b), hexExcerpt)
	more := ""
	if n < len(b) {
		more = " …"
	}
	return fmt.Sprintf("(binary, %d bytes) % x%s", size, b[:n], more), n < len(b), true
}
