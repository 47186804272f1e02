package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
)

// listFlows prints every built-in flow and the check packs; with --scenarios, every CAMARA
// test-definition scenario with the checks that cover it, or why none can.
func (a *app) listFlows(args []string) int {
	scenarios := len(args) == 1 && args[0] == "--scenarios"
	if len(args) > 0 && !scenarios {
		return a.fail(exitUsage, "flows takes no arguments but --scenarios")
	}
	cat, err := flows.Builtin()
	if err != nil {
		return a.fail(exitUsage, "built-in flows are broken: %v", err)
	}
	if scenarios {
		return a.listScenarios(cat.All())
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "FLOW\tSTEPS\tTITLE")
	for _, f := range cat.All() {
		fmt.Fprintf(w, "%s\t%d\t%s\n", f.ID, len(f.Steps), f.Title)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "\nCheck packs: %s\n", strings.Join(checks.PackNames(), ", "))
	return exitOK
}

// listProfiles prints the built-in profiles and those found on the profile path, with whether
// their environment is ready (names only, never values).
func (a *app) listProfiles(args []string) int {
	if len(args) > 0 {
		return a.fail(exitUsage, "profiles takes no arguments")
	}
	builtin, err := profiles.Builtin()
	if err != nil {
		return a.fail(exitUsage, "built-in profiles are broken: %v", err)
	}
	dirs := profiles.SearchPath(a.env)
	found, problems := profiles.Discover(dirs)
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tFLOWS\tSOURCE\tTITLE\tENVIRONMENT")
	for _, p := range append(builtin, found...) {
		source := p.Source
		if p.BuiltIn {
			source = "built-in"
		}
		env := "ready"
		if missing := p.MissingEnv(a.env); len(missing) > 0 {
			env = "needs " + strings.Join(missing, " ")
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", p.Name, len(p.Flows), source, p.Title, env)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "\nProfile path: %s\n", strings.Join(dirs, string(os.PathListSeparator)))
	for _, e := range problems {
		fmt.Fprintf(a.stderr, "%v\n", e)
	}
	if len(problems) > 0 {
		return exitUsage
	}
	return exitOK
}

// listScenarios prints each official CAMARA scenario, by feature, with what covers it.
// notYet is why a scenario a flow could drive a provider into is not covered.
const notYet = "no built-in flow drives a provider into it"

func (a *app) listScenarios(fs []*flows.Flow) int {
	covered, total := 0, 0
	feature := ""
	for _, c := range flows.ScenarioCoverage(fs) {
		total++
		if c.Scenario.Feature != feature {
			feature = c.Scenario.Feature
			fmt.Fprintf(a.stdout, "\n%s\n", feature)
		}
		fmt.Fprintf(a.stdout, "  %s\n      %s\n", c.Scenario.Tag, c.Scenario.Title)
		switch {
		case len(c.Checks) > 0:
			covered++
			for _, id := range c.Checks {
				fmt.Fprintf(a.stdout, "      covered by %s\n", id)
			}
		case c.Scenario.Untestable != "":
			fmt.Fprintf(a.stdout, "      not covered: %s\n", c.Scenario.Untestable)
		default:
			fmt.Fprintf(a.stdout, "      not covered yet: %s\n", notYet)
		}
	}
	fmt.Fprintf(a.stdout, "\n%d of %d scenarios covered\n", covered, total)
	return exitOK
}
