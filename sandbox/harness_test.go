package sandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testStart is the fake clock's reading when a test sandbox starts.
var testStart = time.Date(2026, time.March, 14, 9, 26, 53, 0, time.UTC)

// nvScope is the scope seed 000's authorize example asks for.
const nvScope = "openid dpv:FraudPreventionAndDetection number-verification:verify"

// fakeClock is the injected clock: tests move it forward instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is one Konera sandbox behind a real loopback server, with a client that, like the
// project's runner, never follows redirects by itself and keeps cookies.
type harness struct {
	t      *testing.T
	opts   Options
	sb     *Sandbox
	srv    *httptest.Server
	clock  *fakeClock
	client *http.Client
}

func newHarness(t *testing.T, faults ...string) *harness {
	t.Helper()
	return newHarnessWith(t, Options{Faults: faults})
}

func newHarnessWith(t *testing.T, opts Options) *harness {
	t.Helper()
	return newHarnessAt(t, testStart, opts)
}

// newHarnessAt starts a harness whose clock reads start when the sandbox is created.
func newHarnessAt(t *testing.T, start time.Time, opts Options) *harness {
	t.Helper()
	clock := &fakeClock{now: start}
	opts.Now = clock.Now
	sb, err := New("konera", opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return &harness{t: t, opts: opts, sb: sb, srv: srv, clock: clock, client: newClient(t)}
}

// newClient returns a client that does not follow redirects and has its own cookie jar.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// reply is a response read in full, so tests can look at it after the body is closed.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// object decodes the body as a JSON object.
func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(r.body, &obj); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return obj
}

// location parses the Location header.
func (r reply) location(t *testing.T) *url.URL {
	t.Helper()
	loc := r.header.Get("Location")
	if loc == "" {
		t.Fatalf("no Location header (status %d, body %s)", r.status, r.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	return u
}

// send makes one request; target is a path on the sandbox or an absolute URL.
func (h *harness) send(method, target string, header http.Header, body string) reply {
	h.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = h.srv.URL + target
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	// Straight to the transport, with the jar by hand, as the engine does: http.Client would
	// drop a response whose Location does not parse, and that Location is what a test looks at.
	for _, c := range h.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, target, err)
	}
	h.client.Jar.SetCookies(req.URL, resp.Cookies())
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// postForm posts a form body, with extra headers if given.
func (h *harness) postForm(path string, form url.Values, header http.Header) reply {
	h.t.Helper()
	all := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for name, values := range header {
		all[name] = values
	}
	return h.send(http.MethodPost, path, all, form.Encode())
}

// postJSON posts a JSON body with a bearer token ("" sends no Authorization) and a correlator.
func (h *harness) postJSON(path, bearer, body string) reply {
	h.t.Helper()
	header := http.Header{"Content-Type": {"application/json"}, "X-Correlator": {"corr-42"}}
	if bearer != "" {
		header.Set("Authorization", "Bearer "+bearer)
	}
	return h.send(http.MethodPost, path, header, body)
}

// clientForm is a correct client-credentials request with the credentials in the body.
func clientForm() url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {DefaultClientID},
		"client_secret": {DefaultClientSecret},
	}
}

// newIssued returns the values Issued gained since it held before values.
func (h *harness) newIssued(before int, prefix string) []string {
	var fresh []string
	for _, v := range h.sb.Issued()[before:] {
		if strings.HasPrefix(v, prefix) {
			fresh = append(fresh, v)
		}
	}
	return fresh
}

// clientToken gets a 2-legged token. It reads the token from Issued rather than the body, so
// it still works when a fault drops access_token from the body.
func (h *harness) clientToken(scope string) string {
	h.t.Helper()
	r, token := h.requestClientToken(scope)
	if token == "" {
		h.t.Fatalf("client token: status %d, body %s", r.status, r.body)
	}
	return token
}

// requestClientToken asks for a 2-legged token and returns the response with the one token it
// issued, or "" when it issued none (or more than one).
func (h *harness) requestClientToken(scope string) (reply, string) {
	h.t.Helper()
	form := clientForm()
	if scope != "" {
		form.Set("scope", scope)
	}
	before := len(h.sb.Issued())
	r := h.postForm(koneraPathClientToken, form, nil)
	return r, h.onlyToken(r, before)
}

// onlyToken returns the access token a successful response issued, read from Issued since it held
// before values, or "" when the response failed or did not issue exactly one.
func (h *harness) onlyToken(r reply, before int) string {
	fresh := h.newIssued(before, accessTokenPrefix)
	if r.status != http.StatusOK || len(fresh) != 1 {
		return ""
	}
	return fresh[0]
}

// authorizeParams is seed 000's authorize request, aimed at the sandbox's registered client.
func authorizeParams() url.Values {
	return url.Values{
		"client_id":     {DefaultClientID},
		"response_type": {"code"},
		"scope":         {nvScope},
		"state":         {"l3state"},
		"redirect_uri":  {DefaultRedirectURI},
		"login_hint":    {"tel:" + koneraDeviceNumber},
		"prompt":        {"none"},
	}
}

// walk plays the user agent: it requests the authorize URL and follows redirects while they stay
// on the sandbox, returning the first response that does not (the redirect to the client, or an
// error page).
func (h *harness) walk(params url.Values) reply {
	h.t.Helper()
	r := h.send(http.MethodGet, koneraPathAuthorize+"?"+params.Encode(), nil, "")
	for hops := 0; hops < 5; hops++ {
		loc := r.header.Get("Location")
		if !slices.Contains([]int{http.StatusFound, http.StatusTemporaryRedirect}, r.status) || !strings.HasPrefix(loc, h.srv.URL+"/") {
			return r
		}
		r = h.send(http.MethodGet, loc, nil, "")
	}
	h.t.Fatal("too many redirects inside the sandbox")
	return reply{}
}

// code runs the authorization flow with params and returns the code the client receives.
func (h *harness) code(params url.Values) (string, bool) {
	h.t.Helper()
	r := h.walk(params)
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		return "", false // a Location that does not parse carries no code a client could read
	}
	code := u.Query().Get("code")
	return code, code != ""
}

// exchange posts a code exchange with its parameters in the query string, as seed 000 does.
func (h *harness) exchange(bearer string, params url.Values) reply {
	h.t.Helper()
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if bearer != "" {
		header.Set("Authorization", "Bearer "+bearer)
	}
	return h.send(http.MethodPost, koneraPathCodeToken+"?"+params.Encode(), header, "")
}

// exchangeParams is a correct code exchange for code.
func exchangeParams(code string) url.Values {
	return url.Values{
		"code":         {code},
		"state":        {"l3state"},
		"grant_type":   {"authorization_code"},
		"redirect_uri": {DefaultRedirectURI},
	}
}

// deviceToken runs the whole 3-legged flow with the given scope and returns the token, read from
// Issued for the same reason as clientToken. It reports false when no code came back.
func (h *harness) deviceToken(scope string) (string, bool) {
	h.t.Helper()
	params := authorizeParams()
	params.Set("scope", scope)
	code, ok := h.code(params)
	if !ok {
		return "", false
	}
	r, token := h.exchangeCode(h.clientToken(""), code)
	if token == "" {
		h.t.Fatalf("code exchange: status %d, body %s", r.status, r.body)
	}
	return token, true
}

// exchangeCode makes seed 000's exchange of code and returns the response with the one token it
// issued, or "" when it issued none.
func (h *harness) exchangeCode(bearer, code string) (reply, string) {
	h.t.Helper()
	before := len(h.sb.Issued())
	r := h.exchange(bearer, exchangeParams(code))
	return r, h.onlyToken(r, before)
}

// wantOAuthError asserts an OAuth error body with the given status and code.
func wantOAuthError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	wantJSON(t, r)
	obj := r.object(t)
	if obj["error"] != code {
		t.Errorf("error = %v, want %s", obj["error"], code)
	}
	if d, _ := obj["error_description"].(string); d == "" {
		t.Errorf("error_description missing in %s", r.body)
	}
}

// wantCamaraError asserts a CAMARA error body whose status matches the HTTP one.
func wantCamaraError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	wantJSON(t, r)
	obj := r.object(t)
	if obj["status"] != float64(status) || obj["code"] != code {
		t.Errorf("body = %s, want status %d and code %s", r.body, status, code)
	}
	if m, _ := obj["message"].(string); m == "" {
		t.Errorf("message missing in %s", r.body)
	}
}

func wantJSON(t *testing.T, r reply) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

// wantTokenCacheHeaders asserts the headers RFC 6749 5.1 requires on token responses.
func wantTokenCacheHeaders(t *testing.T, r reply) {
	t.Helper()
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := r.header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma = %q, want no-cache", got)
	}
}

// clientKey is the private key the sandbox registered for its client's private_key_jwt.
func (h *harness) clientKey() crypto.Signer {
	h.t.Helper()
	block, _ := pem.Decode([]byte(h.sb.Values(h.srv.URL)["client_private_key"]))
	if block == nil {
		h.t.Fatal("the sandbox hands out no client_private_key")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		h.t.Fatal(err)
	}
	return key.(crypto.Signer)
}

// assertionForm is a client-credentials request authenticated by a client assertion signed
// with key, for the token endpoint (RFC 7523 2.2).
func (h *harness) assertionForm(key crypto.Signer) url.Values {
	h.t.Helper()
	now := h.clock.Now()
	method := jwt.SigningMethod(jwt.SigningMethodES256)
	if _, ok := key.(*rsa.PrivateKey); ok {
		method = jwt.SigningMethodRS256
	}
	token, err := jwt.NewWithClaims(method, jwt.MapClaims{"iss": DefaultClientID, "sub": DefaultClientID,
		"aud": h.srv.URL + koneraPathClientToken, "jti": randomValue("jti-"), "iat": now.Unix(),
		"exp": now.Add(time.Minute).Unix()}).SignedString(key)
	if err != nil {
		h.t.Fatal(err)
	}
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID},
		"client_assertion_type": {assertionType}, "client_assertion": {token}}
}
