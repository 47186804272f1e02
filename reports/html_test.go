package reports

import (
	"bytes"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

func htmlOf(t testing.TB, run *flows.RunResult) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, run, testMeta); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// element is a start tag of the page as a browser's tokenizer reads it.
type element struct {
	name  string
	attrs map[string]string
}

// elements reads every start tag of the page with encoding/xml in its HTML mode (void elements
// closed, HTML entities known, attributes without a value allowed), so that tests can hold the
// page to a list of elements and attributes rather than grep its text.
func elements(t *testing.T, page string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var out []element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the page does not tokenize: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			e := element{name: strings.ToLower(se.Name.Local), attrs: map[string]string{}}
			for _, a := range se.Attr {
				e.attrs[strings.ToLower(a.Name.Local)] = a.Value
			}
			out = append(out, e)
		}
	}
}

// The elements and attributes the page is made of. Anything else (a script, an image, an
// iframe, a link to a style sheet, an event handler) got there from the data.
var (
	pageElements = []string{"html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
		"h1", "h2", "h3", "p", "div", "span", "strong", "code", "pre", "br", "a", "table", "tr", "th", "td",
		"dl", "dt", "dd", "details", "summary"}
	pageAttrs   = []string{"lang", "charset", "name", "content", "http-equiv", "class", "id", "href", "open"}
	pageClasses = regexp.MustCompile(`^(st (pass|fail|warn|info|skip|error|known|fixed|other)|pass|fail|warn|info|skip|error|known|fixed|other|id|n|scroll|muted|note|fault|notice)$`)
	pageIDs     = regexp.MustCompile(`^p\d+-f\d+(-s\d+)?$`)
)

// checkPageShape holds a page to pageElements and pageAttrs, and every link to an anchor on the
// page itself.
func checkPageShape(t *testing.T, page string) {
	t.Helper()
	els := elements(t, page)
	ids := map[string]bool{}
	for _, e := range els {
		if id, ok := e.attrs["id"]; ok {
			ids[id] = true
		}
	}
	for _, e := range els {
		if !slices.Contains(pageElements, e.name) {
			t.Errorf("the page has a <%s> element", e.name)
		}
		for a, v := range e.attrs {
			switch {
			case !slices.Contains(pageAttrs, a):
				t.Errorf("<%s> has an attribute %s=%q", e.name, a, v)
			case a == "class" && !pageClasses.MatchString(v):
				t.Errorf("<%s> has class %q", e.name, v)
			case a == "id" && !pageIDs.MatchString(v):
				t.Errorf("<%s> has id %q", e.name, v)
			case a == "href" && (!strings.HasPrefix(v, "#") || !ids[v[1:]]):
				t.Errorf("<%s> links to %q, which is not an anchor on the page", e.name, v)
			}
		}
	}
}

// The golden file shows a reviewer what a change does to the page; the tests below hold the
// properties that make it right.
func TestHTMLGolden(t *testing.T) {
	checkGolden(t, "report.html", []byte(htmlOf(t, testRun())))
}

func TestHTMLVerdictLine(t *testing.T) {
	failing := testRun()
	failing.Status = checks.Fail
	interrupted := testRun()
	interrupted.Interrupted = true
	for _, tc := range []struct {
		name, verdict, class string
		run                  *flows.RunResult
	}{
		{"passing", "PASS", "pass", passingRun()},
		{"failing", "FAIL", "fail", failing},
		{"errored", "ERROR", "error", testRun()},
		{"interrupted", "INTERRUPTED", "error", interrupted},
		{"nil", "SKIP", "other", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := htmlOf(t, tc.run)
			for _, want := range []string{
				"<title>" + tc.verdict + ": telconform 0.1.0</title>",
				`<h1><span class="st ` + tc.class + `">` + tc.verdict + "</span> telconform 0.1.0</h1>",
			} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			checkPageShape(t, page)
		})
	}
}

// The page lists what needs attention as the Markdown report does, each entry linked to the
// step that holds its evidence.
func TestHTMLListsWhatNeedsAttention(t *testing.T) {
	run := attentionRun()
	page := htmlOf(t, run)
	attention := section(t, page, "<h2>What needs attention</h2>", "<h2>")
	ns := notices(run)
	if len(ns) != 5 {
		t.Fatalf("%d notices, want 5", len(ns))
	}
	last := -1
	for _, n := range ns {
		hn := htmlNoticeOf(n)
		link := `<a href="#` + hn.Anchor + `">` + n.profile + " / " + n.flow + " / " + n.step + "</a>"
		if n.check != nil {
			link = `<span class="id">` + hn.Check + `</span> at ` + link
		} else {
			link = "step " + link + " could not run"
		}
		i := strings.Index(attention, link)
		if i < last {
			t.Errorf("%s is not listed, or not in order (most serious first)", link)
			continue
		}
		last = i
		entry, _, _ := strings.Cut(attention[i:], "</dl>")
		entry = html.UnescapeString(entry)
		var want []string
		if n.check == nil {
			want = append(want, "<dt>reason</dt><dd>"+n.reason+"</dd>")
		} else {
			o := n.check
			if o.Expected != "" || o.Got != "" {
				want = append(want, "<dt>expected</dt><dd>"+htmlValue(o.Expected)+"</dd>", "<dt>got</dt><dd>"+htmlValue(o.Got)+"</dd>")
			}
			for label, v := range map[string]string{"target": o.Target, "ref": o.Ref, "reason": o.Reason, "explain": o.Explain} {
				if v != "" {
					want = append(want, "<dt>"+label+"</dt><dd>"+v+"</dd>")
				}
			}
		}
		for _, w := range want {
			if !strings.Contains(entry, w) {
				t.Errorf("entry %s lacks %q:\n%s", link, w, entry)
			}
		}
	}
}

// stepDetails is the <details> of one step, found by its anchor.
func stepDetails(t *testing.T, page, anchor string) string {
	t.Helper()
	return section(t, page, `<details id="`+anchor+`"`, `<details id="p`, "</section>")
}

// A step that failed, errored or warned is open; one that passed or was skipped is closed, and
// so are its exchanges.
func TestHTMLOpensFailures(t *testing.T) {
	page := htmlOf(t, testRun())
	for anchor, open := range map[string]bool{
		"p1-f1-s1": false, // token: pass
		"p1-f2-s1": true,  // token: warn
		"p1-f2-s2": true,  // check-swapped: fail
		"p1-f2-s3": true,  // check-bad-number: error
		"p1-f2-s4": false, // retrieve-date: pass
		"p1-f2-s5": false, // token-expires: skip
	} {
		d := stepDetails(t, page, anchor)
		if got := strings.HasPrefix(d, " open>"); got != open {
			t.Errorf("step %s open = %v, want %v", anchor, got, open)
		}
		opened, closed := strings.Count(d, "<details open>\n<summary><code>"), strings.Count(d, "<details>\n<summary><code>")
		if open && closed > 0 || !open && opened > 0 {
			t.Errorf("step %s (open = %v) has %d exchanges open, %d closed", anchor, open, opened, closed)
		}
	}
}

// Under each step the evidence: requests and responses with their headers and bodies, what a
// body record is (truncated, binary, more), the error that stopped an exchange, a received
// request, a minted token's header and claims and a handoff.
func TestHTMLShowsEvidence(t *testing.T) {
	run := testRun()
	st := &run.Targets[0].Flows[0].Steps[0]
	st.Received = &flows.Received{Listener: "notify", Method: "POST", URL: "/kpn/notify?x=1",
		Header: http.Header{"Authorization": {"Bearer [secret:notification_token]"}}, Body: `{"device_match":true}`, Size: 21,
		At: time.Date(2025, 3, 14, 9, 27, 0, 0, time.UTC)}
	st.Token = &flows.TokenRecord{Kind: "minted", Header: map[string]any{"alg": "RS256", "kid": "k1"},
		Claims: map[string]any{"iss": "acme", "aud": "https://auth.example/token"}}
	st.Handoff = &flows.Handoff{URL: "https://op.example/authorize?state=s", Via: "qr"}
	r := run.Targets[0].Flows[1].Steps[1].Exchanges[0].Response
	r.Binary, r.More = true, true
	page := htmlOf(t, run)
	text := html.UnescapeString(page)

	for anchor, want := range map[string][]string{
		"p1-f1-s1": {
			"<code>POST http://127.0.0.1:41873/auth/realms/konera/protocol/openid-connect/token → 200 (37 ms)</code>",
			"<pre>Authorization: Basic [secret:client_credentials]\nContent-Type: application/x-www-form-urlencoded\nX-Correlator: a<b&c\"d\n\ngrant_type=client_credentials&scope=sim-swap</pre>",
			"<code>200 OK</code> <span class=\"note\">80 bytes read</span>",
			"<pre>Cache-Control: no-store\nContent-Type: application/json\n\n{\"access_token\":\"[secret:access_token]\",\"token_type\":\"Bearer\",\"expires_in\":3600}</pre>",
			"<strong>Received</strong> by listener notify: <code>POST /kpn/notify?x=1</code>",
			"at 2025-03-14T09:27:00.000Z; 21 bytes read",
			"<pre>Authorization: Bearer [secret:notification_token]\n\n{\"device_match\":true}</pre>",
			"<strong>Token</strong> (minted)",
			"<pre>{\n  \"alg\": \"RS256\",\n  \"kid\": \"k1\"\n}</pre>",
			"<pre>{\n  \"aud\": \"https://auth.example/token\",\n  \"iss\": \"acme\"\n}</pre>",
			"<dt>handoff via</dt><dd>qr</dd>",
			"<dt>opened</dt><dd><code>https://op.example/authorize?state=s</code></dd>",
			"(the browser was not sent back)",
		},
		"p1-f2-s2": {"binary: not text, so the record is a hex excerpt", "more: the body went on past the read limit"},
		"p1-f2-s3": {"<strong>Error</strong> dial tcp 127.0.0.1:9: connect: connection refused",
			"<span class=\"note\">reason: dial tcp 127.0.0.1:9: connect: connection refused</span>"},
		"p1-f2-s4": {"70000 bytes read; truncated: the record keeps the start of the body only",
			"retrieve-date?trace=a&b=\"c\" → 200"},
		"p1-f2-s5": {"reason: waiting 5m1s is longer than the profile allows (1m0s)"},
	} {
		d := stepDetails(t, text, anchor)
		for _, w := range want {
			if !strings.Contains(d, w) {
				t.Errorf("step %s lacks %q:\n%s", anchor, w, d)
			}
		}
	}
	if strings.Contains(stepDetails(t, text, "p1-f2-s4"), "binary") {
		t.Error("a text body is called binary")
	}
}

// The page asks for nothing: no script, no style sheet, font or image from anywhere, and a
// Content-Security-Policy that would refuse them; it follows the reader's light or dark setting
// and fits a phone.
func TestHTMLIsSelfContained(t *testing.T) {
	page := htmlOf(t, testRun())
	checkPageShape(t, page)
	for _, bad := range []string{"<script", "<link", "<img", "@import", "url(", "src=", "@font-face"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"@media (prefers-color-scheme:dark)",
		"@media (max-width:40rem)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// A provider's text is shown, escaped for the page and with controls written out: it cannot add
// an element, an attribute or a link to the page.
func TestHTMLHostileRunIsInert(t *testing.T) {
	page := htmlOf(t, hostileRun())
	if !utf8.ValidString(page) {
		t.Error("the page is not UTF-8")
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("the page holds a <script")
	}
	for _, raw := range []string{"\x1b", "\u202e", "\r"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds the raw character %q", raw)
		}
	}
	checkPageShape(t, page)
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;amp;", "[x](javascript:x)", `one\ntwo \x1b[2J \u202eevil`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if shown := strings.Count(html.UnescapeString(page), termtext.Line(hostile)); shown < 20 {
		t.Errorf("the hostile value is shown written out %d times; every field should show it", shown)
	}
	if want := cutNote(utf8.RuneCountInString(hostileLong) - maxValue); !strings.Contains(page, html.EscapeString(want)) {
		t.Errorf("the 100 KB value is not cut with the note %q", want)
	}
}

func TestHTMLNilRun(t *testing.T) {
	page := htmlOf(t, nil)
	checkPageShape(t, page)
	if !strings.Contains(page, "0 profiles, 0 flows, 0 failed.") || !strings.HasSuffix(page, "</html>\n") {
		t.Errorf("the page of a nil run:\n%s", page)
	}
}

func BenchmarkHTML(b *testing.B) { benchmarkFormat(b, HTML) }
