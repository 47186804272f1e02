package checks

import "strings"

// Challenge is one authentication challenge of a WWW-Authenticate field: a scheme and its
// parameters (or a token68).
type Challenge struct {
	Scheme  string
	Params  map[string]string // names in lower case
	Token68 string
}

// ParseChallenges reads a WWW-Authenticate value as RFC 9110 11.6.1 writes it: a comma-separated
// list of challenges, each a scheme followed by a token68 or by comma-separated name=value
// parameters, values tokens or quoted strings. Several fields of the header read as one list.
// What does not parse ends the list: a malformed field carries no challenge a client could use.
func ParseChallenges(value string) []Challenge {
	var out []Challenge
	for _, elem := range splitList(value) {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			continue
		}
		name, rest, hasSpace := strings.Cut(elem, " ")
		eq := strings.IndexByte(elem, '=')
		isParam := eq > 0 && (!hasSpace || eq < len(name))
		switch {
		case isParam && len(out) > 0:
			k, v, _ := strings.Cut(elem, "=")
			out[len(out)-1].Params[strings.ToLower(strings.TrimSpace(k))] = unquote(strings.TrimSpace(v))
		case isParam:
			return out // a parameter before any scheme
		case !isToken(name):
			return out
		default:
			c := Challenge{Scheme: name, Params: map[string]string{}}
			rest = strings.TrimSpace(rest)
			if k, v, ok := strings.Cut(rest, "="); ok && isToken(strings.TrimSpace(k)) && strings.TrimSpace(v) != "" && !strings.HasSuffix(rest, "=") {
				c.Params[strings.ToLower(strings.TrimSpace(k))] = unquote(strings.TrimSpace(v))
			} else if rest != "" {
				c.Token68 = rest
			}
			out = append(out, c)
		}
	}
	return out
}

// splitList splits a header list on the commas that are not inside a quoted string.
func splitList(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	var b strings.Builder
	for i := 1; i < len(v)-1; i++ {
		if v[i] == '\\' && i+1 < len(v)-1 {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// isToken reports whether s is an RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// findChallenge finds the challenge for scheme in a WWW-Authenticate value, if there is one.
func findChallenge(v Value, scheme string) (Challenge, bool) {
	if v.Kind != KindString {
		return Challenge{}, false
	}
	for _, c := range ParseChallenges(v.Str) {
		if strings.EqualFold(c.Scheme, scheme) {
			return c, true
		}
	}
	return Challenge{}, false
}

// HasChallenge reports whether a WWW-Authenticate value offers a challenge for scheme (compared
// without regard to case, as schemes are).
func HasChallenge(value, scheme string) bool {
	_, ok := findChallenge(StringValue(value), scheme)
	return ok
}
