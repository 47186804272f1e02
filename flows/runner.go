package flows

import (
	"context"
	"net/http"
	"time"
)

// Target is a resolved profile ready to run: the flows to run and everything their templates
// need, the clock the provider sees, and the listeners opened for it.
type Target struct {
	Name    string
	Title   string
	Source  string // the profile file, or "built-in"
	Sandbox string // provider of the in-process sandbox this target runs against, if any
	Flows   []*Flow
	Vars    map[string]string
	Secrets map[string]string // masked from the moment the run starts
	// Client is how the client authenticates at token endpoints.
	Client ClientAuth
	Clock  Clock // nil means RealClock
	// MaxWait is the longest wait step the target allows; a longer one is skipped with a reason.
	// Negative means no limit (the sandbox's simulated clock makes waits free).
	MaxWait time.Duration
	// Walk says who follows authorization redirects: WalkAgent (telconform, the default) or
	// WalkDevice (a person, on the phone).
	Walk string
	// Listeners are the flows' listeners, opened before the run, by ListenerKey.
	Listeners map[string]Listener
	// ListenerSettings say where listeners bind and the URL a provider reaches them by, by
	// listener name, as the profile gives them (references filled); absent means a free
	// loopback port.
	ListenerSettings map[string]ListenerSettings
	// Faults and Tolerances are the sandbox faults and tolerances switched on for this target,
	// recorded in reports.
	Faults, Tolerances []string
	// Known are the deviations the profile expects from the provider; Skips the steps it does
	// not offer.
	Known []Deviation
	Skips []StepSkip
}

// Deviation is a check a provider is known to fail on one step, on purpose or until a fix ships:
// its outcome is reported as known (the run does not fail on it) or, once it holds, as fixed.
type Deviation struct {
	Flow, Step, Check string
	Reason            string
}

// StepSkip is a step a provider does not offer (an optional operation): it is skipped, with the
// reason, and steps that need what it would have captured are skipped after it.
type StepSkip struct {
	Flow, Step string
	Reason     string
}

// ListenerKey is how Target.Listeners names the listener of one flow.
func ListenerKey(flow, name string) string { return flow + "/" + name }

func (t *Target) listener(flow, name string) Listener {
	return t.Listeners[ListenerKey(flow, name)]
}

// Runner holds how the engine talks to providers. Its zero value is ready to use; the fields tune it.
type Runner struct {
	// Transport sends the requests; nil means a clone of http.DefaultTransport with bounded
	// response headers.
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

// maxHeaderBytes bounds the response headers the engine accepts from a provider.
const maxHeaderBytes = 256 << 10

func (r *Runner) transport() http.RoundTripper {
	if r.Transport != nil {
		return r.Transport
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxResponseHeaderBytes = maxHeaderBytes
	return t
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

// Run runs every flow of every target in order and returns the whole record: the headless use
// of a Driver. A cancelled ctx stops the run: the step under way ends, and what did not run is
// recorded as skipped, so the report of an interrupted run still says what happened.
func (r *Runner) Run(ctx context.Context, targets []*Target, emit func(Event)) RunResult {
	return r.NewDriver(targets, emit).RunAll(ctx)
}
