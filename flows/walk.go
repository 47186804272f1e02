package flows

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/telconform/telconform/checks"
)

// walk plays the user agent of an authorization flow: it sends the step's request and then
// follows redirects itself, one recorded exchange per hop, with the session's cookies, until a
// redirect points at the client's redirect URI (the step's until). It does not fetch that URL:
// the client backend is not part of the test. The evidence is the last response, with Redirect
// set to the URL the walk stopped at; a walk that ends on a response that is not a redirect (an
// error page, a 400 for a bad redirect_uri) ends there with no Redirect.
func (s *Session) walk(ctx context.Context, i int, st *Step, res *StepResult) (*checks.Evidence, error) {
	req, sent, err := s.buildRequest(ctx, st)
	if err != nil {
		return nil, err
	}
	untilText, err := expand(st.Until, s.lookup, nil)
	if err != nil {
		return nil, &skipError{s.missingReason(err)}
	}
	until, err := url.Parse(untilText)
	if err != nil || until.Host == "" {
		return nil, fmt.Errorf("until %q is not an absolute URL", untilText)
	}
	if s.target.Walk == WalkDevice {
		return s.walkOnDevice(ctx, i, st, req, sent, until, res)
	}
	for hop := 0; ; hop++ {
		ev, err := s.exchange(i, req, res)
		if err != nil {
			return nil, err
		}
		ev.Sent = sent
		ev.Duration = 0
		for _, e := range res.Exchanges {
			ev.Duration += e.Duration
		}
		if ev.Redirect == nil || sameOrigin(ev.Redirect, until) {
			return ev, nil
		}
		if hop+1 >= s.runner.maxHops() {
			return nil, fmt.Errorf("followed %d redirects without reaching %s", hop+1, until.Redacted())
		}
		next, err := http.NewRequestWithContext(ctx, http.MethodGet, ev.Redirect.String(), nil)
		if err != nil {
			return nil, err
		}
		if s.runner.UserAgent != "" {
			next.Header.Set("User-Agent", s.runner.UserAgent)
		}
		req = next
	}
}

// sameOrigin reports whether u is on the scheme, host and port of the redirect URI.
func sameOrigin(u, redirect *url.URL) bool {
	return strings.EqualFold(u.Scheme, redirect.Scheme) && strings.EqualFold(u.Host, redirect.Host)
}

// walkOnDevice hands the walk to a person: the device opens the URL, and the URL its browser is
// sent back to is the evidence. What happened between is the operator's and the phone's.
func (s *Session) walkOnDevice(ctx context.Context, i int, st *Step, req *http.Request, sent checks.Sent, until *url.URL, res *StepResult) (*checks.Evidence, error) {
	s.masker.learnHeaders(req.Header)
	ans, err := s.handoff(ctx, i, st, req.URL.String(), until.String())
	if err != nil {
		return nil, err
	}
	res.Handoff = &Handoff{URL: req.URL.String(), Callback: ans.URL, Via: ans.Via}
	ev := &checks.Evidence{Sent: sent}
	if cb := strings.TrimSpace(ans.URL); cb != "" {
		u, err := url.Parse(cb)
		if err != nil || !sameOrigin(u, until) {
			return nil, fmt.Errorf("the callback %q is not a URL on %s://%s", cb, until.Scheme, until.Host)
		}
		ev.Redirect = u
		s.masker.learnQuery(u)
	}
	return ev, nil
}
