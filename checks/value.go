package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Kind is the JSON type of a value a check looks at. Status codes and durations are numbers,
// headers and query parameters are strings.
type Kind string

// Kinds of value.
const (
	KindAbsent Kind = "absent"
	KindString Kind = "string"
	KindNumber Kind = "number"
	KindBool   Kind = "boolean"
	KindNull   Kind = "null"
	KindObject Kind = "object"
	KindArray  Kind = "array"
)

// Value is one observed value, typed the way JSON types it.
type Value struct {
	Kind Kind
	Str  string  // the string itself for strings; the raw JSON text otherwise
	Num  float64 // for numbers
	Bool bool    // for booleans
}

// Present reports whether the value exists at all (JSON null exists).
func (v Value) Present() bool { return v.Kind != KindAbsent }

// IsInteger reports whether the value is a number with no fractional part. A JSON string holding
// digits is not an integer: RFC 6749 wants expires_in as a number.
func (v Value) IsInteger() bool {
	return v.Kind == KindNumber && v.Num == math.Trunc(v.Num) && !math.IsInf(v.Num, 0)
}

// String renders the value for an expected-versus-got line: the type first, so that "300" and
// 300 read differently.
func (v Value) String() string {
	switch v.Kind {
	case KindAbsent:
		return "absent"
	case KindNull:
		return "null"
	case KindString:
		return "string " + clip(strconv.Quote(v.Str), MaxRendered)
	case KindNumber:
		return "number " + formatNumber(v.Num)
	case KindBool:
		return fmt.Sprintf("boolean %t", v.Bool)
	default:
		return string(v.Kind) + " " + clip(v.Str, MaxRendered)
	}
}

// StringValue makes a string value; an empty header or query parameter that is present is still
// a (empty) string.
func StringValue(s string) Value { return Value{Kind: KindString, Str: s} }

// NumberValue makes a number value.
func NumberValue(n float64) Value { return Value{Kind: KindNumber, Num: n, Str: formatNumber(n)} }

// JSONValue converts a gjson result.
func JSONValue(r gjson.Result) Value {
	if !r.Exists() {
		return Value{Kind: KindAbsent}
	}
	switch r.Type {
	case gjson.Null:
		return Value{Kind: KindNull, Str: "null"}
	case gjson.False, gjson.True:
		return Value{Kind: KindBool, Bool: r.Bool(), Str: r.Raw}
	case gjson.Number:
		return Value{Kind: KindNumber, Num: r.Num, Str: r.Raw}
	case gjson.String:
		return Value{Kind: KindString, Str: r.Str}
	default:
		if r.IsArray() {
			return Value{Kind: KindArray, Str: r.Raw}
		}
		return Value{Kind: KindObject, Str: r.Raw}
	}
}

func formatNumber(n float64) string {
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// MaxRendered bounds a value rendered for an outcome, in bytes; a longer one is cut and ends with
// "…". It is far longer than any line shows: the engine masks secrets in what a check reports and
// only then cuts it to what people read, dropping the end of a value cut here, where a secret
// the cut went through would be left as a fragment.
const MaxRendered = 64 << 10

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
