// Package leak finds secrets in output, whole or in pieces. Tests use it to prove that no token,
// code or password a run handled reaches a report, a log or the screen.
package leak

import "strings"

// piece is the length of the pieces a secret is looked for in. Output wraps and clips values, so
// a leak need not be whole: any run of 2×piece−1 characters of a secret holds one aligned piece.
const piece = 16

// Find returns the secrets that appear in text, whole or as any piece of them.
func Find(text string, secrets []string) []string {
	var found []string
	for _, s := range secrets {
		if leaks(text, s) {
			found = append(found, s)
		}
	}
	return found
}

func leaks(text, secret string) bool {
	if secret == "" {
		return false
	}
	if len(secret) <= piece {
		return strings.Contains(text, secret)
	}
	for i := 0; i+piece <= len(secret); i += piece {
		if strings.Contains(text, secret[i:i+piece]) {
			return true
		}
	}
	return strings.Contains(text, secret[len(secret)-piece:])
}
