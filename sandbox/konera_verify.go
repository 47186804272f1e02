package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// hashedPhoneNumberPattern is the SHA-256 hex digest Number Verification accepts in place of a number.
var hashedPhoneNumberPattern = regexp.MustCompile(`^[a-fA-F0-9]{64}$`)

// handleVerify answers whether a number, or the SHA-256 of one, is the number of the device that
// signed in through network-based authentication (CAMARA Number Verification POST /verify, at the
// path seed 000 gives).
func (k *konera) handleVerify(w http.ResponseWriter, r *http.Request) {
	k.api.verifyNumber(w, r, scopeNumberVerifyCheck, koneraDeviceNumber, nil)
}

// verifyNumber is Number Verification's verify operation, as every provider serves it: only a
// 3-legged token names a device, so only one is accepted; the body holds exactly one of
// phoneNumber or hashedPhoneNumber; the answer says whether it is the device's. scope is the one
// the token must grant; device is who a fault that lets a request through without a device token
// takes it to be; extra, when set, adds the provider's own members to the answer.
func (api camaraAPI) verifyNumber(w http.ResponseWriter, r *http.Request, scope, device string, extra func(object) object) {
	faults := api.as.faults
	// Whoever a fault lets through without a real device token acts as the simulated device.
	asDevice := caller{scopes: []string{scope}, device: device}
	var asMissing, asUnknown *caller
	if faults.on(faultVerifyAcceptsMissingToken) {
		asMissing = &asDevice
	}
	if faults.on(faultAPIAcceptsInvalidToken) {
		asUnknown = &asDevice
	}
	c, ok := api.authenticate(r, asMissing, asUnknown)
	if !ok {
		api.unauthenticated(w, r)
		return
	}
	if !c.threeLegged() {
		if !faults.on(faultVerifyAccepts2Legged) {
			why := "number verification needs a 3-legged token from network-based authentication"
			if api.as.tolerate.on(tolNVNotNetworkCode) {
				api.style.writeError(w, r, http.StatusForbidden, codeNotAuthedByNetwork, why)
				return
			}
			api.permissionDenied(w, r, why)
			return
		}
		c = asDevice
	}
	if !c.has(scope) && !faults.on(faultVerifyScopeUnchecked) {
		api.permissionDenied(w, r, "the access token does not grant "+scope)
		return
	}
	if !api.style.checkCorrelator(w, r) {
		return
	}

	body, ok := readJSONObject(r)
	_, phone := body["phoneNumber"]
	_, hashed := body["hashedPhoneNumber"]
	if faults.on(faultVerifyBodyUnchecked) && (!ok || len(body) != 1 || !phone && !hashed) {
		// The request names no number; the device's is assumed.
		body, ok = map[string]json.RawMessage{"phoneNumber": json.RawMessage(strconv.Quote(c.device))}, true
	}
	if !ok || len(body) != 1 {
		api.style.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
			"the request body must be a JSON object with exactly one of phoneNumber or hashedPhoneNumber")
		return
	}
	var verified, wellFormed bool
	if raw, given := body["phoneNumber"]; given {
		var number string
		number, wellFormed = phoneNumberValue(raw)
		verified = wellFormed && number == c.device
	} else if raw, given := body["hashedPhoneNumber"]; given {
		var hash string
		hash, wellFormed = hashedPhoneNumberValue(raw)
		verified = wellFormed && strings.EqualFold(hash, sha256Hex(c.device))
	} else {
		api.style.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
			"the request body must hold phoneNumber or hashedPhoneNumber")
		return
	}
	switch {
	case !wellFormed && !faults.on(faultPhoneNumberUnvalidated):
		api.style.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
			"phoneNumber must be E.164 with a leading +, hashedPhoneNumber 64 hex digits")
		return
	case wellFormed && faults.on(faultVerifyAlwaysTrue):
		verified = true
	case wellFormed && faults.on(faultVerifyAlwaysFalse):
		verified = false
	}
	result := object{{"devicePhoneNumberVerified", verified}}
	if extra != nil {
		result = extra(result)
	}
	api.style.writeResult(w, r, result)
}

// hashedPhoneNumberValue reads a hashedPhoneNumber member: a JSON string of 64 hex digits.
func hashedPhoneNumberValue(raw json.RawMessage) (string, bool) {
	var hash string
	if err := json.Unmarshal(raw, &hash); err != nil {
		return "", false
	}
	return hash, hashedPhoneNumberPattern.MatchString(hash)
}

// sha256Hex is how Number Verification hashes a number: SHA-256 of the E.164 form with its plus,
// as lower-case hex.
func sha256Hex(number string) string {
	sum := sha256.Sum256([]byte(number))
	return hex.EncodeToString(sum[:])
}
