package flows

import (
	"strings"

	"github.com/BurntSushi/toml"
)

// KeyLine finds the line on which a key is first written in a TOML document, so that an error
// about the key (unknown, missing variable, unset environment variable) can point at it. The TOML
// library reports lines for syntax and type errors only.
//
// It understands what people write in profiles and flow files: [table] and [[array]] headers,
// bare, quoted and dotted keys, inline tables, arrays of inline tables spread over several lines,
// and multi-line strings (whose contents it skips). It returns the line of the closest enclosing
// key it can find, and 0 if it finds nothing.
func KeyLine(data []byte, key toml.Key) int {
	want := key.String()
	best := 0
	bestLen := 0
	var table []string
	var arrayKey []string // key of an array value still open on an earlier line
	depth := 0            // bracket depth of that array
	inString := ""        // the delimiter of an open multi-line string
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		if inString != "" {
			if strings.Contains(line, inString) {
				inString = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		consider := func(path []string) {
			p := toml.Key(path).String()
			if p == want || strings.HasPrefix(want, p+".") {
				if len(p) > bestLen {
					best, bestLen = n, len(p)
				}
			}
		}
		if depth > 0 {
			for _, k := range inlineKeys(trimmed) {
				consider(append(append([]string{}, arrayKey...), k...))
			}
			depth += bracketDelta(trimmed)
			continue
		}
		if strings.HasPrefix(trimmed, "[") {
			header := strings.Trim(strings.SplitN(trimmed, "#", 2)[0], " \t[]")
			table = splitKey(header)
			consider(table)
			continue
		}
		name, value, ok := strings.Cut(trimmed, "=")
		if !ok {
			continue
		}
		path := append(append([]string{}, table...), splitKey(strings.TrimSpace(name))...)
		consider(path)
		value = strings.TrimSpace(value)
		for _, k := range inlineKeys(value) {
			consider(append(append([]string{}, path...), k...))
		}
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, delim) && strings.Count(value, delim) == 1 {
				inString = delim
			}
		}
		if strings.HasPrefix(value, "[") {
			if d := bracketDelta(value); d > 0 {
				arrayKey, depth = path, d
			}
		}
	}
	return best
}

// splitKey splits a dotted key, unquoting its parts.
func splitKey(s string) []string {
	var parts []string
	for _, p := range strings.Split(s, ".") {
		p = strings.TrimSpace(p)
		p = strings.Trim(p, `"'`)
		if p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// inlineKeys lists the keys of inline tables on one line, each as a path relative to the table
// that holds them (nested inline tables give longer paths).
func inlineKeys(s string) [][]string {
	var out [][]string
	var stack [][]string // key path of each open inline table
	var quote byte
	token := strings.Builder{}
	var pending []string // key seen inside the current table, waiting for its value
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			if len(stack) > 0 {
				token.WriteByte(c)
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
			if len(stack) > 0 {
				token.WriteByte(c)
			}
		case '#':
			return out
		case '{':
			var base []string
			if len(stack) > 0 {
				base = append(append([]string{}, stack[len(stack)-1]...), pending...)
			}
			stack = append(stack, base)
			token.Reset()
		case '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			token.Reset()
		case '=':
			if len(stack) > 0 {
				pending = splitKey(token.String())
				out = append(out, append(append([]string{}, stack[len(stack)-1]...), pending...))
			}
			token.Reset()
		case ',':
			token.Reset()
		default:
			if len(stack) > 0 {
				token.WriteByte(c)
			}
		}
	}
	return out
}

// bracketDelta counts how many array brackets a line opens minus how many it closes, ignoring
// brackets inside strings.
func bracketDelta(s string) int {
	d := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return d
		case c == '[':
			d++
		case c == ']':
			d--
		}
	}
	return d
}
