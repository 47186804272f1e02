package sandbox

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// tokenStyle says how a provider's token endpoints write their responses. The zero value follows
// RFC 6749 section 5; each field is one way a provider can deviate from it, set from its faults.
type tokenStyle struct {
	omitCacheControl   bool   // no Cache-Control: no-store (RFC 6749 5.1)
	omitPragma         bool   // no Pragma: no-cache (RFC 6749 5.1)
	errorsWithOK       bool   // errors sent with status 200 instead of 400 or 401 (RFC 6749 5.2)
	errorCode          string // when set, replaces every error code with this unregistered one
	successContentType string // when set, replaces application/json on successful responses
	cacheControl       string // the Cache-Control value; "" means no-store
	challenges         string // challenges offered before the one a refusal is about, as "Basic realm=…"
}

// challenge sets the WWW-Authenticate of a 401 for scheme (with its parameters), after the other
// challenges the style offers: RFC 9110 11.6.1 lets a server offer several.
func (st tokenStyle) challenge(w http.ResponseWriter, scheme string) {
	if st.challenges != "" && !strings.HasPrefix(scheme, "Basic ") {
		scheme = st.challenges + ", " + scheme
	} else if st.challenges != "" {
		scheme = scheme + `, Bearer realm="other"`
	}
	w.Header().Set("WWW-Authenticate", scheme)
}

// writeSuccess sends a successful token response (RFC 6749 5.1).
func (st tokenStyle) writeSuccess(w http.ResponseWriter, body object) {
	st.setCacheHeaders(w)
	contentType := jsonContentType
	if st.successContentType != "" {
		contentType = st.successContentType
	}
	writeJSON(w, http.StatusOK, contentType, body)
}

// writeError sends a token endpoint error (RFC 6749 5.2). A WWW-Authenticate challenge, where
// one is due, is the caller's to set first.
func (st tokenStyle) writeError(w http.ResponseWriter, status int, code, description string) {
	st.setCacheHeaders(w)
	if st.errorsWithOK {
		status = http.StatusOK
	}
	if st.errorCode != "" {
		code = st.errorCode
	}
	writeOAuthError(w, status, code, description)
}

// setCacheHeaders forbids caching: a token response carries credentials, and so may an error that
// echoes them.
func (st tokenStyle) setCacheHeaders(w http.ResponseWriter) {
	if !st.omitCacheControl {
		w.Header().Set("Cache-Control", cmp.Or(st.cacheControl, "no-store"))
	}
	if !st.omitPragma {
		w.Header().Set("Pragma", "no-cache")
	}
}

// writeOAuthError sends an OAuth error body, the shape every OAuth endpoint uses for a request it
// refuses without redirecting (RFC 6749 4.1.2.1 and 5.2).
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, jsonContentType, object{
		{"error", code},
		{"error_description", description},
	})
}

// singleValued flattens request parameters to one value each. RFC 6749 3.1 and 3.2 forbid sending
// a parameter twice, so repeated names the first parameter that was (in name order) and the
// caller refuses the request (params keeps the first value of each, for a fault that does not).
// An empty value reads the same as an absent parameter.
func singleValued(values url.Values) (params map[string]string, repeated string) {
	params = map[string]string{}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if len(values[name]) > 1 && repeated == "" {
			repeated = name
		}
		params[name] = values[name][0]
	}
	return params, repeated
}

// basicCredentials reads client credentials from an HTTP Basic Authorization header, undoing the
// form-encoding RFC 6749 2.3.1 applies to both halves. used reports whether the request chose the
// Basic scheme at all; ok whether the header could be decoded.
func basicCredentials(r *http.Request) (id, secret string, used, ok bool) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, false
	}
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return "", "", true, false
	}
	id, errID := url.QueryUnescape(rawID)
	secret, errSecret := url.QueryUnescape(rawSecret)
	if errID != nil || errSecret != nil {
		return "", "", true, false
	}
	return id, secret, true, true
}

// bearerToken reads the token of an Authorization: Bearer header (RFC 6750 2.1). present reports
// whether there was an Authorization header at all; ok whether it was a well-formed Bearer one.
func bearerToken(r *http.Request) (token string, present, ok bool) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", false, false
	}
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", true, false
	}
	return token, true, true
}

// withQuery returns uri with params added to its query. A query the URI already has is kept byte
// for byte, as RFC 6749 3.1.2 requires of redirection endpoints.
func withQuery(uri string, params url.Values) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	if encoded := params.Encode(); encoded != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += encoded
	}
	return u.String()
}

// absoluteURL returns the URL of path on the host the request was sent to, so that redirects
// between a sandbox's own pages work on whatever address the test server listens on.
func absoluteURL(r *http.Request, path string, query url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: path, RawQuery: query.Encode()}
	return u.String()
}

// redirect sends the user agent to location with the given 3xx status and no body.
func redirect(w http.ResponseWriter, status int, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(status)
}
