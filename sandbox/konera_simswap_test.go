package sandbox

import (
	"net/http"
	"testing"
	"time"
)

// tokenKind names the credentials a table case sends; credentialsFor turns it into a token.
type tokenKind int

const (
	tokenClient      tokenKind = iota // 2-legged, both SIM Swap scopes
	tokenClientCheck                  // 2-legged, sim-swap:check only
	tokenClientDate                   // 2-legged, sim-swap:retrieve-date only
	tokenDevice                       // 3-legged, Number Verification scope only
	tokenDeviceSwap                   // 3-legged, with both SIM Swap scopes too
	tokenNone                         // no Authorization header
	tokenForged                       // a bearer the sandbox never issued
	tokenExpired                      // a 2-legged token 300 s old
)

// credentialsFor returns the Authorization header value for kind ("" for none).
func (h *harness) credentialsFor(kind tokenKind) string {
	h.t.Helper()
	device := func(scope string) string {
		token, ok := h.deviceToken(scope)
		if !ok {
			h.t.Fatal("no device token")
		}
		return token
	}
	switch kind {
	case tokenClient:
		return h.clientToken("")
	case tokenClientCheck:
		return h.clientToken(scopeSimSwapCheck)
	case tokenClientDate:
		return h.clientToken(scopeSimSwapDate)
	case tokenDevice:
		return device(nvScope)
	case tokenDeviceSwap:
		return device(nvScope + " sim-swap:check sim-swap:retrieve-date")
	case tokenForged:
		return "sbx-at-forged"
	case tokenExpired:
		token := h.clientToken("")
		h.clock.Advance(koneraTokenLifetime)
		return token
	}
	return ""
}

// simSwapCase is one SIM Swap request and what must come back: a CAMARA error code, or a result.
type simSwapCase struct {
	name   string
	token  tokenKind
	body   string
	status int
	code   string // CAMARA error code when status is not 200
	result any    // the one member of a 200 body
}

func runSimSwapCases(t *testing.T, path, member string, tests []simSwapCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
			if obj := r.object(t); len(obj) != 1 || obj[member] != tt.result {
				t.Errorf("body = %s, want %s = %v", r.body, member, tt.result)
			}
		})
	}
}

// requestErrorCases are the refusals check and retrieve-date share: authentication, body shape,
// phone number syntax and CAMARA's identifier rules.
func requestErrorCases(otherScope tokenKind) []simSwapCase {
	swapped := `{"phoneNumber":"` + koneraSwappedNumber + `"}`
	cases := []simSwapCase{
		{name: "no token", token: tokenNone, body: swapped, status: 401, code: "UNAUTHENTICATED"},
		{name: "forged token", token: tokenForged, body: swapped, status: 401, code: "UNAUTHENTICATED"},
		{name: "expired token", token: tokenExpired, body: swapped, status: 401, code: "UNAUTHENTICATED"},
		{name: "token without the operation's scope", token: otherScope, body: swapped, status: 403, code: "PERMISSION_DENIED"},
		{name: "device token without SIM Swap scopes", token: tokenDevice, body: `{}`, status: 403, code: "PERMISSION_DENIED"},
		{name: "empty body", body: ``, status: 400, code: "INVALID_ARGUMENT"},
		{name: "array body", body: `[]`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "null body", body: `null`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "broken JSON", body: `{"phoneNumber":`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "trailing data", body: swapped + ` {}`, status: 400, code: "INVALID_ARGUMENT"},
		{name: "missing phoneNumber with a 2-legged token", body: `{}`, status: 422, code: "MISSING_IDENTIFIER"},
		{name: "phoneNumber with a 3-legged token", token: tokenDeviceSwap, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 422, code: "UNNECESSARY_IDENTIFIER"},
		{name: "unknown number", body: `{"phoneNumber":"+447700900123"}`, status: 404, code: "IDENTIFIER_NOT_FOUND"},
	}
	// Invalid numbers from the CAMARA test definitions, and two that are not strings.
	for _, bad := range []string{`"string_value"`, `"1234567890"`, `"+12334foo22222"`, `"+00012230304913849"`, `"123"`, `"++49565456787"`, `"+1234"`, `"+1234567890123456"`, `17147684731`, `null`} {
		cases = append(cases, simSwapCase{name: "phoneNumber " + bad, body: `{"phoneNumber":` + bad + `}`, status: 400, code: "INVALID_ARGUMENT"})
	}
	return cases
}

func TestSimSwapCheck(t *testing.T) {
	body := func(number, maxAge string) string {
		if maxAge == "" {
			return `{"phoneNumber":"` + number + `"}`
		}
		return `{"phoneNumber":"` + number + `","maxAge":` + maxAge + `}`
	}
	tests := []simSwapCase{
		{name: "swapped 10 h ago, default maxAge", body: body(koneraSwappedNumber, ""), status: 200, result: true},
		{name: "swapped, maxAge exactly 10", body: body(koneraSwappedNumber, "10"), status: 200, result: true},
		{name: "swapped, maxAge 9", body: body(koneraSwappedNumber, "9"), status: 200, result: false},
		{name: "swapped, maxAge 2400", body: body(koneraSwappedNumber, "2400"), status: 200, result: true},
		{name: "swapped, check-only token", token: tokenClientCheck, body: body(koneraSwappedNumber, ""), status: 200, result: true},
		{name: "never swapped", body: body(koneraUnswappedNumber, "2400"), status: 200, result: false},
		{name: "device number", body: body(koneraDeviceNumber, ""), status: 200, result: false},
		{name: "other number", body: body(koneraOtherNumber, "1"), status: 200, result: false},
		{name: "extra members are ignored", body: `{"phoneNumber":"` + koneraSwappedNumber + `","note":"x"}`, status: 200, result: true},
		{name: "3-legged token names the device", token: tokenDeviceSwap, body: `{}`, status: 200, result: false},
		{name: "maxAge 0", body: body(koneraSwappedNumber, "0"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge 2401", body: body(koneraSwappedNumber, "2401"), status: 400, code: "OUT_OF_RANGE"},
		{name: "maxAge 100000", body: body(koneraSwappedNumber, "100000"), status: 400, code: "OUT_OF_RANGE"},
		{name: "maxAge -5", body: body(koneraSwappedNumber, "-5"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge beyond int64", body: body(koneraSwappedNumber, "99999999999999999999999"), status: 400, code: "OUT_OF_RANGE"},
		{name: "maxAge string", body: body(koneraSwappedNumber, `"24"`), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge fraction", body: body(koneraSwappedNumber, "24.5"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge with a zero fraction", body: body(koneraSwappedNumber, "24.0"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge exponent", body: body(koneraSwappedNumber, "1e2"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge null", body: body(koneraSwappedNumber, "null"), status: 400, code: "INVALID_ARGUMENT"},
		{name: "maxAge boolean", body: body(koneraSwappedNumber, "true"), status: 400, code: "INVALID_ARGUMENT"},
	}
	runSimSwapCases(t, koneraPathSimSwapCheck, "swapped", append(tests, requestErrorCases(tokenClientDate)...))
}

func TestSimSwapRetrieveDate(t *testing.T) {
	at := func(hoursBefore int) string {
		return testStart.Add(-time.Duration(hoursBefore) * time.Hour).Format(time.RFC3339)
	}
	tests := []simSwapCase{
		{name: "swapped number gives the swap", body: `{"phoneNumber":"` + koneraSwappedNumber + `"}`, status: 200, result: at(10)},
		{name: "unswapped number gives the activation", body: `{"phoneNumber":"` + koneraUnswappedNumber + `"}`, status: 200, result: at(5000)},
		{name: "other number", body: `{"phoneNumber":"` + koneraOtherNumber + `"}`, status: 200, result: at(4000)},
		{name: "date-only token", token: tokenClientDate, body: `{"phoneNumber":"` + koneraDeviceNumber + `"}`, status: 200, result: at(3000)},
		{name: "3-legged token names the device", token: tokenDeviceSwap, body: `{}`, status: 200, result: at(3000)},
		{name: "maxAge means nothing here", body: `{"phoneNumber":"` + koneraSwappedNumber + `","maxAge":"x"}`, status: 200, result: at(10)},
	}
	runSimSwapCases(t, koneraPathSimSwapDate, "latestSimChange", append(tests, requestErrorCases(tokenClientCheck)...))
}

// A 2-legged token works up to its 300th second and not at it.
func TestSimSwapTokenExpiry(t *testing.T) {
	for _, tt := range []struct {
		age    time.Duration
		status int
	}{{0, 200}, {299 * time.Second, 200}, {300 * time.Second, 401}, {time.Hour, 401}} {
		t.Run(tt.age.String(), func(t *testing.T) {
			h := newHarness(t)
			token := h.clientToken("")
			h.clock.Advance(tt.age)
			r := h.postJSON(koneraPathSimSwapCheck, token, `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
			if r.status != tt.status {
				t.Errorf("status = %d, want %d (body %s)", r.status, tt.status, r.body)
			}
		})
	}
}

// A swap ages out of the default 240-hour window as the clock moves.
func TestSimSwapWindowFollowsClock(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		advance time.Duration
		swapped bool
	}{{0, true}, {230 * time.Hour, true}, {time.Second, false}} {
		h.clock.Advance(tt.advance)
		r := h.postJSON(koneraPathSimSwapCheck, h.clientToken(""), `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
		if got := r.object(t)["swapped"]; got != tt.swapped {
			t.Errorf("after %v more: swapped = %v, want %v", tt.advance, got, tt.swapped)
		}
	}
}

// The date has whole seconds even when the sandbox started mid-second.
func TestSimSwapDateWholeSeconds(t *testing.T) {
	h := newHarnessAt(t, testStart.Add(750*time.Millisecond), Options{})
	r := h.postJSON(koneraPathSimSwapDate, h.clientToken(""), `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
	if got, want := r.object(t)["latestSimChange"], testStart.Add(-10*time.Hour).Format(time.RFC3339); got != want {
		t.Errorf("latestSimChange = %v, want %s", got, want)
	}
}

// CAMARA's x-correlator pattern: a value outside it is refused, an empty one is not echoed.
func TestSimSwapCorrelator(t *testing.T) {
	for _, tt := range []struct {
		value  string
		status int
	}{
		{"corr-42", 200}, {"3f2c:a;b./<x>{y}_z", 200}, {"", 200}, {"has space", 400}, {"quote\"", 400},
	} {
		t.Run(tt.value, func(t *testing.T) {
			h := newHarness(t)
			header := http.Header{"Authorization": {"Bearer " + h.clientToken("")}, "X-Correlator": {tt.value}}
			r := h.send(http.MethodPost, koneraPathSimSwapCheck, header, `{"phoneNumber":"`+koneraSwappedNumber+`"}`)
			if tt.status == 400 {
				wantCamaraError(t, r, 400, "INVALID_ARGUMENT")
			} else if r.status != tt.status {
				t.Errorf("status = %d, body %s", r.status, r.body)
			}
			if got := r.header.Get("x-correlator"); got != tt.value {
				t.Errorf("x-correlator = %q, want %q", got, tt.value)
			}
		})
	}
}
