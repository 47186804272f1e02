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
// URL), `"duration"` (milliseconds), `"received:…"` (the request a listener received:
// `received:method`, `received:path`, `received:header:NAME`, `received:query:NAME`,
// `received:body`, `received:body:PATH`) or `"jwt:PATH"` (a minted token, decoded:
// `jwt:header.alg`, `jwt:claims.exp`).
type Target struct {
	Where string // status, header, body, query, redirect, duration, received or jwt
	Name  string // header name, gjson path, query parameter or received part; empty for the others
}

const targetHelp = "use status, header:NAME, body, body:PATH, query:NAME, redirect, duration, received:PART or jwt:PATH"

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
	case "jwt":
		if name == "" {
			return t, fmt.Errorf(`"jwt" needs a path, as in "jwt:header.alg" or "jwt:claims.exp"`)
		}
		if first, _, _ := strings.Cut(name, "."); first != "header" && first != "claims" {
			return t, fmt.Errorf(`%q: a jwt path starts with header or claims, as in "jwt:claims.exp"`, on)
		}
	case "received":
		part, sub, hasSub := strings.Cut(name, ":")
		switch part {
		case "method", "path":
			if hasSub {
				return t, fmt.Errorf("%q takes nothing after %s", on, part)
			}
		case "header", "query":
			if sub == "" {
				return t, fmt.Errorf("%q needs a name, as in %q", on, "received:"+part+":Authorization")
			}
		case "body":
			if hasSub && sub == "" {
				return t, fmt.Errorf(`"received:body:" needs a gjson path after the colon`)
			}
		default:
			return t, fmt.Errorf("unknown target %q: received takes method, path, header:NAME, query:NAME, body or body:PATH", on)
		}
	default:
		return t, fmt.Errorf("unknown target %q: %s", on, targetHelp)
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
		return headerValue(ev.Header, t.Name)
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
		return bodyValue(ev.Body, t.Name)
	case "received":
		return receivedValue(ev.Received, t.Name)
	case "jwt":
		if ev.Token == nil {
			return Value{Kind: KindAbsent}
		}
		part, path, _ := strings.Cut(t.Name, ".")
		doc := ev.Token.Claims
		if part == "header" {
			doc = ev.Token.Header
		}
		return bodyValue(doc, path)
	}
	return Value{Kind: KindAbsent}
}

// headerValue reads a header; field names are case-insensitive (RFC 9110 5.1), so flow files may
// write any case, and repeated fields read as one comma-joined list.
func headerValue(h map[string][]string, name string) Value {
	vs, ok := h[textproto.CanonicalMIMEHeaderKey(name)]
	if !ok || len(vs) == 0 {
		return Value{Kind: KindAbsent}
	}
	return StringValue(strings.Join(vs, ", "))
}

// bodyValue reads a body whole (path "") or at a gjson path.
func bodyValue(body []byte, path string) Value {
	if path == "" {
		if len(body) == 0 {
			return Value{Kind: KindAbsent}
		}
		if gjson.ValidBytes(body) {
			return JSONValue(gjson.ParseBytes(body))
		}
		return StringValue(string(body))
	}
	if !gjson.ValidBytes(body) {
		return Value{Kind: KindAbsent}
	}
	return JSONValue(gjson.GetBytes(body, path))
}

func receivedValue(r *Received, name string) Value {
	if r == nil {
		return Value{Kind: KindAbsent}
	}
	part, sub, _ := strings.Cut(name, ":")
	switch part {
	case "method":
		return StringValue(r.Method)
	case "path":
		return StringValue(r.Path)
	case "header":
		return headerValue(r.Header, sub)
	case "query":
		if !r.Query.Has(sub) {
			return Value{Kind: KindAbsent}
		}
		return StringValue(r.Query.Get(sub))
	case "body":
		return bodyValue(r.Body, sub)
	}
	return Value{Kind: KindAbsent}
}
