package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sync"
	"time"
)

// Prefixes of the opaque values a sandbox hands out. They make a leaked value recognisable at a
// glance in a report or a log, which is the point of the tests that look for them.
const (
	accessTokenPrefix  = "sbx-at-"
	refreshTokenPrefix = "sbx-rt-"
	codePrefix         = "sbx-code-"
	sessionPrefix      = "sbx-sess-"
	operatorCodePrefix = "sbx-op-"
)

// accessToken is what the sandbox remembers about a bearer token it issued.
type accessToken struct {
	clientID string
	scopes   []string
	device   string    // the device's number for a 3-legged token; "" for a 2-legged one
	expires  time.Time // expired once the clock reaches this instant
}

// expiredAt reports whether the token has run out at now: its lifetime includes the instant of
// issue and excludes the instant it ends.
func (t accessToken) expiredAt(now time.Time) bool { return !now.Before(t.expires) }

// authCode is what the sandbox remembers about an authorization code it issued.
type authCode struct {
	clientID    string
	redirectURI string
	scopes      []string
	device      string
	nonce       string // the authorization request's, for the id_token; "" when none was sent
	expires     time.Time
	used        bool
}

// refreshGrant is what the sandbox remembers about a refresh token it issued: the grant a new
// access token is made from.
type refreshGrant struct {
	clientID string
	scopes   []string
	device   string
	used     bool // rotated: a used refresh token is refused
}

// authSession is an authorization in progress, between the authorize request and the callback.
type authSession struct {
	clientID    string
	redirectURI string
	scopes      []string
	state       string // "" when the client sent none
	nonce       string // "" when the client sent none
	opCode      string // set once the operator has identified the device
	device      string // the number the operator identified
}

// redemption is what a code exchange presents, and how strictly it is to be judged.
type redemption struct {
	clientID       string
	redirectURI    string
	ignoreRedirect bool // accept a redirect_uri that differs from the authorization's
	reusable       bool // let a used code be exchanged again
	refuseValid    bool // refuse a code that passes every check, and leave it unused
	now            time.Time
}

// store holds one sandbox's mutable state. Every access goes through its mutex, so a sandbox can
// serve concurrent requests; values handed out are copies.
type store struct {
	mu       sync.Mutex
	tokens   map[string]accessToken
	refresh  map[string]*refreshGrant
	codes    map[string]*authCode
	sessions map[string]*authSession
	issued   []string
}

func newStore() *store {
	return &store{
		tokens:   map[string]accessToken{},
		refresh:  map[string]*refreshGrant{},
		codes:    map[string]*authCode{},
		sessions: map[string]*authSession{},
	}
}

// randomValue returns prefix followed by 32 bytes from crypto/rand in base64url, long enough that
// no test can guess or collide with one.
func randomValue(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails: the runtime aborts instead
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// issueAccessToken records a new bearer token and returns its value.
func (s *store) issueAccessToken(t accessToken) string {
	value := randomValue(accessTokenPrefix)
	t.scopes = slices.Clone(t.scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[value] = t
	s.issued = append(s.issued, value)
	return value
}

// issueRefreshToken records a refresh token for a grant and returns its value.
func (s *store) issueRefreshToken(g refreshGrant) string {
	value := randomValue(refreshTokenPrefix)
	g.scopes = slices.Clone(g.scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[value] = &g
	s.issued = append(s.issued, value)
	return value
}

// redeemRefresh uses a refresh token for a client, once: the token is rotated (RFC 9700 4.14.2),
// so a second use is refused. It returns the grant, or why the token is refused (invalid_grant).
func (s *store) redeemRefresh(value, clientID string) (refreshGrant, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[value]
	switch {
	case !ok:
		return refreshGrant{}, "unknown refresh token"
	case g.used:
		return refreshGrant{}, "refresh token already used"
	case g.clientID != clientID:
		return refreshGrant{}, "refresh token was issued to another client"
	}
	g.used = true
	grant := *g
	grant.scopes = slices.Clone(g.scopes)
	return grant, ""
}

// accessToken looks up a bearer token, expired or not; the caller judges expiry against its clock.
func (s *store) accessToken(value string) (accessToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	t.scopes = slices.Clone(t.scopes)
	return t, ok
}

// issueCode records a new authorization code and returns its value.
func (s *store) issueCode(c authCode) string {
	value := randomValue(codePrefix)
	c.scopes = slices.Clone(c.scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[value] = &c
	s.issued = append(s.issued, value)
	return value
}

// redeemCode checks a code against an exchange and, when it passes, marks it used, all under one
// lock so that two concurrent exchanges cannot both win. It returns the code's grant, or a reason
// for refusing it that the token endpoint reports as invalid_grant.
func (s *store) redeemCode(value string, ex redemption) (authCode, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[value]
	switch {
	case !ok:
		return authCode{}, "unknown authorization code"
	case !ex.now.Before(c.expires):
		return authCode{}, "authorization code expired"
	case c.used && !ex.reusable:
		return authCode{}, "authorization code already used"
	case c.clientID != ex.clientID:
		return authCode{}, "authorization code was issued to another client"
	case c.redirectURI != ex.redirectURI && !ex.ignoreRedirect:
		return authCode{}, "redirect_uri differs from the one of the authorization request"
	case ex.refuseValid:
		return authCode{}, "authorization code refused"
	}
	c.used = true
	grant := *c
	grant.scopes = slices.Clone(c.scopes)
	return grant, ""
}

// startSession records an authorization in progress and returns its session id.
func (s *store) startSession(a authSession) string {
	id := randomValue(sessionPrefix)
	a.scopes = slices.Clone(a.scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = &a
	return id
}

// hasSession reports whether an authorization is in progress under id.
func (s *store) hasSession(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	return ok
}

// identifyDevice records that the operator recognised device for the session and returns the
// one-time code the callback must present. A repeated visit replaces the earlier code.
func (s *store) identifyDevice(id, device string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.sessions[id]
	if !ok {
		return "", false
	}
	a.opCode = randomValue(operatorCodePrefix)
	a.device = device
	return a.opCode, true
}

// finishSession ends the session when opCode is the one the operator issued for it, so that a
// callback completes an authorization at most once.
func (s *store) finishSession(id, opCode string) (authSession, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.sessions[id]
	if !ok || a.opCode == "" || a.opCode != opCode {
		return authSession{}, false
	}
	delete(s.sessions, id)
	return *a, true
}

// record notes a secret handed out some other way than the store's issue methods.
func (s *store) record(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, value)
}

// issuedValues returns, in order, every token and code handed out so far.
func (s *store) issuedValues() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}
