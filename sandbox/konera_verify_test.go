package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	deviceHash := sha256Hex(koneraDeviceNumber)
	tests := []struct {
		name     string
		token    tokenKind
		body     string
		status   int
		code     string
		verified bool
	}{
		{name: "device number", token: tokenDevice, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 200, verified: true},
		{name: "other number", token: tokenDevice, body: `{"phoneNumber":"` + koneraOtherNumber + `"}`, status: 200},
		{name: "number unknown to SIM Swap", token: tokenDevice, body: `{"phoneNumber":"+447700900123"}`, status: 200},
		{name: "device hash", token: tokenDevice, body: `{"hashedPhoneNumber":"` + deviceHash + `"}`, status: 200, verified: true},
		{name: "device hash in upper case", token: tokenDevice, body: `{"hashedPhoneNumber":"` + strings.ToUpper(deviceHash) + `"}`, status: 200, verified: true},
		{name: "other hash", token: tokenDevice, body: `{"hashedPhoneNumber":"` + sha256Hex(koneraOtherNumber) + `"}`, status: 200},
		{name: "hash of the number without plus", token: tokenDevice, body: `{"hashedPhoneNumber":"` + sha256Hex(koneraDeviceNumber[1:]) + `"}`, status: 200},
		{name: "token with SIM Swap scopes too", token: tokenDeviceSwap, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 200, verified: true},
		{name: "no token", token: tokenNone, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 401, code: "UNAUTHENTICATED"},
		{name: "forged token", token: tokenForged, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 401, code: "UNAUTHENTICATED"},
		{name: "2-legged token", token: tokenClient, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 403, code: "PERMISSION_DENIED"},
		{name: "no body", token: tokenDevice, body: ``, status: 400, code: "INVALID_ARGUMENT"},
		{name: "empty object", token: tokenDevice, body: `{}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "only an unknown property", token: tokenDevice, body: `{"additional_property":"foo_value"}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "number and an unknown property", token: tokenDevice, body: `{"phoneNumber":"` + koneraDeviceNumber + `","x":1}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "both number and hash", token: tokenDevice, body: `{"phoneNumber":"` + koneraDeviceNumber + `","hashedPhoneNumber":"` + deviceHash + `"}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "array body", token: tokenDevice, body: `[{"phoneNumber":"` + koneraDeviceNumber + `"}]`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "malformed number", token: tokenDevice, body: `{"phoneNumber":"+12334foo22222"}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "number without plus", token: tokenDevice, body: `{"phoneNumber":"15143792381"}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "number not a string", token: tokenDevice, body: `{"phoneNumber":15143792381}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "hash too short", token: tokenDevice, body: `{"hashedPhoneNumber":"` + deviceHash[1:] + `"}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "hash not hex", token: tokenDevice, body: `{"hashedPhoneNumber":"` + strings.Repeat("g", 64) + `"}`, status: 400, code: "INVALID_ARGUMENT"},
	}
	for _, path := range []string{koneraPathVerify, koneraPathVerifyCamara} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				h := newHarness(t)
				r := h.postJSON(path, h.credentialsFor(tt.token), tt.body)
				if got := r.header.Get("x-correlator"); got != "corr-42" {
					t.Errorf("x-correlator = %q, want it echoed", got)
				}
				if tt.status != http.StatusOK {
					wantCamaraError(t, r, tt.status, tt.code)
					return
				}
				if r.status != http.StatusOK {
					t.Fatalf("status = %d, body %s", r.status, r.body)
				}
				wantJSON(t, r)
				if obj := r.object(t); len(obj) != 1 || obj["devicePhoneNumberVerified"] != tt.verified {
					t.Errorf("body = %s, want devicePhoneNumberVerified %v", r.body, tt.verified)
				}
			})
		}
	}
}

// A device token works up to its 300th second and not at it.
func TestVerifyTokenExpiry(t *testing.T) {
	for _, tt := range []struct {
		age    time.Duration
		status int
	}{{299 * time.Second, 200}, {300 * time.Second, 401}} {
		t.Run(tt.age.String(), func(t *testing.T) {
			h := newHarness(t)
			token := h.credentialsFor(tokenDevice)
			h.clock.Advance(tt.age)
			r := h.postJSON(koneraPathVerify, token, `{"phoneNumber":"`+koneraDeviceNumber+`"}`)
			if r.status != tt.status {
				t.Errorf("status = %d, want %d (body %s)", r.status, tt.status, r.body)
			}
		})
	}
}

// A 3-legged token without the verify scope cannot come out of the authorize endpoint, which
// insists on it, so this case is set up in the store directly.
func TestVerifyNeedsScope(t *testing.T) {
	h := newHarness(t)
	token := h.sb.store.issueAccessToken(accessToken{
		clientID: DefaultClientID,
		scopes:   []string{scopeOpenID, scopeSimSwapCheck},
		device:   koneraDeviceNumber,
		expires:  testStart.Add(time.Minute),
	})
	r := h.postJSON(koneraPathVerify, token, `{"phoneNumber":"`+koneraDeviceNumber+`"}`)
	wantCamaraError(t, r, http.StatusForbidden, "PERMISSION_DENIED")
}
