// Package checks holds the assertions telconform makes on one step's evidence: inline checks
// written in flow files (a target and a predicate) and named packs written in Go for what every
// flow repeats (an OAuth2 token response, an authorization redirect, a CAMARA error body).
//
// Everything here is a pure function of the evidence: a check that does not hold is an Outcome
// with status fail or warn, never an error. An error is reserved for a step that could not run,
// and that is the runner's business, not this package's.
package checks

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Level says how much a check matters: whether the standard or the provider's own document says
// MUST (fail), SHOULD or is ambiguous (warn), or the check only records a fact (info).
type Level string

// Levels a check can carry.
const (
	LevelFail Level = "fail"
	LevelWarn Level = "warn"
	LevelInfo Level = "info"
)

// Valid reports whether l is one of the three levels.
func (l Level) Valid() bool {
	return l == LevelFail || l == LevelWarn || l == LevelInfo
}

// Status is the result of one check, one step, one flow or one whole run. The same vocabulary is
// used at every level so that a report reader only learns it once.
type Status string

// Statuses, from best to worst as Worse orders them.
const (
	Pass  Status = "pass"
	Info  Status = "info"  // an info-level check that did not hold
	Skip  Status = "skip"  // not evaluated: not applicable, or the step never got a response
	Fixed Status = "fixed" // a deviation the profile lists as known, which now holds
	Known Status = "known" // a deviation the profile lists as known, which still does not hold
	Warn  Status = "warn"  // a warn-level check that did not hold
	Fail  Status = "fail"  // a fail-level check that did not hold
	Error Status = "error" // a step that could not run at all
)

// A known deviation and a fixed one do not fail a run: both say the profile's list of known
// deviations needs a look, a fixed one more urgently, but neither is news about the provider.
var severity = map[Status]int{Pass: 0, Info: 1, Skip: 1, Fixed: 2, Known: 3, Warn: 4, Fail: 5, Error: 6}

// Worse returns the more severe of a and b. Skip counts as no worse than info: a skipped check
// says nothing about the provider.
func Worse(a, b Status) Status {
	if severity[b] > severity[a] {
		return b
	}
	return a
}

// statusFor maps a check that did not hold to the status its level calls for.
func statusFor(level Level, held bool) Status {
	if held {
		return Pass
	}
	switch level {
	case LevelWarn:
		return Warn
	case LevelInfo:
		return Info
	default:
		return Fail
	}
}

// Outcome is what one check found. It carries enough to explain a failure without the rest of
// the report: what was looked at (Target), what the clause wants (Expected), what the provider
// sent (Got) and where the rule comes from (Ref).
type Outcome struct {
	ID       string `json:"id"`
	Level    Level  `json:"level"`
	Ref      string `json:"ref,omitempty"`
	Status   Status `json:"status"`
	Target   string `json:"target,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	// Reason says why a check was skipped: not applicable, or no response to look at.
	Reason  string `json:"reason,omitempty"`
	Explain string `json:"explain,omitempty"`
}

// Failed reports whether the outcome should make the run fail.
func (o Outcome) Failed() bool { return o.Status == Fail || o.Status == Error }

// String renders the outcome on one line, the way a person reads it in a terminal or a CI log.
func (o Outcome) String() string {
	s := fmt.Sprintf("%s %s", o.Status, o.ID)
	if o.Target != "" {
		s += ": " + o.Target
	}
	if o.Status == Skip {
		return s + ": skipped: " + o.Reason
	}
	if o.Status != Pass {
		s += fmt.Sprintf(": expected %s, got %s", o.Expected, o.Got)
	}
	if o.Ref != "" {
		s += " [" + o.Ref + "]"
	}
	return s
}

// Evidence is everything a step observed that checks may look at. For a user-agent walk it is
// the last response of the walk, with Redirect set to the URL the walk stopped at; for an await,
// the request that arrived at the listener; for a mint, the token it signed.
type Evidence struct {
	Status   int
	Header   http.Header
	Body     []byte
	Redirect *url.URL // where the last response redirects to, if it is a redirect
	// LocationProblem says why a redirect's Location could not be followed to the client: it
	// does not parse, or it is relative and so never reaches the client's redirect URI. Checks of
	// the redirect report it rather than "code absent".
	LocationProblem string
	Duration        time.Duration
	Sent            Sent
	// Received is the request a listener received (an await step), or nil.
	Received *Received
	// Token is a JWT the step minted, or the id_token of a token response, decoded; or nil.
	Token *Token
	// Expect are values the step states for checks to compare the evidence with (the issuer, the
	// client id, the nonce sent, the provider's keys), as the flow file's expect table names
	// them, templates filled. A value the run does not have is absent.
	Expect map[string]string
	// Now is the time the provider's clock showed when the evidence was taken, for checks of
	// expiry and issue times.
	Now time.Time
}

// Sent is what the step sent, for checks that compare the answer with the question (the state
// echoed in a redirect, a challenge required because the client used the Authorization header).
type Sent struct {
	// Method is the method of the request whose response is the evidence (a walk's last hop).
	Method string
	// Scheme is the scheme of the step's request ("https", "http"), for checks whose rule
	// depends on it (a cookie's Secure attribute).
	Scheme     string
	Query      url.Values // query of the first request of the step
	Form       url.Values // form body of the request, if any
	Header     http.Header
	AuthHeader bool // the client authenticated with the Authorization header
}

// Received is a request that arrived at one of telconform's listeners: a webhook, a callback.
type Received struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Token is a decoded JWT: its header and claims as JSON objects, and the compact token itself for
// checks that verify its signature (a secret: checks never put it in an outcome).
type Token struct {
	Header []byte
	Claims []byte
	Raw    string
}
