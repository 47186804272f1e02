package flows

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// urlKind is a kind that sends to (or stops at, or has a person open) URLs written as templates.
type urlKind interface {
	urlTemplates() []string
}

func (r *RequestSpec) urlTemplates() []string { return []string{r.URL} }
func (k *WalkKind) urlTemplates() []string    { return []string{k.URL, k.Until} }
func (k *InputKind) urlTemplates() []string   { return []string{k.Open} }

// URLVars maps every variable a flow uses as the start of a URL ("{{token_url}}",
// "{{api_base}}/sim-swap/…") to the first step that does, so that a profile value that is not a
// URL is caught before anything runs rather than at the step.
func (f *Flow) URLVars() map[string]*Step {
	out := map[string]*Step{}
	for _, s := range f.Steps {
		k, ok := s.Kind.(urlKind)
		if !ok {
			continue
		}
		for _, t := range k.urlTemplates() {
			m := templateRef.FindStringSubmatchIndex(t)
			if m == nil || m[0] != 0 {
				continue
			}
			if name := t[m[2]:m[3]]; out[name] == nil {
				out[name] = s
			}
		}
	}
	return out
}

// Answers lists the variables that answer a flow's questions to a person without asking (with
// --var NAME=VALUE): what its input steps ask for and the callbacks of its walks on the device.
func (f *Flow) Answers() []string {
	var out []string
	for _, s := range f.Steps {
		switch k := s.Kind.(type) {
		case *InputKind:
			out = append(out, k.Into)
		case *WalkKind:
			out = append(out, callbackVar(s))
		}
	}
	return out
}

// URLProblem says what is wrong with v as the start of a URL telconform sends requests to ("is
// not an absolute URL", "has no host"), or "" when it is an absolute http or https URL with a host.
func URLProblem(v string) string {
	u, err := url.Parse(v)
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		return fmt.Sprintf("is not a URL (%v)", ue.Err)
	case err != nil:
		return fmt.Sprintf("is not a URL (%v)", err)
	case !strings.Contains(v, "://"):
		return "is not an absolute URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "is not an http or https URL"
	case u.Hostname() == "":
		return "has no host"
	}
	return ""
}
