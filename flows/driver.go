package flows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/telconform/telconform/checks"
)

// Driver is the one thing that decides which step runs next, for headless runs and the terminal
// UI alike. Headless mode calls RunAll; the UI runs Serve in a goroutine and sends it what the
// person asks for (start flows, go on, re-run a step, restart a flow, cancel, switch between walk
// and run mode). Both read what happens from the events the driver emits, in order, masked.
//
// A driver holds one masker per target for its whole life, so a secret learned in one flow stays
// masked in every other, and the latest session of every flow, so the last record of each flow
// can be read, re-run in part, or exported at any time.
type Driver struct {
	runner  *Runner
	targets []*Target
	emit    func(Event)
	maskers map[string]*Masker
	cmds    chan command

	mu        sync.Mutex
	sessions  map[string]*Session // by target/flow: the latest session of each flow
	walk      bool
	cancel    context.CancelCauseFunc // of the step under way
	cancelled bool                    // the person cancelled the step under way

	q *queue // the flows the person asked for (Serve only)
}

// queue is where an interactive run stands: which flows were asked for, which one is current,
// and which of its steps runs next.
type queue struct {
	target   *Target
	flows    []*Flow
	pos      int  // the current flow
	cursor   int  // its next step in sequence
	halted   bool // run mode stopped by a cancel or a re-run, until the person goes on
	finished bool // FlowDone was sent for the current flow
}

// ErrCancelled is the cause of a step cancelled by the person running telconform: the step is
// recorded as skipped with this reason, since the provider did nothing wrong.
var ErrCancelled = errors.New("cancelled by you")

type command struct {
	op     string
	target string
	flows  []string
	flow   string
	step   int
	walk   bool
}

// NewDriver makes a driver for targets. emit receives every event; it may be nil.
func (r *Runner) NewDriver(targets []*Target, emit func(Event)) *Driver {
	if emit == nil {
		emit = func(Event) {}
	}
	d := &Driver{runner: r, targets: targets, emit: emit, maskers: map[string]*Masker{},
		sessions: map[string]*Session{}, cmds: make(chan command, 64)}
	for _, t := range targets {
		d.maskers[t.Name] = NewTargetMasker(t)
	}
	return d
}

// RunAll runs every flow of every target, with no pause, and returns the whole record. Targets
// run side by side: each has its own masker, sessions, listeners and (against a sandbox) its own
// sandbox and clock, so none can disturb another, and a run of five profiles takes about as long
// as its slowest. A target's flows run in order, since they share its provider's state. emit is
// called from one goroutine per target.
func (d *Driver) RunAll(ctx context.Context) RunResult {
	began := time.Now()
	var wg sync.WaitGroup
	for _, t := range d.targets {
		wg.Go(func() {
			for _, f := range t.Flows {
				d.newSession(t, f).Run(ctx)
			}
		})
	}
	wg.Wait()
	res := d.Result()
	res.Interrupted = ctx.Err() != nil
	res.Duration = time.Since(began)
	return res
}

func sessionKey(target, flow string) string { return target + "/" + flow }

// newSession starts a fresh session of f (no cookies, no captures) and makes it the flow's latest.
func (d *Driver) newSession(t *Target, f *Flow) *Session {
	s := d.runner.NewSession(t, f, d.maskers[t.Name], d.emit)
	d.mu.Lock()
	d.sessions[sessionKey(t.Name, f.ID)] = s
	d.mu.Unlock()
	return s
}

func (d *Driver) session(target, flow string) *Session {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sessions[sessionKey(target, flow)]
}

func (d *Driver) target(name string) *Target {
	for _, t := range d.targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Result is the record of every flow that has run so far (its latest session), per target, in
// the targets' and flows' order, with the same roll-up rules everywhere.
func (d *Driver) Result() RunResult {
	res := RunResult{}
	var parts []checks.Status
	for _, t := range d.targets {
		tr := TargetResult{Name: t.Name, Title: t.Title, Source: t.Source, Sandbox: t.Sandbox, Faults: t.Faults, Tolerances: t.Tolerances}
		var fparts []checks.Status
		for _, f := range t.Flows {
			s := d.session(t.Name, f.ID)
			if s == nil {
				continue
			}
			fr := s.Result()
			if res.Started.IsZero() || fr.Started.Before(res.Started) {
				res.Started = fr.Started
			}
			res.Duration += fr.Duration
			tr.Flows = append(tr.Flows, fr)
			fparts = append(fparts, fr.Status)
		}
		if len(tr.Flows) == 0 && len(d.targets) > 1 {
			continue
		}
		tr.Status = rollUp(fparts)
		res.Targets = append(res.Targets, tr)
		parts = append(parts, tr.Status)
	}
	if res.Started.IsZero() && len(d.targets) > 0 {
		res.Started = clockOf(d.targets[0]).Now()
	}
	res.Status = rollUp(parts)
	return res
}

// Describe says what a step of a flow would do if it ran now, with what its latest session knows.
func (d *Driver) Describe(target, flow string, step int) (Description, bool) {
	s := d.session(target, flow)
	if s == nil {
		t := d.target(target)
		if t == nil {
			return Description{}, false
		}
		i := slices.IndexFunc(t.Flows, func(f *Flow) bool { return f.ID == flow })
		if i < 0 {
			return Description{}, false
		}
		s = d.runner.NewSession(t, t.Flows[i], d.maskers[target], nil)
	}
	if step < 0 || step >= len(s.flow.Steps) {
		return Description{}, false
	}
	return s.Describe(step), true
}

// The person's requests. Each returns at once; Serve carries them out in order, one at a time,
// so a step is never started while another runs.

// Start runs flows of a target from the beginning, each in a fresh session.
func (d *Driver) Start(target string, flows []string, walk bool) {
	d.cmds <- command{op: "start", target: target, flows: flows, walk: walk}
}

// Continue goes on: runs the next step (walk mode), resumes a halted run, or starts the next
// flow once the current one is over.
func (d *Driver) Continue() { d.cmds <- command{op: "continue"} }

// Rerun runs one step of a flow again in the flow's latest session, then waits.
func (d *Driver) Rerun(flow string, step int) { d.cmds <- command{op: "rerun", flow: flow, step: step} }

// Restart runs a flow again from its first step in a fresh session.
func (d *Driver) Restart(flow string) { d.cmds <- command{op: "restart", flow: flow} }

// SetWalk switches between walk mode (wait before every step) and run mode (every step in turn).
func (d *Driver) SetWalk(walk bool) { d.cmds <- command{op: "walk", walk: walk} }

// Cancel stops the step under way, at once. It is recorded as skipped (cancelled by you) and the
// driver waits for the person; a step asked for afterwards starts only once it has finished.
func (d *Driver) Cancel() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cancel != nil {
		d.cancelled = true
		d.cancel(ErrCancelled)
	}
}

// Serve carries out the person's requests until ctx is done.
func (d *Driver) Serve(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-d.cmds:
			d.handle(ctx, c)
		}
	}
}

func (d *Driver) handle(ctx context.Context, c command) {
	switch c.op {
	case "start":
		t := d.target(c.target)
		if t == nil {
			return
		}
		var fl []*Flow
		for _, id := range c.flows {
			if i := slices.IndexFunc(t.Flows, func(f *Flow) bool { return f.ID == id }); i >= 0 {
				fl = append(fl, t.Flows[i])
			}
		}
		if len(fl) == 0 {
			return
		}
		d.setWalk(c.walk)
		d.q = &queue{target: t, flows: fl}
		d.beginFlow(0)
		d.proceed(ctx)
	case "continue":
		q := d.q
		if q == nil {
			return
		}
		if q.cursor >= len(q.flows[q.pos].Steps) {
			if q.pos+1 < len(q.flows) {
				d.beginFlow(q.pos + 1)
			}
			d.proceed(ctx)
			return
		}
		q.halted = false
		d.step(ctx, q.cursor)
		d.proceed(ctx)
	case "rerun":
		q := d.q
		if q == nil {
			return
		}
		i := slices.IndexFunc(q.flows, func(f *Flow) bool { return f.ID == c.flow })
		if i < 0 || c.step < 0 || c.step >= len(q.flows[i].Steps) {
			return
		}
		if i != q.pos {
			// Re-running a step of another flow makes that flow the current one, where it was.
			q.pos, q.finished = i, false
			q.cursor = d.sessionCursor(q.target, q.flows[i])
		}
		if d.session(q.target.Name, c.flow) == nil {
			d.newSession(q.target, q.flows[i]).begin()
		}
		d.runOne(ctx, d.session(q.target.Name, c.flow), c.step)
		q.halted = true
		d.proceed(ctx)
	case "restart":
		q := d.q
		if q == nil {
			return
		}
		i := slices.IndexFunc(q.flows, func(f *Flow) bool { return f.ID == c.flow })
		if i < 0 {
			return
		}
		q.halted = false
		d.beginFlow(i)
		d.proceed(ctx)
	case "walk":
		d.setWalk(c.walk)
		if q := d.q; q != nil && !c.walk {
			q.halted = false
			d.proceed(ctx)
		} else if q != nil {
			d.proceed(ctx) // says where it waits
		}
	}
}

func (d *Driver) setWalk(walk bool) {
	d.mu.Lock()
	d.walk = walk
	d.mu.Unlock()
}

func (d *Driver) walking() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.walk
}

// beginFlow makes flow i of the queue current, in a fresh session.
func (d *Driver) beginFlow(i int) {
	q := d.q
	q.pos, q.cursor, q.finished = i, 0, false
	d.newSession(q.target, q.flows[i]).begin()
}

// sessionCursor is where a flow's latest session stands: the first step it has not run.
func (d *Driver) sessionCursor(t *Target, f *Flow) int {
	s := d.session(t.Name, f.ID)
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.results {
		if r.Pending {
			return i
		}
	}
	return len(s.results)
}

// proceed runs steps in sequence until the driver must wait for the person: in walk mode before
// every step, in run mode when halted, and at the end of the queue.
func (d *Driver) proceed(ctx context.Context) {
	q := d.q
	for ctx.Err() == nil {
		f := q.flows[q.pos]
		s := d.session(q.target.Name, f.ID)
		where := Where{Target: q.target.Name, Flow: f.ID, Step: q.cursor}
		if q.cursor >= len(f.Steps) {
			if !q.finished {
				q.finished = true
				d.emit(FlowDone{Where: Where{Target: q.target.Name, Flow: f.ID, Step: -1}, Result: s.Result()})
			}
			if q.pos+1 >= len(q.flows) {
				where.Step = -1
				d.emit(QueueDone{Where: where})
				return
			}
			if d.walking() || q.halted {
				where.Step = -1
				d.emit(Waiting{Where: where, NextFlow: q.flows[q.pos+1].ID, Halted: q.halted})
				return
			}
			d.beginFlow(q.pos + 1)
			continue
		}
		if d.walking() || q.halted {
			desc := s.Describe(q.cursor)
			d.emit(Waiting{Where: where, Next: &desc, Halted: q.halted})
			return
		}
		d.step(ctx, q.cursor)
	}
}

// step runs the step at the cursor; the cursor moves on unless the person cancelled it.
func (d *Driver) step(ctx context.Context, i int) {
	q := d.q
	s := d.session(q.target.Name, q.flows[q.pos].ID)
	if d.runOne(ctx, s, i) {
		q.cursor = i + 1
		return
	}
	q.halted = true
}

// runOne runs one step so that Cancel can stop it; false means the person cancelled it.
func (d *Driver) runOne(ctx context.Context, s *Session, i int) bool {
	stepCtx, cancel := context.WithCancelCause(ctx)
	d.mu.Lock()
	d.cancel, d.cancelled = cancel, false
	d.mu.Unlock()
	s.Step(stepCtx, i)
	d.mu.Lock()
	cancelled := d.cancelled
	d.cancel, d.cancelled = nil, false
	d.mu.Unlock()
	cancel(nil)
	return !cancelled
}
