package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
)

const jsonContentType = "application/json"

// member is one name and value of a JSON object.
type member struct {
	name  string
	value any
}

// object is a JSON object that keeps its members in the order they were written, so a response
// reads like the example in the provider's document, and a fault can drop or retype one member
// without disturbing the rest.
type object []member

// MarshalJSON writes the members in order, without escaping HTML characters, since these bodies
// are read by programs and people, never embedded in a page.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := marshalPlain(m.name)
		if err != nil {
			return nil, err
		}
		value, err := marshalPlain(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// without returns o less the member called name.
func (o object) without(name string) object {
	var kept object
	for _, m := range o {
		if m.name != name {
			kept = append(kept, m)
		}
	}
	return kept
}

// with returns o with the member called name set to value, in place if it exists, else appended.
func (o object) with(name string, value any) object {
	changed := append(object(nil), o...)
	for i := range changed {
		if changed[i].name == name {
			changed[i].value = value
			return changed
		}
	}
	return append(changed, member{name, value})
}

// marshalPlain is json.Marshal without HTML escaping and without the trailing newline.
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON sends body as the whole response with the given status and Content-Type. Headers the
// caller set beforehand are kept.
func writeJSON(w http.ResponseWriter, status int, contentType string, body any) {
	data, err := marshalPlain(body)
	if err != nil {
		// Only the sandbox's own values are marshalled, so this is a programming error.
		http.Error(w, "sandbox: cannot encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
