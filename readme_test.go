package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

func readme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The README's scenario table has a row for every CAMARA scenario telconform knows, saying the
// same as `telconform flows --scenarios`: the step that covers it, or why none does.
func TestReadmeListsEveryScenario(t *testing.T) {
	doc := readme(t)
	builtin, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var all []*flows.Flow
	for _, p := range builtin {
		for _, f := range p.SelectedFlows() {
			if !slices.ContainsFunc(all, func(g *flows.Flow) bool { return g.ID == f.ID }) {
				all = append(all, f)
			}
		}
	}
	for _, c := range flows.ScenarioCoverage(all) {
		prefix := "| " + c.Scenario.Feature + " | `" + c.Scenario.Tag + "` | "
		row := ""
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, prefix) {
				row = l
			}
		}
		var want string
		switch {
		case row == "":
			t.Errorf("the README has no row for %s %s", c.Scenario.Feature, c.Scenario.Tag)
			continue
		case len(c.Checks) > 0:
			flow, rest, _ := strings.Cut(c.Checks[0], "/")
			step, _, _ := strings.Cut(rest, "/")
			want = "covered: `" + flow + "/" + step + "`"
		case c.Scenario.Untestable != "":
			want = "not coverable: " + c.Scenario.Untestable
		default:
			want = "not yet: " + notYet
		}
		if !strings.Contains(row, want) {
			t.Errorf("README row for %s says\n%s\nwant it to say %q", c.Scenario.Tag, row, want)
		}
	}
}

// Every tolerance a person can switch on is in the README's table: a row for its name that names
// the provider and says what it does.
func TestReadmeListsEveryTolerance(t *testing.T) {
	doc := readme(t)
	for _, tol := range sandbox.Tolerances() {
		if !sandbox.Listed(tol.Provider) {
			continue
		}
		row := ""
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| `"+tol.Name+"` | ") {
				row = l
			}
		}
		if !strings.Contains(row, tol.Provider) || !strings.Contains(row, tol.Description) {
			t.Errorf("the README's tolerance table lacks %s: %q", tol.ID(), row)
		}
	}
}
