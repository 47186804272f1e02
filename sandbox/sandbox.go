// Package sandbox is telconform's built-in stand-in for real telco providers: an in-process HTTP
// server per provider that answers the way the provider's own documents say it should.
//
// It exists for three reasons. A new user sees the whole product work in one command, with no
// account anywhere. Every test of the project drives the real runner over loopback HTTP against it
// instead of against mocks. And with its named faults, each of which switches on exactly one
// deviation from the documented behaviour, the project can show that every conformance check is
// able to fail.
//
// A sandbox keeps real state (tokens with expiry, single-use codes, pending authorizations) behind
// a mutex and reads the time from an injected clock, so expiry is tested by moving the clock rather
// than by waiting.
package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Options configures one sandbox instance. The zero value gives the documented defaults, so a test
// names only what it is about.
type Options struct {
	Now          func() time.Time // clock; nil means time.Now
	Faults       []string         // named faults to switch on; an unknown name makes New fail
	ClientID     string           // "" means DefaultClientID
	ClientSecret string           // "" means DefaultClientSecret
	RedirectURI  string           // the one registered redirect URI; "" means DefaultRedirectURI
}

// The credentials of the one client every sandbox registers. They are fixed so that built-in
// profiles can name them without any setup; they guard nothing real.
const (
	DefaultClientID     = "konera-sandbox-client"
	DefaultClientSecret = "konera-sandbox-secret"
	DefaultRedirectURI  = "https://client.example/cb"
)

// Sandbox is one provider served in process. Instances share nothing, so parallel tests cannot
// disturb each other through it.
type Sandbox struct {
	server providerServer
	store  *store
}

// providerServer is what a provider implementation hands to the Sandbox that wraps it.
type providerServer interface {
	http.Handler
	values(baseURL string) map[string]string
}

// config is Options with the defaults filled in and the faults checked against the provider.
type config struct {
	now    func() time.Time
	faults faultSet
	client clientRegistration
}

// clientRegistration is what a provider knows about the client it has onboarded.
type clientRegistration struct {
	id, secret, redirectURI string
}

// providerSpec ties a provider's name to the constructor of its server.
type providerSpec struct {
	name  string
	build func(cfg config, st *store) providerServer
}

// providerSpecs lists the providers a sandbox can be. Adding a provider means adding a line here,
// its faults in faults.go and its server in its own files.
func providerSpecs() []providerSpec {
	return []providerSpec{
		{name: "konera", build: newKonera},
	}
}

// Providers lists the provider names New accepts, sorted, so that the command line can offer them
// and reject a typo before anything starts.
func Providers() []string {
	var names []string
	for _, spec := range providerSpecs() {
		names = append(names, spec.name)
	}
	slices.Sort(names)
	return names
}

// New starts a sandbox for one provider. It fails on an unknown provider or fault rather than
// ignoring it, because a test that silently runs without its fault would prove nothing.
func New(provider string, opts Options) (*Sandbox, error) {
	var spec *providerSpec
	for _, candidate := range providerSpecs() {
		if candidate.name == provider {
			spec = &candidate
			break
		}
	}
	if spec == nil {
		return nil, fmt.Errorf("sandbox: unknown provider %q (valid: %s)", provider, strings.Join(Providers(), ", "))
	}
	faults, err := newFaultSet(provider, opts.Faults)
	if err != nil {
		return nil, err
	}
	cfg := config{
		now:    opts.Now,
		faults: faults,
		client: clientRegistration{
			id:          orDefault(opts.ClientID, DefaultClientID),
			secret:      orDefault(opts.ClientSecret, DefaultClientSecret),
			redirectURI: orDefault(opts.RedirectURI, DefaultRedirectURI),
		},
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	st := newStore()
	return &Sandbox{server: spec.build(cfg, st), store: st}, nil
}

// ServeHTTP answers one request as the provider would, so a Sandbox can be mounted on any server,
// typically httptest.NewServer.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.server.ServeHTTP(w, r)
}

// Values returns the fixture values a profile needs to run against this sandbox served at baseURL
// (no trailing slash): url, client_id, client_secret, redirect_uri, device_number, other_number,
// swapped_number, unswapped_number. The built-in profile is filled from it, so the sandbox and
// the profile cannot drift apart.
func (s *Sandbox) Values(baseURL string) map[string]string {
	return s.server.values(strings.TrimSuffix(baseURL, "/"))
}

// Issued returns every access token, refresh token and authorization code handed out so far, so
// tests can prove none of them reaches a report.
func (s *Sandbox) Issued() []string {
	return s.store.issuedValues()
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
