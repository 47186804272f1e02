// Package tomlfile is telconform's one place for reading the TOML files people write (profiles
// and flow files): a strict decode that refuses unknown keys, errors that name the file, the line
// and the key, "did you mean" hints, and a bounded read.
//
// Everything here is linear in the size of the file: the document is scanned once into an index
// of where every key is written, and every error afterwards is a map lookup.
package tomlfile

import (
	"strconv"
	"strings"
)

// Index records the line on which every key of a TOML document is written. Keys are recorded two
// ways: as the dotted path a TOML library reports ("flow.step.url", one entry per occurrence, in
// file order), and with array positions ("flow.0.step.3.url"), which is how a validator that
// walks decoded arrays names what it is looking at.
type Index struct {
	plain map[string][]int
	exact map[string]int
}

// container is one open array or inline table while the scanner is inside a value.
type container struct {
	array bool
	path  []string // exact path of the container itself
	plain []string // the same without array positions
	n     int      // arrays: index of the element being read
	key   []string // inline tables: the key whose value is being read
}

// NewIndex scans data once and records where every key is.
func NewIndex(data []byte) *Index {
	ix := &Index{plain: map[string][]int{}, exact: map[string]int{}}
	s := scanner{src: data, line: 1, ix: ix, counts: map[string]int{}}
	s.run()
	return ix
}

// Line returns the line of the closest key it knows for path (the key itself, or the nearest
// enclosing table), first occurrence; 0 when nothing matches. path may be plain or exact.
func (ix *Index) Line(path string) int {
	for p := path; p != ""; {
		if l, ok := ix.exact[p]; ok {
			return l
		}
		if ls := ix.plain[p]; len(ls) > 0 {
			return ls[0]
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

// Nth returns the line of the n-th occurrence (from 0) of a plain key, falling back to Line.
func (ix *Index) Nth(path string, n int) int {
	if ls := ix.plain[path]; n < len(ls) {
		return ls[n]
	}
	return ix.Line(path)
}

type scanner struct {
	src  []byte
	pos  int
	line int
	ix   *Index

	table      []string       // exact path of the current [table]
	tablePlain []string       // the same, plain
	counts     map[string]int // element count of each array of tables, by exact path
	stack      []container
}

func (s *scanner) record(exact, plain []string) {
	e, p := strings.Join(exact, "."), strings.Join(plain, ".")
	if _, ok := s.ix.exact[e]; !ok {
		s.ix.exact[e] = s.line
	}
	s.ix.plain[p] = append(s.ix.plain[p], s.line)
}

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *scanner) next() byte {
	c := s.src[s.pos]
	s.pos++
	if c == '\n' {
		s.line++
	}
	return c
}

func (s *scanner) run() {
	for s.pos < len(s.src) {
		c := s.peek()
		switch {
		case c == '\n' || c == ' ' || c == '\t' || c == '\r':
			s.next()
		case c == '#':
			s.skipComment()
		case len(s.stack) > 0:
			s.inValue()
		case c == '[':
			s.header()
		default:
			s.keyValue(s.table, s.tablePlain)
		}
	}
}

func (s *scanner) skipComment() {
	for s.pos < len(s.src) && s.peek() != '\n' {
		s.pos++
	}
}

func (s *scanner) skipSpaces() {
	for s.pos < len(s.src) && (s.peek() == ' ' || s.peek() == '\t') {
		s.pos++
	}
}

// header reads [table] or [[array of tables]].
func (s *scanner) header() {
	s.next()
	array := s.peek() == '['
	if array {
		s.next()
	}
	keys := s.keyPath()
	for s.pos < len(s.src) && s.peek() != '\n' && s.peek() != '#' {
		s.pos++ // the closing brackets
	}
	exact, plain := s.resolve(keys)
	if array {
		base := strings.Join(exact, ".")
		n := s.counts[base]
		s.counts[base] = n + 1
		s.record(exact, plain)
		exact = append(exact, strconv.Itoa(n))
		s.ix.exact[strings.Join(exact, ".")] = s.line
	} else {
		s.record(exact, plain)
	}
	s.table, s.tablePlain = exact, plain
}

// resolve turns a header's key into exact and plain paths: every prefix that names an array of
// tables takes the position of its latest element.
func (s *scanner) resolve(keys []string) (exact, plain []string) {
	for i, k := range keys {
		exact = append(exact, k)
		plain = append(plain, k)
		if i == len(keys)-1 {
			break
		}
		if n, ok := s.counts[strings.Join(exact, ".")]; ok && n > 0 {
			exact = append(exact, strconv.Itoa(n-1))
		}
	}
	return exact, plain
}

// keyValue reads `key = value` under a table (or inside an inline table).
func (s *scanner) keyValue(exactBase, plainBase []string) {
	keys := s.keyPath()
	s.skipSpaces()
	if s.peek() != '=' {
		// Not a key we understand: skip the line.
		for s.pos < len(s.src) && s.peek() != '\n' {
			s.pos++
		}
		return
	}
	s.next()
	exact := append(append([]string{}, exactBase...), keys...)
	plain := append(append([]string{}, plainBase...), keys...)
	s.record(exact, plain)
	s.value(exact, plain)
}

// value reads a value; arrays and inline tables push a container, read by inValue.
func (s *scanner) value(exact, plain []string) {
	s.skipSpaces()
	switch c := s.peek(); c {
	case '"', '\'':
		s.skipString()
	case '[':
		s.next()
		s.stack = append(s.stack, container{array: true, path: exact, plain: plain})
	case '{':
		s.next()
		s.stack = append(s.stack, container{path: exact, plain: plain})
	default:
		for s.pos < len(s.src) {
			c := s.peek()
			if c == ',' || c == ']' || c == '}' || c == '\n' || c == '#' {
				break
			}
			s.pos++
		}
	}
}

// inValue reads inside the innermost open array or inline table.
func (s *scanner) inValue() {
	top := &s.stack[len(s.stack)-1]
	switch c := s.peek(); {
	case c == ',':
		s.next()
		if top.array {
			top.n++
		}
	case c == ']' || c == '}':
		s.next()
		s.stack = s.stack[:len(s.stack)-1]
	case top.array:
		exact := append(append([]string{}, top.path...), strconv.Itoa(top.n))
		if e := strings.Join(exact, "."); s.ix.exact[e] == 0 {
			s.ix.exact[e] = s.line
		}
		s.value(exact, top.plain)
	default:
		s.keyValue(top.path, top.plain)
	}
}

// keyPath reads a dotted key of bare and quoted parts.
func (s *scanner) keyPath() []string {
	var parts []string
	for {
		s.skipSpaces()
		var part string
		switch s.peek() {
		case '"', '\'':
			start := s.pos + 1
			s.skipString()
			part = string(s.src[start:max(start, s.pos-1)])
		default:
			start := s.pos
			for s.pos < len(s.src) && isBare(s.peek()) {
				s.pos++
			}
			part = string(s.src[start:s.pos])
		}
		if part != "" {
			parts = append(parts, part)
		}
		s.skipSpaces()
		if s.peek() != '.' {
			return parts
		}
		s.next()
	}
}

func isBare(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skipString moves past a basic or literal string, single- or multi-line.
func (s *scanner) skipString() {
	q := s.next()
	multi := s.pos+1 < len(s.src) && s.src[s.pos] == q && s.src[s.pos+1] == q
	if multi {
		s.pos += 2
	}
	for s.pos < len(s.src) {
		c := s.next()
		switch {
		case c == '\\' && q == '"' && s.pos < len(s.src):
			s.next()
		case c == q && !multi:
			return
		case c == q && multi && s.pos+1 < len(s.src) && s.src[s.pos] == q && s.src[s.pos+1] == q:
			s.pos += 2
			// A multi-line string may end with up to two more quotes of content.
			for s.pos < len(s.src) && s.src[s.pos] == q {
				s.pos++
			}
			return
		case c == '\n' && !multi:
			return
		}
	}
}
