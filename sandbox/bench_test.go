package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bench is one provider's sandbox behind a loopback server, with a fake clock, for tests that
// talk to it a request at a time.
type bench struct {
	t     *testing.T
	clock *fakeClock
	base  string
}

func newBench(t *testing.T, provider string, opts Options) *bench {
	t.Helper()
	clock := &fakeClock{now: testStart}
	opts.Now = clock.Now
	sb, err := New(provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return &bench{t: t, clock: clock, base: srv.URL}
}

// send sends one request to target (a path on the sandbox, or an absolute URL), prepared by
// prepare (headers, credentials; may be nil), and returns the status, the JSON body (nil when it
// is not JSON) and the headers. Redirects are not followed.
func (b *bench) send(method, target, body string, prepare func(*http.Request)) (int, map[string]any, http.Header) {
	b.t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = b.base + target
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out, resp.Header
}

// headers prepares a request with the given headers, in name, value pairs.
func headers(pairs ...string) func(*http.Request) {
	return func(r *http.Request) {
		for i := 0; i+1 < len(pairs); i += 2 {
			r.Header.Set(pairs[i], pairs[i+1])
		}
	}
}
