package checks

import (
	"mime"
	"slices"
	"sort"
	"strings"
)

// Pack is a named group of checks written in Go, for a shape that many flows repeat and that a
// standard pins down: a flow step names it (`packs = ["oauth2.token"]`) instead of listing the
// same inline checks again.
type Pack struct {
	Name   string
	Title  string
	Checks []PackCheck
}

// PackCheck is one check of a pack. Its eval says whether the check applies to this evidence at
// all (an error redirect has no code to check), and if so whether it held.
type PackCheck struct {
	ID      string
	Level   Level
	Ref     string
	Explain string
	Target  string
	eval    func(ev *Evidence) verdict
}

// verdict is what a pack check found. A check that does not apply is reported as a skip with
// a reason.
type verdict struct {
	applies  bool
	held     bool
	warnOnly bool // the deviation is a SHOULD in this case, whatever the check's level
	expected string
	got      string
	reason   string
}

func holds(held bool, expected string, got Value) verdict {
	return verdict{applies: true, held: held, expected: expected, got: got.String()}
}

func notApplicable(why string) verdict { return verdict{reason: "not applicable: " + why} }

// Eval runs every check of the pack against the evidence.
func (p *Pack) Eval(ev *Evidence) []Outcome {
	out := make([]Outcome, 0, len(p.Checks))
	for _, c := range p.Checks {
		v := c.eval(ev)
		o := Outcome{ID: c.ID, Level: c.Level, Ref: c.Ref, Explain: c.Explain, Target: c.Target,
			Expected: v.expected, Got: v.got, Reason: v.reason}
		switch {
		case v.applies && v.warnOnly && !v.held:
			o.Status = Warn
		case v.applies:
			o.Status = statusFor(c.Level, v.held)
		default:
			o.Status = Skip
		}
		out = append(out, o)
	}
	return out
}

// Skipped lists the pack's checks as not run, for a step that got no response.
func (p *Pack) Skipped(reason string) []Outcome {
	out := make([]Outcome, 0, len(p.Checks))
	for _, c := range p.Checks {
		out = append(out, Outcome{ID: c.ID, Level: c.Level, Ref: c.Ref, Explain: c.Explain, Target: c.Target,
			Status: Skip, Reason: reason})
	}
	return out
}

var packs = map[string]*Pack{}

func register(p *Pack) *Pack {
	packs[p.Name] = p
	return p
}

// LookupPack finds a pack by the name flow files use.
func LookupPack(name string) (*Pack, bool) {
	p, ok := packs[name]
	return p, ok
}

// Packs lists every pack, sorted by name, for `telconform flows` and the documentation.
func Packs() []*Pack {
	var all []*Pack
	for _, p := range packs {
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

// PackNames lists the names of every pack, sorted.
func PackNames() []string {
	var names []string
	for _, p := range Packs() {
		names = append(names, p.Name)
	}
	return names
}

// body returns the value at a gjson path of the evidence body.
func body(ev *Evidence, path string) Value {
	return Target{Where: "body", Name: path}.Value(ev)
}

// header returns a response header as a value.
func header(ev *Evidence, name string) Value {
	return Target{Where: "header", Name: name}.Value(ev)
}

// isJSONContentType reports whether a Content-Type names JSON (application/json, or a +json type).
func isJSONContentType(v Value) bool {
	if v.Kind != KindString {
		return false
	}
	mt, _, err := mime.ParseMediaType(v.Str)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// hasDirective reports whether a comma-separated header (Cache-Control, Pragma) carries a
// directive, compared case-insensitively as RFC 9111 5.2 requires.
func hasDirective(v Value, directive string) bool {
	if v.Kind != KindString {
		return false
	}
	for _, d := range strings.Split(v.Str, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
		if strings.EqualFold(name, directive) {
			return true
		}
	}
	return false
}

func oneOfStrings(v Value, set []string) bool {
	return v.Kind == KindString && slices.Contains(set, v.Str)
}
