package sandbox

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// KPN Number Verify (seed 003): a token from client credentials and a comma list of scopes; an
// insights request for a number (digits, no +) answers a session URI the device must open on
// KPN's mobile network, and a polling URI (or, for notification, a webhook registration); once the
// device has opened its session, polling answers whether the number is the device's, or the
// result is POSTed to the webhook with the client's notification token as Bearer.
const (
	kpnProvider     = "kpn"
	kpnDeviceMSISDN = "31630000001" // the seed's example number: the sandbox's device
	kpnOtherMSISDN  = "31630000002"
	kpnTokenLife    = time.Hour // the seed's example: expires_in 3600
	kpnRealm        = "kpn"
	// kpnMatchDelay is how long after its session the result of a device match is ready on the
	// sandbox's clock: the operator matches asynchronously, so a poll needs a few attempts.
	kpnMatchDelay = 2 * time.Second

	kpnPathToken     = "/token"
	kpnPathInsights  = "/insights/"
	kpnPathSession   = "/session"
	kpnPathPolling   = "/polling"
	kpnPathDMSession = "/v1/dm/session/"
	kpnPathDMPolling = "/v1/dm/polling/"
	kpnPathDMDone    = "/v1/dm/done"

	kpnScopeLookup = "operator_lookup"
	kpnScopeMatch  = "device_match"
	kpnScopeNotify = "device_match_notify"
)

// kpnMSISDN is the number format of the insights path: digits, country code first, no +.
var kpnMSISDN = regexp.MustCompile(`^[1-9][0-9]{7,14}$`)

// KPN faults.
const (
	faultKPNPollNeverReady      = "polling-result-never-arrives"
	faultKPNMatchBeforeSession  = "match-before-session"
	faultKPNMatchAlwaysTrue     = "device-match-always-true"
	faultKPNWebhookNotSent      = "webhook-not-sent"
	faultKPNWebhookNoBearer     = "webhook-without-bearer"
	faultKPNWebhookWrongToken   = "webhook-wrong-token"
	faultKPNScopeUnenforced     = "scope-not-enforced"
	faultKPNMSISDNUnchecked     = "msisdn-format-unchecked"
	faultKPNWrongSecretAccepted = "wrong-secret-accepted"
	faultKPNTokenUnchecked      = "token-not-required"
	faultKPNBothScopesAccepted  = "both-match-scopes-accepted"
	faultKPNUnknownScopeGranted = "unknown-scope-granted"
	faultKPNSessionURIMissing   = "session-uri-missing"
	faultKPNPollingURIMissing   = "polling-uri-missing"
	faultKPNLookupMissing       = "operator-lookup-missing"
	faultKPNErrorBodyMissing    = "error-body-missing"
	faultKPNSessionRefused      = "session-refused"
	faultKPNTokenTypeMissing    = "token-type-missing"
	faultKPNExpiresInString     = "expires-in-string"
	faultKPNPollingMSISDNWrong  = "polling-msisdn-missing"
	faultKPNNoChallenge         = "401-without-challenge"
	faultKPNTokenFormRefused    = "token-form-refused"
	faultKPNInsightsError       = "insights-internal-error"
	faultKPNPendingNotFound     = "polling-pending-404"
	faultKPNMatchAlwaysFalse    = "device-match-always-false"
	faultKPNWebhookPut          = "webhook-put"
)

// KPN tolerances.
const (
	tolKPNPendingAbsent = "pending-without-device-match"
	tolKPNOperatorCodes = "operator-codes"
	tolKPNErrorCode400  = "error-code-400"
)

// kpnMatch is one insights request's device match.
type kpnMatch struct {
	msisdn                 string
	notifyURI, notifyToken string // set for notification; "" for polling
	opened                 time.Time
	remoteAddr, userAgent  string // of the device that opened the session
	sessionID, pollingID   string
	notified               bool
}

type kpn struct {
	cfg              config
	faults, tolerate faultSet
	store            *store

	mu        sync.Mutex
	bySession map[string]*kpnMatch
	byPolling map[string]*kpnMatch
}

func newKPN(cfg config, st *store) providerServer {
	return &kpn{cfg: cfg, faults: cfg.faults, tolerate: cfg.tolerate, store: st,
		bySession: map[string]*kpnMatch{}, byPolling: map[string]*kpnMatch{}}
}

func (k *kpn) values(baseURL string) map[string]string {
	v := k.cfg.clientValues(map[string]string{"url": baseURL, "device_msisdn": kpnDeviceMSISDN, "other_msisdn": kpnOtherMSISDN})
	delete(v, "redirect_uri") // no redirects here
	delete(v, "client_private_key")
	return v
}

func (k *kpn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == kpnPathToken && r.Method == http.MethodPost:
		k.token(w, r)
	case strings.HasPrefix(path, kpnPathInsights) && r.Method == http.MethodPost:
		k.insights(w, r, strings.TrimPrefix(path, kpnPathInsights))
	case path == kpnPathSession && r.Method == http.MethodGet:
		k.sessionByHeader(w, r)
	case strings.HasPrefix(path, kpnPathDMSession) && r.Method == http.MethodGet:
		k.sessionByDevice(w, r, strings.TrimPrefix(path, kpnPathDMSession))
	case path == kpnPathDMDone && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, jsonContentType, object{{"status", "OK"}})
	case path == kpnPathPolling && r.Method == http.MethodGet:
		k.polling(w, r)
	case path == kpnPathToken || path == kpnPathSession || path == kpnPathPolling || strings.HasPrefix(path, kpnPathInsights):
		k.fail(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here")
	default:
		k.fail(w, http.StatusNotFound, "no resource at "+path)
	}
}

// fail sends KPN's error body {error_code, message}; a 401 carries a Bearer challenge.
func (k *kpn) fail(w http.ResponseWriter, status int, message string) {
	if status == http.StatusUnauthorized && !k.faults.on(faultKPNNoChallenge) {
		challenge := `Bearer realm="` + kpnRealm + `"`
		if k.tolerate.on(tolSeveralChallenges) {
			basic := `Basic realm="` + kpnRealm + `"`
			if k.faults.on(faultBasicChallengeNoRealm) {
				basic = `Basic charset="UTF-8"`
			}
			challenge = basic + ", " + challenge
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if k.faults.on(faultKPNErrorBodyMissing) {
		w.WriteHeader(status)
		return
	}
	code := status
	if k.tolerate.on(tolKPNErrorCode400) {
		code = http.StatusBadRequest // as KPN's own examples of 401 and 500 show
	}
	writeJSON(w, status, jsonContentType, object{{"error_code", code}, {"message", message}})
}

// token grants a bearer token for the client's credentials and the scopes asked for.
func (k *kpn) token(w http.ResponseWriter, r *http.Request) {
	if k.faults.on(faultKPNTokenFormRefused) {
		k.fail(w, http.StatusUnsupportedMediaType, "send the token request as JSON")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		k.fail(w, http.StatusBadRequest, "send client_id, client_secret and scopes as a form")
		return
	}
	form := r.PostForm
	if form.Get("client_id") != k.cfg.client.id || (form.Get("client_secret") != k.cfg.client.secret && !k.faults.on(faultKPNWrongSecretAccepted)) {
		k.fail(w, http.StatusUnauthorized, "invalid client_id or client_secret")
		return
	}
	var scopes []string
	for _, s := range strings.Split(form.Get("scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	for _, s := range scopes {
		if !slices.Contains([]string{kpnScopeLookup, kpnScopeMatch, kpnScopeNotify}, s) && !k.faults.on(faultKPNUnknownScopeGranted) {
			k.fail(w, http.StatusBadRequest, "unknown scope "+s+": use operator_lookup, device_match or device_match_notify")
			return
		}
	}
	switch {
	case len(scopes) == 0:
		k.fail(w, http.StatusBadRequest, "scopes is required")
		return
	case slices.Contains(scopes, kpnScopeMatch) && slices.Contains(scopes, kpnScopeNotify) && !k.faults.on(faultKPNBothScopesAccepted):
		k.fail(w, http.StatusBadRequest, "choose device_match or device_match_notify, not both")
		return
	}
	value := k.store.issueAccessToken(accessToken{clientID: k.cfg.client.id, scopes: scopes, expires: k.cfg.now().Add(kpnTokenLife)})
	body := object{{"access_token", value}, {"token_type", "Bearer"}, {"expires_in", int(kpnTokenLife.Seconds())}}
	switch {
	case k.faults.on(faultKPNTokenTypeMissing):
		body = body.without("token_type")
	case k.tolerate.on(tolBearerLowerCase):
		body = body.with("token_type", "bearer")
	}
	if k.faults.on(faultKPNExpiresInString) {
		body = body.with("expires_in", "3600")
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, jsonContentType, body)
}

// bearer finds the token of a request; it answers the refusal itself and returns false when
// there is none to go on.
func (k *kpn) bearer(w http.ResponseWriter, r *http.Request) (accessToken, bool) {
	value, present, ok := bearerToken(r)
	if !present && k.faults.on(faultKPNTokenUnchecked) {
		return accessToken{scopes: []string{kpnScopeLookup, kpnScopeMatch, kpnScopeNotify}}, true
	}
	if !present || !ok {
		k.fail(w, http.StatusUnauthorized, "a Bearer access token is required")
		return accessToken{}, false
	}
	t, found := k.store.accessToken(value)
	if !found || t.expiredAt(k.cfg.now()) {
		k.fail(w, http.StatusUnauthorized, "the access token is invalid or expired")
		return accessToken{}, false
	}
	return t, true
}

func (k *kpn) allowed(t accessToken, scope string) bool {
	return slices.Contains(t.scopes, scope) || k.faults.on(faultKPNScopeUnenforced)
}

// insights starts a device match for a number: polling (an empty body) or notification.
func (k *kpn) insights(w http.ResponseWriter, r *http.Request, msisdn string) {
	t, ok := k.bearer(w, r)
	if !ok {
		return
	}
	if k.faults.on(faultKPNInsightsError) {
		k.fail(w, http.StatusInternalServerError, "insights are not available")
		return
	}
	if !kpnMSISDN.MatchString(msisdn) && !k.faults.on(faultKPNMSISDNUnchecked) {
		k.fail(w, http.StatusBadRequest, "msisdn must be the number's digits, country code first, without + ("+kpnDeviceMSISDN+")")
		return
	}
	var body struct {
		Notify *struct {
			Token string `json:"notification_token"`
			URI   string `json:"notification_uri"`
		} `json:"device_match_notify"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	if err == nil && strings.TrimSpace(string(data)) != "" {
		err = json.Unmarshal(data, &body)
	}
	if err != nil {
		k.fail(w, http.StatusBadRequest, "the body is not a JSON object")
		return
	}
	m := &kpnMatch{msisdn: msisdn, sessionID: randomAlnum(32), pollingID: randomAlnum(32)}
	k.store.record(m.sessionID)
	k.store.record(m.pollingID)
	sessionURI := absoluteURL(r, kpnPathDMSession+m.sessionID, nil)
	var result object
	if body.Notify != nil {
		if !k.allowed(t, kpnScopeNotify) {
			k.fail(w, http.StatusForbidden, "notification needs a token with the device_match_notify scope")
			return
		}
		if u, err := url.Parse(body.Notify.URI); err != nil || !u.IsAbs() || body.Notify.Token == "" {
			k.fail(w, http.StatusBadRequest, "device_match_notify needs notification_token and an absolute notification_uri")
			return
		}
		m.notifyURI, m.notifyToken = body.Notify.URI, body.Notify.Token
		match := object{{"session_uri", sessionURI}}
		if k.faults.on(faultKPNSessionURIMissing) {
			match = object{}
		}
		result = object{{"device_match_notify", match}}
	} else {
		if !k.allowed(t, kpnScopeMatch) {
			k.fail(w, http.StatusForbidden, "polling needs a token with the device_match scope")
			return
		}
		match := object{{"session_uri", sessionURI}, {"polling_uri", absoluteURL(r, kpnPathDMPolling+m.pollingID, nil)}}
		if k.faults.on(faultKPNSessionURIMissing) {
			match = match.without("session_uri")
		}
		if k.faults.on(faultKPNPollingURIMissing) {
			match = match.without("polling_uri")
		}
		result = object{{"device_match", match}}
	}
	if slices.Contains(t.scopes, kpnScopeLookup) && !k.faults.on(faultKPNLookupMissing) {
		var mcc, mnc any
		if k.tolerate.on(tolKPNOperatorCodes) {
			mcc, mnc = "204", "08"
		}
		result = append(result, member{"operator_lookup", object{{"regionCode", "NL"}, {"operatorName", "KPN"}, {"mcc", mcc}, {"mnc", mnc}}})
	}
	k.mu.Lock()
	k.bySession[m.sessionID] = m
	k.byPolling[m.pollingID] = m
	k.mu.Unlock()
	writeJSON(w, http.StatusOK, jsonContentType, result)
}

// idOf takes the id off the end of a session or polling URI.
func idOf(uri, prefix string) string {
	u, err := url.Parse(uri)
	if err != nil || !strings.HasPrefix(u.Path, prefix) {
		return ""
	}
	return strings.TrimPrefix(u.Path, prefix)
}

// sessionByHeader is the seed's GET /session with the session_uri header: the sandbox's
// simulated device opening its session on the mobile network.
func (k *kpn) sessionByHeader(w http.ResponseWriter, r *http.Request) {
	if _, ok := k.bearer(w, r); !ok {
		return
	}
	if !k.open(w, r, idOf(r.Header.Get("session_uri"), kpnPathDMSession)) {
		return
	}
	writeJSON(w, http.StatusOK, jsonContentType, object{{"status", "OK"}})
}

// sessionByDevice is the session URI itself, which a phone opens: no Bearer, a 302 to a page.
func (k *kpn) sessionByDevice(w http.ResponseWriter, r *http.Request, id string) {
	if !k.open(w, r, id) {
		return
	}
	redirect(w, http.StatusFound, absoluteURL(r, kpnPathDMDone, nil))
}

// open marks a session opened by the device that sent r, and sends the notification when the
// match was asked for by notification. It answers the refusal itself and returns false when the
// session is unknown.
func (k *kpn) open(w http.ResponseWriter, r *http.Request, id string) bool {
	k.mu.Lock()
	m, ok := k.bySession[id]
	if ok && m.opened.IsZero() {
		m.opened = k.cfg.now()
		m.remoteAddr, _, _ = net.SplitHostPort(r.RemoteAddr)
		m.userAgent = r.UserAgent()
	}
	k.mu.Unlock()
	switch {
	case !ok:
		k.fail(w, http.StatusNotFound, "no such session")
		return false
	case k.faults.on(faultKPNSessionRefused):
		k.fail(w, http.StatusForbidden, "the session could not be started")
		return false
	}
	if m.notifyURI != "" {
		k.notify(m)
	}
	return true
}

// matched says whether the device that opened m's session holds m's number.
func (k *kpn) matched(m *kpnMatch) bool {
	return (m.msisdn == kpnDeviceMSISDN || k.faults.on(faultKPNMatchAlwaysTrue)) && !k.faults.on(faultKPNMatchAlwaysFalse)
}

// notify POSTs the result to the client's webhook, once, with its notification token as Bearer.
func (k *kpn) notify(m *kpnMatch) {
	k.mu.Lock()
	already := m.notified
	m.notified = true
	k.mu.Unlock()
	if already || k.faults.on(faultKPNWebhookNotSent) {
		return
	}
	token := m.notifyToken
	switch {
	case k.faults.on(faultKPNWebhookNoBearer):
		token = ""
	case k.faults.on(faultKPNWebhookWrongToken):
		token = "not-" + token
	}
	method := http.MethodPost
	if k.faults.on(faultKPNWebhookPut) {
		method = http.MethodPut
	}
	_, _ = deliverWith(k.cfg.outbound, method, m.notifyURI, token, object{{"msisdn", m.msisdn}, {"device_match", k.matched(m)}})
}

// polling answers a device match by its polling URI: device_match null until the session was
// opened and the match made, then true or false.
func (k *kpn) polling(w http.ResponseWriter, r *http.Request) {
	t, ok := k.bearer(w, r)
	if !ok {
		return
	}
	if !k.allowed(t, kpnScopeMatch) {
		k.fail(w, http.StatusForbidden, "polling needs a token with the device_match scope")
		return
	}
	k.mu.Lock()
	m, found := k.byPolling[idOf(r.Header.Get("polling_uri"), kpnPathDMPolling)]
	var opened time.Time
	var addr, agent string
	if found {
		opened, addr, agent = m.opened, m.remoteAddr, m.userAgent
	}
	k.mu.Unlock()
	if !found {
		k.fail(w, http.StatusNotFound, "no such polling_uri: send the one the insights answer gave, in the polling_uri header")
		return
	}
	if opened.IsZero() && k.faults.on(faultKPNPendingNotFound) {
		k.fail(w, http.StatusNotFound, "no result yet")
		return
	}
	ready := !opened.IsZero() && !k.cfg.now().Before(opened.Add(kpnMatchDelay)) && !k.faults.on(faultKPNPollNeverReady)
	var match any // null while pending
	if ready || k.faults.on(faultKPNMatchBeforeSession) {
		match = k.matched(m)
	}
	body := object{{"msisdn", m.msisdn}, {"device_match", match}, {"remote_addr", addr}, {"user_agent", agent}}
	if match == nil && k.tolerate.on(tolKPNPendingAbsent) {
		body = body.without("device_match")
	}
	if k.faults.on(faultKPNPollingMSISDNWrong) {
		body = body.without("msisdn")
	}
	writeJSON(w, http.StatusOK, jsonContentType, body)
}
