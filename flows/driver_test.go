package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// serve starts a driver's Serve loop and returns a function that waits for the next event
// matching want, failing the test after a few seconds.
func serve(t *testing.T, r *flows.Runner, targets []*flows.Target) (*flows.Driver, func(want func(flows.Event) bool) flows.Event) {
	t.Helper()
	events := make(chan flows.Event, 4096)
	d := r.NewDriver(targets, func(e flows.Event) { events <- e })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	next := func(want func(flows.Event) bool) flows.Event {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case e := <-events:
				if want(e) {
					return e
				}
			case <-timeout:
				t.Fatal("the event never came")
				return nil
			}
		}
	}
	return d, next
}

func waitingAt(step int) func(flows.Event) bool {
	return func(e flows.Event) bool { w, ok := e.(flows.Waiting); return ok && w.Step == step }
}

func stepDone(id string) func(flows.Event) bool {
	return func(e flows.Event) bool { d, ok := e.(flows.StepDone); return ok && d.Result.ID == id }
}

// In walk mode the driver stops before every step and says what the step will send; going on
// runs exactly one step. Switching to run mode runs the rest without stopping.
func TestDriverWalkMode(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	d, next := serve(t, &flows.Runner{}, []*flows.Target{target})
	d.Start(target.Name, []string{"konera.sim-swap"}, true)
	w := next(waitingAt(0)).(flows.Waiting)
	if w.Next == nil || w.Next.Method != "POST" || w.Next.Body != "client_id=konera-sandbox-client&client_secret=[secret:client_secret]&grant_type=client_credentials" {
		t.Fatalf("the first step's description: %+v", w.Next)
	}
	d.Continue()
	done := next(stepDone("token")).(flows.StepDone)
	if done.Result.Status != checks.Pass || done.FlowResult.Steps[1].Pending != true {
		t.Errorf("token %s; step 2 pending %v", done.Result.Status, done.FlowResult.Steps[1].Pending)
	}
	w = next(waitingAt(1)).(flows.Waiting)
	// Values captured so far are in the description, masked; nothing is URL-encoded templates.
	if got := w.Next.Header.Get("Authorization"); got != "Bearer [secret:access_token]" {
		t.Errorf("check-swapped will send Authorization %q", got)
	}
	d.SetWalk(false)
	fd := next(func(e flows.Event) bool { _, ok := e.(flows.FlowDone); return ok }).(flows.FlowDone)
	if fd.Result.Status != checks.Pass || len(fd.Result.Steps) != 21 {
		t.Errorf("flow %s with %d steps", fd.Result.Status, len(fd.Result.Steps))
	}
	next(func(e flows.Event) bool { _, ok := e.(flows.QueueDone); return ok })
	if res := d.Result(); res.Status != checks.Pass || len(res.Targets[0].Flows) != 1 {
		t.Errorf("result %s with %d flows", res.Status, len(res.Targets[0].Flows))
	}
}

// After "run all", every flow's record stays readable and any step of an earlier flow can be
// re-run in that flow's session.
func TestDriverRerunAnEarlierFlowsStep(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	d, next := serve(t, &flows.Runner{}, []*flows.Target{target})
	d.Start(target.Name, []string{"konera.client-credentials", "konera.sim-swap"}, false)
	next(func(e flows.Event) bool { _, ok := e.(flows.QueueDone); return ok })
	d.Rerun("konera.client-credentials", 1)
	again := next(stepDone("wrong-secret")).(flows.StepDone)
	if again.Flow != "konera.client-credentials" || again.Result.Status != checks.Pass {
		t.Errorf("re-run %s/%s: %s", again.Flow, again.Result.ID, again.Result.Status)
	}
	res := d.Result()
	if len(res.Targets[0].Flows) != 2 || res.Status != checks.Pass {
		t.Errorf("after the re-run: %d flows, %s", len(res.Targets[0].Flows), res.Status)
	}
	d.Restart("konera.sim-swap")
	started := next(func(e flows.Event) bool { s, ok := e.(flows.FlowStarted); return ok && s.Flow.ID == "konera.sim-swap" }).(flows.FlowStarted)
	if !started.Result.Steps[0].Pending {
		t.Error("a restarted flow does not start afresh")
	}
	next(func(e flows.Event) bool { _, ok := e.(flows.QueueDone); return ok })
}

// A step cancelled while it runs is recorded as cancelled, and a re-run asked for at once starts
// only after the cancelled one has finished: never two steps of one session at a time (run with
// -race).
func TestDriverCancelThenRerunAtOnce(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.Walk = flows.WalkDevice
	asked := make(chan struct{}, 10)
	r := &flows.Runner{Input: func(ctx context.Context, req flows.InputRequest) (flows.Answer, error) {
		asked <- struct{}{}
		<-ctx.Done() // the person never answers
		return flows.Answer{}, ctx.Err()
	}}
	d, next := serve(t, r, []*flows.Target{target})
	var order []string
	record := func(e flows.Event) bool {
		switch e := e.(type) {
		case flows.StepStarted:
			order = append(order, "start "+e.Step.ID)
		case flows.StepDone:
			order = append(order, "done "+e.Result.ID+" "+e.Result.Reason)
		}
		return false
	}
	d.Start(target.Name, []string{"konera.number-verification"}, false)
	<-asked // authorize is waiting for the phone
	d.Cancel()
	d.Rerun("konera.number-verification", 1)
	<-asked // the re-run is waiting for the phone in its turn
	d.Cancel()
	halts := 0
	next(func(e flows.Event) bool {
		record(e)
		if w, ok := e.(flows.Waiting); ok && w.Halted {
			halts++
		}
		return halts == 2
	})
	want := []string{"start cc-token", "done cc-token ", "start authorize", "done authorize cancelled by you",
		"start authorize", "done authorize cancelled by you"}
	for len(order) < len(want) {
		order = append(order, "(missing)")
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("events in order %q\nwant %q", order, want)
		}
	}
}
