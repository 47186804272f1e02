package sandbox

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Fault describes one named deviation a sandbox can be told to make. Faults are named per
// provider ("konera/state-not-echoed"): each provider's sandbox has its own, and a run with several
// sandbox providers applies each fault to the sandbox it names.
//
// A fault declares, from the clause it violates, the checks that must stop holding when it is
// on (Breaks), and every other check that stops holding as a consequence, with why (Also). The
// tests hold each fault to its declaration both ways, so every check is shown to bite, and a
// failure nobody can explain is a failure of the test.
type Fault struct {
	Provider, Name, Description string
	// Clause is the rule the deviation breaks, as checks cite it.
	Clause string
	// Breaks are the checks the clause is about. Each is CHECK, or STEP/CHECK where the check's
	// id is one many steps share (http.status); every one must stop holding somewhere.
	Breaks []string
	// Also are the checks that stop holding as a consequence (no error body once a request is
	// answered instead of refused), each with the reason.
	Also map[string]string
	// With names tolerances the fault needs to show: the steps it breaks run only then.
	With []string
}

// onSteps qualifies checks with each step: "STEP/CHECK".
func onSteps(steps []string, checks ...string) []string {
	var out []string
	for _, s := range steps {
		for _, c := range checks {
			out = append(out, s+"/"+c)
		}
	}
	return out
}

// because gives every entry the same reason.
func because(why string, entries ...string) map[string]string {
	m := map[string]string{}
	for _, e := range entries {
		m[e] = why
	}
	return m
}

// merged joins reason maps.
func merged(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// ID is the fault's qualified name, as the command line takes it: provider/name.
func (f Fault) ID() string { return f.Provider + "/" + f.Name }

// Faults lists every fault of every provider, sorted by provider and name, for --help and for
// tests that must cover each one.
func Faults() []Fault {
	var all []Fault
	for _, spec := range providerSpecs() {
		all = append(all, spec.faults()...)
	}
	slices.SortFunc(all, func(a, b Fault) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Name, b.Name))
	})
	return all
}

// ProviderFaults lists one provider's faults, sorted by name.
func ProviderFaults(provider string) []Fault {
	var out []Fault
	for _, f := range Faults() {
		if f.Provider == provider {
			out = append(out, f)
		}
	}
	return out
}

// ResolveFaults sorts the faults a person named by the sandbox they apply to. A name is
// provider/name, or a bare name that exactly one of the given providers has; anything else is an
// error that lists what would be valid, since a fault silently ignored would make a run lie.
func ResolveFaults(names, providers []string) (map[string][]string, error) {
	return resolveNames("fault", names, providers, func(provider, name string) bool {
		return slices.ContainsFunc(ProviderFaults(provider), func(f Fault) bool { return f.Name == name })
	})
}

// resolveNames sorts per-provider names (faults, tolerances) by the sandbox they apply to.
func resolveNames(what string, names, providers []string, has func(provider, name string) bool) (map[string][]string, error) {
	out := map[string][]string{}
	for _, n := range names {
		if provider, name, ok := strings.Cut(n, "/"); ok {
			if !slices.Contains(providers, provider) {
				return nil, fmt.Errorf("%s %s: no selected profile runs against the %s sandbox", what, n, provider)
			}
			if !has(provider, name) {
				return nil, fmt.Errorf("%s %s: the %s sandbox has no %s %q (telconform sandbox -h lists them)", what, n, provider, what, name)
			}
			out[provider] = append(out[provider], name)
			continue
		}
		var owners []string
		for _, p := range providers {
			if has(p, n) {
				owners = append(owners, p)
			}
		}
		switch len(owners) {
		case 1:
			out[owners[0]] = append(out[owners[0]], n)
		case 0:
			return nil, fmt.Errorf("%s %s: none of the selected sandboxes (%s) has it (telconform sandbox -h lists them)", what, n, strings.Join(providers, ", "))
		default:
			qualified := make([]string, len(owners))
			for i, o := range owners {
				qualified[i] = o + "/" + n
			}
			return nil, fmt.Errorf("%s %s: several sandboxes have it; name one: %s", what, n, strings.Join(qualified, ", "))
		}
	}
	return out, nil
}

// faultSet holds the faults (or the tolerances) switched on for one sandbox. It is filled once by
// New and only read afterwards, so handlers may consult it without locking.
type faultSet map[string]bool

func (f faultSet) on(name string) bool { return f[name] }

// newNameSet checks every requested name against what the provider has; a mistyped name is an
// error that lists the valid ones, since a fault silently ignored would make a test lie.
func newNameSet(what, provider string, names, valid []string) (faultSet, error) {
	set := faultSet{}
	for _, name := range names {
		name = strings.TrimPrefix(name, provider+"/")
		if !slices.Contains(valid, name) {
			return nil, fmt.Errorf("sandbox: unknown %s %q for provider %s (valid: %s)", what, name, provider, strings.Join(valid, ", "))
		}
		set[name] = true
	}
	return set, nil
}
