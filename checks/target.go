package checks

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/tidwall/gjson"
)

// Target names the part of the evidence a check looks at. It is written in flow files as
// `on = "status"`, `"header:Cache-Control"`, `"body"`, `"body:device_match.polling_uri"` (a gjson
// path), `"query:state"` (the query of the redirect the step ended on), `"redirect"` (that whole
// URL) or `"duration"` (milliseconds).
type Target struct {
	Where string // status, header, body, query, redirect or duration
	Name  string // header name, gjson path or query parameter; empty for the others
}

// ParseTarget reads the `on` field of an inline check.
func ParseTarget(on string) (Target, error) {
	where, name, hasName := strings.Cut(on, ":")
	t := Target{Where: where, Name: name}
	switch where {
	case "status", "redirect", "duration":
		if hasName {
			return t, fmt.Errorf("%q takes no name after the colon", where)
		}
	case "header", "query":
		if name == "" {
			return t, fmt.Errorf("%q needs a name, as in %q", where, where+":state")
		}
	case "body":
		if hasName && name == "" {
			return t, fmt.Errorf(`"body:" needs a gjson path after the colon, or write "body" for the whole body`)
		}
	default:
		return t, fmt.Errorf("unknown target %q: use status, header:NAME, body, body:PATH, query:NAME, redirect or duration", on)
	}
	return t, nil
}

// String renders the target the way it is written in flow files, for outcomes.
func (t Target) String() string {
	if t.Name == "" {
		return t.Where
	}
	return t.Where + " " + t.Name
}

// Value extracts the target's value from the evidence.
func (t Target) Value(ev *Evidence) Value {
	switch t.Where {
	case "status":
		if ev.Status == 0 {
			return Value{Kind: KindAbsent}
		}
		return NumberValue(float64(ev.Status))
	case "duration":
		return NumberValue(float64(ev.Duration.Milliseconds()))
	case "header":
		// Field names are case-insensitive (RFC 9110 5.1), so flow files may write any case.
		vs, ok := ev.Header[textproto.CanonicalMIMEHeaderKey(t.Name)]
		if !ok || len(vs) == 0 {
			return Value{Kind: KindAbsent}
		}
		return StringValue(strings.Join(vs, ", "))
	case "query":
		if ev.Redirect == nil {
			return Value{Kind: KindAbsent}
		}
		q := ev.Redirect.Query()
		if !q.Has(t.Name) {
			return Value{Kind: KindAbsent}
		}
		return StringValue(q.Get(t.Name))
	case "redirect":
		if ev.Redirect == nil {
			return Value{Kind: KindAbsent}
		}
		return StringValue(ev.Redirect.String())
	case "body":
		if t.Name == "" {
			if len(ev.Body) == 0 {
				return Value{Kind: KindAbsent}
			}
			if gjson.ValidBytes(ev.Body) {
				return JSONValue(gjson.ParseBytes(ev.Body))
			}
			return StringValue(string(ev.Body))
		}
		if !gjson.ValidBytes(ev.Body) {
			return Value{Kind: KindAbsent}
		}
		return JSONValue(gjson.GetBytes(ev.Body, t.Name))
	}
	return Value{Kind: KindAbsent}
}
