package flows

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/telconform/telconform/checks"
)

//go:embed builtin/*.toml
var builtinFiles embed.FS

// generators are the kinds of value a step can generate.
var generators = map[string]bool{"random": true, "uuid": true, "now": true, "unix": true}

var validMethod = regexp.MustCompile(`^[A-Z]+$`).MatchString

// Parse reads a flow file, validates every flow in it and compiles its checks. Problems come
// back as FileErrors, each naming the line to fix.
func Parse(file string, data []byte) ([]*Flow, error) {
	var f File
	if _, err := DecodeStrict(file, data, &f); err != nil {
		return nil, err
	}
	var errs FileErrors
	seen := map[string]bool{}
	for i, fl := range f.Flows {
		fl.Source = file
		at := func(step, key, msg string) {
			line := locate(data, fl.ID, step, key)
			key, _, _ = strings.Cut(key, " ")
			errs = append(errs, &FileError{File: file, Line: line, Key: key, Msg: msg})
		}
		if fl.ID == "" {
			errs = append(errs, &FileError{File: file, Line: flowHeaderLine(data, i), Key: "flow.id",
				Msg: "every flow needs an id (provider.name, as in konera.sim-swap)"})
			continue
		}
		if seen[fl.ID] {
			at("", "id", fmt.Sprintf("flow %s is defined twice", fl.ID))
		}
		seen[fl.ID] = true
		validateFlow(fl, at)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f.Flows, nil
}

// validateFlow checks one flow, compiles its checks and works out which variables it needs from
// its profile. at reports a problem at a step's key.
func validateFlow(fl *Flow, at func(step, key, msg string)) {
	if fl.Title == "" {
		at("", "title", "flow "+fl.ID+" needs a title")
	}
	if len(fl.Steps) == 0 {
		at("", "id", "flow "+fl.ID+" has no steps: add [[flow.step]] tables")
	}
	defined := map[string]bool{}
	needed := map[string]bool{}
	use := func(names []string) {
		for _, n := range names {
			if !defined[n] && !needed[n] {
				needed[n] = true
				fl.needs = append(fl.needs, n)
			}
		}
	}
	stepIDs := map[string]bool{}
	for _, s := range fl.Steps {
		sid := s.ID
		if sid == "" {
			at("", "step", "flow "+fl.ID+" has a step without an id")
			continue
		}
		if stepIDs[sid] {
			at(sid, "id", "step "+sid+" appears twice in flow "+fl.ID)
		}
		stepIDs[sid] = true
		validateStep(s, func(key, msg string) { at(sid, key, msg) })
		for _, r := range s.Requires {
			if !stepIDs[r] || r == sid {
				at(sid, "requires", fmt.Sprintf("requires %q: name an earlier step of this flow", r))
			}
		}
		for name := range s.Generate {
			defined[name] = true
		}
		for _, k := range slices.Sorted(maps.Keys(s.requestTemplates())) {
			use(templateNames(s.requestTemplates()[k]))
		}
		for name := range s.Capture {
			defined[name] = true
		}
		for name := range s.CaptureSecret {
			defined[name] = true
		}
		for _, t := range s.checkTemplates() {
			use(templateNames(t))
		}
	}
}

func validateStep(s *Step, at func(key, msg string)) {
	if s.Kind == "" {
		s.Kind = KindHTTP
	}
	switch s.Kind {
	case KindHTTP, KindWalk:
		if s.URL == "" {
			at("url", "this step needs a url: the request to send")
		}
		if s.Kind == KindWalk && s.Until == "" {
			at("until", "a walk needs until = the client's redirect URI, where the walk stops")
		}
	case KindWait:
		if s.Wait == "" {
			at("wait", `a wait step needs wait = a duration, as in "{{expires_in}}s + 2s"`)
		}
		if s.URL != "" {
			at("url", "a wait step sends no request: remove url")
		}
	default:
		at("kind", fmt.Sprintf("unknown step kind %q: use http, walk or wait", s.Kind))
	}
	if s.Method != "" && !validMethod(s.Method) {
		at("method", fmt.Sprintf("method %q: write an HTTP method in capitals, as in POST", s.Method))
	}
	bodies := 0
	for _, b := range []bool{len(s.Form) > 0, s.JSON != "", s.Body != ""} {
		if b {
			bodies++
		}
	}
	if bodies > 1 {
		at("form", "a step sends one body: use only one of form, json and body")
	}
	for name, kind := range s.Generate {
		if !validName(name) {
			at("generate", fmt.Sprintf("%q is not a variable name (letters, digits, _)", name))
		}
		if !generators[kind] {
			at("generate", fmt.Sprintf("generate %s = %q: use random, uuid, now or unix", name, kind))
		}
	}
	for _, caps := range []map[string]string{s.Capture, s.CaptureSecret} {
		for name, from := range caps {
			if !validName(name) {
				at("capture", fmt.Sprintf("%q is not a variable name (letters, digits, _)", name))
			}
			if _, err := checks.ParseTarget(from); err != nil {
				at("capture", fmt.Sprintf("capture %s: %v", name, err))
			}
		}
	}
	s.packs = nil
	for _, name := range s.Packs {
		p, ok := checks.LookupPack(name)
		if !ok {
			at("packs", fmt.Sprintf("unknown pack %q: use one of %s", name, strings.Join(checks.PackNames(), ", ")))
			continue
		}
		s.packs = append(s.packs, p)
	}
	s.checks = nil
	ids := map[string]bool{}
	for _, spec := range s.Checks {
		c, err := spec.Compile()
		if err != nil {
			at("checks "+spec.ID, err.Error())
			continue
		}
		if ids[c.ID] {
			at("checks", "check "+c.ID+" appears twice in this step")
		}
		ids[c.ID] = true
		s.checks = append(s.checks, c)
	}
}

// locate finds the line of a key in a flow file: inside the flow with the given id, inside the
// step with the given id if one is named.
func locate(data []byte, flowID, stepID, key string) int {
	lines := strings.Split(string(data), "\n")
	idLine := func(from int, id string) int {
		pat := regexp.MustCompile(`^\s*(\{\s*)?id\s*=\s*["']` + regexp.QuoteMeta(id) + `["']`)
		for i := from; i < len(lines); i++ {
			if pat.MatchString(lines[i]) {
				return i
			}
		}
		return -1
	}
	at := idLine(0, flowID)
	if at < 0 {
		return 0
	}
	if stepID != "" {
		if s := idLine(at+1, stepID); s >= 0 {
			at = s
		}
	}
	// "checks ID" points at the inline check with that id.
	if name, checkID, ok := strings.Cut(key, " "); ok && name == "checks" {
		if c := idLine(at+1, checkID); c >= 0 {
			return c + 1
		}
		key = name
	}
	keyPat := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(key) + `\s*=`)
	for i := at; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if i > at && strings.HasPrefix(t, "[") {
			break
		}
		if keyPat.MatchString(lines[i]) {
			return i + 1
		}
	}
	return at + 1
}

// flowHeaderLine finds the line of the n-th [[flow]] header.
func flowHeaderLine(data []byte, n int) int {
	count := -1
	for i, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "[[flow]]" {
			count++
			if count == n {
				return i + 1
			}
		}
	}
	return 0
}

// Catalog is the set of flows a run can choose from: the built-in ones plus any a profile brings.
type Catalog struct {
	flows []*Flow
	byID  map[string]*Flow
}

// NewCatalog makes an empty catalogue.
func NewCatalog() *Catalog { return &Catalog{byID: map[string]*Flow{}} }

// Add puts flows into the catalogue; an id that is already there is an error, so a profile
// cannot silently replace a built-in flow.
func (c *Catalog) Add(flows ...*Flow) error {
	for _, f := range flows {
		if old, ok := c.byID[f.ID]; ok {
			return fmt.Errorf("flow %s is defined in both %s and %s", f.ID, old.Source, f.Source)
		}
		c.byID[f.ID] = f
		c.flows = append(c.flows, f)
	}
	return nil
}

// Lookup finds a flow by id.
func (c *Catalog) Lookup(id string) (*Flow, bool) {
	f, ok := c.byID[id]
	return f, ok
}

// All lists the flows in the order they were added.
func (c *Catalog) All() []*Flow { return append([]*Flow(nil), c.flows...) }

// Clone copies the catalogue so that a profile's own flows do not leak into another's.
func (c *Catalog) Clone() *Catalog {
	n := NewCatalog()
	_ = n.Add(c.flows...)
	return n
}

var builtin struct {
	once sync.Once
	cat  *Catalog
	err  error
}

// Builtin returns the flows embedded in the binary. An error here means a built-in flow file is
// broken, which the tests of this package prevent from ever shipping.
func Builtin() (*Catalog, error) {
	builtin.once.Do(func() {
		builtin.cat = NewCatalog()
		entries, err := fs.Glob(builtinFiles, "builtin/*.toml")
		if err != nil {
			builtin.err = err
			return
		}
		for _, name := range entries {
			data, err := builtinFiles.ReadFile(name)
			if err != nil {
				builtin.err = err
				return
			}
			fl, err := Parse("flows/"+name, data)
			if err != nil {
				builtin.err = err
				return
			}
			if err := builtin.cat.Add(fl...); err != nil {
				builtin.err = err
				return
			}
		}
	})
	return builtin.cat, builtin.err
}
