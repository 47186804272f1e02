package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// CAMARA error codes the sandbox answers with (Commonalities 0.6 Design Guide 3.1).
const (
	codeInvalidArgument       = "INVALID_ARGUMENT"
	codeOutOfRange            = "OUT_OF_RANGE"
	codeUnauthenticated       = "UNAUTHENTICATED"
	codePermissionDenied      = "PERMISSION_DENIED"
	codeNotFound              = "NOT_FOUND"
	codeIdentifierNotFound    = "IDENTIFIER_NOT_FOUND"
	codeMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	codeMissingIdentifier     = "MISSING_IDENTIFIER"
	codeUnnecessaryIdentifier = "UNNECESSARY_IDENTIFIER"
	codeInternal              = "INTERNAL"
)

// correlatorHeader is the request header a CAMARA API echoes on every response (Design Guide 5.8.5).
const correlatorHeader = "x-correlator"

// maxJSONBody bounds how much of a request body the sandbox reads; CAMARA bodies are tiny.
const maxJSONBody = 1 << 20

var (
	// phoneNumberPattern is CAMARA's E.164 pattern: a plus, a non-zero digit, 4 to 14 more digits.
	phoneNumberPattern = regexp.MustCompile(`^\+[1-9][0-9]{4,14}$`)
	// integerLiteral is a JSON number with neither fraction nor exponent.
	integerLiteral = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
)

// validCorrelator checks a value against Commonalities 0.6's x-correlator pattern,
// ^[a-zA-Z0-9-_:;./<>{}]{0,256}$, by hand: compiled, the {0,256} is a program of 256 copies
// that cost the whole command 6 ms at start-up.
func validCorrelator(v string) bool {
	if len(v) > 256 {
		return false
	}
	for _, c := range []byte(v) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_:;./<>{}", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// camaraStyle says how a provider's CAMARA APIs write their responses. The zero value follows
// Commonalities; each field is one way a provider can deviate from it, set from its faults.
type camaraStyle struct {
	omitCode        bool   // error bodies without code
	omitMessage     bool   // error bodies without message
	statusAlways400 bool   // error bodies say 400 whatever the HTTP status
	noEcho          bool   // x-correlator not sent back
	failSuccesses   bool   // every answer that would succeed is a 500 INTERNAL error instead
	commonalities   string // the x-camara-commonalities every response sends; "" sends none
	// correlatorHeader is the correlation header the APIs echo and check: x-correlator, or a
	// provider's own name for it.
	correlatorHeader string
	anyCorrelator    bool // a correlation value that breaks the pattern is accepted
}

// writeResult sends a successful CAMARA response, or under api-internal-error the 500 that
// stands in for it.
func (st camaraStyle) writeResult(w http.ResponseWriter, r *http.Request, body object) {
	if st.failSuccesses {
		st.writeError(w, r, http.StatusInternalServerError, codeInternal, "the server met an unexpected condition")
		return
	}
	st.echoCorrelator(w, r)
	writeJSON(w, http.StatusOK, jsonContentType, body)
}

// writeError sends a CAMARA error: {status, code, message}, with status equal to the HTTP one.
func (st camaraStyle) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	st.echoCorrelator(w, r)
	bodyStatus := status
	if st.statusAlways400 {
		bodyStatus = http.StatusBadRequest
	}
	body := object{{"status", bodyStatus}}
	if !st.omitCode {
		body = append(body, member{"code", code})
	}
	if !st.omitMessage {
		body = append(body, member{"message", message})
	}
	writeJSON(w, status, jsonContentType, body)
}

// checkCorrelator refuses a request whose x-correlator breaks the Commonalities pattern, as the
// Design Guide requires, and reports whether the request may go on.
func (st camaraStyle) checkCorrelator(w http.ResponseWriter, r *http.Request) bool {
	if st.anyCorrelator || validCorrelator(r.Header.Get(st.correlatorHeader)) {
		return true
	}
	st.writeError(w, r, http.StatusBadRequest, codeInvalidArgument, st.correlatorHeader+" does not match the required pattern")
	return false
}

// echoCorrelator copies a non-empty request x-correlator onto the response, so a client can tie
// the answer to its request.
func (st camaraStyle) echoCorrelator(w http.ResponseWriter, r *http.Request) {
	if st.commonalities != "" {
		w.Header().Set(commonalitiesHeader, st.commonalities)
	}
	if st.noEcho {
		return
	}
	if value := r.Header.Get(st.correlatorHeader); value != "" {
		w.Header().Set(st.correlatorHeader, value)
	}
}

// readJSONObject reads a request body that must be exactly one JSON object. CAMARA makes the body
// of these POST operations required even when every field is optional, so an empty body, null, an
// array or trailing data are all refused by the caller as INVALID_ARGUMENT.
func readJSONObject(r *http.Request) (map[string]json.RawMessage, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil || len(data) > maxJSONBody {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var body map[string]json.RawMessage
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return body, true
}

// phoneNumberValue reads a phoneNumber member: a JSON string in E.164 form with its plus.
func phoneNumberValue(raw json.RawMessage) (string, bool) {
	var number string
	if err := json.Unmarshal(raw, &number); err != nil {
		return "", false
	}
	return number, phoneNumberPattern.MatchString(number)
}

// integerValue reads a JSON member that must be an integer literal. One too large for int64 is
// still an integer, just out of any range, so it saturates instead of failing.
func integerValue(raw json.RawMessage) (int64, bool) {
	literal := strings.TrimSpace(string(raw))
	if !integerLiteral.MatchString(literal) {
		return 0, false
	}
	n, err := strconv.ParseInt(literal, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		if strings.HasPrefix(literal, "-") {
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	return n, err == nil
}
