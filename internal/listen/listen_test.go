package listen

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCallbackListener(t *testing.T) {
	l, err := Open(Options{Path: "/cb"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if resp, err := http.Get("http://" + l.Addr() + "/elsewhere"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("a request to another path: %v %v", resp, err)
	}
	resp, err := http.Get("http://" + l.Addr() + "/cb?code=abc&state=xyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("callback: %v %v", resp, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	in, err := l.Next(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := CallbackURL("https://client.example/cb", in); got != "https://client.example/cb?code=abc&state=xyz" {
		t.Errorf("got %q", got)
	}
}

// A request that arrived before anyone waited is still there, even for a wait whose time is up;
// one that never comes ends the wait when its context does.
func TestNextReturnsWhatArrivedAndStopsWithTheContext(t *testing.T) {
	l, err := Open(Options{Path: "/hook", MaxBody: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Mark() != 0 || !strings.HasSuffix(l.URL(), "/hook") {
		t.Fatalf("mark %d, url %s", l.Mark(), l.URL())
	}
	resp, err := http.Post(l.URL(), "application/json", strings.NewReader(`{"long":"body"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "received") {
		t.Errorf("reply %q", body)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	in, err := l.Next(done, 0)
	if err != nil || in.Seq != 1 || in.Method != "POST" || string(in.Body) != `{"long":` || !in.Truncated || in.Size != 9 {
		t.Fatalf("got %+v, %v", in, err)
	}
	if _, err := l.Next(done, 1); err == nil {
		t.Error("a wait for a request that never came returned one")
	}
}

func TestPublicURL(t *testing.T) {
	if _, err := Open(Options{PublicURL: "not a url"}); err == nil {
		t.Error("a relative public URL was accepted")
	}
	l, err := Open(Options{PublicURL: "https://tunnel.example/hook", Path: "/hook"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.URL() != "https://tunnel.example/hook" {
		t.Errorf("url %s", l.URL())
	}
}
