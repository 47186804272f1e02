package flows

import "github.com/telconform/telconform/checks"

// Event is something the runner reports while it works. Front ends turn events into what they
// show: the terminal UI into messages, headless mode into progress lines. Every event carries
// masked data only.
type Event interface{ event() }

// Where says which profile, flow and step an event is about.
type Where struct {
	Target string
	Flow   string
	Step   int // index in the flow's steps; -1 for flow-level events
}

// FlowStarted is sent before a flow's first step.
type FlowStarted struct {
	Where
	Flow *Flow
}

// StepStarted is sent before a step does anything.
type StepStarted struct {
	Where
	Step *Step
}

// RequestSent is sent when a request goes out (a walk sends several).
type RequestSent struct {
	Where
	Request Request
}

// ResponseReceived is sent when a request has come back, or failed.
type ResponseReceived struct {
	Where
	Exchange Exchange
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

// StepDone is sent when a step has finished, with its whole record.
type StepDone struct {
	Where
	Result StepResult
}

// FlowDone is sent when a flow has finished.
type FlowDone struct {
	Where
	Result FlowResult
}

func (FlowStarted) event()      {}
func (StepStarted) event()      {}
func (RequestSent) event()      {}
func (ResponseReceived) event() {}
func (CheckDone) event()        {}
func (InputNeeded) event()      {}
func (StepDone) event()         {}
func (FlowDone) event()         {}
