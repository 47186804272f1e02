package sandbox

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// CAMARA SIM Swap v2 limits on maxAge, in hours.
const (
	maxAgeDefault = 240
	maxAgeMin     = 1
	maxAgeMax     = 2400
)

// simSwapRequest is a SIM Swap request that passed authentication and schema validation.
type simSwapRequest struct {
	caller     caller
	body       map[string]json.RawMessage
	phone      string
	phoneGiven bool
	malformed  bool // phoneNumber broke the schema but a fault let it through
}

// handleSimSwapCheck answers whether the SIM of a number changed within the last maxAge hours
// (CAMARA SIM Swap v2 POST /check).
func (k *konera) handleSimSwapCheck(w http.ResponseWriter, r *http.Request) {
	req, ok := k.readSimSwapRequest(w, r, scopeSimSwapCheck)
	if !ok {
		return
	}
	maxAge := int64(maxAgeDefault)
	if raw, given := req.body["maxAge"]; given {
		n, isInteger := integerValue(raw)
		if !isInteger {
			k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument, "maxAge must be an integer number of hours")
			return
		}
		if (n < maxAgeMin || n > maxAgeMax) && !k.faults.on(faultMaxAgeUnchecked) {
			// Below the schema's minimum is a schema violation; above its maximum, CAMARA's
			// scenario asks for OUT_OF_RANGE.
			code := codeOutOfRange
			if n < maxAgeMin && !k.faults.on(faultMaxAgeZeroOutOfRange) || n > maxAgeMax && k.faults.on(faultMaxAgeInvalidArgument) {
				code = codeInvalidArgument
			}
			k.camara.writeError(w, r, http.StatusBadRequest, code, "maxAge must be between 1 and 2400 hours")
			return
		}
		maxAge = n
	}
	sim, ok := k.simOf(w, r, req)
	if !ok {
		return
	}
	swapped := sim.swapped && withinHours(k.now().Sub(sim.latestChange), maxAge)
	if k.faults.on(faultSwapNotDetected) {
		swapped = false
	}
	var answer any = swapped
	if k.faults.on(faultSwappedAsString) {
		answer = strconv.FormatBool(swapped)
	}
	k.camara.writeResult(w, r, object{{"swapped", answer}})
}

// handleSimSwapDate answers when the SIM of a number last changed: its last swap, or its
// activation if it never was swapped (CAMARA SIM Swap v2 POST /retrieve-date).
func (k *konera) handleSimSwapDate(w http.ResponseWriter, r *http.Request) {
	req, ok := k.readSimSwapRequest(w, r, scopeSimSwapDate)
	if !ok {
		return
	}
	sim, ok := k.simOf(w, r, req)
	if !ok {
		return
	}
	changed := sim.latestChange.UTC().Truncate(time.Second)
	layout := time.RFC3339
	if k.faults.on(faultSwapDateNotRFC3339) {
		layout = "2006-01-02 15:04:05"
	}
	k.camara.writeResult(w, r, object{{"latestSimChange", changed.Format(layout)}})
}

// readSimSwapRequest does what both SIM Swap operations share: it authenticates the caller,
// checks the token's scope for the operation, and validates the body and its phoneNumber. On
// failure it has already answered and returns false.
func (k *konera) readSimSwapRequest(w http.ResponseWriter, r *http.Request, scope string) (simSwapRequest, bool) {
	// Whoever a fault lets through without a real token acts as a 2-legged client with every SIM Swap scope.
	anyClient := caller{scopes: []string{scopeSimSwapCheck, scopeSimSwapDate}}
	var asMissing, asUnknown *caller
	if k.faults.on(faultSimSwapAcceptsMissingToken) {
		asMissing = &anyClient
	}
	if k.faults.on(faultAPIAcceptsInvalidToken) {
		asUnknown = &anyClient
	}
	c, ok := k.api.authenticate(r, asMissing, asUnknown)
	if !ok {
		k.api.unauthenticated(w, r)
		return simSwapRequest{}, false
	}
	if !c.has(scope) {
		k.api.permissionDenied(w, r, "the access token does not grant "+scope)
		return simSwapRequest{}, false
	}
	if !k.camara.checkCorrelator(w, r) {
		return simSwapRequest{}, false
	}
	body, ok := readJSONObject(r)
	if !ok {
		k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument, "the request body must be a JSON object")
		return simSwapRequest{}, false
	}
	req := simSwapRequest{caller: c, body: body}
	if raw, given := body["phoneNumber"]; given {
		req.phoneGiven = true
		number, valid := phoneNumberValue(raw)
		if !valid {
			if !k.faults.on(faultPhoneNumberUnvalidated) {
				k.camara.writeError(w, r, http.StatusBadRequest, codeInvalidArgument, "phoneNumber must be a string in E.164 format with a leading +")
				return simSwapRequest{}, false
			}
			req.malformed = true
		}
		req.phone = number
	}
	return req, true
}

// simOf finds the SIM a request is about, following CAMARA's rule for identifiers: a 2-legged
// token needs an explicit phoneNumber, a 3-legged one already names the device and must not be
// given another.
func (k *konera) simOf(w http.ResponseWriter, r *http.Request, req simSwapRequest) (simRecord, bool) {
	number := req.phone
	switch {
	case req.caller.threeLegged() && req.phoneGiven:
		k.camara.writeError(w, r, http.StatusUnprocessableEntity, codeUnnecessaryIdentifier,
			"the phone number is already identified by the access token")
		return simRecord{}, false
	case req.caller.threeLegged():
		number = req.caller.device
	case !req.phoneGiven && k.faults.on(faultMissingIdentifierAccepted):
		// Some line is assumed: one activated when the sandbox started.
		return simRecord{latestChange: k.start}, true
	case !req.phoneGiven:
		k.camara.writeError(w, r, http.StatusUnprocessableEntity, codeMissingIdentifier,
			"phoneNumber is required with a 2-legged access token")
		return simRecord{}, false
	}
	if req.malformed {
		// A number the fault let through has no history: it reads as a SIM activated when the sandbox started.
		return simRecord{latestChange: k.start}, true
	}
	sim, known := k.sims[number]
	if !known {
		k.camara.writeError(w, r, http.StatusNotFound, codeIdentifierNotFound, "no SIM is known for "+number)
		return simRecord{}, false
	}
	return sim, true
}

// withinHours reports whether elapsed is at most hours long, without overflowing for the huge
// maxAge values a fault may let through.
func withinHours(elapsed time.Duration, hours int64) bool {
	const maxHours = int64(math.MaxInt64 / int64(time.Hour))
	switch {
	case hours > maxHours:
		return true
	case hours < -maxHours:
		return false
	}
	return elapsed <= time.Duration(hours)*time.Hour
}
