package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
)

// WaitKind lets time pass on the target's clock: for a token or a session to expire. Against the
// built-in sandbox the shared clock jumps instead; against a real provider a wait longer than
// --max-wait is skipped, with the reason.
type WaitKind struct {
	// Duration is durations joined by "+", as in "{{expires_in}}s + 1s".
	Duration string `toml:"duration"`
}

// Name is "wait".
func (*WaitKind) Name() string { return "wait" }

func (k *WaitKind) validate(v *validation) {
	if k.Duration == "" {
		v.at("duration", `a wait needs duration = a duration, as in "{{expires_in}}s + 2s"`)
	} else if !strings.Contains(k.Duration, "{{") {
		if _, err := parseDurationSum(k.Duration); err != nil {
			v.at("duration", fmt.Sprintf("duration %q: %v", k.Duration, err))
		}
	}
	v.use(k.Duration)
}

func (k *WaitKind) describe(d *describer) Description {
	text := d.fill(k.Duration, nil)
	summary := "wait " + text
	if dur, err := parseDurationSum(text); err == nil {
		summary = "wait " + dur.String()
	}
	return Description{Kind: k.Name(), Summary: summary,
		Notes: []string{"Against the built-in sandbox the clock jumps; against a real provider the wait is real, up to --max-wait."}}
}

func (k *WaitKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	text, err := x.fill(k.Duration, nil)
	if err != nil {
		return nil, err
	}
	// A lifetime the provider sent as a string is not timed: RFC 6749 5.1 wants a number, and a
	// wait built on a guess would make the steps after it prove nothing.
	for _, name := range templateNames(k.Duration) {
		x.s.mu.Lock()
		kind, captured := x.s.types[name]
		v := x.s.vars[name]
		x.s.mu.Unlock()
		if captured && kind != checks.KindNumber {
			return nil, &skipError{fmt.Sprintf("{{%s}} is the %s %q, not a number of seconds: no wait is timed from it", name, kind, v)}
		}
	}
	d, err := parseDurationSum(text)
	if err != nil {
		return nil, &skipError{fmt.Sprintf("cannot wait %q: %v, so no wait is timed from it", text, err)}
	}
	if max := x.s.target.MaxWait; max >= 0 && d > max {
		return nil, &skipError{fmt.Sprintf("waiting %s is longer than the %s allowed: run with --max-wait %s to include it", d, max, d.Round(time.Second))}
	}
	x.res.Captured = map[string]string{"waited": d.String()}
	if err := x.s.clock.Sleep(ctx, d); err != nil {
		return nil, fmt.Errorf("interrupted while waiting: %w", err)
	}
	return nil, nil
}

// parseDurationSum reads durations joined by "+", as in "300s + 2s". A negative part is refused:
// a provider's negative lifetime must never drive a wait.
func parseDurationSum(s string) (time.Duration, error) {
	var total time.Duration
	for _, part := range strings.Split(s, "+") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return 0, err
		}
		if d < 0 {
			return 0, fmt.Errorf("%s is negative", strings.TrimSpace(part))
		}
		total += d
	}
	return total, nil
}
