package flows

import (
	"context"

	"github.com/telconform/telconform/checks"
)

// Step is one exchange of a flow (or one wait, one thing a person does), with what it captures
// and the checks its evidence must pass. What the step does is its Kind.
type Step struct {
	ID      string
	Title   string
	Explain string
	// Kind is what the step does: a request, a walk, a wait, an input, a poll, an await or a mint.
	Kind Kind
	// Requires names earlier steps that must have run for this one to mean anything (an
	// expired-token request after the wait that let the token expire); if one was skipped or
	// could not run, this step is skipped too.
	Requires []string
	// Generate makes fresh values before the step runs: random (a 128-bit URL-safe string),
	// uuid, now (RFC 3339) or unix (seconds).
	Generate map[string]string
	// Capture and CaptureSecret save values from the evidence for later steps, from the same
	// targets checks use. Values captured as secrets are masked wherever they appear afterwards.
	Capture       map[string]string
	CaptureSecret map[string]string

	Packs  []string
	Checks []checks.Spec
	// Expect states values the step's checks compare the evidence with (an issuer, a client id,
	// the nonce sent, the provider's keys); values are templates.
	Expect map[string]string

	checks []*checks.Check
	packs  []*checks.Pack
}

// Kind is what a step does. Each kind has its own sub-table in a flow file ([flow.step.request],
// [flow.step.walk], …) and its own type; the engine only ever talks to it through this interface.
type Kind interface {
	// Name is the kind's sub-table name: request, walk, wait, input, poll, await or mint.
	Name() string
	// validate checks the kind's own fields and declares the templates it fills and the
	// variables it defines.
	validate(v *validation)
	// describe says what the step will do with the values known so far, for the walk-mode
	// preview and the terminal UI.
	describe(d *describer) Description
	// run performs the step. It returns the evidence checks look at, nil when there is none
	// (a wait), or an error when the step could not be performed.
	run(ctx context.Context, x *execution) (*checks.Evidence, error)
}

// CheckIDs lists the ids of the checks the step runs: its packs' and its inline ones.
func (s *Step) CheckIDs() []string {
	var ids []string
	for _, p := range s.packs {
		for _, c := range p.Checks {
			ids = append(ids, c.ID)
		}
	}
	for _, c := range s.checks {
		ids = append(ids, c.ID)
	}
	return ids
}

// CheckCount is how many checks the step runs: its inline checks plus those of its packs.
func (s *Step) CheckCount() int { return len(s.CheckIDs()) }

// validation is what a kind's validate sees: where to report a problem, and how to declare the
// templates it fills (which tell the profile what to provide) and the names it defines.
type validation struct {
	// at reports a problem at a key of the kind's sub-table ("url", "until").
	at func(key, msg string)
	// use declares a template the kind fills before or while it runs.
	use func(template string)
	// define declares a variable the kind sets for later steps.
	define func(name string)
	// listeners are the names of the flow's listeners.
	listeners map[string]bool
	// clientAuth records that the step authenticates the client.
	clientAuth func()
}
