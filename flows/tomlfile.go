package flows

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// FileError is a problem in a TOML file a person wrote (a flow file or a profile), located so
// that the one line printed for it says where to look: `acme.toml:12: vars.clientid: unknown key`.
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

// typeErrorPattern picks apart BurntSushi/toml's type mismatch errors, which carry the line and
// key only in their text.
var typeErrorPattern = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// DecodeStrict decodes a TOML document into v and refuses what v has no field for: a misspelt
// key would otherwise be ignored and a person would wonder why their setting does nothing.
func DecodeStrict(file string, data []byte, v any) (toml.MetaData, error) {
	md, err := toml.Decode(string(data), v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return md, &FileError{File: file, Line: pe.Position.Line, Key: pe.LastKey, Msg: syntaxMessage(pe)}
		}
		if m := typeErrorPattern.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return md, &FileError{File: file, Line: line, Key: m[2], Msg: typeMessage(m[3])}
		}
		return md, &FileError{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	var errs FileErrors
	for _, k := range md.Undecoded() {
		msg := "unknown key"
		if s := suggest(k, v); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, &FileError{File: file, Line: KeyLine(data, k), Key: k.String(), Msg: msg})
	}
	if len(errs) > 0 {
		return md, errs
	}
	return md, nil
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
			return fmt.Sprintf("wrong type: got %s, want %s", tomlTypeName(got), tomlTypeName(want))
		}
	}
	return m
}

func tomlTypeName(goType string) string {
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
	best, bestDist := "", 3
	last := k[len(k)-1]
	for _, name := range fieldNames(reflect.TypeOf(v), k[:len(k)-1]) {
		if d := EditDistance(name, last); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// fieldNames lists the TOML keys the struct found at path inside t accepts.
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
		var names []string
		var next reflect.Type
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if name == "" || name == "-" {
				continue
			}
			names = append(names, name)
			if len(path) > 0 && name == path[0] {
				next = f.Type
			}
		}
		if len(path) == 0 {
			return names
		}
		if next == nil {
			return nil
		}
		t, path = next, path[1:]
	}
}

// EditDistance is the Levenshtein distance between two names, for "did you mean" hints.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
