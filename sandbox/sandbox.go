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
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	Tolerances   []string         // named tolerances to switch on; an unknown name makes New fail
	ClientID     string           // "" means DefaultClientID
	ClientSecret string           // "" means DefaultClientSecret
	RedirectURI  string           // the one registered redirect URI; "" means DefaultRedirectURI
	// ClientAuthMethod is the one token endpoint authentication method the client registered;
	// "" lets it use client_secret_basic, client_secret_post or private_key_jwt, as Keycloak
	// allows a confidential client.
	ClientAuthMethod string
	// ClientKey is the client's private key for private_key_jwt; nil makes a P-256 key, which
	// Values hands out as client_private_key.
	ClientKey crypto.Signer
	// Outbound sends the requests a provider makes on its own (webhooks); nil means a client with
	// a short timeout.
	Outbound *http.Client
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
	now      func() time.Time
	faults   faultSet
	tolerate faultSet
	client   *registeredClient
	key      crypto.Signer // the client's private key
	outbound *http.Client
}

// providerSpec ties a provider's name to the constructor of its server and its faults.
type providerSpec struct {
	name       string
	build      func(cfg config, st *store) providerServer
	faults     func() []Fault
	tolerances func() []Tolerance
	// hidden providers are not seed providers: the engine's own test bench. New accepts them;
	// Providers does not list them.
	hidden bool
}

// providerSpecs lists the providers a sandbox can be. Adding a provider means adding a line here
// and its server and faults in its own files.
func providerSpecs() []providerSpec {
	return []providerSpec{
		{name: koneraProvider, build: newKonera, faults: koneraFaults, tolerances: koneraTolerances},
		{name: pxgProvider, build: newPXG, faults: pxgFaults, tolerances: pxgTolerances},
		{name: vonageProvider, build: newVonage, faults: vonageFaults, tolerances: vonageTolerances},
		{name: konektProvider, build: newKonekt, faults: konektFaults, tolerances: konektTolerances},
		{name: kpnProvider, build: newKPN, faults: kpnFaults, tolerances: kpnTolerances},
		{name: labProvider, build: newLab, faults: labFaults, hidden: true},
		{name: hostileProvider, build: newHostile, faults: func() []Fault { return nil }, hidden: true},
	}
}

// Providers lists the seed providers New accepts, sorted, so that the command line can offer them
// and reject a typo before anything starts.
func Providers() []string {
	var names []string
	for _, spec := range providerSpecs() {
		if !spec.hidden {
			names = append(names, spec.name)
		}
	}
	slices.Sort(names)
	return names
}

// Listed reports whether a provider is one of the seed providers Providers lists.
func Listed(provider string) bool { return slices.Contains(Providers(), provider) }

// Known reports whether New accepts a provider name, hidden ones included.
func Known(provider string) bool {
	return slices.ContainsFunc(providerSpecs(), func(s providerSpec) bool { return s.name == provider })
}

// New starts a sandbox for one provider. It fails on an unknown provider or fault rather than
// ignoring it, because a test that silently runs without its fault would prove nothing.
func New(provider string, opts Options) (*Sandbox, error) {
	i := slices.IndexFunc(providerSpecs(), func(s providerSpec) bool { return s.name == provider })
	if i < 0 {
		return nil, fmt.Errorf("sandbox: unknown provider %q (valid: %s)", provider, strings.Join(Providers(), ", "))
	}
	spec := providerSpecs()[i]
	var faultNames, tolNames []string
	for _, f := range ProviderFaults(provider) {
		faultNames = append(faultNames, f.Name)
	}
	for _, t := range ProviderTolerances(provider) {
		tolNames = append(tolNames, t.Name)
	}
	faults, err := newNameSet("fault", provider, opts.Faults, faultNames)
	if err != nil {
		return nil, err
	}
	tolerate, err := newNameSet("tolerance", provider, opts.Tolerances, tolNames)
	if err != nil {
		return nil, err
	}
	key := opts.ClientKey
	if key == nil {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
	}
	methods := []string{methodBasic, methodPost, methodJWT}
	if opts.ClientAuthMethod != "" && !tolerate.on(tolClientAuthAny) {
		if !slices.Contains([]string{methodBasic, methodPost, methodJWT, methodNone}, opts.ClientAuthMethod) {
			return nil, fmt.Errorf("sandbox: unknown client authentication method %q", opts.ClientAuthMethod)
		}
		methods = []string{opts.ClientAuthMethod}
	}
	cfg := config{
		now:      opts.Now,
		faults:   faults,
		tolerate: tolerate,
		client: &registeredClient{
			id:          orDefault(opts.ClientID, DefaultClientID),
			secret:      orDefault(opts.ClientSecret, DefaultClientSecret),
			redirectURI: orDefault(opts.RedirectURI, DefaultRedirectURI),
			methods:     methods,
			publicKey:   key.Public(),
		},
		key:      key,
		outbound: opts.Outbound,
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.outbound == nil {
		cfg.outbound = &http.Client{Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	st := newStore()
	return &Sandbox{server: spec.build(cfg, st), store: st}, nil
}

// clientValues are the values every provider hands to profiles about its registered client.
func (cfg config) clientValues(v map[string]string) map[string]string {
	v["client_id"] = cfg.client.id
	v["client_secret"] = cfg.client.secret
	v["redirect_uri"] = cfg.client.redirectURI
	v["client_private_key"] = pemOf(cfg.key)
	return v
}

// ServeHTTP answers one request as the provider would, so a Sandbox can be mounted on any server,
// typically httptest.NewServer.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.server.ServeHTTP(w, r)
}

// Values returns the fixture values a profile needs to run against this sandbox served at baseURL
// (no trailing slash): url, the registered client (client_id, client_secret, client_private_key,
// redirect_uri) and the provider's test data (Konera: device_number, other_number,
// swapped_number, unswapped_number). The built-in profiles are filled from it, so a sandbox and
// its profile cannot drift apart.
func (s *Sandbox) Values(baseURL string) map[string]string {
	return s.server.values(strings.TrimSuffix(baseURL, "/"))
}

// Issued returns every access token, refresh token, id_token and authorization code handed out
// so far, and every application JWT presented to it, so tests can prove none of them reaches a
// report.
func (s *Sandbox) Issued() []string {
	return s.store.issuedValues()
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
