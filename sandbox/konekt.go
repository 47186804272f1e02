package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Konekt's REST API (seed 002), an IoT platform that is not OAuth at all: a user logs in with
// email and password for a session (a sesskey, and a cookie carrying it), or sends HTTP Basic on
// every request, or an API key as a parameter. Sessions end after 20 minutes without a request;
// the key can be viewed and regenerated, and the key endpoint itself refuses keys. Every answer
// is the envelope {success, data} or {success: false, error}.
const (
	konektProvider  = "konekt"
	konektEmail     = "sandbox.user@konekt.example"
	konektName      = "Sandbox User"
	konektUserID    = 395
	konektPartnerID = 1
	konektRealm     = "konekt"
	konektCookie    = "konekt_session"
	konektIdle      = 20 * time.Minute // "sessions do expire if you don't make any requests for 20 minutes"
	// konektIdleGrace is how late a tolerant sandbox ends an idle session, as a provider whose
	// expiry runs once a minute would; the flows wait a minute past the 20 for it.
	konektIdleGrace = 30 * time.Second

	konektPathSession = "/api/1/auth/session"
	konektPathMe      = "/api/1/users/me"
	konektPathAPIKey  = "/api/1/users/me/apikey"
)

// Konekt faults.
const (
	faultSessionNeverExpires     = "session-never-expires"
	faultSessionIgnoresActivity  = "session-expires-despite-activity"
	faultOldAPIKeyAccepted       = "old-apikey-accepted"
	faultAPIKeyOnSensitive       = "apikey-on-sensitive-endpoint"
	faultAPIKeyNotRegenerated    = "apikey-not-regenerated"
	faultAPIKeyPostIgnored       = "apikey-post-parameter-ignored"
	faultSuccessMissing          = "success-missing"
	faultDataMissing             = "data-missing"
	faultErrorMissing            = "error-missing"
	faultFailureStatus200        = "failure-status-200"
	faultWrongPasswordAccepted   = "wrong-password-accepted"
	faultSesskeyMissing          = "sesskey-missing"
	faultSesskeyIgnored          = "sesskey-parameter-ignored"
	faultCookieMissing           = "session-cookie-missing"
	faultCookieIgnored           = "session-cookie-ignored"
	faultCookieNotHTTPOnly       = "cookie-not-httponly"
	faultBasicUnsupported        = "basic-unsupported"
	faultFormLoginRefused        = "form-login-refused"
	faultKonektNoChallenge       = "401-without-challenge"
	faultUnauthenticatedAnswered = "no-credentials-answered"
	faultSuccessFalse            = "success-false-on-200"
	faultJSONLoginRefused        = "json-login-refused"
	faultBasicPasswordUnchecked  = "basic-password-unchecked"
	faultAPIKeyQueryIgnored      = "apikey-query-ignored"
	faultNewAPIKeyInactive       = "new-apikey-inactive"
)

// Konekt tolerances.
const (
	tolFailureWithData     = "failure-with-data"
	tolSensitiveRefused401 = "sensitive-refused-401"
	tolCookieAttributes    = "cookie-attributes"
	tolLoginRefused400     = "login-refused-400"
	tolIdleGrace           = "idle-grace"
	tolBasicCharset        = "basic-charset"
)

type konekt struct {
	cfg      config
	faults   faultSet
	tolerate faultSet
	password string

	mu       sync.Mutex
	sessions map[string]time.Time // sesskey → the last request it authenticated
	apiKey   string
	oldKeys  []string
	store    *store
}

func newKonekt(cfg config, st *store) providerServer {
	k := &konekt{cfg: cfg, faults: cfg.faults, tolerate: cfg.tolerate, password: cfg.client.secret,
		sessions: map[string]time.Time{}, store: st}
	k.apiKey = k.newKey()
	return k
}

func (k *konekt) values(baseURL string) map[string]string {
	// The user's password is the sandbox's client secret, so a test that sets a marker secret
	// sets the password.
	return map[string]string{"url": baseURL, "email": konektEmail, "password": k.password}
}

// newKey makes an API key, 30 letters and digits as in the seed's example, and records it as a
// secret.
func (k *konekt) newKey() string {
	key := randomAlnum(30)
	k.store.record(key)
	return key
}

// randomAlnum returns n letters and digits from crypto/rand.
func randomAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func (k *konekt) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == konektPathSession && r.Method == http.MethodPost:
		k.login(w, r)
	case strings.TrimSuffix(r.URL.Path, "/") == konektPathMe && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		k.me(w, r)
	case r.URL.Path == konektPathAPIKey && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		k.apiKeyEndpoint(w, r)
	case r.URL.Path == konektPathSession || r.URL.Path == konektPathMe || r.URL.Path == konektPathAPIKey:
		k.fail(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here")
	default:
		k.fail(w, http.StatusNotFound, "no resource at "+r.URL.Path)
	}
}

// succeed sends {success: true, data}.
func (k *konekt) succeed(w http.ResponseWriter, data object) {
	body := object{{"success", !k.faults.on(faultSuccessFalse)}, {"data", data}}
	if k.faults.on(faultSuccessMissing) {
		body = body.without("success")
	}
	if k.faults.on(faultDataMissing) {
		body = body.without("data")
	}
	writeJSON(w, http.StatusOK, jsonContentType, body)
}

// fail sends {success: false, error} with the status; a 401 carries a Basic challenge, the scheme
// every endpoint takes.
func (k *konekt) fail(w http.ResponseWriter, status int, why string) {
	body := object{{"success", false}, {"error", why}}
	if k.tolerate.on(tolFailureWithData) {
		body = append(body, member{"data", object{}})
	}
	if k.faults.on(faultSuccessMissing) {
		body = body.without("success")
	}
	if k.faults.on(faultErrorMissing) {
		body = body.without("error")
	}
	if status == http.StatusUnauthorized {
		challenge := `Basic realm="` + konektRealm + `"`
		if k.tolerate.on(tolBasicCharset) {
			challenge += `, charset="UTF-8"`
		}
		switch {
		case k.faults.on(faultBasicChallengeNoRealm):
			challenge = `Basic charset="UTF-8"`
		case k.tolerate.on(tolSeveralChallenges):
			challenge += `, Session realm="` + konektRealm + `"`
		}
		if !k.faults.on(faultKonektNoChallenge) {
			w.Header().Set("WWW-Authenticate", challenge)
		}
	}
	if k.faults.on(faultFailureStatus200) {
		status = http.StatusOK
	}
	writeJSON(w, status, jsonContentType, body)
}

// login opens a session for the email and password in a JSON body (the seed's request) or a
// form (its jQuery example).
func (k *konekt) login(w http.ResponseWriter, r *http.Request) {
	var creds struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if k.faults.on(faultJSONLoginRefused) {
			k.fail(w, http.StatusUnsupportedMediaType, "send the credentials as a form")
			return
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody)).Decode(&creds); err != nil {
			k.fail(w, http.StatusBadRequest, "the body is not a JSON object with email and password")
			return
		}
	case "application/x-www-form-urlencoded":
		if k.faults.on(faultFormLoginRefused) {
			k.fail(w, http.StatusUnsupportedMediaType, "send the credentials as JSON")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
		if err := r.ParseForm(); err != nil {
			k.fail(w, http.StatusBadRequest, "the body is not a form")
			return
		}
		creds.Email, creds.Password = r.PostForm.Get("email"), r.PostForm.Get("password")
	default:
		k.fail(w, http.StatusUnsupportedMediaType, "send email and password as JSON or as a form")
		return
	}
	if !k.credentials(creds.Email, creds.Password) && !k.faults.on(faultWrongPasswordAccepted) {
		status := http.StatusUnauthorized
		if k.tolerate.on(tolLoginRefused400) {
			status = http.StatusBadRequest
		}
		k.fail(w, status, "invalid email or password")
		return
	}
	key := strings.ToLower(randomAlnum(26)) // the seed's sesskey: 26 lower-case letters and digits
	k.store.record(key)
	k.mu.Lock()
	k.sessions[key] = k.cfg.now()
	k.mu.Unlock()
	if !k.faults.on(faultCookieMissing) {
		cookie := &http.Cookie{Name: konektCookie, Value: key, Path: "/", HttpOnly: !k.faults.on(faultCookieNotHTTPOnly), Secure: r.TLS != nil}
		if k.tolerate.on(tolCookieAttributes) {
			cookie.SameSite, cookie.MaxAge = http.SameSiteLaxMode, int(konektIdle.Seconds())
		}
		http.SetCookie(w, cookie)
	}
	data := object{{"sesskey", key}, {"userid", konektUserID}, {"email", konektEmail}, {"name", konektName}, {"role", ""}, {"partnerid", konektPartnerID}}
	if k.faults.on(faultSesskeyMissing) {
		data = data.without("sesskey")
	}
	k.succeed(w, data)
}

func (k *konekt) credentials(email, password string) bool {
	return strings.EqualFold(email, konektEmail) && subtle.ConstantTimeCompare([]byte(password), []byte(k.password)) == 1
}

// Ways a request authenticates.
const (
	viaBasic   = "basic"
	viaAPIKey  = "apikey"
	viaSession = "session"
)

// authenticate finds who a request is: HTTP Basic, an API key (query or POST parameter), a
// sesskey (query or POST parameter) or the session cookie, in that order. It returns how, or
// why not.
func (k *konekt) authenticate(r *http.Request) (via, why string) {
	if user, pass, ok := r.BasicAuth(); ok {
		if k.faults.on(faultBasicUnsupported) {
			return "", "HTTP Basic is not accepted"
		}
		if !k.credentials(user, pass) && !(k.faults.on(faultBasicPasswordUnchecked) && strings.EqualFold(user, konektEmail)) {
			return "", "invalid email or password"
		}
		return viaBasic, ""
	}
	params := url.Values{}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, maxJSONBody)
		if r.ParseForm() == nil && !k.faults.on(faultAPIKeyPostIgnored) {
			params = r.PostForm
		}
	}
	query := r.URL.Query()
	queryKey := query.Get("apikey")
	if k.faults.on(faultAPIKeyQueryIgnored) {
		queryKey = ""
	}
	if key := firstOf(queryKey, params.Get("apikey")); key != "" {
		k.mu.Lock()
		defer k.mu.Unlock()
		switch {
		case subtle.ConstantTimeCompare([]byte(key), []byte(k.apiKey)) == 1:
			if k.faults.on(faultNewAPIKeyInactive) && len(k.oldKeys) > 0 {
				return "", "invalid API key"
			}
			return viaAPIKey, ""
		case k.faults.on(faultOldAPIKeyAccepted) && containsKey(k.oldKeys, key):
			return viaAPIKey, ""
		}
		return "", "invalid API key"
	}
	if key := firstOf(query.Get("sesskey"), params.Get("sesskey")); key != "" && !k.faults.on(faultSesskeyIgnored) {
		return k.session(key)
	}
	if c, err := r.Cookie(konektCookie); err == nil && !k.faults.on(faultCookieIgnored) {
		return k.session(c.Value)
	}
	return "", konektNoCredentials
}

// konektNoCredentials is why a request that carried no credentials at all is refused.
const konektNoCredentials = "log in first: a session, HTTP Basic or an API key"

// session checks a sesskey: known, and used within the last 20 minutes, which this request then
// extends.
func (k *konekt) session(key string) (via, why string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	last, ok := k.sessions[key]
	if !ok {
		return "", "no such session"
	}
	now := k.cfg.now()
	idle := konektIdle
	if k.tolerate.on(tolIdleGrace) {
		idle += konektIdleGrace
	}
	if now.Sub(last) > idle && !k.faults.on(faultSessionNeverExpires) {
		delete(k.sessions, key)
		return "", "the session expired after 20 minutes without a request"
	}
	if !k.faults.on(faultSessionIgnoresActivity) {
		k.sessions[key] = now
	}
	return viaSession, ""
}

// me answers the logged-in user.
func (k *konekt) me(w http.ResponseWriter, r *http.Request) {
	if _, why := k.authenticate(r); why != "" && !(why == konektNoCredentials && k.faults.on(faultUnauthenticatedAnswered)) {
		k.fail(w, http.StatusUnauthorized, why)
		return
	}
	k.succeed(w, object{{"userid", konektUserID}, {"email", konektEmail}, {"name", konektName}, {"role", ""}, {"partnerid", konektPartnerID}})
}

// apiKeyEndpoint views (GET) or regenerates (POST) the user's API key. It is one of the sensitive
// endpoints an API key cannot open.
func (k *konekt) apiKeyEndpoint(w http.ResponseWriter, r *http.Request) {
	via, why := k.authenticate(r)
	switch {
	case why != "":
		k.fail(w, http.StatusUnauthorized, why)
		return
	case via == viaAPIKey && !k.faults.on(faultAPIKeyOnSensitive):
		status := http.StatusForbidden
		if k.tolerate.on(tolSensitiveRefused401) {
			status = http.StatusUnauthorized
		}
		k.fail(w, status, "this endpoint is not available with an API key")
		return
	}
	k.mu.Lock()
	if r.Method == http.MethodPost && !k.faults.on(faultAPIKeyNotRegenerated) {
		k.oldKeys = append(k.oldKeys, k.apiKey)
		k.apiKey = k.newKey()
	}
	key := k.apiKey
	k.mu.Unlock()
	k.succeed(w, object{{"apikey", key}})
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func containsKey(keys []string, key string) bool {
	for _, k := range keys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			return true
		}
	}
	return false
}
