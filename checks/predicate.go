package checks

import (
	"regexp"
	"strings"
)

// predicate is one test on one value. It returns whether the value satisfies it and how to
// describe what was expected; err means an expected value could not be filled in.
type predicate interface {
	test(v Value, resolve Resolver) (held bool, expected string, err error)
}

// resolveValue fills templates in a string literal; other literals pass through.
func resolveValue(want Value, resolve Resolver) (Value, error) {
	if want.Kind != KindString || resolve == nil || !strings.Contains(want.Str, "{{") {
		return want, nil
	}
	s, err := resolve(want.Str)
	if err != nil {
		return want, err
	}
	return StringValue(s), nil
}

// sameValue compares with JSON typing: the string "300" is not the number 300.
func sameValue(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindNumber:
		return a.Num == b.Num
	case KindBool:
		return a.Bool == b.Bool
	default:
		return a.Str == b.Str
	}
}

type equalsPred struct{ want Value }

func (p equalsPred) test(v Value, resolve Resolver) (bool, string, error) {
	want, err := resolveValue(p.want, resolve)
	if err != nil {
		return false, p.want.String(), err
	}
	return sameValue(v, want), want.String(), nil
}

type notEqualsPred struct{ want Value }

func (p notEqualsPred) test(v Value, resolve Resolver) (bool, string, error) {
	want, err := resolveValue(p.want, resolve)
	if err != nil {
		return false, "not " + p.want.String(), err
	}
	return v.Present() && !sameValue(v, want), "present and not " + want.String(), nil
}

type existsPred struct{ want bool }

func (p existsPred) test(v Value, _ Resolver) (bool, string, error) {
	if p.want {
		return v.Present(), "present", nil
	}
	return !v.Present(), "absent", nil
}

var knownTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true,
}

type typePred struct{ want string }

func (p typePred) test(v Value, _ Resolver) (bool, string, error) {
	if p.want == "integer" {
		return v.IsInteger(), "integer", nil
	}
	return string(v.Kind) == p.want, p.want, nil
}

type matchesPred struct{ re *regexp.Regexp }

func (p matchesPred) test(v Value, _ Resolver) (bool, string, error) {
	expected := "matching /" + p.re.String() + "/"
	if v.Kind != KindString && v.Kind != KindNumber {
		return false, expected, nil
	}
	return p.re.MatchString(v.Str), expected, nil
}

type oneOfPred struct{ want []Value }

func (p oneOfPred) test(v Value, resolve Resolver) (bool, string, error) {
	var names []string
	held := false
	for _, w := range p.want {
		w, err := resolveValue(w, resolve)
		if err != nil {
			return false, "", err
		}
		names = append(names, w.String())
		held = held || sameValue(v, w)
	}
	return held, "one of " + strings.Join(names, ", "), nil
}

type rangePred struct{ gt, lt *float64 }

func (p rangePred) test(v Value, _ Resolver) (bool, string, error) {
	var parts []string
	held := v.Kind == KindNumber
	if p.gt != nil {
		parts = append(parts, "> "+formatNumber(*p.gt))
		held = held && v.Num > *p.gt
	}
	if p.lt != nil {
		parts = append(parts, "< "+formatNumber(*p.lt))
		held = held && v.Num < *p.lt
	}
	return held, "number " + strings.Join(parts, " and "), nil
}

type formatPred struct {
	name string
	f    format
}

func (p formatPred) test(v Value, _ Resolver) (bool, string, error) {
	if v.Kind != KindString {
		return false, p.f.describe, nil
	}
	return p.f.valid(v.Str), p.f.describe, nil
}
