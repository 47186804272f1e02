package flows

import (
	"github.com/telconform/telconform/checks"
)

// Coverage is one CAMARA test-definition scenario and the checks of the given flows that cite it
// (flow/step/check), or, when none does, why it cannot be driven from outside.
type Coverage struct {
	Scenario checks.Clause
	Checks   []string
}

// ScenarioCoverage lists every CAMARA scenario telconform knows, in registry order, with the
// checks of fs that cover it.
func ScenarioCoverage(fs []*Flow) []Coverage {
	cited := map[string][]string{}
	for _, f := range fs {
		for _, s := range f.Steps {
			for _, c := range s.Checks {
				clauses, _ := checks.ParseRef(c.Ref)
				for _, cl := range clauses {
					if cl.Scenario() {
						cited[cl.ID] = append(cited[cl.ID], f.ID+"/"+s.ID+"/"+c.ID)
					}
				}
			}
		}
	}
	var out []Coverage
	for _, cl := range checks.Clauses() {
		if cl.Scenario() {
			out = append(out, Coverage{Scenario: cl, Checks: cited[cl.ID]})
		}
	}
	return out
}
