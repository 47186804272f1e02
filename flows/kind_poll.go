package flows

import (
	"context"
	"fmt"
	"time"

	"github.com/telconform/telconform/checks"
)

// PollKind repeats a request until a condition holds on its response (a polling result that
// arrives once the device opened its session), waiting Interval between attempts, for at most
// Timeout. Every attempt is recorded. A poll whose condition never holds fails, saying how long
// it waited and how many attempts it made; the step's other checks then look at nothing.
type PollKind struct {
	RequestSpec
	Interval string `toml:"interval"` // default 1s
	Timeout  string `toml:"timeout"`  // default 30s
	// Until is the condition, an inline check: it is the step's first outcome.
	Until checks.Spec `toml:"until"`

	until *checks.Check
}

const (
	defaultPollInterval = time.Second
	defaultPollTimeout  = 30 * time.Second
)

// Name is "poll".
func (*PollKind) Name() string { return "poll" }

func (k *PollKind) validate(v *validation) {
	k.RequestSpec.validate(v)
	for _, f := range []struct{ key, value string }{{"interval", k.Interval}, {"timeout", k.Timeout}} {
		if f.value == "" {
			continue
		}
		if d, err := time.ParseDuration(f.value); err != nil || d <= 0 {
			v.at(f.key, fmt.Sprintf("%s %q: write a positive duration, as in \"2s\"", f.key, f.value))
		}
	}
	if k.Until.ID == "" {
		k.Until.ID = "poll.until"
	}
	c, err := k.Until.Compile()
	if err != nil {
		v.at("until", "until is the condition that ends the poll, an inline check: "+err.Error())
		return
	}
	k.until = c
	for _, w := range append([]any{k.Until.Equals, k.Until.NotEquals}, k.Until.OneOf...) {
		if s, ok := w.(string); ok {
			v.use(s)
		}
	}
}

func (k *PollKind) durations() (interval, timeout time.Duration) {
	interval, timeout = defaultPollInterval, defaultPollTimeout
	if d, err := time.ParseDuration(k.Interval); err == nil && d > 0 {
		interval = d
	}
	if d, err := time.ParseDuration(k.Timeout); err == nil && d > 0 {
		timeout = d
	}
	return interval, timeout
}

func (k *PollKind) describe(d *describer) Description {
	desc := k.RequestSpec.describe(d, k.Name())
	interval, timeout := k.durations()
	desc.Notes = append(desc.Notes, fmt.Sprintf("Repeats every %s, for at most %s, until %s is %s.",
		interval, timeout, k.until.Target, k.until.Expectation()))
	return desc
}

func (k *PollKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	interval, timeout := k.durations()
	clock := x.s.clock
	start := clock.Now()
	for attempt := 1; ; attempt++ {
		ev, err := k.send(ctx, x)
		if err != nil {
			return nil, err
		}
		o := k.until.Eval(ev, x.s.resolver())
		elapsed := clock.Now().Sub(start)
		x.emit(Attempt{Where: x.where(), N: attempt, Outcome: x.s.masker.maskOutcome(o), Elapsed: elapsed, Timeout: timeout})
		switch {
		case o.Status == checks.Pass:
			x.outcomes = append(x.outcomes, o)
			return ev, nil
		case o.Status == checks.Skip:
			return nil, &skipError{"the poll's condition cannot be evaluated: " + o.Reason}
		case elapsed+interval > timeout:
			figures := fmt.Sprintf("%d %s over %s (timeout %s)", attempt, plural(attempt, "attempt"), elapsed.Round(time.Millisecond), timeout)
			reason := fmt.Sprintf("the condition never held: %s; the last saw %s", figures, o.Got)
			// The figures go into what the check got too: a summary line shows that, not the reason.
			o.Got += ", still, after " + figures
			return nil, &stepFailure{reason: reason, outcomes: []checks.Outcome{o}}
		}
		if err := clock.Sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
