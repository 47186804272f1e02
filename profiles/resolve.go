package profiles

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// Options say how to turn a profile into something the runner can run.
type Options struct {
	// Env looks up environment variables; nil means none are set.
	Env func(string) (string, bool)
	// Vars override the profile's variables (--var name=value).
	Vars map[string]string
	// Flows, when not empty, restricts the run to these flow ids (--flow).
	Flows []string
	// MaxWait bounds wait steps against real providers (--max-wait).
	MaxWait time.Duration
	// Sandbox configures the in-process sandbox of a sandbox profile (faults, credentials).
	// Its Now is replaced by the simulated clock the run shares with the sandbox.
	Sandbox sandbox.Options
	// SandboxClock is the base of that simulated clock; nil means time.Now.
	SandboxClock func() time.Time
	// Walk, when set, overrides the profile's walk ("agent" or "device").
	Walk string
}

// Resolved is a profile ready to run, with the sandbox it started, if any.
type Resolved struct {
	Target  *flows.Target
	Sandbox *sandbox.Sandbox
	server  *sandbox.Server
}

// Close stops the profile's sandbox, if it started one.
func (r *Resolved) Close() {
	if r.server != nil {
		_ = r.server.Close()
	}
}

// Selected lists the flows a run of this profile includes given a --flow filter (all of the
// profile's flows when the filter is empty).
func (p *Profile) Selected(filter []string) []*flows.Flow {
	if len(filter) == 0 {
		return p.flows
	}
	var out []*flows.Flow
	for _, id := range filter {
		if f, ok := p.catalog.Lookup(id); ok {
			out = append(out, f)
		}
	}
	return out
}

// Resolve fills the profile's references (environment, sandbox), applies overrides, checks that
// every selected flow has the variables it needs and, for a sandbox profile, starts the sandbox
// on a loopback port. Problems are flows.FileErrors naming the profile's lines.
func (p *Profile) Resolve(opts Options) (*Resolved, error) {
	selected := p.Selected(opts.Flows)
	if missing := p.Needs(selected, opts.Vars); len(missing) > 0 {
		var errs flows.FileErrors
		for _, id := range slices.Sorted(maps.Keys(missing)) {
			for _, n := range missing[id] {
				errs = append(errs, p.errAt("flows", fmt.Sprintf("flow %s needs %q: add it under [vars] or pass --var %s=VALUE", id, n, n)))
			}
		}
		return nil, errs
	}
	for name := range opts.Vars {
		if _, ok := p.Secrets[name]; ok {
			return nil, p.errAt("secrets."+name, fmt.Sprintf("%s is a secret: set it through the environment variable the profile names, not --var", name))
		}
	}
	env := opts.Env
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	res := &Resolved{}
	var values map[string]string
	clock := flows.Clock(flows.RealClock{})
	maxWait := opts.MaxWait
	if p.Sandbox != "" {
		sim := flows.NewSimClock(opts.SandboxClock)
		so := opts.Sandbox
		so.Now = sim.Now
		sb, err := sandbox.New(p.Sandbox, so)
		if err != nil {
			return nil, p.errAt("sandbox", err.Error())
		}
		srv, err := sandbox.Listen("127.0.0.1:0", sb)
		if err != nil {
			return nil, p.errAt("sandbox", "cannot start the sandbox: "+err.Error())
		}
		res.Sandbox, res.server = sb, srv
		values = sb.Values(srv.URL)
		clock, maxWait = sim, -1 // waits cost nothing on the simulated clock
	}
	fill := func(key, v string) (string, error) {
		var err error
		out := reference.ReplaceAllStringFunc(v, func(m string) string {
			r := reference.FindStringSubmatch(m)
			switch r[1] {
			case "env":
				val, ok := env(r[2])
				if !ok || val == "" {
					if err == nil {
						what := "is not set"
						if ok {
							what = "is empty"
						}
						err = p.errAt(key, fmt.Sprintf("environment variable %s %s: export %s before running", r[2], what, r[2]))
					}
					return m
				}
				return val
			default:
				val, ok := values[r[2]]
				if !ok && err == nil {
					err = p.errAt(key, fmt.Sprintf("the %s sandbox has no value %q (it has %s)", p.Sandbox, r[2], strings.Join(slices.Sorted(maps.Keys(values)), ", ")))
				}
				return val
			}
		})
		return out, err
	}
	walk := p.Walk
	if opts.Walk != "" {
		walk = opts.Walk
	}
	t := &flows.Target{Name: p.Name, Title: p.Title, Source: p.Source, Sandbox: p.Sandbox, Flows: selected,
		Vars: map[string]string{}, Secrets: map[string]string{}, Clock: clock, MaxWait: maxWait, Walk: walk}
	var errs flows.FileErrors
	for _, group := range []struct {
		prefix string
		in     map[string]string
		out    map[string]string
	}{{"vars.", p.Vars, t.Vars}, {"secrets.", p.Secrets, t.Secrets}} {
		for _, k := range slices.Sorted(maps.Keys(group.in)) {
			v, err := fill(group.prefix+k, group.in[k])
			if err != nil {
				errs = append(errs, err.(*flows.FileError))
				continue
			}
			group.out[k] = v
		}
	}
	for k, v := range opts.Vars {
		t.Vars[k] = v
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		res.Close()
		return nil, errs
	}
	res.Target = t
	return res, nil
}

func (p *Profile) errAt(key string, msg string) *flows.FileError {
	return &flows.FileError{File: p.Source, Line: flows.KeyLine(p.data, toml.Key(strings.Split(key, "."))), Key: key, Msg: msg}
}
