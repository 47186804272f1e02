package profiles

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/telconform/telconform/flows"
)

// urlUses maps every variable the selected flows send requests to (a URL template that starts
// with it) to the first step that does, as flow/step.
func urlUses(selected []*flows.Flow) map[string]string {
	out := map[string]string{}
	for _, f := range selected {
		for name, st := range f.URLVars() {
			if _, ok := out[name]; !ok {
				out[name] = f.ID + "/" + st.ID
			}
		}
	}
	return out
}

// urlMessage says what is wrong with a URL variable's value and how to fix it, or "". what is
// how the value is named: the value itself, or where it came from and the value.
func urlMessage(value, what, usedBy string) string {
	problem := flows.URLProblem(value)
	if problem == "" {
		return ""
	}
	return fmt.Sprintf("%s %s, and step %s sends requests to it: write an absolute URL, as in https://api.example.com/path", what, problem, usedBy)
}

// checkURLVars reports the profile's variables that its flows send requests to and that are not
// URLs, as far as they are known when the file is read (values with ${…} references are checked
// when the run resolves them).
func (p *Profile) checkURLVars(at func(key, msg string)) {
	uses := urlUses(p.flows)
	for _, name := range slices.Sorted(maps.Keys(uses)) {
		v, ok := p.Vars[name]
		if !ok || strings.Contains(v, "${") {
			continue
		}
		if msg := urlMessage(v, strconv.Quote(v), uses[name]); msg != "" {
			at("vars."+name, msg)
		}
	}
}

// VarURLProblem says what is wrong with value for the variable name, when a flow of the
// profile's selection sends requests to it and it is not an absolute URL; "" otherwise. It lets
// the command line judge a --var once, for every profile it applies to.
func (p *Profile) VarURLProblem(name, value string, filter []string) string {
	usedBy, ok := urlUses(p.Selected(filter))[name]
	if !ok {
		return ""
	}
	return urlMessage(value, strconv.Quote(value), usedBy)
}
