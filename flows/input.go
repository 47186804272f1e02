package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// InputRequest is the runner asking for something only a person can provide: today, the result
// of opening an authorization URL on the device.
type InputRequest struct {
	Where
	Step *Step
	// Name is the variable that answers the request without asking, in a profile or with --var.
	Name string
	// Prompt says what to do, in words a person at a terminal can follow.
	Prompt string
	// URL is what to open on the device.
	URL string
	// RedirectURI is where the provider sends the browser back: the callback to bring back.
	RedirectURI string
}

// Answer is what came back. An empty URL means the browser was not sent back to the redirect
// URI (the provider showed an error page instead), which is itself evidence.
type Answer struct {
	URL string
	Via string // how it arrived: "pasted", "listener", "--var"
}

// Input is how the runner reaches a person. It blocks until the person answers or ctx is done.
type Input func(ctx context.Context, req InputRequest) (Answer, error)

// ErrNoAnswer is what an Input returns when the person chose to skip the step.
var ErrNoAnswer = errors.New("skipped by the person running it")

// callbackVar is the variable that answers a device walk without a person, for headless runs:
// callback_authorize for the step "authorize".
func callbackVar(st *Step) string {
	return "callback_" + strings.ReplaceAll(st.ID, "-", "_")
}

// handoff asks for the result of a walk performed on the device: from the variables first (so a
// headless run can be given it), then from the person, and otherwise the step is skipped with a
// reason that says what to set.
func (s *Session) handoff(ctx context.Context, i int, st *Step, authorizeURL, redirectURI string) (Answer, error) {
	name := callbackVar(st)
	if v, ok := s.lookup(name); ok {
		return Answer{URL: v, Via: "--var"}, nil
	}
	req := InputRequest{
		Where: s.where(i), Step: st, Name: name, URL: authorizeURL, RedirectURI: redirectURI,
		Prompt: "Open the URL on the phone, on mobile data (not Wi-Fi): network-based authentication only " +
			"recognises the device on its operator's network. Bring back the URL the browser is sent to, " +
			"which starts with " + redirectURI + ".",
	}
	if s.runner.Input == nil {
		return Answer{}, &skipError{fmt.Sprintf("needs a person: open the authorize URL on the phone, on mobile data, "+
			"then set --var %s=<the URL the browser is sent back to>, or run telconform in a terminal", name)}
	}
	s.emit(InputNeeded{Where: s.where(i), Request: req})
	ans, err := s.runner.Input(ctx, req)
	if errors.Is(err, ErrNoAnswer) {
		return Answer{}, &skipError{"no callback: " + err.Error()}
	}
	return ans, err
}
