package sandbox

import (
	"net/http"
	"testing"
)

// Where a fault's deviation sits right beside behaviour it must leave alone, the probes cannot
// tell: they look for one deviation, not for what else moved. These cases check, with the fault
// on, that the neighbouring answers are still the documented ones.
func TestFaultBounds(t *testing.T) {
	tests := []struct {
		fault string
		name  string
		run   func(t *testing.T, h *harness)
	}{
		{faultExpiresInMissing, "client-credentials body keeps its other members", func(t *testing.T, h *harness) {
			r := h.postForm(koneraPathClientToken, clientForm(), nil)
			wantTokenBody(t, r, "access_token", "token_type", "refresh_expires_in", "not-before-policy", "scope")
		}},
		{faultExpiresInMissing, "code-exchange body keeps its other members", func(t *testing.T, h *harness) {
			code, _ := h.code(authorizeParams())
			r, _ := h.exchangeCode(h.clientToken(""), code)
			wantTokenBody(t, r, "access_token", "token_type", "scope")
		}},
		{faultVerifyAlwaysFalse, "malformed numbers and 2-legged tokens are still refused", func(t *testing.T, h *harness) {
			device, _ := h.deviceToken(nvScope)
			wantCamaraError(t, h.postJSON(koneraPathVerify, device, `{"phoneNumber":"`+malformedNumber+`"}`), 400, codeInvalidArgument)
			wantCamaraError(t, h.postJSON(koneraPathVerify, device, `{"hashedPhoneNumber":"abc"}`), 400, codeInvalidArgument)
			wantCamaraError(t, h.postJSON(koneraPathVerify, h.clientToken(""), `{"phoneNumber":"`+koneraDeviceNumber+`"}`), 403, codePermissionDenied)
		}},
		{faultAPIInternalError, "the 500 is a CAMARA answer", func(t *testing.T, h *harness) {
			r := h.postJSON(koneraPathSimSwapCheck, h.clientToken(""), `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
			wantCamaraError(t, r, 500, codeInternal)
			if got := r.header.Get("x-correlator"); got != "corr-42" {
				t.Errorf("x-correlator = %q, want corr-42", got)
			}
		}},
		{faultAPIInternalError, "error answers are unchanged", func(t *testing.T, h *harness) {
			client := h.clientToken("")
			device, _ := h.deviceToken(nvScope)
			for _, tt := range []struct {
				path, bearer, body string
				status             int
				code               string
			}{
				{koneraPathSimSwapCheck, "", `{"phoneNumber":"` + koneraSwappedNumber + `"}`, 401, codeUnauthenticated},
				{koneraPathSimSwapDate, client, `[]`, 400, codeInvalidArgument},
				{koneraPathSimSwapCheck, client, `{"phoneNumber":"` + malformedNumber + `"}`, 400, codeInvalidArgument},
				{koneraPathSimSwapCheck, client, `{"phoneNumber":"` + koneraSwappedNumber + `","maxAge":5000}`, 400, codeOutOfRange},
				{koneraPathSimSwapDate, client, `{"phoneNumber":"+447700900123"}`, 404, codeIdentifierNotFound},
				{koneraPathSimSwapCheck, client, `{}`, 422, codeMissingIdentifier},
				{koneraPathVerify, client, `{"phoneNumber":"` + koneraDeviceNumber + `"}`, 403, codePermissionDenied},
				{koneraPathVerifyCamara, device, `{"phoneNumber":"` + malformedNumber + `"}`, 400, codeInvalidArgument},
				{"/nowhere", client, `{}`, 404, codeNotFound},
			} {
				wantCamaraError(t, h.postJSON(tt.path, tt.bearer, tt.body), tt.status, tt.code)
			}
		}},
		{faultClientCredentialsRefused, "other refusals are unchanged and nothing is issued", func(t *testing.T, h *harness) {
			wrongSecret, unknownClient, password := clientForm(), clientForm(), clientForm()
			wrongSecret.Set("client_secret", "guess")
			unknownClient.Set("client_id", "stranger")
			password.Set("grant_type", "password")
			wantOAuthError(t, h.postForm(koneraPathClientToken, wrongSecret, nil), 401, "invalid_client")
			wantOAuthError(t, h.postForm(koneraPathClientToken, unknownClient, nil), 401, "invalid_client")
			wantOAuthError(t, h.postForm(koneraPathClientToken, password, nil), 400, "unsupported_grant_type")
			wantOAuthError(t, h.postForm(koneraPathClientToken, clientForm(), nil), 401, "invalid_client")
			if issued := h.sb.Issued(); len(issued) != 0 {
				t.Errorf("refused requests issued %v", issued)
			}
		}},
		{faultCodeExchangeRefused, "other refusals are unchanged and nothing is issued", func(t *testing.T, h *harness) {
			code, _ := h.code(authorizeParams())
			client := h.clientToken("")
			before := len(h.sb.Issued())
			r := h.exchange("", exchangeParams(code))
			wantOAuthError(t, r, 401, "invalid_client")
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			noCode := exchangeParams("")
			noCode.Del("code")
			wantOAuthError(t, h.exchange(client, noCode), 400, "invalid_request")
			wantOAuthError(t, h.exchange(client, exchangeParams("sbx-code-unknown")), 400, "invalid_grant")
			for range 2 {
				wantOAuthError(t, h.exchange(client, exchangeParams(code)), 400, "invalid_grant")
			}
			if codeUsed(h.sb.store, code) || len(h.sb.Issued()) != before {
				t.Errorf("refused exchanges used the code or issued %v", h.sb.Issued()[before:])
			}
		}},
		{faultTokenBearerUnchecked, "codes are still checked", func(t *testing.T, h *harness) {
			code, _ := h.code(authorizeParams())
			otherURI := exchangeParams(code)
			otherURI.Set("redirect_uri", DefaultRedirectURI+"/")
			wantOAuthError(t, h.exchange("", otherURI), 400, "invalid_grant")
			if _, token := h.exchangeCode("", code); token == "" {
				t.Fatal("a good code was not exchanged")
			}
			wantOAuthError(t, h.exchange("", exchangeParams(code)), 400, "invalid_grant")
		}},
		{faultTokenBearerUnchecked, "the APIs still check bearer tokens", func(t *testing.T, h *harness) {
			body := `{"phoneNumber":"` + koneraSwappedNumber + `"}`
			wantCamaraError(t, h.postJSON(koneraPathSimSwapCheck, "sbx-at-forged", body), 401, codeUnauthenticated)
			wantCamaraError(t, h.postJSON(koneraPathSimSwapCheck, "", body), 401, codeUnauthenticated)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault+"/"+tt.name, func(t *testing.T) {
			tt.run(t, newHarness(t, tt.fault))
		})
	}
}

// wantTokenBody asserts a successful token response, with its cache headers and every member
// named in members.
func wantTokenBody(t *testing.T, r reply, members ...string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, body %s", r.status, r.body)
	}
	wantJSON(t, r)
	wantTokenCacheHeaders(t, r)
	obj := r.object(t)
	for _, name := range members {
		if _, has := obj[name]; !has {
			t.Errorf("%s missing from %s", name, r.body)
		}
	}
}
