package flows

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/telconform/telconform/checks"
)

// RequestSpec is one HTTP request as a flow file writes it. Request, walk and poll steps all
// send requests of this shape.
type RequestSpec struct {
	Method string            `toml:"method"` // default GET, or POST when there is a body
	URL    string            `toml:"url"`
	Query  map[string]string `toml:"query"`
	Header map[string]string `toml:"header"`
	Form   map[string]string `toml:"form"`
	JSON   string            `toml:"json"`
	Body   string            `toml:"body"`
	// Basic is HTTP Basic credentials for a user (RFC 7617), sent as written.
	Basic *BasicAuth `toml:"basic"`
	// ClientAuth says the request authenticates the OAuth client at a token endpoint, the way
	// the profile's client authentication method says: "client" with its real credentials,
	// "wrong-credentials" with credentials the server must refuse.
	ClientAuth string `toml:"client_auth"`
	// Repeat names form parameters sent twice, with the same value: RFC 6749 3.1 and 3.2 forbid
	// it, and a negative case checks that the server refuses it.
	Repeat []string `toml:"repeat"`
	// Cookies = false sends none of the flow's cookies and keeps none the answer sets, so a step
	// can show that another credential (a session key in the query, an API key) works on its own.
	Cookies *bool `toml:"cookies"`
}

// BasicAuth is HTTP Basic credentials for a user (RFC 7617), usually templates naming secrets.
type BasicAuth struct {
	User     string `toml:"user"`
	Password string `toml:"password"`
}

// Client authentication modes a request may ask for.
const (
	ClientAuthValid = "client"
	ClientAuthWrong = "wrong-credentials"
)

var validMethod = regexp.MustCompile(`^[A-Z]+$`).MatchString

func (r *RequestSpec) validate(v *validation) {
	if r.URL == "" {
		v.at("url", "this step needs a url: the request to send")
	}
	if r.Method != "" && !validMethod(r.Method) {
		v.at("method", fmt.Sprintf("method %q: write an HTTP method in capitals, as in POST", r.Method))
	}
	bodies := 0
	for _, b := range []bool{len(r.Form) > 0, r.JSON != "", r.Body != ""} {
		if b {
			bodies++
		}
	}
	if bodies > 1 {
		v.at("form", "a request sends one body: use only one of form, json and body")
	}
	switch r.ClientAuth {
	case "":
	case ClientAuthValid, ClientAuthWrong:
		if r.JSON != "" || r.Body != "" {
			v.at("client_auth", "client authentication goes with a form body (or none): remove json or body")
		}
		v.clientAuth()
	default:
		v.at("client_auth", fmt.Sprintf("client_auth %q: use %q or %q (the profile says how the client authenticates)", r.ClientAuth, ClientAuthValid, ClientAuthWrong))
	}
	for _, name := range r.Repeat {
		if _, ok := r.Form[name]; !ok {
			v.at("repeat", fmt.Sprintf("repeat %q: only a parameter of this step's form can be sent twice", name))
		}
	}
	v.use(r.URL)
	for _, m := range []map[string]string{r.Query, r.Header, r.Form} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v.use(m[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		v.use(k)
	}
	v.use(r.JSON)
	v.use(r.Body)
	if r.Basic != nil {
		v.use(r.Basic.User)
		v.use(r.Basic.Password)
	}
}

// filler fills a template; escape (may be nil) is applied to each value.
type filler func(t string, escape func(string) string) (string, error)

// built is a request with its templates filled, before it becomes an *http.Request.
type built struct {
	method    string
	url       *url.URL
	header    http.Header
	form      url.Values
	body      string
	noCookies bool // the step's cookies = false
}

// build fills the spec's templates. auth, when the spec authenticates the client, adds the
// client's credentials to the form or the header.
func (r *RequestSpec) build(fill filler, auth func(b *built, mode string) error) (*built, error) {
	rawURL, err := fill(r.URL, nil)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("url %q is not an absolute URL: check the profile's base URLs", rawURL)
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for _, k := range slices.Sorted(maps.Keys(r.Query)) {
			v, err := fill(r.Query[k], nil)
			if err != nil {
				return nil, err
			}
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	b := &built{url: u, header: http.Header{}}
	switch {
	case len(r.Form) > 0 || r.ClientAuth != "":
		b.form = url.Values{}
		for _, k := range slices.Sorted(maps.Keys(r.Form)) {
			v, err := fill(r.Form[k], nil)
			if err != nil {
				return nil, err
			}
			b.form.Set(k, v)
		}
	case r.JSON != "":
		j, err := fill(r.JSON, jsonEscape)
		if err != nil {
			return nil, err
		}
		b.body = j
		b.header.Set("Content-Type", "application/json")
	case r.Body != "":
		body, err := fill(r.Body, nil)
		if err != nil {
			return nil, err
		}
		b.body = body
	}
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		// The name may be a template too: a correlation header's name is the profile's choice.
		name, err := fill(k, nil)
		if err != nil {
			return nil, err
		}
		v, err := fill(r.Header[k], nil)
		if err != nil {
			return nil, err
		}
		b.header.Set(name, v)
	}
	if r.Basic != nil {
		user, err := fill(r.Basic.User, nil)
		if err != nil {
			return nil, err
		}
		pass, err := fill(r.Basic.Password, nil)
		if err != nil {
			return nil, err
		}
		req := &http.Request{Header: b.header}
		req.SetBasicAuth(user, pass)
	}
	if r.ClientAuth != "" && auth != nil {
		if err := auth(b, r.ClientAuth); err != nil {
			return nil, err
		}
	}
	for _, name := range r.Repeat {
		if vs := b.form[name]; len(vs) > 0 {
			b.form[name] = append(vs, vs[0])
		}
	}
	if b.form != nil && len(b.form) > 0 {
		b.body = b.form.Encode()
		b.header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	b.noCookies = r.Cookies != nil && !*r.Cookies
	b.method = r.Method
	if b.method == "" {
		b.method = http.MethodGet
		if b.body != "" {
			b.method = http.MethodPost
		}
	}
	return b, nil
}

// request turns a built request into one the client can send.
func (b *built) request(ctx context.Context) (*http.Request, error) {
	var body *strings.Reader
	if b.body != "" {
		body = strings.NewReader(b.body)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, b.method, b.url.String(), body)
	} else {
		req, err = http.NewRequestWithContext(ctx, b.method, b.url.String(), nil)
	}
	if err != nil {
		return nil, err
	}
	for k, vs := range b.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return req, nil
}

// sent is what checks compare the answer with.
func (b *built) sent() checks.Sent {
	return checks.Sent{Method: b.method, Scheme: b.url.Scheme, Query: b.url.Query(), Form: b.form, Header: b.header.Clone(),
		AuthHeader: b.header.Get("Authorization") != ""}
}

// describe says what the request would send now, for a step of the given kind.
func (r *RequestSpec) describe(d *describer, kind string) Description {
	b, err := r.build(d.fillNoError, d.clientAuth)
	if err != nil {
		return Description{Kind: kind, Summary: err.Error()}
	}
	desc := Description{Kind: kind, Summary: b.method + " " + b.url.String(), Method: b.method,
		URL: b.url.String(), Header: b.header.Clone(), Body: b.body}
	if r.ClientAuth != "" {
		desc.Notes = append(desc.Notes, d.clientAuthNote(r.ClientAuth))
	}
	if b.noCookies {
		desc.Notes = append(desc.Notes, "Sent without the flow's cookies.")
	}
	return desc
}

// send fills the request's templates, sends it and returns its evidence, what was sent included.
func (r *RequestSpec) send(ctx context.Context, x *execution) (*checks.Evidence, error) {
	b, err := r.build(x.fill, x.clientAuth)
	if err != nil {
		return nil, err
	}
	req, err := b.request(ctx)
	if err != nil {
		return nil, err
	}
	x.noCookies = b.noCookies
	ev, err := x.exchange(req)
	if err != nil {
		return nil, err
	}
	ev.Sent = b.sent()
	return ev, nil
}

// RequestKind sends one request; redirects are never followed (a redirect is a thing under test).
type RequestKind struct {
	RequestSpec
}

// Name is "request".
func (*RequestKind) Name() string { return "request" }

func (k *RequestKind) validate(v *validation) { k.RequestSpec.validate(v) }

func (k *RequestKind) describe(d *describer) Description { return k.RequestSpec.describe(d, k.Name()) }

func (k *RequestKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	return k.send(ctx, x)
}
