package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/telconform/telconform/checks"
)

// Listener receives the requests a provider sends to telconform: webhooks, callbacks. A flow
// declares it; the run's preparation opens it (on loopback, or where the profile says) before
// any step runs, so its URL can be sent to the provider. The engine only reads from it.
type Listener interface {
	// URL is where a provider must send to: the public URL when the profile gives one.
	URL() string
	// Mark is the sequence number of the latest request received so far (0 before any).
	Mark() int
	// Next returns the first request received after sequence number after, waiting for one
	// until ctx is done.
	Next(ctx context.Context, after int) (Incoming, error)
}

// Incoming is one request a listener received, bounded in size.
type Incoming struct {
	Seq       int
	Method    string
	Path      string
	RawQuery  string
	Header    http.Header
	Body      []byte
	Truncated bool // the body was longer than the listener keeps
	Size      int  // bytes of body that arrived
	At        time.Time
}

// AwaitKind waits for a request to arrive at one of the flow's listeners (a webhook, a callback),
// for at most Timeout. The request is the step's evidence: checks look at it with received:…
// targets. A request that never comes fails the step with how long it waited, and the run goes on.
type AwaitKind struct {
	Listener string `toml:"listener"`
	Timeout  string `toml:"timeout"` // default 30s
	// Ref is the clause or document that promises the request, for the arrival check.
	Ref string `toml:"ref"`
}

// ReceivedCheck is the id of the outcome that says whether the awaited request arrived.
const ReceivedCheck = "await.received"

const defaultAwaitTimeout = 30 * time.Second

// Name is "await".
func (*AwaitKind) Name() string { return "await" }

func (k *AwaitKind) validate(v *validation) {
	if !v.listeners[k.Listener] {
		v.at("listener", fmt.Sprintf("listener %q: declare it on the flow with [[flow.listener]] name = %q", k.Listener, k.Listener))
	}
	if k.Timeout != "" {
		if d, err := time.ParseDuration(k.Timeout); err != nil || d <= 0 {
			v.at("timeout", fmt.Sprintf("timeout %q: write a positive duration, as in \"30s\"", k.Timeout))
		}
	}
}

func (k *AwaitKind) timeout() time.Duration {
	if d, err := time.ParseDuration(k.Timeout); err == nil && d > 0 {
		return d
	}
	return defaultAwaitTimeout
}

func (k *AwaitKind) describe(d *describer) Description {
	u := d.fill("{{"+k.Listener+"_url}}", nil)
	return Description{Kind: k.Name(), Summary: "wait for a request at " + u, URL: u,
		Notes: []string{fmt.Sprintf("Waits up to %s for the provider to send a request to the %s listener.", k.timeout(), k.Listener)}}
}

func (k *AwaitKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	s := x.s
	ln := s.target.listener(s.flow.ID, k.Listener)
	if ln == nil {
		return nil, fmt.Errorf("listener %s is not open: the run's preparation opens every listener a flow declares", k.Listener)
	}
	timeout := k.timeout()
	s.mu.Lock()
	after := s.marks[k.Listener]
	s.mu.Unlock()
	arrival := checks.Outcome{ID: ReceivedCheck, Level: checks.LevelFail, Ref: k.Ref, Target: "listener " + k.Listener,
		Expected: "a request at " + ln.URL() + " within " + timeout.String(),
		Explain:  "The provider sends this request on its own; telconform listens for it."}
	start := s.clock.Now()
	in, err := k.receive(ctx, s.clock, ln, after, timeout)
	waited := s.clock.Now().Sub(start)
	switch {
	case errors.Is(err, errNothingArrived):
		arrival.Status, arrival.Got = checks.Fail, "nothing after "+waited.Round(time.Millisecond).String()
		return nil, &stepFailure{
			reason:   fmt.Sprintf("no request arrived at the %s listener (%s) in %s", k.Listener, ln.URL(), waited.Round(time.Millisecond)),
			outcomes: []checks.Outcome{arrival}}
	case err != nil:
		return nil, err
	}
	s.mu.Lock()
	s.marks[k.Listener] = in.Seq
	s.mu.Unlock()
	s.masker.learnHeaders(in.Header)
	s.masker.learnBody(in.Body)
	target := in.Path
	if in.RawQuery != "" {
		target += "?" + in.RawQuery
	}
	rec := Received{Listener: k.Listener, Method: in.Method, URL: target, Header: in.Header.Clone(),
		Body: string(in.Body), Truncated: in.Truncated, Size: in.Size, At: in.At}
	x.res.Received = &rec
	s.emit(RequestReceived{Where: x.where(), Listener: k.Listener, Request: s.maskReceived(rec)})
	arrival.Status, arrival.Got = checks.Pass, in.Method+" "+in.Path
	x.outcomes = append(x.outcomes, arrival)
	query, _ := url.ParseQuery(in.RawQuery)
	return &checks.Evidence{Received: &checks.Received{Method: in.Method, Path: in.Path, Query: query,
		Header: in.Header, Body: in.Body}}, nil
}

var errNothingArrived = errors.New("nothing arrived")

// receive waits for the next request. On a simulated clock time does not pass by itself: a
// request is either there already (the sandbox sends before it answers the request that made it
// send) or it never comes, and the clock jumps over the timeout.
func (k *AwaitKind) receive(ctx context.Context, clock Clock, ln Listener, after int, timeout time.Duration) (Incoming, error) {
	if sim, ok := clock.(*SimClock); ok {
		now, cancel := context.WithCancel(ctx)
		cancel() // only what has arrived already
		in, err := ln.Next(now, after)
		if err == nil {
			return in, nil
		}
		if ctx.Err() != nil {
			return Incoming{}, ctx.Err()
		}
		sim.Advance(timeout)
		return Incoming{}, errNothingArrived
	}
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	in, err := ln.Next(wait, after)
	if err != nil && ctx.Err() == nil {
		return Incoming{}, errNothingArrived
	}
	return in, err
}
