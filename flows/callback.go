package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"time"
)

// CallbackListener receives a browser's redirect on a local address. A person completing an
// authorization on a phone can point the redirect URI at this machine (directly, or through a
// tunnel of their choosing) and the flow continues with what arrives, instead of them copying the
// URL by hand.
type CallbackListener struct {
	// Addr is the address it listens on.
	Addr     string
	redirect *url.URL
	srv      *http.Server
	got      chan string
}

// ListenCallback listens on addr for requests to redirectURI's path.
func ListenCallback(addr, redirectURI string) (*CallbackListener, error) {
	redirect, err := url.Parse(redirectURI)
	if err != nil || redirect.Host == "" {
		return nil, fmt.Errorf("redirect URI %q is not an absolute URL", redirectURI)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &CallbackListener{Addr: ln.Addr().String(), redirect: redirect, got: make(chan string, 1)}
	// Its complaints must not reach stderr, which the terminal UI owns.
	l.srv = &http.Server{Handler: http.HandlerFunc(l.serve), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

func (l *CallbackListener) serve(w http.ResponseWriter, r *http.Request) {
	path := l.redirect.Path
	if path == "" {
		path = "/"
	}
	if r.URL.Path != path {
		http.Error(w, "telconform is waiting for a callback on "+path, http.StatusNotFound)
		return
	}
	// The URL as the provider wrote it: the redirect URI's origin (a tunnel may have changed the
	// Host on the way) with the path and query that arrived.
	u := *l.redirect
	u.Path, u.RawPath, u.RawQuery, u.Fragment = r.URL.Path, r.URL.RawPath, r.URL.RawQuery, ""
	select {
	case l.got <- u.String():
	default: // one callback per wait; a reload is ignored
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "telconform received the callback. You can close this page and go back to the terminal.")
}

// Wait returns the next callback URL, or ctx's error.
func (l *CallbackListener) Wait(ctx context.Context) (string, error) {
	select {
	case u := <-l.got:
		return u, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close stops listening.
func (l *CallbackListener) Close() error {
	err := l.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
