// Package profiles reads the TOML profiles people share to describe a provider: its endpoints,
// test numbers, the flows it supports, how its client authenticates and where its secrets come
// from. A profile never holds a secret; it names an environment variable (`${env:NAME}`), a file
// (`${file:PATH}`) or, for the built-in sandbox, a value the sandbox makes up
// (`${sandbox:client_secret}`).
//
// Profiles are plain data: this package starts nothing (no sandbox, no listener, no clock). It
// finds everything that can be wrong with a profile before anything runs, and reports it as one
// line per problem naming the file, the line and the key.
package profiles

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/tomlfile"
)

// Profile is one provider description as written in its TOML file.
type Profile struct {
	Name     string `toml:"name"`
	Title    string `toml:"title"`
	Provider string `toml:"provider"`
	// Sandbox names the built-in sandbox provider this profile runs against; the run's
	// preparation starts it in-process on a loopback port and fills ${sandbox:...} from it.
	Sandbox string `toml:"sandbox"`
	// Walk says who follows authorization redirects: "agent" (telconform itself) or "device"
	// (a person, on the phone). It defaults to agent for sandbox profiles and to device for
	// real providers, whose network-based authentication only recognises the phone.
	Walk string `toml:"walk"`
	// Flows lists the flow ids to run, in order.
	Flows []string `toml:"flows"`
	// FlowFiles are extra flow files, relative to the profile, for a provider whose
	// documentation differs from the built-in flows.
	FlowFiles []string `toml:"flow_files"`
	// Client says how the client authenticates at token endpoints.
	Client ClientSettings `toml:"client"`
	// Listeners say where a flow's listeners bind and which URL a provider must use to reach
	// them, by listener name; by default they listen on a free loopback port.
	Listeners map[string]ListenerSettings `toml:"listeners"`
	Vars      map[string]string           `toml:"vars"`
	Secrets   map[string]string           `toml:"secrets"`
	// Known lists the deviations the provider is known to have ([[known]]): CI stays green on
	// them and goes red on anything new. Skip lists the steps it does not offer ([[skip]]).
	Known []KnownDeviation `toml:"known"`
	Skip  []SkippedStep    `toml:"skip"`

	// Source is the file the profile came from ("built-in" for embedded ones).
	Source  string `toml:"-"`
	BuiltIn bool   `toml:"-"`

	dir     string
	doc     *tomlfile.Doc
	catalog *flows.Catalog
	flows   []*flows.Flow
	own     map[string]bool // ids of the flows its flow files define
}

// ClientSettings is the [client] table.
type ClientSettings struct {
	// AuthMethod is the OIDC token_endpoint_auth_method: client_secret_basic (the default),
	// client_secret_post, private_key_jwt or none.
	AuthMethod string `toml:"token_endpoint_auth_method"`
	// AssertionAudience is the aud of private_key_jwt assertions when the provider wants its
	// issuer there; empty means the token endpoint's URL.
	AssertionAudience string `toml:"assertion_audience"`
	// KeyID is the kid of the client's key, sent in assertions.
	KeyID string `toml:"key_id"`
}

// KnownDeviation is one [[known]] entry: a check the provider fails on one step of one flow
// (check ids repeat across steps, so all three are named), and why.
type KnownDeviation struct {
	Flow   string `toml:"flow"`
	Step   string `toml:"step"`
	Check  string `toml:"check"`
	Reason string `toml:"reason"`
}

// SkippedStep is one [[skip]] entry: a step the provider does not offer, and why.
type SkippedStep struct {
	Flow   string `toml:"flow"`
	Step   string `toml:"step"`
	Reason string `toml:"reason"`
}

// ListenerSettings is one entry of [listeners].
type ListenerSettings struct {
	Bind      string `toml:"bind"`
	PublicURL string `toml:"public_url"`
}

// reference matches ${env:NAME}, ${file:PATH} and ${sandbox:KEY} in profile values.
var reference = regexp.MustCompile(`\$\{(env|sandbox|file):([^}]*)\}`)

var (
	validProfileName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`).MatchString
	envName          = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString
)

// Parse reads and validates a profile. file names it in errors; dir is where its flow files and
// ${file:} references are looked up. Problems are tomlfile.FileErrors.
func Parse(file, dir string, data []byte) (*Profile, error) {
	var p Profile
	doc, err := tomlfile.Decode(file, data, &p)
	if err != nil {
		return nil, err
	}
	p.Source, p.dir, p.doc = file, dir, doc
	var errs tomlfile.FileErrors
	reported := map[string]bool{}
	at := func(key, msg string) {
		if !reported[key] { // one problem per key: the first is the one to fix
			reported[key] = true
			errs = append(errs, p.ErrAt(key, msg))
		}
	}
	if p.Name == "" {
		at("name", "a profile needs a name (lower case, as in acme-sandbox)")
	} else if !validProfileName(p.Name) {
		at("name", fmt.Sprintf("%q: use lower-case letters, digits, '.', '-' and '_'", p.Name))
	}
	if p.Title == "" {
		at("title", "a profile needs a title, shown in listings")
	}
	switch p.Walk {
	case "":
		p.Walk = flows.WalkDevice
		if p.Sandbox != "" {
			p.Walk = flows.WalkAgent
		}
	case flows.WalkAgent, flows.WalkDevice:
	default:
		at("walk", fmt.Sprintf("walk %q: use \"agent\" (telconform follows the redirects) or \"device\" (a person, on the phone)", p.Walk))
	}
	if m := p.Client.AuthMethod; m != "" && !slices.Contains(flows.ClientAuthMethods, m) {
		at("client.token_endpoint_auth_method", fmt.Sprintf("%q: use one of %s", m, strings.Join(flows.ClientAuthMethods, ", ")))
	}
	for _, k := range slices.Sorted(maps.Keys(p.Vars)) {
		if flows.SecretName(k) {
			at("vars."+k, fmt.Sprintf("%s looks like a secret: move it to [secrets] as %s = \"${env:NAME}\"", k, k))
		}
		p.checkReferences("vars."+k, p.Vars[k], at)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Secrets)) {
		v := p.Secrets[k]
		if !reference.MatchString(v) || reference.FindString(v) != v {
			at("secrets."+k, "a profile never holds a secret: write it as \"${env:NAME}\" or \"${file:PATH}\"")
			continue
		}
		p.checkReferences("secrets."+k, v, at)
	}
	for k := range p.Vars {
		if _, dup := p.Secrets[k]; dup {
			at("secrets."+k, fmt.Sprintf("%s is both a variable and a secret: keep one", k))
		}
	}
	p.loadFlows(at)
	p.checkListeners(at)
	p.checkUnused(at)
	p.checkURLVars(at)
	p.checkExceptions(at)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	return &p, nil
}

// ErrAt makes an error about one of the profile's keys, on the key's line.
func (p *Profile) ErrAt(key, msg string) *tomlfile.FileError {
	if p.doc == nil {
		return &tomlfile.FileError{File: p.Source, Key: key, Msg: msg}
	}
	return p.doc.At(key, msg)
}

func (p *Profile) checkReferences(key, v string, at func(key, msg string)) {
	for _, m := range reference.FindAllStringSubmatch(v, -1) {
		switch m[1] {
		case "sandbox":
			if p.Sandbox == "" {
				at(key, fmt.Sprintf("${sandbox:%s} needs sandbox = \"<provider>\" at the top of the profile", m[2]))
			}
		case "env":
			if !envName(m[2]) {
				at(key, fmt.Sprintf("${env:%s}: name an environment variable (letters, digits, _)", m[2]))
			}
		case "file":
			if strings.TrimSpace(m[2]) == "" {
				at(key, "${file:} needs a path, relative to the profile")
			}
		}
	}
	if strings.Contains(reference.ReplaceAllString(v, ""), "${") {
		at(key, "unknown reference: write ${env:NAME}, ${file:PATH} or ${sandbox:KEY}")
	}
}

// loadFlows builds the profile's catalogue (built-in flows plus its own flow files) and checks
// that every flow it lists exists.
func (p *Profile) loadFlows(at func(key, msg string)) {
	builtin, err := flows.Builtin()
	if err != nil {
		at("flows", "built-in flows are broken: "+err.Error())
		return
	}
	p.catalog = builtin.Clone()
	for _, ff := range p.FlowFiles {
		path := p.path(ff)
		data, err := tomlfile.ReadFile(path)
		if err != nil {
			at("flow_files", fmt.Sprintf("cannot read %s: %v", ff, err))
			continue
		}
		fl, err := flows.Parse(path, data)
		if err != nil {
			at("flow_files", err.Error())
			continue
		}
		if err := p.catalog.Add(fl...); err != nil {
			at("flow_files", err.Error())
		}
		for _, f := range fl {
			if p.own == nil {
				p.own = map[string]bool{}
			}
			p.own[f.ID] = true
		}
	}
	if len(p.Flows) == 0 {
		at("flows", "list the flows to run, as in flows = [\"konera.sim-swap\"] (telconform flows lists them)")
		return
	}
	for _, id := range p.Flows {
		f, ok := p.catalog.Lookup(id)
		if !ok {
			msg := fmt.Sprintf("unknown flow %q (telconform flows lists them)", id)
			if s := tomlfile.Closest(id, p.catalog.IDs()); s != "" {
				msg = fmt.Sprintf("unknown flow %q (did you mean %q?)", id, s)
			}
			at("flows", msg)
			continue
		}
		p.flows = append(p.flows, f)
	}
}

// path resolves a path written in the profile, relative to the profile's directory.
func (p *Profile) path(name string) string {
	if filepath.IsAbs(name) || p.dir == "" {
		return name
	}
	return filepath.Join(p.dir, name)
}

// checkListeners refuses settings for listeners no flow of the profile declares.
func (p *Profile) checkListeners(at func(key, msg string)) {
	declared := map[string]bool{}
	for _, f := range p.flows {
		for _, l := range f.Listeners {
			declared[l.Name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Listeners)) {
		if !declared[name] {
			at("listeners."+name, fmt.Sprintf("no flow of this profile declares a listener %q", name))
		}
	}
}

// needs lists, in first-use order, the variables the given flows take from the profile: their
// templates, and what the client authentication method reads when a flow authenticates the client.
func (p *Profile) needs(selected []*flows.Flow) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, f := range selected {
		for _, n := range f.Needs() {
			add(n)
		}
		if f.AuthenticatesClient() {
			for _, n := range p.clientAuth().Needs() {
				add(n)
			}
		}
	}
	return out
}

// clientAuth is the profile's client authentication. A profile that names no method gets
// client_secret_basic, the one RFC 6749 2.3.1 says every authorization server must support.
func (p *Profile) clientAuth() flows.ClientAuth {
	method := p.Client.AuthMethod
	if method == "" {
		method = flows.ClientSecretBasic
	}
	return flows.ClientAuth{Method: method, Audience: p.Client.AssertionAudience, KeyID: p.Client.KeyID}
}

// checkUnused reports variables and secrets that none of the profile's flows uses: [vars] is a
// free-form table, so this is where a misspelt name ("clientid") shows up instead of a
// puzzling "flow needs client_id" later.
func (p *Profile) checkUnused(at func(key, msg string)) {
	if len(p.flows) == 0 || len(p.flows) != len(p.Flows) {
		return // unknown flows are reported already; needs are not known
	}
	needed := p.needs(p.flows)
	used := map[string]bool{}
	for _, n := range needed {
		used[n] = true
	}
	for _, group := range []struct {
		prefix string
		m      map[string]string
	}{{"vars.", p.Vars}, {"secrets.", p.Secrets}} {
		for _, k := range slices.Sorted(maps.Keys(group.m)) {
			if used[k] {
				continue
			}
			msg := fmt.Sprintf("unknown variable: no flow of this profile uses %q", k)
			if s := tomlfile.Closest(k, needed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			at(group.prefix+k, msg)
		}
	}
}

// SelectedFlows are the flows the profile runs, in order.
func (p *Profile) SelectedFlows() []*flows.Flow { return p.flows }

// Catalog is every flow the profile can run: the built-in ones and its own.
func (p *Profile) Catalog() *flows.Catalog { return p.catalog }

// Selected lists the flows a run of this profile includes given a --flow filter (all of the
// profile's flows when the filter is empty): those of the filter the profile offers.
func (p *Profile) Selected(filter []string) []*flows.Flow {
	if len(filter) == 0 {
		return p.flows
	}
	var out []*flows.Flow
	for _, id := range filter {
		if p.Offers(id) {
			f, _ := p.catalog.Lookup(id)
			out = append(out, f)
		}
	}
	return out
}

// Offers reports whether --flow id runs on this profile: a flow it lists, or one of its own flow
// files. A built-in flow it does not list is another provider's, which --flow must not drag in.
func (p *Profile) Offers(id string) bool {
	f, ok := p.catalog.Lookup(id)
	return ok && (slices.Contains(p.flows, f) || p.own[id])
}

// Needs lists, per flow, the variables the profile's flows need that neither the profile nor
// extra (--var, values a person typed) sets.
func (p *Profile) Needs(selected []*flows.Flow, extra map[string]string) map[string][]string {
	missing := map[string][]string{}
	for _, f := range selected {
		for _, n := range p.needs([]*flows.Flow{f}) {
			_, inVars := p.Vars[n]
			_, inSecrets := p.Secrets[n]
			_, inExtra := extra[n]
			if !inVars && !inSecrets && !inExtra {
				missing[f.ID] = append(missing[f.ID], n)
			}
		}
	}
	return missing
}

// Settable lists the variables --var can set for the selected flows: every variable they take
// from the profile (its own, the client's credentials) and every answer to a question they would
// otherwise ask a person.
func (p *Profile) Settable(selected []*flows.Flow) []string {
	out := p.needs(selected)
	for _, f := range selected {
		for _, n := range f.Answers() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// EnvNames lists the environment variables the profile reads, sorted.
func (p *Profile) EnvNames() []string {
	seen := map[string]bool{}
	listeners := map[string]string{}
	for name, l := range p.Listeners {
		listeners[name+".bind"], listeners[name+".public_url"] = l.Bind, l.PublicURL
	}
	for _, m := range []map[string]string{p.Vars, p.Secrets, listeners} {
		for _, v := range m {
			for _, r := range reference.FindAllStringSubmatch(v, -1) {
				if r[1] == "env" {
					seen[r[2]] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// SecretEnv reports whether an environment variable feeds a secret, so whoever asks a person for
// it knows not to draw the answer.
func (p *Profile) SecretEnv(name string) bool {
	for _, v := range p.Secrets {
		for _, r := range reference.FindAllStringSubmatch(v, -1) {
			if r[1] == "env" && r[2] == name {
				return true
			}
		}
	}
	return false
}

// MissingEnv lists the environment variables the profile reads that are not set.
func (p *Profile) MissingEnv(lookup func(string) (string, bool)) []string {
	var missing []string
	for _, n := range p.EnvNames() {
		if _, ok := lookup(n); !ok {
			missing = append(missing, n)
		}
	}
	return missing
}

// BaseURL is a representative endpoint for listings: the first of api_base, base_url or any
// variable ending in _url, with references left as written.
func (p *Profile) BaseURL() string {
	for _, k := range []string{"api_base", "base_url"} {
		if v, ok := p.Vars[k]; ok {
			return v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p.Vars)) {
		if strings.HasSuffix(k, "_url") {
			return p.Vars[k]
		}
	}
	return ""
}
