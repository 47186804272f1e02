package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// tolerated says, for each tolerance, whether its behaviour shows in what the sandbox sends.
func toleranceProbes() map[string]func(h *harness) bool {
	wrongSecret := func(h *harness) reply {
		form := clientForm()
		form.Set("client_secret", "guess")
		return h.postForm(koneraPathClientToken, form, nil)
	}
	token := func(h *harness) reply { return h.postForm(koneraPathClientToken, clientForm(), nil) }
	return map[string]func(h *harness) bool{
		tolInvalidClient400: func(h *harness) bool {
			r := wrongSecret(h)
			return r.status == http.StatusBadRequest && strings.Contains(string(r.body), `"invalid_client"`)
		},
		tolSeveralChallenges: func(h *harness) bool {
			r := h.check("", koneraSwappedNumber, "")
			return r.header.Get("WWW-Authenticate") == `Basic realm="konera", Bearer realm="konera"`
		},
		tolRedirect303: func(h *harness) bool { return h.walk(authorizeParams()).status == http.StatusSeeOther },
		tolRedirect308: func(h *harness) bool {
			r := h.send(http.MethodGet, koneraPathAuthorize+"?"+authorizeParams().Encode(), nil, "")
			return r.status == http.StatusPermanentRedirect
		},
		tolCacheControlList: func(h *harness) bool {
			return token(h).header.Get("Cache-Control") == "no-cache, no-store"
		},
		tolBearerLowerCase: func(h *harness) bool { return strings.Contains(string(token(h).body), `"token_type":"bearer"`) },
		tolScopeNarrowed: func(h *harness) bool {
			params := authorizeParams()
			params.Set("scope", "openid dpv:FraudPreventionAndDetection")
			_, ok := h.code(params)
			return ok
		},
		tolNVNotNetworkCode: func(h *harness) bool {
			r := h.postJSON(koneraPathVerify, h.clientToken(""), `{"phoneNumber":"`+koneraDeviceNumber+`"}`)
			return strings.Contains(string(r.body), codeNotAuthedByNetwork)
		},
		tolExtensionErrorCodes: func(h *harness) bool {
			return strings.Contains(string(h.exchange("bogus", exchangeParams("sbx-code-x")).body), `"invalid_token"`)
		},
		tolClientAuthAny: func(h *harness) bool {
			// A client registered for client_secret_post alone is still let in by Basic.
			opts := h.opts
			opts.ClientAuthMethod = methodPost
			strict := newHarnessWith(h.t, opts)
			form := url.Values{"grant_type": {"client_credentials"}}
			return strict.postForm(koneraPathClientToken, form, basicHeader(DefaultClientID, DefaultClientSecret)).status == http.StatusOK
		},
		tolCommonalities06: func(h *harness) bool {
			return h.check(h.clientToken(""), koneraSwappedNumber, "").header.Get(commonalitiesHeader) == "0.6"
		},
		tolCommonalities08: func(h *harness) bool {
			return h.check(h.clientToken(""), koneraSwappedNumber, "").header.Get(commonalitiesHeader) == "0.8.0"
		},
	}
}

// check is a SIM Swap check request.
func (h *harness) check(bearer, number, maxAge string) reply {
	body := `{"phoneNumber":"` + number + `"`
	if maxAge != "" {
		body += `,"maxAge":` + maxAge
	}
	return h.postJSON(koneraPathSimSwapCheck, bearer, body+"}")
}

// Each tolerance shows when it is on and not when it is off, and each is described with the
// clause that allows it.
func TestTolerancesShowOnTheWire(t *testing.T) {
	probes := toleranceProbes()
	for _, tol := range ProviderTolerances(koneraProvider) {
		t.Run(tol.Name, func(t *testing.T) {
			probe := probes[tol.Name]
			if probe == nil {
				t.Fatalf("tolerance %s has no probe", tol.Name)
			}
			if tol.Clause == "" || !strings.HasSuffix(tol.Description, ".") {
				t.Errorf("%s: clause %q, description %q", tol.Name, tol.Clause, tol.Description)
			}
			if !probe(newHarnessWith(t, Options{Tolerances: []string{tol.Name}})) {
				t.Error("on: its behaviour does not show")
			}
			if probe(newHarness(t)) {
				t.Error("off: its behaviour shows anyway")
			}
		})
	}
	if len(probes) != len(ProviderTolerances(koneraProvider)) {
		t.Errorf("%d probes for %d tolerances", len(probes), len(ProviderTolerances(koneraProvider)))
	}
}
