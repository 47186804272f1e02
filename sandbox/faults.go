package sandbox

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Fault describes one named deviation a sandbox can be told to make. Faults are named per
// provider ("konera/state-not-echoed"): each provider's sandbox has its own, and a run with several
// sandbox providers applies each fault to the sandbox it names. The project lists them in --help
// and pairs each with the checks it must make fail, so every check is shown to bite.
type Fault struct{ Provider, Name, Description string }

// ID is the fault's qualified name, as the command line takes it: provider/name.
func (f Fault) ID() string { return f.Provider + "/" + f.Name }

// Konera fault names. Each switches on exactly one deviation from seed 000, RFC 6749 or CAMARA.
const (
	faultTokenTypeMissing           = "token-type-missing"
	faultExpiresInString            = "expires-in-string"
	faultNoCacheControl             = "no-cache-control"
	faultNoPragma                   = "no-pragma"
	faultTokenNotJSON               = "token-not-json"
	faultAccessTokenMissing         = "access-token-missing"
	faultCCRefreshToken             = "cc-refresh-token"
	faultWrongSecretAccepted        = "wrong-secret-accepted"
	faultUnauthorizedClient         = "unauthorized-client"
	faultTokenError200              = "token-error-200"
	faultTokenErrorUnregistered     = "token-error-unregistered"
	faultNoWWWAuthenticate          = "no-www-authenticate"
	faultStateNotEchoed             = "state-not-echoed"
	faultCodeMissing                = "code-missing"
	faultRedirect307                = "redirect-307"
	faultAuthorizeErrorUnregistered = "authorize-error-unregistered"
	faultRedirectURIUnchecked       = "redirect-uri-unchecked"
	faultCodeReusable               = "code-reusable"
	faultTokenRedirectURIUnchecked  = "token-redirect-uri-unchecked"
	faultAPIAcceptsInvalidToken     = "api-accepts-invalid-token"
	faultExpiredTokenAccepted       = "expired-token-accepted"
	faultSimSwapAcceptsMissingToken = "sim-swap-accepts-missing-token"
	faultVerifyAcceptsMissingToken  = "verify-accepts-missing-token"
	faultVerifyAccepts2Legged       = "verify-accepts-2legged"
	faultVerifyAlwaysTrue           = "verify-always-true"
	faultPhoneNumberUnvalidated     = "phone-number-unvalidated"
	faultMaxAgeUnchecked            = "max-age-unchecked"
	faultMaxAgeInvalidArgument      = "max-age-invalid-argument"
	faultCamaraErrorNoCode          = "camara-error-no-code"
	faultCamaraErrorNoMessage       = "camara-error-no-message"
	faultCamaraStatusMismatch       = "camara-status-mismatch"
	faultSwappedAsString            = "swapped-as-string"
	faultSwapNotDetected            = "swap-not-detected"
	faultSwapDateNotRFC3339         = "swap-date-not-rfc3339"
	faultXCorrelatorNotEchoed       = "x-correlator-not-echoed"
	faultExpiresInMissing           = "expires-in-missing"
	faultVerifyAlwaysFalse          = "verify-always-false"
	faultAPIInternalError           = "api-internal-error"
	faultClientCredentialsRefused   = "client-credentials-refused"
	faultCodeExchangeRefused        = "code-exchange-refused"
	faultTokenBearerUnchecked       = "token-bearer-unchecked"
)

// koneraFaults lists the deviations the Konera sandbox can make, with a line for --help each.
func koneraFaults() []Fault {
	k := func(name, description string) Fault {
		return Fault{Name: name, Provider: koneraProvider, Description: description}
	}
	return append(clientAuthFaults(koneraProvider), []Fault{
		k(faultTokenTypeMissing, "Token responses leave out token_type."),
		k(faultExpiresInString, "Token responses give expires_in as the string \"300\" instead of a number."),
		k(faultNoCacheControl, "Token endpoints send no Cache-Control header."),
		k(faultNoPragma, "Token endpoints send no Pragma header."),
		k(faultTokenNotJSON, "Successful token responses are labelled text/plain although the body is JSON."),
		k(faultAccessTokenMissing, "Successful token responses carry no access_token."),
		k(faultCCRefreshToken, "Client-credentials responses include a refresh_token they should not have."),
		k(faultWrongSecretAccepted, "The client-credentials endpoint lets a known client in with any secret."),
		k(faultUnauthorizedClient, "A wrong client secret is refused with 400 unauthorized_client, as Keycloak does, not 401 invalid_client."),
		k(faultTokenError200, "OAuth errors from the token endpoints come back with HTTP status 200."),
		k(faultTokenErrorUnregistered, "OAuth errors from the token endpoints use the unregistered code request_failed."),
		k(faultNoWWWAuthenticate, "The code-exchange endpoint answers 401 without a WWW-Authenticate challenge."),
		k(faultStateNotEchoed, "Redirects back to the client drop the state parameter."),
		k(faultCodeMissing, "The successful redirect back to the client carries state but no code."),
		k(faultRedirect307, "The last redirect back to the client uses 307 instead of 302."),
		k(faultAuthorizeErrorUnregistered, "Authorization error redirects use the unregistered code bad_request."),
		k(faultRedirectURIUnchecked, "The authorize endpoint redirects to whatever redirect_uri it is given."),
		k(faultCodeReusable, "Authorization codes can be exchanged more than once."),
		k(faultTokenRedirectURIUnchecked, "Code exchange ignores a redirect_uri that differs from the authorization's."),
		k(faultAPIAcceptsInvalidToken, "SIM Swap and Number Verification accept bearer tokens they never issued."),
		k(faultExpiredTokenAccepted, "SIM Swap and Number Verification accept expired access tokens."),
		k(faultSimSwapAcceptsMissingToken, "SIM Swap answers requests that carry no Authorization header."),
		k(faultVerifyAcceptsMissingToken, "Number Verification answers requests that carry no Authorization header."),
		k(faultVerifyAccepts2Legged, "Number Verification accepts a client-credentials token as if the device had signed in."),
		k(faultVerifyAlwaysTrue, "Number Verification says every well-formed number belongs to the device."),
		k(faultPhoneNumberUnvalidated, "SIM Swap and Number Verification answer malformed phone numbers instead of refusing them."),
		k(faultMaxAgeUnchecked, "SIM Swap check uses any integer maxAge, even outside 1 to 2400."),
		k(faultMaxAgeInvalidArgument, "An out-of-range maxAge is refused as INVALID_ARGUMENT instead of OUT_OF_RANGE."),
		k(faultCamaraErrorNoCode, "CAMARA error bodies leave out code."),
		k(faultCamaraErrorNoMessage, "CAMARA error bodies leave out message."),
		k(faultCamaraStatusMismatch, "CAMARA error bodies say status 400 whatever the HTTP status is."),
		k(faultSwappedAsString, "SIM Swap check sends swapped as the string \"true\" or \"false\"."),
		k(faultSwapNotDetected, "SIM Swap check never reports a swap."),
		k(faultSwapDateNotRFC3339, "SIM Swap retrieve-date sends latestSimChange without the T and the time zone."),
		k(faultXCorrelatorNotEchoed, "CAMARA endpoints do not send the x-correlator header back."),
		k(faultExpiresInMissing, "Successful token responses carry no expires_in."),
		k(faultVerifyAlwaysFalse, "Number Verification says no well-formed number is the device's, not even its own."),
		k(faultAPIInternalError, "SIM Swap and Number Verification answer 500 INTERNAL wherever they should succeed."),
		k(faultClientCredentialsRefused, "The client-credentials endpoint turns away the right secret as if it were wrong."),
		k(faultCodeExchangeRefused, "Code exchange refuses valid codes as invalid_grant and leaves them unused."),
		k(faultTokenBearerUnchecked, "Code exchange takes any bearer token, or none, as the registered client's."),
	}...)
}

// Faults lists every fault of every provider, sorted by provider and name, for --help and for
// tests that must cover each one.
func Faults() []Fault {
	var all []Fault
	for _, spec := range providerSpecs() {
		all = append(all, spec.faults()...)
	}
	slices.SortFunc(all, func(a, b Fault) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Name, b.Name))
	})
	return all
}

// ProviderFaults lists one provider's faults, sorted by name.
func ProviderFaults(provider string) []Fault {
	var out []Fault
	for _, f := range Faults() {
		if f.Provider == provider {
			out = append(out, f)
		}
	}
	return out
}

// ResolveFaults sorts the faults a person named by the sandbox they apply to. A name is
// provider/name, or a bare name that exactly one of the given providers has; anything else is an
// error that lists what would be valid, since a fault silently ignored would make a run lie.
func ResolveFaults(names, providers []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, n := range names {
		if provider, name, ok := strings.Cut(n, "/"); ok {
			if !slices.Contains(providers, provider) {
				return nil, fmt.Errorf("fault %s: no selected profile runs against the %s sandbox", n, provider)
			}
			if !hasFault(provider, name) {
				return nil, fmt.Errorf("fault %s: the %s sandbox has no fault %q (telconform sandbox -h lists them)", n, provider, name)
			}
			out[provider] = append(out[provider], name)
			continue
		}
		var owners []string
		for _, p := range providers {
			if hasFault(p, n) {
				owners = append(owners, p)
			}
		}
		switch len(owners) {
		case 1:
			out[owners[0]] = append(out[owners[0]], n)
		case 0:
			return nil, fmt.Errorf("fault %s: none of the selected sandboxes (%s) has it (telconform sandbox -h lists them)", n, strings.Join(providers, ", "))
		default:
			qualified := make([]string, len(owners))
			for i, o := range owners {
				qualified[i] = o + "/" + n
			}
			return nil, fmt.Errorf("fault %s: several sandboxes have it; name one: %s", n, strings.Join(qualified, ", "))
		}
	}
	return out, nil
}

func hasFault(provider, name string) bool {
	for _, f := range ProviderFaults(provider) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// faultSet holds the faults switched on for one sandbox. It is filled once by New and only read
// afterwards, so handlers may consult it without locking.
type faultSet map[string]bool

func (f faultSet) on(name string) bool { return f[name] }

// newFaultSet checks every requested name against the provider's own faults; a mistyped name is
// an error that lists the valid ones, since a fault silently ignored would make a test lie.
func newFaultSet(provider string, names []string) (faultSet, error) {
	var valid []string
	for _, f := range ProviderFaults(provider) {
		valid = append(valid, f.Name)
	}
	set := faultSet{}
	for _, name := range names {
		name = strings.TrimPrefix(name, provider+"/")
		if !slices.Contains(valid, name) {
			return nil, fmt.Errorf("sandbox: unknown fault %q for provider %s (valid: %s)", name, provider, strings.Join(valid, ", "))
		}
		set[name] = true
	}
	return set, nil
}
