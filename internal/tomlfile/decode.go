package tomlfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// MaxFileSize bounds what is read of a profile or flow file. Real ones are a few kilobytes; a
// path that names a device or a huge file must not exhaust memory.
const MaxFileSize = 4 << 20

// FileError is a problem in a TOML file a person wrote, located so that the one line printed for
// it says where to look: `acme.toml:12: vars.clientid: unknown key`.
type FileError struct {
	File string
	Line int    // 0 when the line is not known
	Key  string // dotted key, empty for syntax errors
	Msg  string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FileErrors is every problem found in one file, in file order.
type FileErrors []*FileError

func (es FileErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// AsFileErrors returns the file errors err is made of (one FileError, or FileErrors), and
// false when err is anything else.
func AsFileErrors(err error) (FileErrors, bool) {
	var many FileErrors
	var one *FileError
	switch {
	case errors.As(err, &many):
		return many, true
	case errors.As(err, &one):
		return FileErrors{one}, true
	}
	return nil, false
}

// Doc is a decoded file with what is needed to point at its lines.
type Doc struct {
	File  string
	Data  []byte
	index *Index
}

// Index is the file's key index, built the first time an error needs a line: a file with no
// problem (every built-in one, every run) never pays for it.
func (d *Doc) Index() *Index {
	if d.index == nil {
		d.index = NewIndex(d.Data)
	}
	return d.index
}

// At makes an error about key (plain or exact path); the line is looked up in the index.
func (d *Doc) At(key, msg string) *FileError {
	return &FileError{File: d.File, Line: d.Index().Line(key), Key: key, Msg: msg}
}

// AtLine makes an error about key at a line already known.
func (d *Doc) AtLine(line int, key, msg string) *FileError {
	return &FileError{File: d.File, Line: line, Key: key, Msg: msg}
}

// ReadFile reads a file a person named, refusing anything larger than MaxFileSize or that is not
// a regular file (a device such as /dev/zero never ends). Errors say what is wrong, not which
// file: the caller names it the way the person wrote it.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, withoutPath(err)
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, withoutPath(err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d MiB, and a profile or flow file is a few kilobytes", MaxFileSize>>20)
	}
	return data, nil
}

// withoutPath unwraps an *fs.PathError to its cause ("no such file or directory").
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// typeErrorPattern picks apart BurntSushi/toml's type mismatch errors, which carry the line and
// key only in their text.
var typeErrorPattern = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// Decode decodes a TOML document into v and refuses what v has no field for: a misspelt key
// would otherwise be ignored and a person would wonder why their setting does nothing.
func Decode(file string, data []byte, v any) (*Doc, error) {
	doc := &Doc{File: file, Data: data}
	md, err := toml.Decode(string(data), v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return doc, &FileError{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: syntaxMessage(pe)}
		}
		if m := typeErrorPattern.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return doc, &FileError{File: file, Line: line, Key: m[2], Msg: typeMessage(m[3])}
		}
		return doc, &FileError{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	var errs FileErrors
	seen := map[string]int{}
	for _, k := range md.Undecoded() {
		name := k.String()
		msg := "unknown key"
		if s := suggest(k, v); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, &FileError{File: file, Line: doc.Index().Nth(name, seen[name]), Key: name, Msg: msg})
		seen[name]++
	}
	if len(errs) > 0 {
		return doc, errs
	}
	return doc, nil
}

func syntaxMessage(pe toml.ParseError) string {
	msg := pe.Message
	if msg == "" {
		msg = pe.Error()
	}
	return "TOML syntax: " + msg
}

func typeMessage(m string) string {
	// "incompatible types: TOML value has type int64; destination has type string"
	if rest, ok := strings.CutPrefix(m, "incompatible types: TOML value has type "); ok {
		got, want, found := strings.Cut(rest, "; destination has type ")
		if found {
			return fmt.Sprintf("wrong type: got %s, want %s", typeName(got), typeName(want))
		}
	}
	return m
}

func typeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "map"), strings.Contains(goType, "Hash"), goType == "struct":
		return "a table"
	case strings.HasPrefix(goType, "[]"), strings.Contains(goType, "slice"), strings.Contains(goType, "array"):
		return "an array"
	}
	return goType
}

// suggest finds a key the destination type does accept, close to an unknown one, to catch typos.
func suggest(k toml.Key, v any) string {
	return Closest(k[len(k)-1], fieldNames(reflect.TypeOf(v), k[:len(k)-1]))
}

// fieldNames lists the TOML keys the struct found at path inside t accepts, embedded structs
// included.
func fieldNames(t reflect.Type, path []string) []string {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			t = t.Elem()
			continue
		case reflect.Map:
			if len(path) == 0 {
				return nil
			}
			t, path = t.Elem(), path[1:]
			continue
		case reflect.Struct:
		default:
			return nil
		}
		fields := structFields(t)
		if len(path) == 0 {
			names := make([]string, 0, len(fields))
			for _, f := range fields {
				names = append(names, f.name)
			}
			return names
		}
		var next reflect.Type
		for _, f := range fields {
			if f.name == path[0] {
				next = f.typ
			}
		}
		if next == nil {
			return nil
		}
		t, path = next, path[1:]
	}
}

type field struct {
	name string
	typ  reflect.Type
}

func structFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, structFields(ft)...)
			}
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		out = append(out, field{name, f.Type})
	}
	return out
}

// Closest finds a name within two edits of s, for "did you mean" hints, or else the one name that
// is s with a prefix (auth_method for token_endpoint_auth_method); "" when none is close.
func Closest(s string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := EditDistance(s, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best != "" || s == "" {
		return best
	}
	for _, n := range names {
		if strings.HasSuffix(n, "_"+s) {
			if best != "" {
				return "" // several: no one guess is better than another
			}
			best = n
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between two names.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
