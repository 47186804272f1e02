// Package listen opens telconform's listeners: the small HTTP servers a provider (or a phone's
// browser) sends requests to during a flow: webhooks, authorization callbacks. The engine only
// reads what they received (flows.Listener); opening and closing them belongs to whoever
// prepares a run.
//
// A provider is hostile until shown otherwise, so a listener bounds everything: header size,
// body size, how many requests it keeps, how long a request may take to arrive.
package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/telconform/telconform/flows"
)

// Options configure a listener. The zero value listens on a free loopback port at /.
type Options struct {
	// Addr is the address to bind; "" means 127.0.0.1:0, a free loopback port.
	Addr string
	// PublicURL is the URL a provider must use when it reaches this machine through a tunnel or
	// a proxy; "" means the bound address.
	PublicURL string
	// Path is where requests are expected; requests elsewhere get 404 and are not kept.
	Path string
	// Reply is the plain-text body every accepted request gets.
	Reply string
	// MaxBody bounds the body kept of each request (64 KiB when 0); MaxQueue how many requests
	// are kept (100 when 0). Requests beyond are refused with 503.
	MaxBody  int
	MaxQueue int
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
}

// Listener is an open listener. It implements flows.Listener.
type Listener struct {
	opts     Options
	addr     string
	srv      *http.Server
	mu       sync.Mutex
	received []flows.Incoming
	arrived  chan struct{} // closed and replaced at every arrival
}

var _ flows.Listener = (*Listener)(nil)

// Open starts a listener.
func Open(opts Options) (*Listener, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Path == "" {
		opts.Path = "/"
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 10
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PublicURL != "" {
		u, err := url.Parse(opts.PublicURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("public URL %q is not an absolute URL", opts.PublicURL)
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	l := &Listener{opts: opts, addr: ln.Addr().String(), arrived: make(chan struct{})}
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// Its complaints must not reach stderr, which the terminal UI may own.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// Addr is the address the listener is bound to.
func (l *Listener) Addr() string { return l.addr }

// URL is where requests must be sent: the public URL, or the bound address with the path.
func (l *Listener) URL() string {
	if l.opts.PublicURL != "" {
		return l.opts.PublicURL
	}
	return "http://" + l.addr + l.opts.Path
}

func (l *Listener) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != l.opts.Path {
		http.Error(w, "telconform listens on "+l.opts.Path, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(l.opts.MaxBody)+1))
	if err != nil {
		http.Error(w, "the request body could not be read", http.StatusBadRequest)
		return
	}
	in := flows.Incoming{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Size: len(body), At: l.opts.Now()}
	if len(body) > l.opts.MaxBody {
		in.Body, in.Truncated = body[:l.opts.MaxBody], true
	}
	l.mu.Lock()
	if len(l.received) >= l.opts.MaxQueue {
		l.mu.Unlock()
		http.Error(w, "telconform keeps no more requests", http.StatusServiceUnavailable)
		return
	}
	in.Seq = len(l.received) + 1
	l.received = append(l.received, in)
	close(l.arrived)
	l.arrived = make(chan struct{})
	l.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	reply := l.opts.Reply
	if reply == "" {
		reply = "received by telconform"
	}
	_, _ = io.WriteString(w, strings.TrimSpace(reply)+"\n")
}

// Mark is the sequence number of the latest request received.
func (l *Listener) Mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.received)
}

// Next returns the first request received after sequence number after. One that has arrived
// already is returned even when ctx is done; otherwise it waits for one until ctx is done.
func (l *Listener) Next(ctx context.Context, after int) (flows.Incoming, error) {
	for {
		l.mu.Lock()
		if after < len(l.received) {
			in := l.received[after]
			l.mu.Unlock()
			return in, nil
		}
		arrived := l.arrived
		l.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return flows.Incoming{}, ctx.Err()
		}
	}
}

// Close stops the listener.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// CallbackURL is the URL a provider sent the browser to, as the provider wrote it: the redirect
// URI's origin (a tunnel may have changed the Host on the way) with the path and query that
// arrived.
func CallbackURL(redirectURI string, in flows.Incoming) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return in.Path
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = in.Path, "", in.RawQuery, ""
	return u.String()
}
