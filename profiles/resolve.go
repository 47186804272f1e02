package profiles

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/tomlfile"
)

// Options say how to turn a profile into a target the engine can run.
type Options struct {
	// Env looks up environment variables; nil means none are set.
	Env func(string) (string, bool)
	// Vars override the profile's variables (--var name=value).
	Vars map[string]string
	// Flows, when not empty, restricts the run to these flow ids (--flow).
	Flows []string
	// MaxWait bounds wait steps against real providers (--max-wait).
	MaxWait time.Duration
	// Walk, when set, overrides the profile's walk ("agent" or "device").
	Walk string
	// SandboxValues fill ${sandbox:KEY} references: the values of the sandbox started for the
	// profile by whoever prepares the run.
	SandboxValues map[string]string
}

// Resolve fills the profile's references (environment, files, sandbox values), applies
// overrides and checks that every selected flow has the variables it needs. The target it
// returns has no clock, listeners or faults yet: those belong to the run's preparation. Problems
// are tomlfile.FileErrors naming the profile's lines.
func (p *Profile) Resolve(opts Options) (*flows.Target, error) {
	selected := p.Selected(opts.Flows)
	if missing := p.Needs(selected, opts.Vars); len(missing) > 0 {
		var errs tomlfile.FileErrors
		for _, id := range slices.Sorted(maps.Keys(missing)) {
			for _, n := range missing[id] {
				where := "[vars]"
				if flows.SecretName(n) || n == flows.ClientKeyVar {
					where = "[secrets]"
				}
				errs = append(errs, p.ErrAt("flows", fmt.Sprintf("flow %s needs %q: add it under %s or pass --var %s=VALUE", id, n, where, n)))
			}
		}
		return nil, errs
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Vars)) {
		if _, ok := p.Secrets[name]; ok {
			return nil, p.ErrAt("secrets."+name, fmt.Sprintf("%s is a secret: set it through the reference the profile names, not --var", name))
		}
	}
	env := opts.Env
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	fill := func(key, v string) (string, error) {
		var err error
		fail := func(msg string) {
			if err == nil {
				err = p.ErrAt(key, msg)
			}
		}
		out := reference.ReplaceAllStringFunc(v, func(m string) string {
			r := reference.FindStringSubmatch(m)
			switch r[1] {
			case "env":
				val, ok := env(r[2])
				if !ok || val == "" {
					what := "is not set"
					if ok {
						what = "is empty"
					}
					fail(fmt.Sprintf("environment variable %s %s: export %s before running", r[2], what, r[2]))
					return m
				}
				return val
			case "file":
				data, rerr := tomlfile.ReadFile(p.path(r[2]))
				if rerr != nil {
					fail(fmt.Sprintf("cannot read %s: %v", r[2], rerr))
					return m
				}
				return strings.TrimRight(string(data), "\r\n")
			default:
				val, ok := opts.SandboxValues[r[2]]
				if !ok {
					fail(fmt.Sprintf("the %s sandbox has no value %q (it has %s)", p.Sandbox, r[2],
						strings.Join(slices.Sorted(maps.Keys(opts.SandboxValues)), ", ")))
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
		Vars: map[string]string{}, Secrets: map[string]string{}, Client: p.clientAuth(), MaxWait: opts.MaxWait, Walk: walk}
	for _, k := range p.Known {
		t.Known = append(t.Known, flows.Deviation{Flow: k.Flow, Step: k.Step, Check: k.Check, Reason: k.Reason})
	}
	for _, s := range p.Skip {
		t.Skips = append(t.Skips, flows.StepSkip{Flow: s.Flow, Step: s.Step, Reason: s.Reason})
	}
	var errs tomlfile.FileErrors
	for _, group := range []struct {
		prefix string
		in     map[string]string
		out    map[string]string
	}{{"vars.", p.Vars, t.Vars}, {"secrets.", p.Secrets, t.Secrets}} {
		for _, k := range slices.Sorted(maps.Keys(group.in)) {
			v, err := fill(group.prefix+k, group.in[k])
			if err != nil {
				errs = append(errs, err.(*tomlfile.FileError))
				continue
			}
			group.out[k] = v
		}
	}
	declared := map[string]bool{}
	for _, f := range selected {
		for _, l := range f.Listeners {
			declared[l.Name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Listeners)) {
		if !declared[name] {
			continue // no selected flow listens there: its settings need no environment
		}
		ls := p.Listeners[name]
		bind, err := fill("listeners."+name+".bind", ls.Bind)
		if err == nil {
			var public string
			if public, err = fill("listeners."+name+".public_url", ls.PublicURL); err == nil {
				if t.ListenerSettings == nil {
					t.ListenerSettings = map[string]flows.ListenerSettings{}
				}
				t.ListenerSettings[name] = flows.ListenerSettings{Bind: bind, PublicURL: public}
				continue
			}
		}
		errs = append(errs, err.(*tomlfile.FileError))
	}
	for k, v := range opts.Vars {
		t.Vars[k] = v
	}
	uses := urlUses(selected)
	for _, name := range slices.Sorted(maps.Keys(uses)) {
		v, ok := t.Vars[name]
		if !ok {
			continue
		}
		if _, fromFlag := opts.Vars[name]; fromFlag {
			if msg := urlMessage(v, strconv.Quote(v), uses[name]); msg != "" {
				return nil, fmt.Errorf("--var %s: %s", name, msg)
			}
		} else if msg := urlMessage(v, fmt.Sprintf("%s is %q, which", p.Vars[name], v), uses[name]); msg != "" {
			errs = append(errs, p.ErrAt("vars."+name, msg))
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	return t, nil
}
