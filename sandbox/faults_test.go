package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// faultProbes returns, for every fault, the probe that looks for its deviation.
func faultProbes() map[string]func(p *probe) {
	return map[string]func(p *probe){
		faultTokenTypeMissing: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool { return p.lacks(r, "token_type") })
		},
		faultExpiresInString: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool { return p.is(r, "expires_in", "300") })
		},
		faultExpiresInMissing: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool { return p.lacks(r, "expires_in") })
		},
		// Go's client turns a lone Pragma: no-cache into Cache-Control: no-cache (RFC 9111 5.4),
		// so a missing Cache-Control shows as one without no-store.
		faultNoCacheControl: func(p *probe) { probeTokenHeader(p, "Cache-Control", "no-store") },
		faultNoPragma:       func(p *probe) { probeTokenHeader(p, "Pragma", "no-cache") },
		faultTokenNotJSON: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool {
				return r.header.Get("Content-Type") == "text/plain" && !p.lacks(r, "token_type")
			})
		},
		faultAccessTokenMissing: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool { return p.lacks(r, "access_token") })
		},
		faultCCRefreshToken: func(p *probe) {
			refresh, _ := p.member(p.clientTokenOK(), "refresh_token")
			value, _ := refresh.(string)
			p.see("client credentials", strings.HasPrefix(value, refreshTokenPrefix) && slices.Contains(p.sb.Issued(), value))
		},
		faultWrongSecretAccepted: func(p *probe) {
			issued := p.issues(func() reply {
				form := clientForm()
				form.Set("client_secret", "guess")
				return p.postForm(koneraPathClientToken, form, nil)
			})
			p.see("wrong secret", issued)
		},
		faultRepeatedParamAccepted: func(p *probe) {
			issued := p.issues(func() reply {
				form := clientForm()
				form.Add("grant_type", form.Get("grant_type"))
				return p.postForm(koneraPathClientToken, form, nil)
			})
			p.see("grant_type twice", issued)
		},
		faultUnauthorizedClient: func(p *probe) {
			form := clientForm()
			form.Set("client_secret", "guess")
			r := p.postForm(koneraPathClientToken, form, nil)
			p.see("wrong secret", r.status == http.StatusBadRequest && p.is(r, "error", "unauthorized_client"))
		},
		// The three refusals of the right credentials differ by method: every method, Basic only,
		// the form body only. Each probe looks for its own pattern, so they stay independent.
		faultClientCredentialsRefused: func(p *probe) {
			body, basic := p.refusedByMethod()
			p.see("credentials in body and by Basic", body && basic)
		},
		faultClientBasicRefused: func(p *probe) {
			body, basic := p.refusedByMethod()
			p.see("credentials by Basic only", basic && !body)
		},
		faultBasicChallengeNoRealm: func(p *probe) {
			form := url.Values{"grant_type": {"client_credentials"}}
			r := p.postForm(koneraPathClientToken, form, basicHeader(DefaultClientID, "guess"))
			challenge := r.header.Get("WWW-Authenticate")
			p.see("wrong secret by Basic", r.status == http.StatusUnauthorized && strings.HasPrefix(challenge, "Basic") && !strings.Contains(challenge, "realm="))
		},
		faultToken401NoChallenge: func(p *probe) {
			form := clientForm()
			form.Set("client_secret", "guess")
			r := p.postForm(koneraPathClientToken, form, nil)
			p.see("wrong secret in the form", r.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "")
		},
		faultClientPostRefused: func(p *probe) {
			body, basic := p.refusedByMethod()
			p.see("credentials in body only", body && !basic)
		},
		faultClientAssertionRefused: func(p *probe) {
			r := p.postForm(koneraPathClientToken, p.assertionForm(p.clientKey()), nil)
			p.see("valid assertion", r.status == http.StatusUnauthorized && p.is(r, "error", "invalid_client"))
		},
		faultAssertionUnchecked: func(p *probe) {
			stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			p.see("assertion signed by an unknown key", p.issues(func() reply {
				return p.postForm(koneraPathClientToken, p.assertionForm(stranger), nil)
			}))
		},
		faultPublicClientRefused: func(p *probe) {
			// A public client is a registration of its own, under the same faults.
			opts := p.opts
			opts.ClientAuthMethod = "none"
			public := newHarnessWith(p.t, opts)
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}}
			r := public.postForm(koneraPathClientToken, form, nil)
			p.see("public client", r.status == http.StatusUnauthorized && p.is(r, "error", "invalid_client"))
		},
		faultTokenError200: func(p *probe) {
			ok200 := func(r reply) bool { return r.status == http.StatusOK && !p.lacks(r, "error") }
			p.see("client credentials", ok200(p.clientTokenError()))
			p.see("code exchange", ok200(p.exchangeError()))
		},
		faultTokenErrorUnregistered: func(p *probe) {
			p.see("client credentials", p.is(p.clientTokenError(), "error", "request_failed"))
			p.see("code exchange", p.is(p.exchangeError(), "error", "request_failed"))
		},
		faultNoWWWAuthenticate: func(p *probe) {
			r := p.exchange("", exchangeParams("sbx-code-any"))
			p.see("code exchange without bearer", r.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "")
		},
		faultTokenBearerUnchecked: func(p *probe) {
			for _, tt := range []struct {
				where  string
				bearer func() string
			}{
				{"unknown bearer", func() string { return "sbx-at-forged" }},
				{"no bearer", func() string { return "" }},
				{"expired bearer", func() string {
					bearer := p.clientToken("")
					p.clock.Advance(koneraTokenLifetime)
					return bearer
				}},
			} {
				bearer := tt.bearer()
				code, ok := p.code(tt.where)
				if !ok {
					continue
				}
				_, token := p.exchangeCode(bearer, code)
				granted, _ := p.sb.store.accessToken(token)
				p.see(tt.where, token != "" && granted.clientID == DefaultClientID && granted.device == koneraDeviceNumber)
			}
		},
		faultStateNotEchoed: func(p *probe) {
			_, q := p.redirectQuery(authorizeParams())
			p.see("code redirect", q != nil && !q.Has("state"))
			_, q = p.redirectQuery(errorAuthorizeParams())
			p.see("error redirect", q != nil && !q.Has("state"))
		},
		faultCodeMissing: func(p *probe) {
			_, q := p.redirectQuery(authorizeParams())
			p.see("code redirect", q.Get("state") == "l3state" && !q.Has("code"))
		},
		faultRedirect307: func(p *probe) {
			r, _ := p.redirectQuery(authorizeParams())
			p.see("code redirect", r.status == http.StatusTemporaryRedirect)
			r, _ = p.redirectQuery(errorAuthorizeParams())
			p.see("error redirect", r.status == http.StatusTemporaryRedirect)
		},
		faultAuthorizeErrorUnregistered: func(p *probe) {
			_, q := p.redirectQuery(errorAuthorizeParams())
			p.see("error redirect", q.Get("error") == "bad_request")
		},
		faultRedirectURIUnchecked: func(p *probe) {
			params := authorizeParams()
			params.Set("redirect_uri", "https://evil.example/cb")
			r := p.walk(params)
			p.see("foreign redirect_uri", strings.HasPrefix(r.header.Get("Location"), "https://evil.example/cb?"))
		},
		faultCodeReusable: func(p *probe) {
			code, ok := p.code("second exchange")
			if !ok {
				return
			}
			bearer := p.clientToken("")
			p.exchange(bearer, exchangeParams(code))
			issued := p.issues(func() reply { return p.exchange(bearer, exchangeParams(code)) })
			p.see("second exchange", issued)
		},
		faultCodeExchangeRefused: func(p *probe) {
			code, ok := p.code("code exchange")
			if !ok {
				return
			}
			r, token := p.exchangeCode(p.clientToken(""), code)
			p.see("code exchange", r.status == http.StatusBadRequest && p.is(r, "error", "invalid_grant") && token == "")
			p.see("code left unused", !codeUsed(p.sb.store, code))
		},
		faultTokenRedirectURIUnchecked: func(p *probe) {
			code, ok := p.code("other redirect_uri")
			if !ok {
				return
			}
			params := exchangeParams(code)
			params.Set("redirect_uri", "https://client.example/other")
			bearer := p.clientToken("")
			issued := p.issues(func() reply { return p.exchange(bearer, params) })
			p.see("other redirect_uri", issued)
		},
		faultAPIAcceptsInvalidToken: func(p *probe) {
			p.see("sim swap", p.check("sbx-at-forged", koneraSwappedNumber, "").status == http.StatusOK)
			p.see("verify", p.verify("sbx-at-forged", koneraDeviceNumber).status == http.StatusOK)
		},
		faultExpiredTokenAccepted: func(p *probe) {
			client := p.clientToken("")
			device, ok := p.deviceToken("verify")
			p.clock.Advance(koneraTokenLifetime)
			p.see("sim swap", p.check(client, koneraSwappedNumber, "").status == http.StatusOK)
			if ok {
				p.see("verify", p.verify(device, koneraDeviceNumber).status == http.StatusOK)
			}
		},
		faultSimSwapAcceptsMissingToken: func(p *probe) {
			p.see("sim swap", p.check("", koneraSwappedNumber, "").status == http.StatusOK)
		},
		faultVerifyAcceptsMissingToken: func(p *probe) {
			p.see("verify", p.verify("", koneraDeviceNumber).status == http.StatusOK)
		},
		faultVerifyAccepts2Legged: func(p *probe) {
			r := p.verify(p.clientToken(""), koneraDeviceNumber)
			p.see("verify", r.status == http.StatusOK && p.is(r, "devicePhoneNumberVerified", true))
		},
		faultVerifyAlwaysTrue: func(p *probe) {
			if device, ok := p.deviceToken("verify"); ok {
				p.see("verify", p.is(p.verify(device, koneraOtherNumber), "devicePhoneNumberVerified", true))
			}
		},
		faultVerifyAlwaysFalse: func(p *probe) {
			device, ok := p.deviceToken("verify")
			if !ok {
				return
			}
			denied := func(r reply) bool {
				return r.status == http.StatusOK && p.is(r, "devicePhoneNumberVerified", false)
			}
			p.see("own number", denied(p.verify(device, koneraDeviceNumber)))
			p.see("own hashed number", denied(p.postJSON(koneraPathVerify, device, `{"hashedPhoneNumber":"`+sha256Hex(koneraDeviceNumber)+`"}`)))
		},
		faultPhoneNumberUnvalidated: func(p *probe) {
			client := p.clientToken("")
			r := p.check(client, malformedNumber, "")
			p.see("check", r.status == http.StatusOK && p.is(r, "swapped", false))
			r = p.retrieveDate(client, malformedNumber)
			p.see("retrieve-date", r.status == http.StatusOK && p.is(r, "latestSimChange", testStart.Format(time.RFC3339)))
			if device, ok := p.deviceToken("verify"); ok {
				r = p.verify(device, malformedNumber)
				p.see("verify", r.status == http.StatusOK && p.is(r, "devicePhoneNumberVerified", false))
			}
		},
		faultMaxAgeUnchecked: func(p *probe) {
			r := p.check(p.clientToken(""), koneraSwappedNumber, "5000")
			p.see("check", r.status == http.StatusOK && p.is(r, "swapped", true))
		},
		faultMaxAgeZeroOutOfRange: func(p *probe) {
			r := p.check(p.clientToken(""), koneraSwappedNumber, "0")
			p.see("check", r.status == http.StatusBadRequest && p.is(r, "code", "OUT_OF_RANGE"))
		},
		faultMissingIdentifierAccepted: func(p *probe) {
			r := p.postJSON(koneraPathSimSwapCheck, p.clientToken(""), `{"maxAge": 240}`)
			p.see("check", r.status == http.StatusOK)
		},
		faultCorrelatorUnvalidated: func(p *probe) {
			header := http.Header{"Authorization": {"Bearer " + p.clientToken("")}, "Content-Type": {"application/json"},
				"X-Correlator": {"not a valid # correlator"}}
			r := p.send(http.MethodPost, koneraPathSimSwapCheck, header, `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
			p.see("check", r.status == http.StatusOK)
		},
		faultVerifyBodyUnchecked: func(p *probe) {
			if device, ok := p.deviceToken("verify"); ok {
				r := p.postJSON(koneraPathVerify, device, `{}`)
				p.see("verify", r.status == http.StatusOK && p.is(r, "devicePhoneNumberVerified", true))
			}
		},
		faultMaxAgeInvalidArgument: func(p *probe) {
			r := p.check(p.clientToken(""), koneraSwappedNumber, "5000")
			p.see("check", r.status == http.StatusBadRequest && p.is(r, "code", "INVALID_ARGUMENT"))
		},
		faultAPIInternalError: func(p *probe) {
			internal := func(r reply) bool {
				return r.status == http.StatusInternalServerError && p.is(r, "status", 500.0) && p.is(r, "code", "INTERNAL") && !p.lacks(r, "message")
			}
			client := p.clientToken("")
			p.see("check", internal(p.check(client, koneraSwappedNumber, "")))
			p.see("retrieve-date", internal(p.retrieveDate(client, koneraSwappedNumber)))
			if device, ok := p.deviceToken("verify"); ok {
				p.see("verify", internal(p.verify(device, koneraDeviceNumber)))
			}
		},
		faultCamaraErrorNoCode: func(p *probe) {
			probeCamaraErrors(p, func(r reply) bool { return p.lacks(r, "code") })
		},
		faultCamaraErrorNoMessage: func(p *probe) {
			probeCamaraErrors(p, func(r reply) bool { return p.lacks(r, "message") })
		},
		faultCamaraStatusMismatch: func(p *probe) {
			probeCamaraErrors(p, func(r reply) bool { return p.is(r, "status", 400.0) })
		},
		faultSwappedAsString: func(p *probe) {
			client := p.clientToken("")
			p.see("swapped", p.is(p.check(client, koneraSwappedNumber, ""), "swapped", "true"))
			p.see("not swapped", p.is(p.check(client, koneraUnswappedNumber, ""), "swapped", "false"))
		},
		faultSwapNotDetected: func(p *probe) {
			p.see("check", p.is(p.check(p.clientToken(""), koneraSwappedNumber, ""), "swapped", false))
		},
		faultSwapDateNotRFC3339: func(p *probe) {
			r := p.retrieveDate(p.clientToken(""), koneraSwappedNumber)
			p.see("retrieve-date", p.is(r, "latestSimChange", testStart.Add(-10*time.Hour).Format("2006-01-02 15:04:05")))
		},
		faultExpiresInNegative: func(p *probe) {
			probeTokenSuccess(p, func(r reply) bool { return p.is(r, "expires_in", -300.0) })
		},
		faultLocationRelative: func(p *probe) {
			r := p.walk(authorizeParams())
			p.see("code redirect", strings.HasPrefix(r.header.Get("Location"), "/cb?"))
		},
		faultLocationUnparseable: func(p *probe) {
			r := p.walk(authorizeParams())
			p.see("code redirect", strings.Contains(r.header.Get("Location"), "://bad host "))
		},
		faultVerifyScopeUnchecked: func(p *probe) {
			// A device token without number-verification:verify, as a narrowing server grants.
			token := p.mint(accessToken{clientID: DefaultClientID, scopes: []string{"openid"}, device: koneraDeviceNumber})
			p.see("verify", p.verify(token, koneraDeviceNumber).status == http.StatusOK)
		},
		faultUnknownClientRedirected: func(p *probe) {
			params := authorizeParams()
			params.Set("client_id", "stranger")
			p.see("unknown client", strings.HasPrefix(p.walk(params).header.Get("Location"), DefaultRedirectURI))
		},
		faultUnauthenticatedNoChallenge: func(p *probe) {
			r := p.check("", koneraSwappedNumber, "")
			p.see("no token", r.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "")
		},
		faultCommonalitiesMalformed: func(p *probe) {
			r := p.check(p.clientToken(""), koneraSwappedNumber, "")
			p.see("check", r.header.Get("x-camara-commonalities") == "v0.6")
		},
		faultCorrelatorNotEchoed: func(p *probe) {
			silent := func(r reply) bool { return r.header.Get("x-correlator") == "" }
			p.see("check", silent(p.check(p.clientToken(""), koneraSwappedNumber, "")))
			p.see("401", silent(p.check("", koneraSwappedNumber, "")))
			p.see("verify 403", silent(p.verify(p.clientToken(""), koneraDeviceNumber)))
			p.see("404", silent(p.postJSON("/nowhere", "", "{}")))
		},
	}
}

// probeTokenSuccess looks for a deviation in a successful response of each token endpoint. A
// refusal, which another fault may cause, shows nothing, since an error body lacks the members
// of a token anyway.
func probeTokenSuccess(p *probe, deviated func(reply) bool) {
	succeeded := func(r reply) bool { return r.status == http.StatusOK && deviated(r) }
	p.see("client credentials", succeeded(p.clientTokenOK()))
	if r, ok := p.exchangeOK("code exchange"); ok {
		p.see("code exchange", succeeded(r))
	}
}

// probeTokenHeader looks for a header of both token endpoints, on success and error, that lacks
// the value RFC 6749 5.1 asks for.
func probeTokenHeader(p *probe, name, value string) {
	lacking := func(r reply) bool { return r.header.Get(name) != value }
	p.see("client credentials", lacking(p.clientTokenOK()))
	p.see("client credentials error", lacking(p.clientTokenError()))
	if r, ok := p.exchangeOK("code exchange"); ok {
		p.see("code exchange", lacking(r))
	}
	p.see("code exchange error", lacking(p.exchangeError()))
}

// probeCamaraErrors looks at CAMARA errors of several statuses, each only if it has the status
// it should, so a fault that changes the status does not look like this one.
func probeCamaraErrors(p *probe, deviated func(reply) bool) {
	client := p.clientToken("")
	for _, tt := range []struct {
		where  string
		r      reply
		status int
	}{
		{"401", p.check("", koneraSwappedNumber, ""), 401},
		{"403", p.verify(client, koneraDeviceNumber), 403},
		{"404", p.check(client, "+447700900123", ""), 404},
		{"422", p.postJSON(koneraPathSimSwapCheck, client, "{}"), 422},
	} {
		p.see(tt.where, tt.r.status == tt.status && deviated(tt.r))
	}
}

func TestEveryFaultHasAProbe(t *testing.T) {
	probes := faultProbes()
	for _, f := range ProviderFaults(koneraProvider) {
		if probes[f.Name] == nil {
			t.Errorf("fault %s has no probe", f.Name)
		}
	}
	if len(probes) != len(ProviderFaults(koneraProvider)) {
		t.Errorf("%d probes for %d faults", len(probes), len(ProviderFaults(koneraProvider)))
	}
}

// Each fault's deviation shows everywhere it should when the fault is on, and nowhere when it is off.
func TestFaultOnAndOff(t *testing.T) {
	for _, f := range ProviderFaults(koneraProvider) {
		t.Run(f.Name, func(t *testing.T) {
			on := runProbe(t, f.Name, f.Name)
			off := runProbe(t, f.Name)
			for _, p := range []*probe{on, off} {
				if len(p.skipped) > 0 || len(p.seen) == 0 {
					t.Fatalf("probe could not run: skipped %v, seen %v", p.skipped, p.seen)
				}
			}
			if len(on.seen) != len(off.seen) {
				t.Errorf("on looked at %v, off at %v", on.seen, off.seen)
			}
			for where, deviated := range on.seen {
				if !deviated {
					t.Errorf("fault on: no deviation at %s", where)
				}
			}
			for where, deviated := range off.seen {
				if deviated {
					t.Errorf("fault off: deviation at %s", where)
				}
			}
		})
	}
}

// Each fault switches on its own deviation and no other fault's: with one fault on, every other
// fault's probe sees nothing. Only code-missing may stop probes that need a code from running.
func TestFaultsAreIndependent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every probe under every fault")
	}
	for _, on := range ProviderFaults(koneraProvider) {
		t.Run(on.Name, func(t *testing.T) {
			for _, other := range ProviderFaults(koneraProvider) {
				if other.Name == on.Name {
					continue
				}
				p := runProbe(t, other.Name, on.Name)
				if len(p.skipped) > 0 && on.Name != faultCodeMissing && on.Name != faultLocationUnparseable {
					t.Errorf("%s probe could not reach %v", other.Name, p.skipped)
				}
				for where, deviated := range p.seen {
					if deviated {
						t.Errorf("%s shows at %s (%s)", other.Name, where, strings.Join(p.skipped, ","))
					}
				}
			}
		})
	}
}

// What the sandbox itself writes under no-cache-control, before any client reads it: no
// Cache-Control at all.
func TestNoCacheControlOnTheWire(t *testing.T) {
	for _, faults := range [][]string{nil, {faultNoCacheControl}} {
		sb, err := New("konera", Options{Faults: faults, Now: (&fakeClock{now: testStart}).Now})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, koneraPathClientToken, strings.NewReader(clientForm().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		got, want := rec.Header().Values("Cache-Control"), []string{"no-store"}
		if len(faults) > 0 {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("faults %v: Cache-Control = %v, want %v", faults, got, want)
		}
	}
}
