// Package flows holds telconform's flows — the documented sequences of HTTP exchanges a provider
// must get right, written as TOML data — and the runner that executes them step by step against
// a provider, records the evidence and runs the checks.
//
// The runner knows nothing about terminals or report formats: it emits events to a callback and
// returns plain results. Every value that leaves it (events, results) has had secrets masked.
package flows

import (
	"github.com/telconform/telconform/checks"
)

// File is one flow file: the flows of one provider family.
type File struct {
	Flows []*Flow `toml:"flow"`
}

// Flow is one documented sequence of steps, with the negative cases that belong to it.
type Flow struct {
	ID      string  `toml:"id"`
	Title   string  `toml:"title"`
	Explain string  `toml:"explain"`
	Ref     string  `toml:"ref"`
	Steps   []*Step `toml:"step"`

	// Source is the file the flow was read from, for error messages and listings.
	Source string `toml:"-"`
	// needs lists the variables the flow takes from its profile, in first-use order.
	needs []string
}

// Needs lists the variables the flow takes from the profile (everything its templates name that
// no step generates or captures), in the order the flow first uses them.
func (f *Flow) Needs() []string { return f.needs }

// Step kinds.
const (
	KindHTTP = "http" // one HTTP request
	KindWalk = "walk" // a user agent following redirects until it reaches the client's redirect URI
	KindWait = "wait" // let time pass (for a token to expire)
)

// Step is one exchange (or one wait) of a flow, with what it captures and the checks its
// evidence must pass.
type Step struct {
	ID      string `toml:"id"`
	Title   string `toml:"title"`
	Explain string `toml:"explain"`
	Kind    string `toml:"kind"`

	Method string            `toml:"method"`
	URL    string            `toml:"url"`
	Query  map[string]string `toml:"query"`
	Header map[string]string `toml:"header"`
	Form   map[string]string `toml:"form"`
	JSON   string            `toml:"json"`
	Body   string            `toml:"body"`
	Basic  *BasicAuth        `toml:"basic"`

	// Until is the client's redirect URI for a walk: the walk stops at the first redirect to its
	// origin, without fetching it, and captures that URL.
	Until string `toml:"until"`
	// Wait is how long a wait step lasts: durations joined by "+", as in "{{expires_in}}s + 2s".
	Wait string `toml:"wait"`
	// Requires names earlier steps that must have run for this one to mean anything (an
	// expired-token request after the wait that let the token expire); if one was skipped or
	// could not run, this step is skipped too.
	Requires []string `toml:"requires"`

	// Generate makes fresh values before the request is built: random (a 128-bit URL-safe
	// string), uuid, now (RFC 3339) or unix (seconds).
	Generate map[string]string `toml:"generate"`
	// Capture and CaptureSecret save values from the response for later steps, from the same
	// targets checks use (body:PATH, header:NAME, query:NAME, redirect, status). Values captured
	// as secrets are masked wherever they appear afterwards.
	Capture       map[string]string `toml:"capture"`
	CaptureSecret map[string]string `toml:"capture_secret"`

	Packs  []string      `toml:"packs"`
	Checks []checks.Spec `toml:"checks"`

	checks []*checks.Check
	packs  []*checks.Pack
}

// BasicAuth is HTTP Basic credentials (RFC 7617), usually templates naming profile secrets.
type BasicAuth struct {
	User     string `toml:"user"`
	Password string `toml:"password"`
}

// CheckCount is how many checks the step runs: its inline checks plus those of its packs.
func (s *Step) CheckCount() int {
	n := len(s.checks)
	for _, p := range s.packs {
		n += len(p.Checks)
	}
	return n
}
