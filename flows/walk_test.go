package flows

import (
	"net/url"
	"testing"
)

// TestReaches is the rule a walk stops by: a redirect to the redirect URI itself (scheme, host,
// port and path; the query is the provider's answer), not merely to its origin.
func TestReaches(t *testing.T) {
	const redirect = "https://client.example/cb"
	tests := []struct {
		location string
		want     bool
	}{
		{"https://client.example/cb?code=c&state=s", true},
		{"https://CLIENT.example/cb?code=c", true},     // host names are case-insensitive
		{"HTTPS://client.example/cb", true},            // so are schemes
		{"https://client.example:443/cb?code=c", true}, // the default port, written out
		{"https://client.example/cb#frag", true},
		{"https://client.example/login?next=/cb", false}, // same origin, another path
		{"https://client.example/", false},
		{"https://client.example/cb/", false},
		{"https://client.example:8443/cb", false},
		{"http://client.example/cb", false},
		{"https://client.example.evil/cb", false},
	}
	until, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.location)
		if err != nil {
			t.Fatal(err)
		}
		if got := reaches(u, until); got != tt.want {
			t.Errorf("reaches(%s, %s) = %v, want %v", tt.location, redirect, got, tt.want)
		}
	}
	// And the other way round: a redirect URI written with its default port.
	until, _ = url.Parse("http://127.0.0.1:80/cb")
	if u, _ := url.Parse("http://127.0.0.1/cb?code=c"); !reaches(u, until) {
		t.Error("http://127.0.0.1/cb does not reach http://127.0.0.1:80/cb")
	}
}
