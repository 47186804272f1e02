package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// hashedPhoneNumberPattern is the SHA-256 hex digest Number Verification accepts in place of a number.
var hashedPhoneNumberPattern = regexp.MustCompile(`^[a-fA-F0-9]{64}$`)

// handleVerify answers whether a number, or the SHA-256 of one, is the number of the device that
// signed in through network-based authentication (CAMARA Number Verification POST /verify, at the
// path seed 000 gives). Only a 3-legged token names a device, so only one is accepted.
func (k *konera) handleVerify(w http.ResponseWriter, r *http.Request) {
	// Whoever a fault lets through without a real device token acts as the simulated device.
	device := caller{scopes: []string{scopeNumberVerifyCheck}, device: koneraDeviceNumber}
	var asMissing, asUnknown *caller
	if k.faults.on(faultVerifyAcceptsMissingToken) {
		asMissing = &device
	}
	if k.faults.on(faultAPIAcceptsInvalidToken) {
		asUnknown = &device
	}
	c, ok := k.api.authenticate(r, asMissing, asUnknown)
	if !ok {
		k.api.unauthenticated(w, r)
		return
	}
	if !c.threeLegged() {
		if !k.faults.on(faultVerifyAccepts2Legged) {
			why := "number verification needs a 3-legged token from network-based authentication"
			if k.cfg.tolerate.on(tolNVNotNetworkCode) {
				k.camara.writeError(w, r, http.StatusForbidden, codeNotAuthedByNetwork, why)
				return
			}
			k.api.permissionDenied(w, r, why)
			return
		}
		c = device
	}
	if !c.has(scopeNumberVerifyCheck) && !k.faults.on(faultVerifyScopeUnchecked) {
		k.api.permissionDenied(w, r, "the access token does not grant "+scopeNumberVerifyCheck)
		return
	}
	if !k.camara.checkCorrelator(w, r) {
		return
	}

	body, ok := readJSONObject(r)
	if !ok || len(body) != 1 {
		k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
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
		k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
			"the request body must hold phoneNumber or hashedPhoneNumber")
		return
	}
	switch {
	case !wellFormed && !k.faults.on(faultPhoneNumberUnvalidated):
		k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument,
			"phoneNumber must be E.164 with a leading +, hashedPhoneNumber 64 hex digits")
		return
	case wellFormed && k.faults.on(faultVerifyAlwaysTrue):
		verified = true
	case wellFormed && k.faults.on(faultVerifyAlwaysFalse):
		verified = false
	}
	k.camara.writeResult(w, r, object{{"devicePhoneNumberVerified", verified}})
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
