package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/telconform/telconform/checks"
)

// Masker remembers every secret seen in a run — profile secrets from the moment they are loaded,
// and values learned on the way (tokens, codes, session keys, cookies) — and replaces each of
// them, wherever it appears again, by a label naming what was there: `[secret:access_token]`.
//
// Masking follows values rather than field names, so a token seen once in a response is also
// masked when it comes back in an Authorization header, a redirect URL or a check's "got".
type Masker struct {
	mu       sync.RWMutex
	labels   map[string]string // value → label
	replacer *strings.Replacer
	gen      uint64 // counts the values added; a record masked at this generation needs no redo
}

// generation counts the secrets known so far, so that what was masked at one generation can be
// kept until a new secret is learned.
func (m *Masker) generation() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.gen
}

// NewMasker makes an empty masker.
func NewMasker() *Masker { return &Masker{labels: map[string]string{}} }

// minLearned is the shortest value masked when it was recognised by its field name rather than
// declared a secret: masking every "42" in a report would hide more than it protects.
const minLearned = 6

// secretMembers are JSON members whose string values are credentials whatever flow they appear
// in. "code" is not one of them: in a JSON body it is a CAMARA error code, which a reader must see.
var secretMembers = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true,
	"client_secret": true, "password": true, "sesskey": true, "apikey": true,
	"notification_token": true, "client_assertion": true, "assertion": true,
}

// secretParam reports whether a query parameter carries a credential: the members above, the
// authorization code, and the codes and sessions an operator's redirect chain passes along.
func secretParam(name string) bool {
	name = strings.ToLower(name)
	return secretMembers[name] || name == "code" || name == "session" || strings.HasSuffix(name, "_code")
}

// Add registers a declared secret under a label. Empty values are ignored.
func (m *Masker) Add(label, value string) {
	if value == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range variants(value) {
		if _, ok := m.labels[v]; !ok {
			m.labels[v] = label
			m.replacer = nil
			m.gen++
		}
	}
}

// learn registers a value recognised by its field name, if it is long enough to be worth it.
func (m *Masker) learn(label, value string) {
	if len(value) >= minLearned {
		m.Add(label, value)
	}
}

// variants are the forms a secret takes on the wire: as is, URL-encoded in a query or form, and
// escaped inside a JSON string.
func variants(v string) []string {
	out := []string{v}
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v), jsonEscape(v)} {
		if e != v {
			out = append(out, e)
		}
	}
	return out
}

// Mask replaces every known secret in s.
func (m *Masker) Mask(s string) string {
	if s == "" {
		return s
	}
	m.mu.RLock()
	r := m.replacer
	m.mu.RUnlock()
	if r == nil {
		m.mu.Lock()
		if m.replacer == nil {
			values := make([]string, 0, len(m.labels))
			for v := range m.labels {
				values = append(values, v)
			}
			// Longest first, so a secret that contains another is replaced whole.
			sort.Slice(values, func(i, j int) bool {
				if len(values[i]) != len(values[j]) {
					return len(values[i]) > len(values[j])
				}
				return values[i] < values[j]
			})
			pairs := make([]string, 0, 2*len(values))
			for _, v := range values {
				pairs = append(pairs, v, "[secret:"+m.labels[v]+"]")
			}
			m.replacer = strings.NewReplacer(pairs...)
		}
		r = m.replacer
		m.mu.Unlock()
	}
	return r.Replace(s)
}

// learnHeaders registers credentials carried by headers, whatever their value looks like: the
// credentials of an Authorization header (and the password inside Basic ones) and cookie values.
// Value-based masking then hides them in every header, body and URL.
func (m *Masker) learnHeaders(h http.Header) {
	for name, vs := range h {
		for _, value := range vs {
			switch strings.ToLower(name) {
			case "authorization", "proxy-authorization":
				scheme, cred, ok := strings.Cut(value, " ")
				if !ok {
					m.Add("authorization", value)
					continue
				}
				m.Add("authorization", strings.TrimSpace(cred))
				if strings.EqualFold(scheme, "Basic") {
					if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
						if _, pass, ok := strings.Cut(string(raw), ":"); ok {
							m.Add("password", pass)
						}
					}
				}
			case "cookie":
				// Only values long enough to be credentials: masking a consent=1 cookie would
				// hide every 1 in the report.
				for _, c := range strings.Split(value, ";") {
					n, v, _ := strings.Cut(strings.TrimSpace(c), "=")
					m.learn("cookie "+n, v)
				}
			case "set-cookie":
				first, _, _ := strings.Cut(value, ";")
				n, v, _ := strings.Cut(strings.TrimSpace(first), "=")
				m.learn("cookie "+n, v)
			}
		}
	}
}

// learnForm registers sensitive parameters of a form body the engine sent. A value built around a
// secret already known ("{{client_secret}}-wrong") is masked through it and keeps the rest, which
// the flow wrote and which says what was sent.
func (m *Masker) learnForm(body string) {
	values, err := url.ParseQuery(body)
	if err != nil {
		return
	}
	for k, vs := range values {
		if secretParam(k) {
			for _, v := range vs {
				if m.Mask(v) == v {
					m.learn(k, v)
				}
			}
		}
	}
}

// learnText registers credentials quoted in free text: a Location that does not parse, an error
// the transport quotes, a body that is not JSON. It looks for name=value pairs (a query, a form)
// and "name": "value" members whose names say credential.
func (m *Masker) learnText(text string) { m.learnTextNested(text, maxNesting) }

// maxNesting bounds how deep learnText looks into values that hold parameters of their own: a
// URL in a parameter of a URL is common, deeper is not, and each level rescans the text.
const maxNesting = 3

func (m *Masker) learnTextNested(text string, depth int) {
	for _, match := range queryParam.FindAllStringSubmatch(text, -1) {
		value := match[3]
		unescaped, err := url.QueryUnescape(value)
		if secretParam(match[2]) {
			if err == nil {
				m.learn(match[2], unescaped)
			}
			m.learn(match[2], value)
		}
		// A value can hold parameters of its own: a URL passed along (redirect=https://…?code=…),
		// escaped or not.
		if depth == 0 {
			continue
		}
		if strings.Contains(value, "=") {
			m.learnTextNested(value, depth-1)
		}
		if err == nil && unescaped != value && strings.Contains(unescaped, "=") {
			m.learnTextNested(unescaped, depth-1)
		}
	}
	for _, match := range jsonMember.FindAllStringSubmatch(text, -1) {
		if secretMembers[strings.ToLower(match[1])] {
			m.learn(match[1], match[2])
		}
	}
}

// queryParam finds name=value pairs in text: at the start, or after ?, &, ;, #, a space, a quote
// or a bracket.
var queryParam = regexp.MustCompile(`(^|[?&;#,(\s"'])([A-Za-z_][A-Za-z0-9_.-]*)=([^&\s"'<>#,)]+)`)

// SecretName reports whether a variable's name says it holds a credential, so that a value
// generated under it is masked (a notification token, a bogus bearer) and a profile that puts
// one under [vars] is told to move it to [secrets].
// The name must end with the word: notification_token is a secret, token_url is not.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "password", "passwd", "token", "apikey", "api_key", "private_key", "sesskey"} {
		if n == w || strings.HasSuffix(n, "_"+w) {
			return true
		}
	}
	return false
}

// learnBody registers the credentials a body carries: sensitive JSON members at any depth when it
// parses; when it does not (cut short, or not JSON at all), sensitive members found in its text,
// form-encoded parameters, and anything shaped like a JWT.
func (m *Masker) learnBody(body []byte) {
	if len(body) == 0 {
		return
	}
	if json.Valid(body) {
		walkJSON(body, func(key, value string) {
			if secretMembers[strings.ToLower(key)] {
				m.learn(key, value)
			}
		})
	} else {
		m.learnText(string(body))
	}
	for _, jwt := range jwtShape.FindAll(body, -1) {
		m.learn("jwt", string(jwt))
	}
}

// jwtShape is a compact JWS: a JSON header starting {" in base64url, then two more segments.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// jsonMember finds "name": "value" in text that does not parse as JSON; the value may be cut off.
var jsonMember = regexp.MustCompile(`"([A-Za-z_][A-Za-z0-9_.-]*)"\s*:\s*"((?:[^"\\]|\\.)*)`)

// learnQuery registers sensitive parameters of a URL (a code in a redirect, a key in a query).
func (m *Masker) learnQuery(u *url.URL) {
	if u == nil {
		return
	}
	for k, vs := range u.Query() {
		if secretParam(k) {
			for _, v := range vs {
				m.learn(k, v)
			}
		}
	}
}

// maxOutcomeText is how much of a check's expected and got a record keeps, once masked.
const maxOutcomeText = 240

// maskOutcome masks what a check reports (a "got" may quote a token), then cuts it to size:
// masking first means no part of a secret survives the cut.
func (m *Masker) maskOutcome(o checks.Outcome) checks.Outcome {
	o.Expected = m.maskValue(o.Expected)
	o.Got = m.maskValue(o.Got)
	o.Reason = m.Mask(o.Reason)
	return o
}

// maskValue masks a value a check rendered and cuts it to maxOutcomeText. The checks package
// already cut a very long value (a whole body) at checks.MaxRendered bytes, marking the cut: a
// secret that cut went through is left at the end as its first part, which Mask cannot
// recognise. So the end of a value cut there loses whatever begins a secret, before its own cut.
func (m *Masker) maskValue(v string) string {
	masked := m.Mask(v)
	if body, ok := strings.CutSuffix(masked, "…"); ok && len(v) > checks.MaxRendered {
		masked = body[:len(body)-m.secretStartAtEnd(body)] + "…"
	}
	return clipText(masked, maxOutcomeText)
}

// secretStartAtEnd says how many bytes at the end of s are the beginning of a known secret (in
// any of its forms): what is left of one when s was cut through it.
func (m *Masker) secretStartAtEnd(s string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	longest := 0
	for v := range m.labels {
		longest = max(longest, startAtEnd(s, v))
	}
	return longest
}

// startAtEnd is the length of the longest proper prefix of v that s ends with (Knuth-Morris-Pratt
// over the end of s, so linear in the length of v).
func startAtEnd(s, v string) int {
	if len(v) < 2 {
		return 0
	}
	fail := make([]int, len(v)) // fail[i]: the longest proper border of v[:i+1]
	for i, k := 1, 0; i < len(v); i++ {
		for k > 0 && v[i] != v[k] {
			k = fail[k-1]
		}
		if v[i] == v[k] {
			k++
		}
		fail[i] = k
	}
	q := 0 // how much of v the text read so far ends with
	for i := max(0, len(s)-len(v)+1); i < len(s); i++ {
		for q > 0 && s[i] != v[q] {
			q = fail[q-1]
		}
		if s[i] == v[q] {
			q++
		}
		if q == len(v) {
			q = fail[q-1]
		}
	}
	return q
}

// clipText cuts s to n runes, marking the cut.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// walkJSON calls fn for every string member of every object in a JSON document, reading it as a
// stream of tokens: a member named twice (which JSON parsers disagree about, and a map keeps only
// once) is visited every time, so no value a provider sent escapes being learned.
func walkJSON(body []byte, fn func(key, value string)) {
	dec := json.NewDecoder(bytes.NewReader(body))
	// A frame is an open object or array; in an object, key is the member whose value is next,
	// or "" when a key is next.
	type frame struct {
		object bool
		key    string
		keyed  bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if top != nil {
					top.keyed = false // the container is the member's value
				}
				stack = append(stack, frame{object: t == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && !top.keyed {
				top.key, top.keyed = t, true
				continue
			}
			if top != nil && top.object {
				fn(top.key, t)
			}
		}
		if top != nil {
			top.keyed = false
		}
	}
}
