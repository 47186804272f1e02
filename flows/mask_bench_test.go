package flows

import (
	"strings"
	"testing"
)

// BenchmarkLearnTextNested is the worst case of a body that is one long chain of name=value
// pairs inside values: learning from it stays linear in its size (a few passes).
func BenchmarkLearnTextNested(b *testing.B) {
	body := strings.Repeat("a=", 1<<20) // 2 MiB
	for b.Loop() {
		NewMasker().learnText(body)
	}
}
