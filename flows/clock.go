package flows

import (
	"context"
	"sync"
	"time"
)

// Clock is where the runner gets the time and how it lets time pass. Injecting it keeps tests
// free of sleeps, and lets a run against the in-process sandbox wait for a token to expire
// without waiting at all: the sandbox reads the same clock.
type Clock interface {
	Now() time.Time
	// Sleep lets d pass, or returns ctx's error if the run is cancelled first.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is wall-clock time; Sleep really waits.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or for ctx to be done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SimClock is a clock whose Sleep jumps forward instead of waiting. It runs at the speed of its
// base clock between jumps, so durations measured against it stay real.
type SimClock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
}

// NewSimClock makes a simulated clock on top of base (time.Now when nil). Tests pass a base
// that always returns the same instant, so that every time the run records is reproducible.
func NewSimClock(base func() time.Time) *SimClock {
	if base == nil {
		base = time.Now
	}
	return &SimClock{base: base}
}

// Now returns the base time plus every jump made so far.
func (c *SimClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.offset)
}

// Sleep jumps the clock forward by d at once.
func (c *SimClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advance moves the clock forward by d.
func (c *SimClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
