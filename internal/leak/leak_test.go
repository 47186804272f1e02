package leak

import (
	"slices"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	long := opaque(100)
	short := "s3cr3t"
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"nothing", "token [secret:access_token] masked", nil},
		{"whole", "x " + long + " y", []string{long}},
		{"first 78 clipped", long[:78] + "...", []string{long}},
		{"wrapped at 40", long[:40] + "\n  " + long[40:80] + "\n  " + long[80:], []string{long}},
		{"a short secret", "password=" + short, []string{short}},
		{"31 characters from the middle", "…" + long[37:68] + "…", []string{long}},
		{"15 characters are not a leak", "…" + long[37:52] + "…", nil},
	} {
		if got := Find(c.text, []string{long, short}); !slices.Equal(got, c.want) {
			t.Errorf("%s: Find = %v, want %v", c.name, got, c.want)
		}
	}
}

// opaque is n characters with no repeated piece, like a random token.
func opaque(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b strings.Builder
	x := uint32(2463534242)
	for range n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(alphabet[x%64])
	}
	return b.String()
}
