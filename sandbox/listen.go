package sandbox

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Server is a sandbox served on a real TCP address, so that the runner reaches it over loopback
// HTTP exactly as it reaches a provider.
type Server struct {
	URL  string // base URL, no trailing slash
	srv  *http.Server
	done chan struct{}
}

// Listen serves h on addr ("127.0.0.1:0" picks a free port) until Close.
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL: "http://" + ln.Addr().String(),
		// The server's own complaints (a client hanging up mid-request) must not reach stderr:
		// the terminal may belong to the UI. Requests that fail are recorded by the runner.
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		// Serve only returns when the server is closed or its listener breaks; in the second
		// case every request to it fails, and the step that made it records why.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server, letting requests under way finish for up to a second.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
