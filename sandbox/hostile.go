package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The hostile provider is not a provider of the seeds either: it misbehaves on purpose, the way
// no document allows, so that the tests can show telconform leaks no secret and stays bounded
// whatever a provider sends. Every secret it hands out is recorded (Issued), so a test can look
// for each one in every output. New accepts it; Providers does not list it.
const hostileProvider = "hostile"

// hostileBodyCut is where the engine cuts a body for its records (its default BodyLimit): a
// token is placed across it.
const hostileBodyCut = 64 << 10

type hostile struct {
	cfg   config
	store *store
}

func newHostile(cfg config, st *store) providerServer { return &hostile{cfg: cfg, store: st} }

func (h *hostile) values(baseURL string) map[string]string {
	return h.cfg.clientValues(map[string]string{"url": baseURL})
}

// secret makes an opaque value of n characters and records it as issued.
func (h *hostile) secret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)[:n]
	h.store.record(v)
	return v
}

// jwt makes a token shaped like a JWT (not signed by anyone) and records it.
func (h *hostile) jwt() string {
	enc := base64.RawURLEncoding.EncodeToString
	v := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+h.secret(24)+`"}`)) + "." + h.secret(86)
	h.store.record(v)
	return v
}

func (h *hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := strings.TrimPrefix(r.URL.Path, "/hostile/")
	tokenJSON := func(token string) string {
		return `{"access_token":"` + token + `","token_type":"Bearer","expires_in":300}`
	}
	write := func(status int, contentType, body string) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
	if strings.HasPrefix(route, "hang") {
		<-r.Context().Done() // answers nothing until the client gives up
		return
	}
	switch route {
	case "token/long100":
		write(200, jsonContentType, tokenJSON(h.secret(100)))
	case "token/long1000":
		write(200, jsonContentType, tokenJSON(h.secret(1000)))
	case "token/jwt":
		write(200, jsonContentType, tokenJSON(h.jwt()))
	case "token/straddle":
		// The token starts 40 bytes before the cut and ends 160 after it.
		prefix := `{"padding":"`
		pad := strings.Repeat("p", hostileBodyCut-40-len(prefix)-len(`","access_token":"`))
		write(200, jsonContentType, prefix+pad+`","access_token":"`+h.secret(200)+`","token_type":"Bearer"}`)
	case "token/duplicate":
		// A member named twice: a parser that keeps one would never learn the other.
		write(200, jsonContentType, `{"access_token":"`+h.secret(80)+`","token_type":"Bearer","access_token":"`+h.secret(80)+`"}`)
	case "token/truncated":
		// JSON cut off inside the token: it does not parse.
		write(200, jsonContentType, `{"token_type":"Bearer","access_token":"`+h.secret(120))
	case "token/form":
		write(200, "application/x-www-form-urlencoded", "token_type=bearer&access_token="+h.secret(64)+"&expires_in=300")
	case "authorize":
		code := h.secret(43)
		w.Header().Set("Location", "https://bad host client.example/cb?code="+code+"&state="+url.QueryEscape(r.URL.Query().Get("state")))
		w.WriteHeader(http.StatusFound)
	case "echo":
		_ = r.ParseForm()
		write(401, jsonContentType, fmt.Sprintf(`{"error":"invalid_client","error_description":"client_secret %s is not the one registered"}`, r.PostForm.Get("client_secret")))
	case "cookie":
		http.SetCookie(w, &http.Cookie{Name: "consent", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "session", Value: h.secret(32), HttpOnly: true})
		write(401, jsonContentType, `{"status":401,"code":"UNAUTHENTICATED","message":"error 401: sign in again"}`)
	case "cut":
		// Headers say 4096 bytes; 100 arrive, a token among them, then the connection ends.
		w.Header().Set("Content-Type", jsonContentType)
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"access_token":"`+h.secret(60)+`","token_type":"Bearer","exp`)
		h.hangUp(w)
	case "malformed":
		// A status line the transport refuses, quoting a token in its error.
		h.raw(w, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nbroken header access_token="+h.secret(48)+"\r\n\r\n")
	case "control":
		// An ESC in a header is refused by Go's client, so the header carries what it lets
		// through: a C1 control sequence introducer and a right-to-left override.
		w.Header().Set("X-Title", "\u009b2J\u202eevil")
		write(200, "text/plain", "before\x1b[2J\x1b[Hafter\x1b]0;retitled\x07\rover\x7fend")
	case "binary":
		b := make([]byte, 2048)
		_, _ = rand.Read(b)
		write(200, "application/octet-stream", string(b))
	case "drip":
		// A status and the start of a body, then nothing more until the client gives up.
		w.Header().Set("Content-Type", jsonContentType)
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"access_token":"`+h.secret(40))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	case "big-header":
		w.Header().Set("X-Big", strings.Repeat("h", 9<<20))
		write(200, "text/plain", "ok")
	case "big-body":
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat("b", 64<<10))
		for i := 0; i < 100<<20/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	default:
		write(404, "text/plain", "no hostile route "+route)
	}
}

// hangUp ends the connection under a response that promised more.
func (h *hostile) hangUp(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

// raw writes bytes on the connection as they are, no HTTP framing added.
func (h *hostile) raw(w http.ResponseWriter, s string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString(s)
	_ = buf.Flush()
}
