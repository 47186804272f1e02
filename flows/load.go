package flows

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/internal/tomlfile"
)

//go:embed builtin/*.toml
var builtinFiles embed.FS

// The shape of a flow file. Each step names its kind by the one sub-table it has.
type fileDecl struct {
	Flows []flowDecl `toml:"flow"`
}

type flowDecl struct {
	ID        string         `toml:"id"`
	Title     string         `toml:"title"`
	Explain   string         `toml:"explain"`
	Ref       string         `toml:"ref"`
	Listeners []ListenerSpec `toml:"listener"`
	Steps     []stepDecl     `toml:"step"`
}

type stepDecl struct {
	ID            string            `toml:"id"`
	Title         string            `toml:"title"`
	Explain       string            `toml:"explain"`
	Requires      []string          `toml:"requires"`
	Generate      map[string]string `toml:"generate"`
	Capture       map[string]string `toml:"capture"`
	CaptureSecret map[string]string `toml:"capture_secret"`
	Packs         []string          `toml:"packs"`
	Checks        []checks.Spec     `toml:"checks"`
	Expect        map[string]string `toml:"expect"`

	Request *RequestKind `toml:"request"`
	Walk    *WalkKind    `toml:"walk"`
	Wait    *WaitKind    `toml:"wait"`
	Input   *InputKind   `toml:"input"`
	Poll    *PollKind    `toml:"poll"`
	Await   *AwaitKind   `toml:"await"`
	Mint    *MintKind    `toml:"mint"`
}

// kindNames lists the step kinds in the order the documentation gives them.
var kindNames = []string{"request", "walk", "wait", "input", "poll", "await", "mint"}

// kinds returns the kinds the step declares (exactly one in a valid file).
func (d *stepDecl) kinds() []Kind {
	var out []Kind
	add := func(set bool, k Kind) {
		if set {
			out = append(out, k)
		}
	}
	add(d.Request != nil, d.Request)
	add(d.Walk != nil, d.Walk)
	add(d.Wait != nil, d.Wait)
	add(d.Input != nil, d.Input)
	add(d.Poll != nil, d.Poll)
	add(d.Await != nil, d.Await)
	add(d.Mint != nil, d.Mint)
	return out
}

// generators are the kinds of value a step can generate; sha256(TEMPLATE) is the fifth, the hex
// SHA-256 of a template's value (a hashedPhoneNumber).
var generators = map[string]bool{"random": true, "uuid": true, "now": true, "unix": true}

// hashOf reads a sha256(TEMPLATE) generator, returning the template.
func hashOf(kind string) (string, bool) {
	inner, ok := strings.CutPrefix(kind, "sha256(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", false
	}
	return strings.TrimSuffix(inner, ")"), true
}

// Parse reads a flow file, validates every flow in it and compiles its checks. Problems come
// back as tomlfile.FileErrors, each naming the line to fix.
func Parse(file string, data []byte) ([]*Flow, error) {
	var fd fileDecl
	doc, err := tomlfile.Decode(file, data, &fd)
	if err != nil {
		return nil, err
	}
	var errs tomlfile.FileErrors
	seen := map[string]bool{}
	var out []*Flow
	for i, d := range fd.Flows {
		base := "flow." + strconv.Itoa(i)
		at := func(key, msg string) {
			errs = append(errs, doc.AtLine(doc.Index().Line(base+"."+key), displayKey(key), msg))
		}
		if d.ID == "" {
			at("", "every flow needs an id (provider.name, as in konera.sim-swap)")
			continue
		}
		if seen[d.ID] {
			at("id", fmt.Sprintf("flow %s is defined twice", d.ID))
		}
		seen[d.ID] = true
		f := buildFlow(d, at)
		f.Source = file
		out = append(out, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// displayKey is how an error names a key next to its line number: without array positions and
// without the step it is in ("step.3.checks.1" reads as "checks").
func displayKey(key string) string {
	key = strings.TrimPrefix(key, "step.")
	var parts []string
	for i, p := range strings.Split(key, ".") {
		if _, err := strconv.Atoi(p); err == nil && p != "" {
			continue
		}
		if i > 0 || p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// buildFlow validates one declared flow, compiles its steps and works out which variables it
// needs from its profile. at reports a problem at a key relative to the flow.
func buildFlow(d flowDecl, at func(key, msg string)) *Flow {
	f := &Flow{ID: d.ID, Title: d.Title, Explain: d.Explain, Ref: d.Ref, Listeners: d.Listeners}
	if f.Title == "" {
		at("title", "flow "+f.ID+" needs a title")
	}
	if len(d.Steps) == 0 {
		at("id", "flow "+f.ID+" has no steps: add [[flow.step]] tables")
	}
	defined := map[string]bool{}
	needed := map[string]bool{}
	use := func(t string) {
		for _, n := range templateNames(t) {
			if !defined[n] && !needed[n] {
				needed[n] = true
				f.needs = append(f.needs, n)
			}
		}
	}
	listeners := map[string]bool{}
	for i, l := range d.Listeners {
		key := "listener." + strconv.Itoa(i)
		switch {
		case !validName(l.Name):
			at(key+".name", fmt.Sprintf("listener name %q: use letters, digits and _ (its URL is {{NAME_url}})", l.Name))
		case listeners[l.Name]:
			at(key+".name", "listener "+l.Name+" is declared twice")
		case l.Path != "" && !strings.HasPrefix(l.Path, "/"):
			at(key+".path", fmt.Sprintf("path %q: start it with /", l.Path))
		}
		listeners[l.Name] = true
		defined[l.Var()] = true
	}
	stepIDs := map[string]bool{}
	for j, sd := range d.Steps {
		key := "step." + strconv.Itoa(j)
		stepAt := func(k, msg string) { at(key+"."+k, msg) }
		if sd.ID == "" {
			at(key, "flow "+f.ID+" has a step without an id")
			continue
		}
		if stepIDs[sd.ID] {
			stepAt("id", "step "+sd.ID+" appears twice in flow "+f.ID)
		}
		for _, r := range sd.Requires {
			if !stepIDs[r] || r == sd.ID {
				stepAt("requires", fmt.Sprintf("requires %q: name an earlier step of this flow", r))
			}
		}
		stepIDs[sd.ID] = true
		s := &Step{ID: sd.ID, Title: sd.Title, Explain: sd.Explain, Requires: sd.Requires, Generate: sd.Generate,
			Capture: sd.Capture, CaptureSecret: sd.CaptureSecret, Packs: sd.Packs, Checks: sd.Checks, Expect: sd.Expect}
		for _, name := range slices.Sorted(maps.Keys(s.Generate)) {
			if !validName(name) {
				stepAt("generate", fmt.Sprintf("%q is not a variable name (letters, digits, _)", name))
			}
			kind := s.Generate[name]
			if t, ok := hashOf(kind); ok {
				use(t)
			} else if !generators[kind] {
				stepAt("generate", fmt.Sprintf("generate %s = %q: use random, uuid, now, unix or sha256({{name}})", name, kind))
			}
			defined[name] = true
		}
		switch ks := sd.kinds(); len(ks) {
		case 0:
			stepAt("id", fmt.Sprintf("step %s does nothing: give it one sub-table, [flow.step.%s]", sd.ID, strings.Join(kindNames, "], ["+"flow.step.")))
		case 1:
			s.Kind = ks[0]
			ks[0].validate(&validation{
				at:         func(k, msg string) { stepAt(s.Kind.Name()+"."+k, msg) },
				use:        use,
				define:     func(n string) { defined[n] = true },
				listeners:  listeners,
				clientAuth: func() { f.clientAuth = true },
			})
		default:
			names := make([]string, len(ks))
			for i, k := range ks {
				names[i] = k.Name()
			}
			stepAt(ks[1].Name(), "a step does one thing: keep one of "+strings.Join(names, " and "))
		}
		compileChecks(s, stepAt)
		for _, name := range slices.Sorted(maps.Keys(s.Expect)) {
			if !validName(name) {
				stepAt("expect", fmt.Sprintf("%q is not a name (letters, digits, _)", name))
			}
			use(s.Expect[name])
		}
		for _, name := range slices.Sorted(maps.Keys(s.Capture)) {
			defined[name] = true
		}
		for _, name := range slices.Sorted(maps.Keys(s.CaptureSecret)) {
			defined[name] = true
		}
		for _, c := range s.Checks {
			for _, v := range append([]any{c.Equals, c.NotEquals}, c.OneOf...) {
				if str, ok := v.(string); ok {
					use(str)
				}
			}
		}
		f.Steps = append(f.Steps, s)
	}
	return f
}

// compileChecks validates a step's captures, packs and inline checks and prepares them.
func compileChecks(s *Step, at func(key, msg string)) {
	for _, caps := range []map[string]string{s.Capture, s.CaptureSecret} {
		for _, name := range slices.Sorted(maps.Keys(caps)) {
			if !validName(name) {
				at("capture", fmt.Sprintf("%q is not a variable name (letters, digits, _)", name))
			}
			if _, err := checks.ParseTarget(caps[name]); err != nil {
				at("capture", fmt.Sprintf("capture %s: %v", name, err))
			}
		}
	}
	for _, name := range s.Packs {
		p, ok := checks.LookupPack(name)
		if !ok {
			at("packs", fmt.Sprintf("unknown pack %q: use one of %s", name, strings.Join(checks.PackNames(), ", ")))
			continue
		}
		s.packs = append(s.packs, p)
	}
	ids := map[string]bool{}
	for i, spec := range s.Checks {
		c, err := spec.Compile()
		if err != nil {
			at("checks."+strconv.Itoa(i), err.Error())
			continue
		}
		if ids[c.ID] {
			at("checks."+strconv.Itoa(i), "check "+c.ID+" appears twice in this step")
		}
		ids[c.ID] = true
		s.checks = append(s.checks, c)
	}
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

// IDs lists the ids of every flow, in the order they were added.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.flows))
	for i, f := range c.flows {
		ids[i] = f.ID
	}
	return ids
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
		// The files are parsed side by side (every run starts with this), then added in name
		// order, so the catalogue is the same whatever finished first.
		parsed := make([][]*Flow, len(entries))
		errs := make([]error, len(entries))
		var wg sync.WaitGroup
		for i, name := range entries {
			wg.Go(func() {
				data, err := builtinFiles.ReadFile(name)
				if err == nil {
					parsed[i], err = Parse("flows/"+name, data)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i := range entries {
			if errs[i] != nil {
				builtin.err = errs[i]
				return
			}
			if err := builtin.cat.Add(parsed[i]...); err != nil {
				builtin.err = err
				return
			}
		}
	})
	return builtin.cat, builtin.err
}
