// Package flows holds telconform's flows — the documented sequences of HTTP exchanges a provider
// must get right, written as TOML data — and the engine that runs them: a session per flow run,
// and one driver that sequences steps for every front end.
//
// The engine knows nothing about terminals or report formats: it emits events and returns plain
// results. Every value that leaves it (events, results) has had secrets masked.
package flows

// Flow is one documented sequence of steps, with the negative cases that belong to it.
type Flow struct {
	ID      string
	Title   string
	Explain string
	Ref     string
	Steps   []*Step
	// Listeners are the addresses the flow opens for requests a provider sends to it (a
	// webhook, a callback); each is a template variable NAME_url before any step runs.
	Listeners []ListenerSpec

	// Source is the file the flow was read from, for error messages and listings.
	Source string
	// needs lists the variables the flow takes from its profile, in first-use order.
	needs []string
	// clientAuth reports whether a step authenticates the client at a token endpoint.
	clientAuth bool
}

// ListenerSpec declares a listener of a flow.
type ListenerSpec struct {
	Name    string `toml:"name"`
	Path    string `toml:"path"`
	Explain string `toml:"explain"`
}

// ListenerSettings is where a listener binds and the URL a provider must use to reach it (a
// tunnel's, when the machine is not reachable directly); empty values mean a free loopback port
// and the listener's own URL.
type ListenerSettings struct {
	Bind, PublicURL string
}

// Var is the template variable that holds the listener's URL.
func (l ListenerSpec) Var() string { return l.Name + "_url" }

// Needs lists the variables the flow takes from the profile (everything its templates name that
// no step generates or captures and no listener provides), in the order the flow first uses them.
func (f *Flow) Needs() []string { return f.needs }

// AuthenticatesClient reports whether a step of the flow authenticates the client at a token
// endpoint, which the profile says how to do (its client authentication method).
func (f *Flow) AuthenticatesClient() bool { return f.clientAuth }

// StepIndex finds a step by id; -1 when the flow has none.
func (f *Flow) StepIndex(id string) int {
	for i, s := range f.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}
