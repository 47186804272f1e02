package flows

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// templateRef matches `{{name}}` in flow files. Names are what profiles and captures define.
var templateRef = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// validName reports whether s can be used as a variable name in templates.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString

// templateNames lists the variable names a template uses, in order.
func templateNames(s string) []string {
	var names []string
	for _, m := range templateRef.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// MissingError says that a template names a variable that has no value (yet).
type MissingError struct{ Name string }

func (e *MissingError) Error() string { return fmt.Sprintf("{{%s}} has no value", e.Name) }

// expand fills every `{{name}}` in s. escape (may be nil) is applied to each value, for contexts
// such as a JSON string where a value must not break the syntax around it.
func expand(s string, lookup func(string) (string, bool), escape func(string) string) (string, error) {
	var missing error
	out := templateRef.ReplaceAllStringFunc(s, func(m string) string {
		name := templateRef.FindStringSubmatch(m)[1]
		v, ok := lookup(name)
		if !ok {
			if missing == nil {
				missing = &MissingError{Name: name}
			}
			return m
		}
		if escape != nil {
			return escape(v)
		}
		return v
	})
	return out, missing
}

// jsonEscape makes a value safe inside a JSON string literal (the quotes are the template's).
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
