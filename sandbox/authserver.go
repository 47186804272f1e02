package sandbox

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client authentication methods, as the OIDC registry names token_endpoint_auth_method.
const (
	methodBasic   = "client_secret_basic"
	methodPost    = "client_secret_post"
	methodJWT     = "private_key_jwt"
	methodNone    = "none"
	assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Faults every provider that authenticates clients through the authorization server offers.
const (
	faultClientBasicRefused     = "client-basic-refused"
	faultClientPostRefused      = "client-post-refused"
	faultClientAssertionRefused = "client-assertion-refused"
	faultAssertionUnchecked     = "client-assertion-unchecked"
	faultPublicClientRefused    = "public-client-refused"
	faultBasicChallengeNoRealm  = "basic-challenge-no-realm"
	faultToken401NoChallenge    = "token-401-no-challenge"
)

// clientAuthFaults are the deviations of the client authentication methods, one at least per
// method, for providers whose token endpoints go through authServer.authenticate. tokenSteps are
// the provider's flow steps that ask for a token, wrongSteps those that send wrong credentials.
func clientAuthFaults(provider string, tokenSteps, wrongSteps []string) []Fault {
	refused := func(name, clause, description string) Fault {
		return Fault{Provider: provider, Name: name, Clause: clause, Description: description,
			Breaks: onSteps(tokenSteps, "http.status"), Also: because(whyNoToken, tokenMembers...)}
	}
	return []Fault{
		refused(faultClientBasicRefused, "RFC6749 2.3.1", "The token endpoint refuses client credentials sent by HTTP Basic, which RFC 6749 2.3.1 says it must support."),
		refused(faultClientPostRefused, "RFC6749 2.3.1", "The token endpoint refuses client_id and client_secret in the form body, the method the client registered."),
		refused(faultClientAssertionRefused, "RFC7523 3", "The token endpoint refuses valid private_key_jwt client assertions."),
		refused(faultPublicClientRefused, "RFC6749 2.1", "The token endpoint refuses a public client that sends only its client_id."),
		{Provider: provider, Name: faultAssertionUnchecked, Clause: "RFC7523 3",
			Description: "The token endpoint accepts a client assertion whatever key signed it.",
			Breaks:      onSteps(wrongSteps, "oauth2.token.not-issued", "oauth2.error.expected"),
			Also:        because(whyNoError, onSteps(wrongSteps, oauthErrorChecks...)...)},
		{Provider: provider, Name: faultBasicChallengeNoRealm, Clause: "RFC7617 2",
			Description: "A client that fails Basic authentication is challenged with Basic but no realm.",
			Breaks:      onSteps(wrongSteps, "oauth2.error.www-authenticate")},
		{Provider: provider, Name: faultToken401NoChallenge, Clause: "RFC9110 15.5.2",
			Description: "The token endpoint refuses a client that authenticated in the body with 401 and no WWW-Authenticate challenge.",
			Breaks:      onSteps(wrongSteps, "oauth2.error.challenge-on-401")},
	}
}

// registeredClient is what the authorization server knows about a client it has onboarded.
type registeredClient struct {
	id          string
	secret      string
	methods     []string // token endpoint authentication methods it may use
	publicKey   crypto.PublicKey
	redirectURI string
	scopes      []string // what it may be granted
}

// asPolicy configures the authorization server for one provider.
type asPolicy struct {
	realm         string // in WWW-Authenticate challenges
	clients       []*registeredClient
	tokenLifetime time.Duration
	codeLifetime  time.Duration
	// narrowScopes drops a requested scope the client may not have (RFC 6749 3.3 allows it, and
	// then the response names the scope granted) instead of refusing with invalid_scope.
	narrowScopes bool
}

// authServer is the one authorization server every sandbox provider configures with a policy:
// registered clients and how they authenticate, scopes, tokens with expiry on the injected clock,
// single-use codes bound to their redirect URI. Providers keep only their own routes and quirks.
type authServer struct {
	now      func() time.Time
	store    *store
	faults   faultSet
	tolerate faultSet
	style    tokenStyle
	policy   asPolicy
}

// newAuthServer configures the authorization server for a provider: its policy, and the token
// response faults and tolerances every provider built on it shares, read from the provider's sets.
func newAuthServer(cfg config, st *store, policy asPolicy) *authServer {
	as := &authServer{now: cfg.now, store: st, faults: cfg.faults, tolerate: cfg.tolerate, policy: policy,
		style: tokenStyle{
			omitCacheControl: cfg.faults.on(faultNoCacheControl),
			omitPragma:       cfg.faults.on(faultNoPragma),
			errorsWithOK:     cfg.faults.on(faultTokenError200),
		}}
	if cfg.faults.on(faultTokenErrorUnregistered) {
		as.style.errorCode = "request_failed"
	}
	if cfg.faults.on(faultTokenNotJSON) {
		as.style.successContentType = "text/plain"
	}
	if cfg.tolerate.on(tolCacheControlList) {
		as.style.cacheControl = "no-cache, no-store"
	}
	if cfg.tolerate.on(tolSeveralChallenges) {
		as.style.challenges = `Basic realm="` + policy.realm + `"`
	}
	return as
}

// writeTokenSuccess sends a successful token response (RFC 6749 5.1), shaped by the provider's
// token response faults and tolerances.
func (as *authServer) writeTokenSuccess(w http.ResponseWriter, body object) {
	lifetime := int(as.policy.tokenLifetime.Seconds())
	if as.tolerate.on(tolBearerLowerCase) {
		body = body.with("token_type", "bearer")
	}
	if as.faults.on(faultAccessTokenMissing) {
		body = body.without("access_token")
	}
	if as.faults.on(faultTokenTypeMissing) {
		body = body.without("token_type")
	}
	if as.faults.on(faultExpiresInString) {
		body = body.with("expires_in", strconv.Itoa(lifetime))
	}
	if as.faults.on(faultExpiresInNegative) {
		body = body.with("expires_in", -lifetime)
	}
	if as.faults.on(faultExpiresInMissing) {
		body = body.without("expires_in")
	}
	as.style.writeSuccess(w, body)
}

// client finds a registered client.
func (as *authServer) client(id string) *registeredClient {
	for _, c := range as.policy.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}

// presented is the client authentication a token request carries.
type presented struct {
	method    string // the method the request used
	id        string
	secret    string
	assertion string
	badBasic  bool // an Authorization: Basic header that does not decode
}

// presentedCredentials reads how a token request authenticates its client. Only the body and the
// Authorization header count: RFC 6749 2.3.1 forbids credentials in the URI. A request that uses
// two methods at once (RFC 6749 2.3 forbids it) is refused: the returned error is its description.
func presentedCredentials(r *http.Request, form map[string]string) (presented, error) {
	p := presented{id: form["client_id"], secret: form["client_secret"], assertion: form["client_assertion"]}
	basicID, basicSecret, usedBasic, basicOK := basicCredentials(r)
	switch {
	case usedBasic:
		// A client id repeated in the body is harmless when it agrees; a secret or an assertion
		// as well means two methods at once.
		if p.secret != "" || p.assertion != "" || (p.id != "" && basicOK && p.id != basicID) {
			return p, errors.New("client credentials sent both by HTTP Basic and in the body")
		}
		p.method, p.id, p.secret, p.badBasic = methodBasic, basicID, basicSecret, !basicOK
	case p.assertion != "":
		if p.secret != "" {
			return p, errors.New("client_secret and client_assertion sent together")
		}
		if form["client_assertion_type"] != assertionType {
			return p, errors.New("client_assertion_type must be " + assertionType)
		}
		p.method = methodJWT
	case p.secret != "":
		p.method = methodPost
	default:
		p.method = methodNone
	}
	return p, nil
}

// authenticate checks a token request's client authentication and, when it fails, writes the
// refusal and returns nil. audiences are what a client assertion's aud may name: the URL of the
// endpoint, and the issuer. A client that used Basic is challenged with Basic, as RFC 6749 5.2
// requires.
func (as *authServer) authenticate(w http.ResponseWriter, p presented, audiences ...string) *registeredClient {
	refuse := func(description string) *registeredClient {
		status := http.StatusUnauthorized
		basic := `Basic realm="` + as.policy.realm + `"`
		switch {
		case p.method == methodBasic && as.faults.on(faultBasicChallengeNoRealm):
			as.style.challenge(w, `Basic charset="UTF-8"`)
		case p.method == methodBasic:
			as.style.challenge(w, basic)
		case as.tolerate.on(tolInvalidClient400):
			// RFC 6749 5.2 asks for 401 only of a client that used the Authorization header.
			status = http.StatusBadRequest
		case !as.faults.on(faultToken401NoChallenge):
			// RFC 9110 15.5.2 wants a challenge on every 401; Basic is the one every token
			// endpoint must support (RFC 6749 2.3.1).
			as.style.challenge(w, basic)
		}
		as.style.writeError(w, status, "invalid_client", description)
		return nil
	}
	if p.badBasic {
		return refuse("client authentication failed: the Basic credentials do not decode")
	}
	if p.id == "" {
		return refuse("client authentication failed: no client credentials")
	}
	c := as.client(p.id)
	switch {
	case c == nil:
		return refuse("client authentication failed: unknown client")
	case !slices.Contains(c.methods, p.method):
		if p.method == methodNone {
			return refuse("client authentication failed: no client credentials")
		}
		return refuse("client authentication failed: this client does not authenticate with " + p.method)
	}
	switch p.method {
	case methodBasic, methodPost:
		right := subtle.ConstantTimeCompare([]byte(p.secret), []byte(c.secret)) == 1
		switch {
		case right && (as.faults.on(faultClientCredentialsRefused) ||
			p.method == methodBasic && as.faults.on(faultClientBasicRefused) ||
			p.method == methodPost && as.faults.on(faultClientPostRefused)):
			// Refused in the very words a wrong secret gets, so a client cannot tell the two apart.
			return refuse("client authentication failed: wrong client secret")
		case right:
			return c
		case as.faults.on(faultWrongSecretAccepted):
			return c
		case as.faults.on(faultUnauthorizedClient):
			as.style.writeError(w, http.StatusBadRequest, "unauthorized_client", "Invalid client secret")
			return nil
		}
		return refuse("client authentication failed: wrong client secret")
	case methodJWT:
		if err := as.verifyAssertion(c, p.assertion, audiences); err != nil {
			return refuse("client authentication failed: " + err.Error())
		}
		if as.faults.on(faultClientAssertionRefused) {
			return refuse("client authentication failed: the client assertion is not valid")
		}
		return c
	default: // none
		if as.faults.on(faultPublicClientRefused) {
			return refuse("client authentication failed: no client credentials")
		}
		return c
	}
}

// verifyAssertion checks a private_key_jwt client assertion (RFC 7523 3, OIDC Core 9, CAMARA's
// security profile): signed by the client's key, iss and sub the client, one of audiences in aud,
// not expired, at most 300 s long.
func (as *authServer) verifyAssertion(c *registeredClient, assertion string, audiences []string) error {
	if c.publicKey == nil {
		return errors.New("the client has no registered key")
	}
	now := as.now()
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256", "ES256"}),
		jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithIssuer(c.id), jwt.WithSubject(c.id),
		jwt.WithExpirationRequired()}
	claims := jwt.MapClaims{}
	var err error
	if as.faults.on(faultAssertionUnchecked) {
		// Whatever key signed it: the claims are read and judged, the signature is not.
		if _, _, err = jwt.NewParser(opts...).ParseUnverified(assertion, claims); err == nil {
			err = jwt.NewValidator(opts...).Validate(claims)
		}
	} else {
		_, err = jwt.NewParser(opts...).ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return c.publicKey, nil })
	}
	if err != nil {
		return fmt.Errorf("the client assertion does not verify: %v", err)
	}
	aud, _ := claims.GetAudience()
	if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(audiences, a) }) {
		return fmt.Errorf("the client assertion's aud %v does not name this endpoint", []string(aud))
	}
	exp, _ := claims.GetExpirationTime()
	iat, _ := claims.GetIssuedAt()
	if iat != nil && exp != nil && exp.Sub(iat.Time) > 300*time.Second {
		return errors.New("the client assertion lives longer than 300 s")
	}
	return nil
}

// grantScopes decides what a client gets of the scopes it asked for; none asked means all it may
// have. A scope it may not have is refused (invalid_scope, the returned description) or, by the
// provider's policy, dropped from the grant (RFC 6749 3.3).
func (as *authServer) grantScopes(c *registeredClient, requested []string) ([]string, string) {
	if len(requested) == 0 {
		return slices.Clone(c.scopes), ""
	}
	var granted []string
	for _, scope := range requested {
		switch {
		case slices.Contains(granted, scope):
		case slices.Contains(c.scopes, scope):
			granted = append(granted, scope)
		case !as.policy.narrowScopes:
			return nil, "scope " + scope + " is not available to this client"
		}
	}
	return granted, ""
}

// issueToken issues an access token for the grant and returns it with its lifetime in seconds.
func (as *authServer) issueToken(clientID string, scopes []string, device string) (string, int) {
	value := as.store.issueAccessToken(accessToken{
		clientID: clientID,
		scopes:   scopes,
		device:   device,
		expires:  as.now().Add(as.policy.tokenLifetime),
	})
	return value, int(as.policy.tokenLifetime.Seconds())
}
