package flows

import (
	"fmt"
	"strings"
	"testing"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/internal/leak"
)

// BenchmarkLearnTextNested is the worst case of a body that is one long chain of name=value
// pairs inside values: learning from it stays linear in its size (a few passes).
func BenchmarkLearnTextNested(b *testing.B) {
	body := strings.Repeat("a=", 1<<20) // 2 MiB
	for b.Loop() {
		NewMasker().learnText(body)
	}
}

// Every string member is learned, at any depth, and a member named twice is learned both times.
func TestLearnBodyVisitsEveryMember(t *testing.T) {
	m := NewMasker()
	m.learnBody([]byte(`{"access_token":"first-token-1","data":[{"refresh_token":"nested-token-2"},"access_token"],` +
		`"access_token":"second-token-3","x":{"y":{"id_token":"deep-token-4"}},"code":"INVALID_ARGUMENT"}`))
	got := m.Mask("first-token-1 nested-token-2 second-token-3 deep-token-4 INVALID_ARGUMENT access_token")
	want := "[secret:access_token] [secret:refresh_token] [secret:access_token] [secret:id_token] INVALID_ARGUMENT access_token"
	if got != want {
		t.Errorf("masked\n%s\nwant\n%s", got, want)
	}
}

// A value the checks package cut at MaxRendered may end in a fragment of a secret, which masking
// cannot recognise: the engine drops that end before its own cut, however much masking shortened
// the value.
func TestMaskValueDropsAFragmentAtTheChecksCut(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 20000; i++ {
		fmt.Fprintf(&b, "tok%05d.", i)
	}
	secret := b.String()
	m := NewMasker()
	m.Add("access_token", secret)
	// Three whole copies shrink to three labels; the fourth straddles the checks' cut, so its
	// first 5 KiB are in the value, unrecognisable.
	rendered := strings.Repeat(secret, 4)[:checks.MaxRendered] + "…"
	if len(leak.Find(m.Mask(rendered), []string{secret})) == 0 {
		t.Fatal("the value does not end in a fragment of the secret: the test proves nothing")
	}
	got := m.maskValue(rendered)
	if found := leak.Find(got, []string{secret}); len(found) > 0 {
		t.Errorf("a fragment of the secret survives: %.120q", got)
	}
	if !strings.HasPrefix(got, strings.Repeat("[secret:access_token]", 3)) {
		t.Errorf("masked value %.80q", got)
	}
}

// startAtEnd agrees with the obvious quadratic reading of it, whatever the strings.
func FuzzStartAtEnd(f *testing.F) {
	for _, c := range [][2]string{{"xxaab", "aabaa"}, {"abab", "ababc"}, {"aaaa", "aaa"}, {"tok1.tok", "tok1.tok2"}, {"", "ab"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		naive := 0
		for n := min(len(v)-1, len(s)); n > 0; n-- {
			if strings.HasSuffix(s, v[:n]) {
				naive = n
				break
			}
		}
		if got := startAtEnd(s, v); got != naive {
			t.Fatalf("startAtEnd(%q, %q) = %d, want %d", s, v, got, naive)
		}
	})
}
