package flows

import (
	"time"

	"github.com/telconform/telconform/checks"
)

// Event is something the engine reports while it works. Front ends turn events into what they
// show: the terminal UI into its screens, headless mode into progress lines. Every event carries
// masked data only, and events of one driver arrive in the order things happened.
type Event interface{ event() }

// Where says which profile, flow and step an event is about.
type Where struct {
	Target string
	Flow   string
	Step   int // index in the flow's steps; -1 for flow-level events
}

// FlowStarted is sent when a flow begins afresh (a new session: no cookies, no captures), with
// its record: every step not run yet.
type FlowStarted struct {
	Where
	Flow   *Flow
	Result FlowResult
}

// StepStarted is sent before a step does anything.
type StepStarted struct {
	Where
	Step *Step
}

// RequestSent is sent when a request goes out. Hop counts the requests of the step from 1: a
// walk sends one per redirect it follows, a poll one per attempt.
type RequestSent struct {
	Where
	Hop     int
	Request Request
}

// ResponseReceived is sent when a request has come back, or failed.
type ResponseReceived struct {
	Where
	Hop      int
	Exchange Exchange
}

// RequestReceived is sent when a listener received a request a step was waiting for.
type RequestReceived struct {
	Where
	Listener string
	Request  Received
}

// Attempt is sent after each attempt of a poll: what the condition saw and how long the poll
// has been going.
type Attempt struct {
	Where
	N       int
	Outcome checks.Outcome
	Elapsed time.Duration
	Timeout time.Duration
}

// CheckDone is sent for every check outcome of a step.
type CheckDone struct {
	Where
	Outcome checks.Outcome
}

// InputNeeded is sent when a step waits for a person (see Runner.Input).
type InputNeeded struct {
	Where
	Request InputRequest
}

// StepDone is sent when a step has finished, with its record and the flow's record with it.
type StepDone struct {
	Where
	Result     StepResult
	FlowResult FlowResult
}

// FlowDone is sent when the last step of a flow has run (or the run was interrupted).
type FlowDone struct {
	Where
	Result FlowResult
}

// Waiting is sent when the driver stops for a person: in walk mode before every step, and in run
// mode after a step was cancelled. Next describes the step that going on would run; when the
// flow is over, Step is -1 and NextFlow names the flow going on would start.
type Waiting struct {
	Where
	Next     *Description
	NextFlow string
	Halted   bool // run mode stopped by a cancel
}

// QueueDone is sent when every flow a driver was asked to run has finished.
type QueueDone struct {
	Where
}

func (FlowStarted) event()      {}
func (StepStarted) event()      {}
func (RequestSent) event()      {}
func (ResponseReceived) event() {}
func (RequestReceived) event()  {}
func (Attempt) event()          {}
func (CheckDone) event()        {}
func (InputNeeded) event()      {}
func (StepDone) event()         {}
func (FlowDone) event()         {}
func (Waiting) event()          {}
func (QueueDone) event()        {}
