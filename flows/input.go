package flows

import (
	"context"
	"errors"
	"fmt"

	"github.com/telconform/telconform/checks"
)

// Who performs a walk (the redirect chain of an authorization request).
const (
	// WalkAgent: telconform's own user agent follows the redirects. Right for the sandbox, whose
	// simulated device is telconform itself, and for providers that do not need the device.
	WalkAgent = "agent"
	// WalkDevice: a person opens the URL on the device, because network-based authentication
	// only recognises a phone on its mobile network, and brings back the URL the browser was
	// sent to.
	WalkDevice = "device"
)

// InputRequest is the engine asking for something only a person can provide: the URL a phone's
// browser landed on after a walk, a value read off a device, a confirmation that the phone opened
// a link.
type InputRequest struct {
	Where
	Step *Step
	// Name is the variable that answers the request without asking, in a profile or with --var.
	Name string
	// Prompt says what to do, in words a person at a terminal can follow.
	Prompt string
	// URL is what to open on the device, if anything. It is the one place a secret it carries
	// (KPN's session link is one) is given whole: the person must open it.
	URL string
	// MaskedURL is URL with its secrets masked, for whatever is kept (a debug log).
	MaskedURL string
	// RedirectURI is where the provider sends the browser back, for a walk on the device: the
	// answer must be a URL there.
	RedirectURI string
	// State is the state the walk sent, so that a pasted callback from another attempt (an old
	// browser tab) can be told apart from a provider that changed it.
	State string
	// Secret says the answer must not be drawn on screen.
	Secret bool
	// Confirm says only a go-ahead is wanted, no value.
	Confirm bool
}

// Answer is what came back. For a walk, an empty URL means the browser was not sent back to the
// redirect URI (the provider showed an error page instead), which is itself evidence.
type Answer struct {
	URL   string // the callback, for a walk
	Value string // the value, for an input step
	Via   string // how it arrived: "pasted", "listener", "--var", "typed"
}

// Input is how the engine reaches a person. It blocks until the person answers or ctx is done.
type Input func(ctx context.Context, req InputRequest) (Answer, error)

// ErrNoAnswer is what an Input returns when the person chose to skip the step.
var ErrNoAnswer = errors.New("skipped by the person running it")

// ask gets what a person must provide: from the variables first (so a headless run can be given
// it), then from the person, and otherwise the step is skipped with a reason that says what to set.
func (x *execution) ask(ctx context.Context, req InputRequest) (Answer, error) {
	s := x.s
	req.Where, req.Step = x.where(), x.step
	req.MaskedURL = s.masker.Mask(req.URL)
	if v, ok := s.lookup(req.Name); ok {
		if req.RedirectURI != "" {
			return Answer{URL: v, Via: "--var"}, nil
		}
		return Answer{Value: v, Via: "--var"}, nil
	}
	if s.runner.Input == nil {
		// Short enough that the summary line keeps the --var to set.
		how, answer := "needs a person: "+req.Prompt, "<the value>"
		switch {
		case req.RedirectURI != "":
			how, answer = "needs a person: open the authorize URL on the phone, on mobile data", "<the URL the browser is sent back to>"
		case req.Confirm && req.URL != "":
			how, answer = "needs a person to open the link on the phone, on mobile data", "done"
		case req.Confirm:
			answer = "done"
		}
		return Answer{}, &skipError{fmt.Sprintf("%s, then set --var %s=%s, or run telconform in a terminal", how, req.Name, answer)}
	}
	s.emit(InputNeeded{Where: req.Where, Request: req})
	ans, err := s.runner.Input(ctx, req)
	if errors.Is(err, ErrNoAnswer) {
		return Answer{}, &skipError{"no answer: " + err.Error()}
	}
	return ans, err
}

// InputKind waits for a person: to open a URL on the phone (a device session that must be
// opened on the mobile network), to read a value off a device, or to confirm that something
// happened. Headless runs take the value from --var NAME or skip the step, saying so.
type InputKind struct {
	// Into is the variable the answer goes into, and the --var that answers a headless run.
	Into string `toml:"into"`
	// Prompt says what to do.
	Prompt string `toml:"prompt"`
	// Open is a URL (a template) to open on the phone, shown as text and as a QR code.
	Open string `toml:"open"`
	// Secret says the answer is a secret: not drawn, masked wherever it appears.
	Secret bool `toml:"secret"`
	// Confirm says the person only confirms; the variable is set to "done".
	Confirm bool `toml:"confirm"`
}

// Name is "input".
func (*InputKind) Name() string { return "input" }

func (k *InputKind) validate(v *validation) {
	if !validName(k.Into) {
		v.at("into", fmt.Sprintf("into %q: the variable the answer goes into (letters, digits, _)", k.Into))
	}
	if k.Prompt == "" {
		v.at("prompt", "an input needs a prompt: what the person should do")
	}
	v.use(k.Open)
	v.use(k.Prompt)
	v.define(k.Into)
}

func (k *InputKind) describe(d *describer) Description {
	desc := Description{Kind: k.Name(), Summary: "a person: " + d.fill(k.Prompt, nil)}
	if k.Open != "" {
		desc.URL = d.fill(k.Open, nil)
		desc.Notes = append(desc.Notes, "Open "+desc.URL+" on the phone (the terminal shows it as a QR code too).")
	}
	desc.Notes = append(desc.Notes, "Headless runs take the answer from --var "+k.Into+"=VALUE.")
	return desc
}

func (k *InputKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	prompt, err := x.fill(k.Prompt, nil)
	if err != nil {
		return nil, err
	}
	open := ""
	if k.Open != "" {
		if open, err = x.fill(k.Open, nil); err != nil {
			return nil, err
		}
	}
	ans, err := x.ask(ctx, InputRequest{Name: k.Into, Prompt: prompt, URL: open, Secret: k.Secret, Confirm: k.Confirm})
	if err != nil {
		return nil, err
	}
	value := ans.Value
	if k.Confirm && value == "" {
		value = "done"
	}
	if k.Secret {
		x.s.masker.Add(k.Into, value)
	}
	x.s.set(k.Into, value)
	x.res.Captured = map[string]string{k.Into: value}
	if open != "" {
		x.res.Handoff = &Handoff{URL: open, Via: ans.Via}
	}
	return nil, nil
}
