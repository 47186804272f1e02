package sandbox

import (
	"net/http"
	"net/url"
	"strings"
)

// authorizeStyle is how a provider's authorization walk redirects the user agent: the status of
// every hop (302, or a tolerated 303 or 308) and the last hop back to the client, with the faults
// every provider's walk shares read from its sets.
type authorizeStyle struct {
	faults, tolerate faultSet
	// usual is the status the provider's document shows; 0 means 302.
	usual int
}

// status is the status of the walk's redirects.
func (a authorizeStyle) status() int {
	switch {
	case a.tolerate.on(tolRedirect302):
		return http.StatusFound
	case a.tolerate.on(tolRedirect303):
		return http.StatusSeeOther
	case a.tolerate.on(tolRedirect308):
		return http.StatusPermanentRedirect
	case a.usual != 0:
		return a.usual
	}
	return http.StatusFound
}

// errorToClient sends an authorization error back to the client (RFC 6749 4.1.2.1).
func (a authorizeStyle) errorToClient(w http.ResponseWriter, redirectURI, state, code, description string) {
	if a.faults.on(faultAuthorizeErrorUnregistered) {
		code = "bad_request"
	}
	a.toClient(w, redirectURI, state, url.Values{"error": {code}, "error_description": {description}})
}

// toClient sends the user agent to the client's redirect URI, the last hop of every
// authorization whether it succeeded or not, echoing state when the client sent one.
func (a authorizeStyle) toClient(w http.ResponseWriter, redirectURI, state string, params url.Values) {
	if state != "" && !a.faults.on(faultStateNotEchoed) {
		params.Set("state", state)
	}
	status := a.status()
	if a.faults.on(faultRedirect307) {
		status = http.StatusTemporaryRedirect
	}
	location := withQuery(redirectURI, params)
	if u, err := url.Parse(location); err == nil && a.faults.on(faultLocationRelative) {
		// The client's path and query without its scheme and host: the browser resolves it
		// against the server's own address.
		location = u.RequestURI()
	}
	if a.faults.on(faultLocationUnparseable) {
		location = strings.Replace(location, "://", "://bad host ", 1)
	}
	redirect(w, status, location)
}

// redirectURI returns the redirect URI the authorization will go back to: the registered
// one, compared byte for byte (RFC 9700 2.1), or, under a fault, any absolute URI at all.
func (a authorizeStyle) redirectURI(c *registeredClient, values []string) (string, bool) {
	if len(values) != 1 || values[0] == "" {
		return "", false
	}
	uri := values[0]
	if uri == c.redirectURI {
		return uri, true
	}
	if !a.faults.on(faultRedirectURIUnchecked) {
		return "", false
	}
	u, err := url.Parse(uri)
	return uri, err == nil && u.IsAbs()
}
