package flows

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/telconform/telconform/internal/tomlfile"
)

// Fuzz targets for what telconform reads from outside: flow files, templates filled with
// provider values, redirects, and the masking every output goes through. Their seed corpora live
// in testdata/fuzz and run as ordinary tests; `go test -fuzz FuzzMask ./flows` explores further.

// label matches what Mask writes in place of a secret.
var label = regexp.MustCompile(`\[secret:[^\]]*\]`)

// unmasked is the masked text with each label replaced by a character the secret does not hold,
// so that a label's own letters ("secret") or the text either side of it cannot pass for it.
func unmasked(masked, secret string) string {
	sep := "\x00"
	for r := rune(1); strings.ContainsRune(secret, rune(sep[0])); r++ {
		sep = string(r)
	}
	return label.ReplaceAllString(masked, sep)
}

// FuzzMask: a registered secret never appears in masked output, whatever surrounds it and in
// whichever wire form it appears (as is, URL-encoded, JSON-escaped), and however the output is
// then cut: clipped to a number of characters (a check's got), cut to a number of bytes (a body)
// or turned into a record body.
func FuzzMask(f *testing.F) {
	f.Add("s3cr3t-value", "before ", " after", uint8(0), 20)
	f.Add("p+%:s é/ü&=", `{"a":"`, `"}`, uint8(2), 7)
	f.Add("aa", "a", "a", uint8(0), 1)
	f.Add("secret", "[secret:", "]", uint8(1), 3)
	f.Fuzz(func(t *testing.T, secret, before, after string, form uint8, n int) {
		if secret == "" {
			return
		}
		m := NewMasker()
		m.Add("client_secret", secret)
		forms := variants(secret)
		in := before + forms[int(form)%len(forms)] + after + secret
		out := m.Mask(in)
		n = max(n, 1) % (len(out) + 2)
		clipped := clipText(out, max(n, 2))
		cutOut, _ := cut(out, n)
		if strings.Contains(unmasked(out, secret), secret) {
			t.Fatalf("masked output %q holds the secret %q (input %q)", out, secret, in)
		}
		// Every cut is taken from the masked text, so it holds no more than that does.
		record, _, binary := recordBody(out, len(in), n)
		if !binary && !strings.HasPrefix(out, record) || !strings.HasPrefix(out, cutOut) {
			t.Fatalf("a cut of %q is not a part of it: %q, %q", out, record, cutOut)
		}
		if runes := string([]rune(out)); clipped != out && !strings.HasPrefix(runes, strings.TrimSuffix(clipped, "…")) {
			t.Fatalf("clipped %q is not a part of the masked text %q", clipped, runes)
		}
		if utf8.ValidString(out) && !utf8.ValidString(cutOut) {
			t.Fatalf("cut %q at %d gave invalid UTF-8 %q", out, n, cutOut)
		}
	})
}

// FuzzLearnedSecretsAreMasked: a token a provider sends in a JSON body (whole, or cut off), a form
// body, a query or fragment parameter, or a Location that does not parse is learned and never
// appears in what is masked afterwards.
func FuzzLearnedSecretsAreMasked(f *testing.F) {
	f.Add("tok_0123456789", uint8(0), "")
	f.Add("abc/def+ghi==", uint8(1), "x")
	f.Add("c0de-xyz", uint8(2), "https://bad host/cb")
	f.Add("c0de-xyz", uint8(3), "https://client.example/cb")
	f.Fuzz(func(t *testing.T, token string, shape uint8, prefix string) {
		if len(token) < minLearned || !utf8.ValidString(token) || strings.ContainsAny(token, "\"\\&#=?;,()<>'") ||
			strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return // the shapes below only carry tokens their syntax can hold as they are
		}
		m := NewMasker()
		var text string
		switch shape % 5 {
		case 0: // a JSON body
			text = `{"token_type":"Bearer","access_token":"` + token + `"}`
			m.learnBody([]byte(text))
		case 1: // the same, cut off inside the token's member
			text = `{"token_type":"Bearer","access_token":"` + token
			m.learnBody([]byte(text))
		case 2: // a Location that does not parse, a code in its query
			text = prefix + "?code=" + token + "&state=s"
			m.learnText(text)
		case 3: // a code in a fragment
			text = prefix + "#code=" + token
			m.learnText(text)
		default: // a form body
			text = "token_type=bearer&access_token=" + url.QueryEscape(token)
			m.learnBody([]byte(text))
		}
		if out := m.Mask(text + " " + token); strings.Contains(unmasked(out, token), token) {
			t.Fatalf("learned from %q, yet %q holds %q", text, out, token)
		}
	})
}

// FuzzExpand: filling templates is one pass (a value that looks like a template is not filled
// again), reports the first name it has no value for, and, with the JSON escape, always yields
// the value back from a JSON string.
func FuzzExpand(f *testing.F) {
	f.Add(`{"phoneNumber":"{{number}}"}`, "+34666666666")
	f.Add(`{{a}}{{ b }}{{missing}}`, `{{a}}"\`)
	f.Add(`{"x":"{{a}}"}`, "\x00\u2028</script>")
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		if !utf8.ValidString(value) {
			return // values come from TOML and JSON: always UTF-8
		}
		vars := map[string]string{"a": value, "b": value, "number": value}
		lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
		out, err := expand(tmpl, lookup, nil)
		var missing *MissingError
		names := templateNames(tmpl)
		wantMissing := ""
		for _, n := range names {
			if _, ok := vars[n]; !ok {
				wantMissing = n
				break
			}
		}
		switch {
		case wantMissing != "" && (!errors.As(err, &missing) || missing.Name != wantMissing):
			t.Fatalf("expand(%q) error %v, want {{%s}} missing", tmpl, err, wantMissing)
		case wantMissing == "" && err != nil:
			t.Fatalf("expand(%q): %v", tmpl, err)
		}
		if wantMissing == "" && len(names) == 0 && out != tmpl {
			t.Fatalf("expand(%q) changed a template with no names: %q", tmpl, out)
		}
		// In a JSON string, any value comes back out as it went in.
		doc, err := expand(`{"v":"{{a}}"}`, lookup, jsonEscape)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ V string }
		if err := json.Unmarshal([]byte(doc), &got); err != nil || got.V != value {
			t.Fatalf("JSON template with %q gave %q (%v)", value, doc, err)
		}
	})
}

// FuzzParseLocation: any Location either resolves to an absolute URL against the request's, or
// is reported as not parsing, quoting it; and a code it carries is masked either way once the
// engine has learned from it the way it does.
func FuzzParseLocation(f *testing.F) {
	f.Add("https://client.example/cb?code=abcdef123&state=xyz")
	f.Add("/cb?code=abcdef123")
	f.Add("https://bad host/cb?code=abcdef123")
	f.Add("https://client.example/cb#code=abcdef123")
	f.Add("%zz")
	f.Add("//other.example:99999/")
	base, _ := url.Parse("https://auth.example/authorize?client_id=c")
	f.Fuzz(func(t *testing.T, loc string) {
		u, problem := parseLocation(base, loc)
		m := NewMasker()
		var shown string
		switch {
		case problem != "":
			if u != nil || !strings.HasSuffix(problem, loc) {
				t.Fatalf("%q: problem %q with url %v", loc, problem, u)
			}
			m.learnText(loc)
			shown = problem
		default:
			if u == nil || !u.IsAbs() {
				t.Fatalf("%q resolved to %v, not an absolute URL", loc, u)
			}
			m.learnQuery(u)
			shown = u.String()
		}
		if u != nil {
			if code := u.Query().Get("code"); len(code) >= minLearned && strings.Contains(m.Mask(shown), code) {
				t.Fatalf("%q: the code %q shows in %q", loc, code, m.Mask(shown))
			}
		}
	})
}

// FuzzParseFlows: any flow file is read into flows or refused with file errors, never a panic,
// and every error names a line within the file.
func FuzzParseFlows(f *testing.F) {
	for _, src := range []string{minimalFlow, "[[flow]]\nid = 1", "[[flow]]\n[[flow.step]]\n[flow.step.walk]\n", "x = \"\\u0000\""} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse("f.toml", data)
		if err == nil {
			for _, x := range fl {
				if x.ID == "" || len(x.Steps) == 0 {
					t.Fatalf("accepted a flow without id or steps: %+v", x)
				}
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		errs, ok := tomlfile.AsFileErrors(err)
		if !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, e := range errs {
			if e.Line > lines || e.File != "f.toml" {
				t.Fatalf("error %v for a %d-line file", e, lines)
			}
		}
	})
}

const minimalFlow = `[[flow]]
id = "x.y"
title = "T"
ref = "telconform lab"
explain = "E"
  [[flow.step]]
  id = "s"
  title = "S"
  explain = "E"
  checks = [ { id = "c", on = "status", equals = 200, ref = "telconform lab" } ]
    [flow.step.request]
    url = "{{base}}/x"
`
