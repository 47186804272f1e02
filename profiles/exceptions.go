package profiles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/tomlfile"
)

// checkExceptions refuses [[known]] and [[skip]] entries that name nothing the profile runs (a
// flow it does not select, a step the flow does not have, a check the step does not run) or give
// no reason: an entry that matches nothing would hide nothing and mislead whoever reads it.
func (p *Profile) checkExceptions(at func(key, msg string)) {
	for i, k := range p.Known {
		key := fmt.Sprintf("known.%d", i)
		st := p.exceptionStep(key, k.Flow, k.Step, at)
		if st != nil {
			ids := st.CheckIDs()
			if !slices.Contains(ids, k.Check) {
				msg := fmt.Sprintf("step %s of %s runs no check %q", k.Step, k.Flow, k.Check)
				if s := tomlfile.Closest(k.Check, ids); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					msg += " (it runs " + strings.Join(ids, ", ") + ")"
				}
				at(key+".check", msg)
			}
		}
		if strings.TrimSpace(k.Reason) == "" {
			at(key, "a known deviation needs a reason: the ticket or the provider's decision, so that a reader knows why it is accepted")
		}
	}
	for i, s := range p.Skip {
		key := fmt.Sprintf("skip.%d", i)
		p.exceptionStep(key, s.Flow, s.Step, at)
		if strings.TrimSpace(s.Reason) == "" {
			at(key, "a skipped step needs a reason: why the provider does not offer it")
		}
	}
}

// exceptionStep finds the step an entry names among the profile's selected flows, reporting
// what it cannot find.
func (p *Profile) exceptionStep(key, flowID, stepID string, at func(key, msg string)) *flows.Step {
	var ids []string
	for _, f := range p.flows {
		ids = append(ids, f.ID)
		if f.ID != flowID {
			continue
		}
		if i := f.StepIndex(stepID); i >= 0 {
			return f.Steps[i]
		}
		var steps []string
		for _, s := range f.Steps {
			steps = append(steps, s.ID)
		}
		msg := fmt.Sprintf("flow %s has no step %q", flowID, stepID)
		if s := tomlfile.Closest(stepID, steps); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		at(key+".step", msg)
		return nil
	}
	msg := fmt.Sprintf("the profile runs no flow %q", flowID)
	if s := tomlfile.Closest(flowID, ids); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	at(key+".flow", msg)
	return nil
}
