// Package profiles reads the TOML profiles people share to describe a provider: its endpoints,
// test numbers, the flows it supports and where its secrets come from. A profile never holds a
// secret; it names an environment variable (`${env:NAME}`) or, for the built-in sandbox, a value
// the sandbox makes up (`${sandbox:client_secret}`).
//
// Everything that can be wrong with a profile is found before anything runs, and reported as one
// line per problem naming the file, the line and the key.
package profiles

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// Profile is one provider description as written in its TOML file.
type Profile struct {
	Name     string `toml:"name"`
	Title    string `toml:"title"`
	Provider string `toml:"provider"`
	// Sandbox names the built-in sandbox provider this profile runs against; telconform starts
	// it in-process on a loopback port and fills ${sandbox:...} references from it.
	Sandbox string `toml:"sandbox"`
	// Walk says who follows authorization redirects: "agent" (telconform itself) or "device"
	// (a person, on the phone). It defaults to agent for sandbox profiles and to device for
	// real providers, whose network-based authentication only recognises the phone.
	Walk string `toml:"walk"`
	// Flows lists the flow ids to run, in order.
	Flows []string `toml:"flows"`
	// FlowFiles are extra flow files, relative to the profile, for a provider whose
	// documentation differs from the built-in flows.
	FlowFiles []string          `toml:"flow_files"`
	Vars      map[string]string `toml:"vars"`
	Secrets   map[string]string `toml:"secrets"`

	// Source is the file the profile came from ("built-in" for embedded ones).
	Source  string `toml:"-"`
	BuiltIn bool   `toml:"-"`

	data    []byte
	catalog *flows.Catalog
	flows   []*flows.Flow
}

// reference matches ${env:NAME} and ${sandbox:KEY} in profile values.
var reference = regexp.MustCompile(`\$\{(env|sandbox):([A-Za-z_][A-Za-z0-9_]*)\}`)

var validProfileName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`).MatchString

// Parse reads and validates a profile. file names it in errors; dir is where its flow files are
// looked up. Problems are flows.FileErrors.
func Parse(file, dir string, data []byte) (*Profile, error) {
	var p Profile
	if _, err := flows.DecodeStrict(file, data, &p); err != nil {
		return nil, err
	}
	p.Source, p.data = file, data
	var errs flows.FileErrors
	at := func(key, msg string) {
		errs = append(errs, &flows.FileError{File: file, Line: flows.KeyLine(data, toml.Key(strings.Split(key, "."))), Key: key, Msg: msg})
	}
	if p.Name == "" {
		at("name", "a profile needs a name (lower case, as in acme-sandbox)")
	} else if !validProfileName(p.Name) {
		at("name", fmt.Sprintf("%q: use lower-case letters, digits, '.', '-' and '_'", p.Name))
	}
	if p.Title == "" {
		at("title", "a profile needs a title, shown in listings")
	}
	if p.Sandbox != "" && !slices.Contains(sandbox.Providers(), p.Sandbox) {
		at("sandbox", fmt.Sprintf("no built-in sandbox %q: use one of %s", p.Sandbox, strings.Join(sandbox.Providers(), ", ")))
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
	for _, k := range slices.Sorted(maps.Keys(p.Vars)) {
		checkReferences(p, "vars."+k, p.Vars[k], at)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Secrets)) {
		v := p.Secrets[k]
		if !reference.MatchString(v) || reference.FindString(v) != v {
			at("secrets."+k, "a profile never holds a secret: write it as \"${env:NAME}\" and export NAME")
			continue
		}
		checkReferences(p, "secrets."+k, v, at)
	}
	for k := range p.Vars {
		if _, dup := p.Secrets[k]; dup {
			at("secrets."+k, fmt.Sprintf("%s is both a variable and a secret: keep one", k))
		}
	}
	p.loadFlows(dir, at)
	p.checkUnused(at)
	if len(errs) > 0 {
		return nil, errs
	}
	return &p, nil
}

func checkReferences(p Profile, key, v string, at func(key, msg string)) {
	for _, m := range reference.FindAllStringSubmatch(v, -1) {
		if m[1] == "sandbox" && p.Sandbox == "" {
			at(key, fmt.Sprintf("${sandbox:%s} needs sandbox = \"<provider>\" at the top of the profile", m[2]))
		}
	}
	if strings.Contains(reference.ReplaceAllString(v, ""), "${") {
		at(key, "unknown reference: write ${env:NAME} or ${sandbox:KEY}")
	}
}

// loadFlows builds the profile's catalogue (built-in flows plus its own flow files), checks
// that every flow it lists exists and that it sets every variable those flows need.
func (p *Profile) loadFlows(dir string, at func(key, msg string)) {
	builtin, err := flows.Builtin()
	if err != nil {
		at("flows", "built-in flows are broken: "+err.Error())
		return
	}
	p.catalog = builtin.Clone()
	for _, ff := range p.FlowFiles {
		path := ff
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, ff)
		}
		data, err := os.ReadFile(path)
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
	}
	if len(p.Flows) == 0 {
		at("flows", "list the flows to run, as in flows = [\"konera.sim-swap\"] (telconform flows lists them)")
		return
	}
	for _, id := range p.Flows {
		f, ok := p.catalog.Lookup(id)
		if !ok {
			at("flows", fmt.Sprintf("unknown flow %q (telconform flows lists them)", id))
			continue
		}
		p.flows = append(p.flows, f)
	}
}

// checkUnused reports variables and secrets that none of the profile's flows uses: [vars] is a
// free-form table, so this is where a misspelt name ("clientid") shows up instead of a
// puzzling "flow needs client_id" later.
func (p *Profile) checkUnused(at func(key, msg string)) {
	if len(p.flows) == 0 || len(p.flows) != len(p.Flows) {
		return // unknown flows are reported already; needs are not known
	}
	used := map[string]bool{}
	var needed []string
	for _, f := range p.flows {
		for _, n := range f.Needs() {
			if !used[n] {
				used[n] = true
				needed = append(needed, n)
			}
		}
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
			if s := closest(k, needed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			at(group.prefix+k, msg)
		}
	}
}

// closest finds a name within two edits of s.
func closest(s string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := flows.EditDistance(s, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// SelectedFlows are the flows the profile runs, in order.
func (p *Profile) SelectedFlows() []*flows.Flow { return p.flows }

// Catalog is every flow the profile can run: the built-in ones and its own.
func (p *Profile) Catalog() *flows.Catalog { return p.catalog }

// Needs lists the variables the profile's flows need that the profile does not set.
func (p *Profile) Needs(selected []*flows.Flow, extra map[string]string) map[string][]string {
	missing := map[string][]string{}
	for _, f := range selected {
		for _, n := range f.Needs() {
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

// EnvNames lists the environment variables the profile reads, sorted.
func (p *Profile) EnvNames() []string {
	seen := map[string]bool{}
	for _, m := range []map[string]string{p.Vars, p.Secrets} {
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
