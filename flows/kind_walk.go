package flows

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/telconform/telconform/checks"
)

// WalkKind plays the user agent of an authorization flow: it sends its request and follows the
// redirects itself, one recorded exchange per hop, with the session's cookies, until a redirect
// points at the client's redirect URI (Until). It does not fetch that URL: the client backend is
// not part of the test. The evidence is the last response, with Redirect set to the URL the walk
// stopped at; a walk that ends on a response that is not a redirect (an error page, a 400 for a
// bad redirect_uri) ends there with no Redirect.
//
// When the profile says the device walks (network-based authentication only recognises the
// phone on its mobile network), a person opens the URL on the phone and brings back where the
// browser landed.
//
// A walk without Until is the device opening a link that leads nowhere the client sees (KPN's
// device-match session): telconform follows the redirects to the page they end on, or the person
// opens the link on the phone and says when it is done.
type WalkKind struct {
	RequestSpec
	// Until is the client's redirect URI. The walk stops at a redirect to it: the same scheme,
	// host, port and path, whatever the query.
	Until string `toml:"until"`
	// Open is what the phone opens when a person walks, where it differs from the request
	// telconform sends when it plays the device (KPN documents a test call with the session
	// link in a header; a phone opens the link itself).
	Open string `toml:"open"`
}

// Name is "walk".
func (*WalkKind) Name() string { return "walk" }

func (k *WalkKind) validate(v *validation) {
	k.RequestSpec.validate(v)
	v.use(k.Until)
	v.use(k.Open)
}

func (k *WalkKind) describe(d *describer) Description {
	desc := k.RequestSpec.describe(d, k.Name())
	until := d.fill(k.Until, nil)
	switch {
	case d.walk == WalkDevice && k.Open != "":
		desc.URL = d.fill(k.Open, nil)
		desc.Notes = append(desc.Notes, "The phone opens "+desc.URL+" on mobile data (the terminal shows it as a QR code too); you say when it has.")
	case d.walk == WalkDevice && until == "":
		desc.Notes = append(desc.Notes, "The phone opens this URL on mobile data (the terminal shows it as a QR code too); you say when it has.")
	case d.walk == WalkDevice:
		desc.Notes = append(desc.Notes, "The phone opens this URL on mobile data and its browser follows the redirects; you bring back the URL it lands on, which starts with "+until+".")
	case until == "":
		desc.Notes = append(desc.Notes, "telconform plays the device: it sends this and follows any redirects, with this flow's cookies, to the page they end on.")
	default:
		desc.Notes = append(desc.Notes, "telconform follows the redirects itself, with this flow's cookies, and stops at the first one to "+until+" without fetching it.")
	}
	return desc
}

func (k *WalkKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	b, err := k.build(x.fill, x.clientAuth)
	if err != nil {
		return nil, err
	}
	var until *url.URL // nil: follow the redirects to the page they end on
	if k.Until != "" {
		untilText, err := x.fill(k.Until, nil)
		if err != nil {
			return nil, err
		}
		if until, err = url.Parse(untilText); err != nil || until.Scheme == "" || until.Host == "" {
			return nil, fmt.Errorf("until %q is not an absolute URL", untilText)
		}
	}
	req, err := b.request(ctx)
	if err != nil {
		return nil, err
	}
	sent := b.sent()
	if x.s.target.Walk == WalkDevice {
		if until == nil {
			return k.openOnDevice(ctx, x, req)
		}
		return k.onDevice(ctx, x, req, sent, until)
	}
	x.noCookies = b.noCookies
	for hop := 0; ; hop++ {
		x.relative = ""
		ev, err := x.exchange(req)
		if err != nil {
			return nil, err
		}
		ev.Sent = sent
		ev.Sent.Method = req.Method
		ev.Duration = 0
		for _, e := range x.res.Exchanges {
			ev.Duration += e.Duration
		}
		if ev.Redirect == nil || (until != nil && reaches(ev.Redirect, until)) {
			return ev, nil
		}
		if until != nil && x.relative != "" && pathOf(ev.Redirect) == pathOf(until) {
			// Meant for the client, yet relative: the browser goes to this server's own host.
			ev.LocationProblem = fmt.Sprintf("the Location is relative (%s): the browser goes to %s, not to the redirect URI %s",
				x.relative, ev.Redirect.Redacted(), until.Redacted())
			ev.Redirect = nil
			return ev, nil
		}
		if hop+1 >= x.s.runner.maxHops() {
			if until == nil {
				return nil, fmt.Errorf("followed %d redirects without reaching a page", hop+1)
			}
			return nil, fmt.Errorf("followed %d redirects without reaching %s", hop+1, until.Redacted())
		}
		next, err := http.NewRequestWithContext(ctx, http.MethodGet, ev.Redirect.String(), nil)
		if err != nil {
			return nil, err
		}
		req = next
	}
}

// reaches reports whether u is the redirect URI: scheme, host, port and path, whatever the query.
func reaches(u, redirect *url.URL) bool {
	return sameOrigin(u, redirect) && pathOf(u) == pathOf(redirect)
}

// sameOrigin reports whether u is on the scheme, host and port of the redirect URI. A port left
// out is the scheme's default (RFC 3986 6.2.3), so https://c.example:443/cb is https://c.example/cb.
func sameOrigin(u, redirect *url.URL) bool {
	return strings.EqualFold(u.Scheme, redirect.Scheme) && strings.EqualFold(u.Hostname(), redirect.Hostname()) &&
		portOf(u) == portOf(redirect)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

func pathOf(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return u.EscapedPath()
}

// onDevice hands the walk to a person: the device opens the URL, and the URL its browser is sent
// back to is the evidence. What happened between is the operator's and the phone's.
func (k *WalkKind) onDevice(ctx context.Context, x *execution, req *http.Request, sent checks.Sent, until *url.URL) (*checks.Evidence, error) {
	s := x.s
	s.masker.learnHeaders(req.Header)
	s.masker.learnQuery(req.URL)
	ans, err := x.ask(ctx, InputRequest{
		Name: callbackVar(x.step), URL: req.URL.String(), RedirectURI: until.String(),
		State: sent.Query.Get("state"),
		Prompt: "Open the URL on the phone, on mobile data (not Wi-Fi): network-based authentication only " +
			"recognises the device on its operator's network. Bring back the URL the browser is sent to, " +
			"which starts with " + until.String() + ".",
	})
	if err != nil {
		return nil, err
	}
	x.res.Handoff = &Handoff{URL: req.URL.String(), Callback: ans.URL, Via: ans.Via}
	ev := &checks.Evidence{Sent: sent}
	if cb := strings.TrimSpace(ans.URL); cb != "" {
		u, err := url.Parse(cb)
		if err != nil || !reaches(u, until) {
			s.masker.learnText(cb) // it may still carry the code
			return nil, fmt.Errorf("the callback %q is not a URL on %s", cb, until.Redacted())
		}
		ev.Redirect = u
		s.masker.learnQuery(u)
	}
	return ev, nil
}

// openOnDevice hands a link to a person: the phone opens it on the mobile network, and the
// person says when it has. There is nothing to bring back; what the link set off is what the
// next steps look at.
func (k *WalkKind) openOnDevice(ctx context.Context, x *execution, req *http.Request) (*checks.Evidence, error) {
	link := req.URL.String()
	if k.Open != "" {
		var err error
		if link, err = x.fill(k.Open, nil); err != nil {
			return nil, err
		}
	}
	ans, err := x.ask(ctx, InputRequest{
		Name: callbackVar(x.step), URL: link, Confirm: true,
		Prompt: "Open the link on the phone, on mobile data (not Wi-Fi): the operator recognises the device " +
			"only on its own network. Then say it is done.",
	})
	if err != nil {
		return nil, err
	}
	x.res.Handoff = &Handoff{URL: link, Via: ans.Via}
	return nil, nil
}

// callbackVar is the variable that answers a device walk without a person, for headless runs:
// callback_authorize for the step "authorize".
func callbackVar(st *Step) string {
	return "callback_" + strings.ReplaceAll(st.ID, "-", "_")
}
