package sandbox

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The lab is not a provider of the seed documents: it is the engine's own test bench, a few
// routes that exercise the step kinds every provider needs (a resource to poll, a webhook sent to
// a listener, an application JWT to verify) with the stateful fakes the real providers share.
// New accepts it; Providers does not list it.
const (
	labProvider         = "lab"
	labApplicationID    = "lab-application"
	labAudience         = "lab"
	labPollsUntilReady  = 3
	labPathJobs         = "/lab/jobs"
	labPathWebhooks     = "/lab/webhooks"
	labPathWhoAmI       = "/lab/whoami"
	faultNeverReady     = "never-ready"
	faultWebhookNotSent = "webhook-not-sent"
	faultWebhookToken   = "webhook-wrong-token"
	faultJWTUnchecked   = "jwt-unchecked"
)

func labFaults() []Fault {
	f := func(name, description string, breaks []string) Fault {
		return Fault{Provider: labProvider, Name: name, Description: description, Clause: "telconform lab", Breaks: breaks}
	}
	return []Fault{
		f(faultNeverReady, "Jobs never become ready, however often they are polled.", []string{"lab.job.ready"}),
		f(faultWebhookNotSent, "Webhooks are acknowledged but never sent.", []string{"await.received"}),
		f(faultWebhookToken, "Webhooks carry a bearer token other than the one registered.", []string{"lab.webhook.bearer"}),
		f(faultJWTUnchecked, "whoami accepts an application JWT whatever key signed it, and however old.",
			onSteps([]string{"other-key-refused", "expired-refused", "audience-refused"}, "http.status")),
	}
}

type lab struct {
	cfg   config
	other string // PEM of a key the lab does not know, for the negative case
	mu    sync.Mutex
	jobs  map[string]int // job id → polls so far
}

func newLab(cfg config, _ *store) providerServer {
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(other)
	return &lab{cfg: cfg, jobs: map[string]int{},
		other: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
}

func (l *lab) values(baseURL string) map[string]string {
	v := l.cfg.clientValues(map[string]string{"url": baseURL, "application_id": labApplicationID, "other_private_key": l.other})
	v["app_private_key"] = v["client_private_key"]
	return v
}

func (l *lab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == labPathJobs && r.Method == http.MethodPost:
		l.createJob(w, r)
	case strings.HasPrefix(r.URL.Path, labPathJobs+"/") && r.Method == http.MethodGet:
		l.pollJob(w, strings.TrimPrefix(r.URL.Path, labPathJobs+"/"))
	case r.URL.Path == labPathWebhooks && r.Method == http.MethodPost:
		l.sendWebhook(w, r)
	case r.URL.Path == labPathWhoAmI && r.Method == http.MethodGet:
		l.whoAmI(w, r)
	default:
		writeJSON(w, http.StatusNotFound, jsonContentType, object{{"error", "no lab route " + r.Method + " " + r.URL.Path}})
	}
}

// createJob starts a job that is ready after labPollsUntilReady polls.
func (l *lab) createJob(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(randomValue("job-"), "job-")[:16]
	l.mu.Lock()
	l.jobs[id] = 0
	l.mu.Unlock()
	writeJSON(w, http.StatusCreated, jsonContentType, object{{"id", id}, {"poll_url", absoluteURL(r, labPathJobs+"/"+id, nil)}})
}

func (l *lab) pollJob(w http.ResponseWriter, id string) {
	l.mu.Lock()
	polls, ok := l.jobs[id]
	if ok {
		polls++
		l.jobs[id] = polls
	}
	l.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, jsonContentType, object{{"error", "no such job"}})
		return
	}
	if polls < labPollsUntilReady || l.cfg.faults.on(faultNeverReady) {
		writeJSON(w, http.StatusOK, jsonContentType, object{{"ready", false}, {"result", nil}, {"polls", polls}})
		return
	}
	writeJSON(w, http.StatusOK, jsonContentType, object{{"ready", true}, {"result", "done"}, {"polls", polls}})
}

// sendWebhook posts {"event":"done"} to the URL it is given with the token as Bearer, before it
// answers, as a provider notifying a client would.
func (l *lab) sendWebhook(w http.ResponseWriter, r *http.Request) {
	var req struct {
		URL   string `json:"url"`
		Token string `json:"token"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody)).Decode(&req); err != nil || req.URL == "" || req.Token == "" {
		writeJSON(w, http.StatusBadRequest, jsonContentType, object{{"error", "send {\"url\": ..., \"token\": ...}"}})
		return
	}
	if l.cfg.faults.on(faultWebhookNotSent) {
		writeJSON(w, http.StatusAccepted, jsonContentType, object{{"sent", true}})
		return
	}
	token := req.Token
	if l.cfg.faults.on(faultWebhookToken) {
		token = "not-" + token
	}
	status, err := deliver(l.cfg.outbound, req.URL, token, object{{"event", "done"}, {"at", l.cfg.now().UTC().Format(time.RFC3339)}})
	if err != nil {
		writeJSON(w, http.StatusBadGateway, jsonContentType, object{{"error", "the webhook could not be delivered: " + err.Error()}})
		return
	}
	writeJSON(w, http.StatusAccepted, jsonContentType, object{{"sent", true}, {"status", status}})
}

// deliver is how a sandbox provider sends a webhook: one POST of a JSON body with a bearer token
// (none when token is empty), answered or not within the outbound client's timeout.
func deliver(client *http.Client, target, token string, body object) (int, error) {
	return deliverWith(client, http.MethodPost, target, token, body)
}

// deliverWith is deliver with another method, for a fault.
func deliverWith(client *http.Client, method, target, token string, body object) (int, error) {
	data, err := marshalPlain(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", jsonContentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// whoAmI accepts an application JWT (RS256 or ES256) signed by the registered key, for this
// audience, unexpired, naming the application.
func (l *lab) whoAmI(w http.ResponseWriter, r *http.Request) {
	token, _, ok := bearerToken(r)
	if !ok {
		l.refuse(w, "a Bearer application JWT is required")
		return
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithAudience(labAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(l.cfg.now)}
	claims := jwt.MapClaims{}
	var err error
	if l.cfg.faults.on(faultJWTUnchecked) {
		_, _, err = jwt.NewParser().ParseUnverified(token, claims)
	} else {
		_, err = jwt.NewParser(opts...).ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return l.cfg.client.publicKey, nil })
	}
	if err != nil {
		l.refuse(w, "the application JWT is not valid: "+err.Error())
		return
	}
	if claims["application_id"] != labApplicationID {
		l.refuse(w, fmt.Sprintf("unknown application_id %v", claims["application_id"]))
		return
	}
	if jti, _ := claims["jti"].(string); jti == "" {
		l.refuse(w, "the application JWT has no jti")
		return
	}
	writeJSON(w, http.StatusOK, jsonContentType, object{{"application_id", labApplicationID}})
}

func (l *lab) refuse(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="lab", error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, jsonContentType, object{{"error", why}})
}
