package checks

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// format is a named string shape a check can require with `format = "..."`.
type format struct {
	describe string
	valid    func(string) bool
}

var formats = map[string]format{
	"e164":    {"E.164 number (+ then 5 to 15 digits, no leading 0)", IsE164},
	"rfc3339": {"RFC 3339 date-time with a time offset", IsRFC3339},
	"url":     {"absolute URL", IsAbsoluteURL},
	"jwt":     {"JWT (three base64url segments, JSON header with alg)", IsJWT},
	"uuid":    {"UUID", IsUUID},
}

func formatNames() []string {
	var names []string
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// e164 is the pattern CAMARA uses for phoneNumber (ITU-T E.164: a country code that does not
// start with 0 and at most 15 digits).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{4,14}$`)

// IsE164 reports whether s is a phone number in E.164 form as CAMARA writes it.
func IsE164(s string) bool { return e164.MatchString(s) }

// rfc3339 is RFC 3339 section 5.6 date-time: a "T" (or "t") between date and time, optional
// fractional seconds, and a mandatory offset ("Z", "z" or ±hh:mm). time.Parse alone is more
// lenient than the grammar, so the shape is checked first.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)

// IsRFC3339 reports whether s is an RFC 3339 date-time with a time offset, as CAMARA requires.
func IsRFC3339(s string) bool {
	if !rfc3339.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	return err == nil
}

// IsAbsoluteURL reports whether s is a URL with a scheme and a host.
func IsAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// IsJWT reports whether s has the shape of a compact JWS: three base64url segments whose first
// decodes to a JSON object naming an alg. It does not verify a signature.
func IsJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		if _, err := base64.RawURLEncoding.DecodeString(p); err != nil {
			return false
		}
	}
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(head, &h) != nil || h.Alg == "" {
		return false
	}
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	return json.Unmarshal(claims, &c) == nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool { return uuidPattern.MatchString(s) }
