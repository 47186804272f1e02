package flows

import (
	"fmt"
	"net/http"
	"strings"
)

// Description says what a step will do if it runs now, with the values known so far filled in
// and secrets masked: what the walk-mode preview and the terminal UI show before a step is sent.
// A value not known yet reads as its template, {{name}}, never URL-encoded.
type Description struct {
	Kind    string
	Summary string // one line: "POST https://…/token", "wait 5m1s"
	Method  string
	URL     string
	Header  http.Header
	Body    string
	// Notes say what else happens: who follows the redirects, how often a poll repeats, what a
	// person is asked for.
	Notes []string
	// Checks are the ids of the checks the step will run.
	Checks []string
	// Missing lists the templates that have no value yet.
	Missing []string
}

// describer fills templates for a description: known values as they are, unknown ones as a
// placeholder that survives URL and JSON encoding and is turned back into {{name}} at the end.
type describer struct {
	lookup  func(string) (string, bool)
	mask    func(string) string
	auth    func(b *built, mode string) error // the client authentication method, not signing
	method  string                            // the profile's client authentication method
	walk    string                            // who follows authorization redirects
	names   []string                          // placeholder i stands for names[i]
	missing []string
}

// fillNoError is fill as a filler: a description never fails for want of a value.
func (d *describer) fillNoError(t string, escape func(string) string) (string, error) {
	return d.fill(t, escape), nil
}

// clientAuth adds the client's credentials to a described request; a method that cannot apply
// is left for the note to explain.
func (d *describer) clientAuth(b *built, mode string) error {
	_ = d.auth(b, mode)
	return nil
}

// clientAuthNote says how the client authenticates, since the profile decides it.
func (d *describer) clientAuthNote(mode string) string {
	method := d.method
	if method == "" {
		method = "(no method: the profile must set [client] token_endpoint_auth_method)"
	}
	if mode == ClientAuthWrong {
		return "The client authenticates with " + method + ", with credentials that are deliberately wrong."
	}
	return "The client authenticates with " + method + " (the profile's [client] token_endpoint_auth_method)."
}

func (d *describer) fill(t string, escape func(string) string) string {
	out, _ := expand(t, func(name string) (string, bool) {
		if v, ok := d.lookup(name); ok {
			return v, true
		}
		for i, n := range d.names {
			if n == name {
				return placeholder(i), true
			}
		}
		d.names = append(d.names, name)
		d.missing = append(d.missing, name)
		return placeholder(len(d.names) - 1), true
	}, escape)
	return out
}

// placeholder is alphanumeric so that no encoding changes it.
func placeholder(i int) string { return fmt.Sprintf("zzTELCONFORMVAR%dzz", i) }

// finish masks what the description shows and puts the templates back.
func (d *describer) finish(desc Description) Description {
	restore := func(s string) string {
		s = d.mask(s)
		for i, n := range d.names {
			s = strings.ReplaceAll(s, placeholder(i), "{{"+n+"}}")
		}
		return s
	}
	desc.Summary, desc.URL, desc.Body = restore(desc.Summary), restore(desc.URL), restore(desc.Body)
	if desc.Header != nil {
		h := make(http.Header, len(desc.Header))
		for k, vs := range desc.Header {
			for _, v := range vs {
				h[k] = append(h[k], restore(v))
			}
		}
		desc.Header = h
	}
	for i, n := range desc.Notes {
		desc.Notes[i] = restore(n)
	}
	desc.Missing = d.missing
	return desc
}
