package flows_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/sandbox"
)

// faultMatrix says, for every fault the Konera sandbox can make, exactly which checks of the three
// Konera flows must stop holding (fail, or warn for warn-level checks) and no others. Keys are
// flow/step/check, with the flows abbreviated: cc = konera.client-credentials, ss =
// konera.sim-swap, nv = konera.number-verification.
var faultMatrix = []struct {
	fault string
	want  []string
}{
	{"access-token-missing", []string{
		"cc/token/oauth2.token.access_token",
		"nv/cc-token/oauth2.token.access_token",
		"ss/token/oauth2.token.access_token",
	}},
	{"api-accepts-invalid-token", []string{
		"nv/verify-invalid-token/camara.code",
		"nv/verify-invalid-token/camara.error.code",
		"nv/verify-invalid-token/camara.error.message",
		"nv/verify-invalid-token/camara.error.status",
		"nv/verify-invalid-token/http.status",
		"ss/invalid-token/camara.code",
		"ss/invalid-token/camara.error.code",
		"ss/invalid-token/camara.error.message",
		"ss/invalid-token/camara.error.status",
		"ss/invalid-token/http.status",
	}},
	{"api-internal-error", []string{
		"nv/verify-device/camara.nv.verified",
		"nv/verify-device/http.status",
		"nv/verify-other/camara.nv.verified",
		"nv/verify-other/http.status",
		"ss/check-not-swapped/camara.sim-swap.swapped",
		"ss/check-not-swapped/http.status",
		"ss/check-swapped/camara.sim-swap.swapped",
		"ss/check-swapped/camara.sim-swap.swapped-boolean",
		"ss/check-swapped/http.status",
		"ss/retrieve-date/camara.sim-swap.latest-sim-change",
		"ss/retrieve-date/http.status",
	}},
	{"authorize-error-unregistered", []string{
		"nv/authorize-without-api-scope/oauth2.redirect.error-code",
		"nv/authorize-without-api-scope/oauth2.redirect.expected-error",
	}},
	{"camara-error-no-code", []string{
		"nv/verify-2legged/camara.code",
		"nv/verify-2legged/camara.error.code",
		"nv/verify-invalid-token/camara.code",
		"nv/verify-invalid-token/camara.error.code",
		"nv/verify-malformed/camara.code",
		"nv/verify-malformed/camara.error.code",
		"nv/verify-no-token/camara.code",
		"nv/verify-no-token/camara.error.code",
		"ss/expired-token/camara.code",
		"ss/expired-token/camara.error.code",
		"ss/invalid-token/camara.code",
		"ss/invalid-token/camara.error.code",
		"ss/malformed-number/camara.code",
		"ss/malformed-number/camara.error.code",
		"ss/max-age-out-of-range/camara.code",
		"ss/max-age-out-of-range/camara.error.code",
		"ss/no-token/camara.code",
		"ss/no-token/camara.error.code",
	}},
	{"camara-error-no-message", []string{
		"nv/verify-2legged/camara.error.message",
		"nv/verify-invalid-token/camara.error.message",
		"nv/verify-malformed/camara.error.message",
		"nv/verify-no-token/camara.error.message",
		"ss/expired-token/camara.error.message",
		"ss/invalid-token/camara.error.message",
		"ss/malformed-number/camara.error.message",
		"ss/max-age-out-of-range/camara.error.message",
		"ss/no-token/camara.error.message",
	}},
	{"camara-status-mismatch", []string{
		"nv/verify-2legged/camara.error.status",
		"nv/verify-invalid-token/camara.error.status",
		"nv/verify-no-token/camara.error.status",
		"ss/expired-token/camara.error.status",
		"ss/invalid-token/camara.error.status",
		"ss/no-token/camara.error.status",
	}},
	{"cc-refresh-token", []string{
		"cc/token/oauth2.token.no-refresh-token",
	}},
	{"client-credentials-refused", []string{
		"cc/token/http.status",
		"cc/token/oauth2.token.access_token",
		"cc/token/oauth2.token.expires_in-present",
		"cc/token/oauth2.token.token_type-bearer",
		"nv/cc-token/http.status",
		"nv/cc-token/oauth2.token.access_token",
		"nv/cc-token/oauth2.token.expires_in-present",
		"nv/cc-token/oauth2.token.token_type-bearer",
		"ss/token/http.status",
		"ss/token/oauth2.token.access_token",
		"ss/token/oauth2.token.expires_in-present",
		"ss/token/oauth2.token.token_type-bearer",
	}},
	{"code-exchange-refused", []string{
		"nv/token-exchange/http.status",
		"nv/token-exchange/oauth2.token.access_token",
		"nv/token-exchange/oauth2.token.expires_in-present",
		"nv/token-exchange/oauth2.token.token_type-bearer",
	}},
	{"client-post-refused", []string{
		"cc/token/http.status",
		"cc/token/oauth2.token.access_token",
		"cc/token/oauth2.token.expires_in-present",
		"cc/token/oauth2.token.token_type-bearer",
		"nv/cc-token/http.status",
		"nv/cc-token/oauth2.token.access_token",
		"nv/cc-token/oauth2.token.expires_in-present",
		"nv/cc-token/oauth2.token.token_type-bearer",
		"ss/token/http.status",
		"ss/token/oauth2.token.access_token",
		"ss/token/oauth2.token.expires_in-present",
		"ss/token/oauth2.token.token_type-bearer",
	}},
	{"code-missing", []string{
		"nv/authorize-again/oauth2.redirect.code",
		"nv/authorize/oauth2.redirect.code",
	}},
	{"code-reusable", []string{
		"nv/code-reuse/http.status",
		"nv/code-reuse/oauth2.error.code",
		"nv/code-reuse/oauth2.error.expected",
		"nv/code-reuse/oauth2.error.status",
		"nv/code-reuse/oauth2.token.not-issued",
	}},
	{"expired-token-accepted", []string{
		"ss/expired-token/camara.code",
		"ss/expired-token/camara.error.code",
		"ss/expired-token/camara.error.message",
		"ss/expired-token/camara.error.status",
		"ss/expired-token/http.status",
	}},
	{"expires-in-missing", []string{
		"cc/token/oauth2.token.expires_in-present",
		"nv/cc-token/oauth2.token.expires_in-present",
		"nv/token-exchange/oauth2.token.expires_in-present",
		"ss/token/oauth2.token.expires_in-present",
	}},
	{"expires-in-string", []string{
		"cc/token/oauth2.token.expires_in-integer",
		"nv/cc-token/oauth2.token.expires_in-integer",
		"nv/token-exchange/oauth2.token.expires_in-integer",
		"ss/token/oauth2.token.expires_in-integer",
	}},
	{"max-age-invalid-argument", []string{
		"ss/max-age-out-of-range/camara.code",
	}},
	{"max-age-unchecked", []string{
		"ss/max-age-out-of-range/camara.code",
		"ss/max-age-out-of-range/camara.error.code",
		"ss/max-age-out-of-range/camara.error.message",
		"ss/max-age-out-of-range/camara.error.status",
		"ss/max-age-out-of-range/http.status",
	}},
	{"no-cache-control", []string{
		"cc/token/oauth2.token.cache-control-no-store",
		"nv/cc-token/oauth2.token.cache-control-no-store",
		"nv/token-exchange/oauth2.token.cache-control-no-store",
		"ss/token/oauth2.token.cache-control-no-store",
	}},
	{"no-pragma", []string{
		"cc/token/oauth2.token.pragma-no-cache",
		"nv/cc-token/oauth2.token.pragma-no-cache",
		"nv/token-exchange/oauth2.token.pragma-no-cache",
		"ss/token/oauth2.token.pragma-no-cache",
	}},
	{"no-www-authenticate", []string{
		"nv/exchange-bad-bearer/oauth2.error.www-authenticate",
	}},
	{"phone-number-unvalidated", []string{
		"nv/verify-malformed/camara.code",
		"nv/verify-malformed/camara.error.code",
		"nv/verify-malformed/camara.error.message",
		"nv/verify-malformed/camara.error.status",
		"nv/verify-malformed/http.status",
		"ss/malformed-number/camara.code",
		"ss/malformed-number/camara.error.code",
		"ss/malformed-number/camara.error.message",
		"ss/malformed-number/camara.error.status",
		"ss/malformed-number/http.status",
	}},
	{"redirect-307", []string{
		"nv/authorize-again/oauth2.redirect.not-307",
		"nv/authorize-without-api-scope/oauth2.redirect.not-307",
		"nv/authorize/oauth2.redirect.not-307",
	}},
	{"redirect-uri-unchecked", []string{
		"nv/authorize-unregistered-redirect/oauth2.redirect.not-redirected",
	}},
	{"sim-swap-accepts-missing-token", []string{
		"ss/no-token/camara.code",
		"ss/no-token/camara.error.code",
		"ss/no-token/camara.error.message",
		"ss/no-token/camara.error.status",
		"ss/no-token/http.status",
	}},
	{"state-not-echoed", []string{
		"nv/authorize-again/oauth2.redirect.state-echoed",
		"nv/authorize-without-api-scope/oauth2.redirect.state-echoed",
		"nv/authorize/oauth2.redirect.state-echoed",
	}},
	{"swap-date-not-rfc3339", []string{
		"ss/retrieve-date/camara.sim-swap.latest-sim-change",
	}},
	{"swap-not-detected", []string{
		"ss/check-swapped/camara.sim-swap.swapped",
	}},
	{"swapped-as-string", []string{
		"ss/check-not-swapped/camara.sim-swap.swapped",
		"ss/check-swapped/camara.sim-swap.swapped",
		"ss/check-swapped/camara.sim-swap.swapped-boolean",
	}},
	{"token-bearer-unchecked", []string{
		"nv/exchange-bad-bearer/http.status",
		"nv/exchange-bad-bearer/oauth2.error.code",
		"nv/exchange-bad-bearer/oauth2.error.expected",
		"nv/exchange-bad-bearer/oauth2.error.status",
		"nv/exchange-bad-bearer/oauth2.token.not-issued",
	}},
	{"token-error-200", []string{
		"cc/unsupported-grant/http.status",
		"cc/unsupported-grant/oauth2.error.status",
		"cc/wrong-secret/http.status",
		"cc/wrong-secret/oauth2.error.status",
		"nv/code-reuse/http.status",
		"nv/code-reuse/oauth2.error.status",
		"nv/exchange-bad-bearer/http.status",
		"nv/exchange-bad-bearer/oauth2.error.status",
		"nv/exchange-other-redirect/oauth2.error.status",
	}},
	{"token-error-unregistered", []string{
		"cc/unsupported-grant/oauth2.error.code",
		"cc/unsupported-grant/oauth2.error.expected",
		"cc/wrong-secret/oauth2.error.code",
		"cc/wrong-secret/oauth2.error.expected",
		"nv/code-reuse/oauth2.error.code",
		"nv/code-reuse/oauth2.error.expected",
		"nv/exchange-bad-bearer/oauth2.error.code",
		"nv/exchange-bad-bearer/oauth2.error.expected",
		"nv/exchange-other-redirect/oauth2.error.code",
		"nv/exchange-other-redirect/oauth2.error.expected",
	}},
	{"token-not-json", []string{
		"cc/token/oauth2.token.content-type-json",
		"nv/cc-token/oauth2.token.content-type-json",
		"nv/token-exchange/oauth2.token.content-type-json",
		"ss/token/oauth2.token.content-type-json",
	}},
	{"token-redirect-uri-unchecked", []string{
		"nv/exchange-other-redirect/oauth2.error.code",
		"nv/exchange-other-redirect/oauth2.error.expected",
		"nv/exchange-other-redirect/oauth2.error.status",
		"nv/exchange-other-redirect/oauth2.token.not-issued",
	}},
	{"token-type-missing", []string{
		"cc/token/oauth2.token.token_type-bearer",
		"nv/cc-token/oauth2.token.token_type-bearer",
		"nv/token-exchange/oauth2.token.token_type-bearer",
		"ss/token/oauth2.token.token_type-bearer",
	}},
	{"unauthorized-client", []string{
		"cc/wrong-secret/http.status",
		"cc/wrong-secret/oauth2.error.expected",
	}},
	{"verify-accepts-2legged", []string{
		"nv/verify-2legged/camara.code",
		"nv/verify-2legged/camara.error.code",
		"nv/verify-2legged/camara.error.message",
		"nv/verify-2legged/camara.error.status",
		"nv/verify-2legged/http.status",
	}},
	{"verify-accepts-missing-token", []string{
		"nv/verify-no-token/camara.code",
		"nv/verify-no-token/camara.error.code",
		"nv/verify-no-token/camara.error.message",
		"nv/verify-no-token/camara.error.status",
		"nv/verify-no-token/http.status",
	}},
	{"verify-always-false", []string{
		"nv/verify-device/camara.nv.verified",
	}},
	{"verify-always-true", []string{
		"nv/verify-other/camara.nv.verified",
	}},
	{"wrong-secret-accepted", []string{
		"cc/wrong-secret/http.status",
		"cc/wrong-secret/oauth2.error.code",
		"cc/wrong-secret/oauth2.error.expected",
		"cc/wrong-secret/oauth2.error.status",
		"cc/wrong-secret/oauth2.token.not-issued",
	}},
	{"x-correlator-not-echoed", []string{
		"nv/verify-device/camara.x-correlator.echoed",
		"ss/check-swapped/camara.x-correlator.echoed",
	}},
}

var flowAbbrev = strings.NewReplacer("cc/", "konera.client-credentials/", "ss/", "konera.sim-swap/", "nv/", "konera.number-verification/")

// TestEveryFaultFailsExactlyItsChecks runs the three Konera flows against the sandbox once per
// fault and compares the checks that stopped holding with the matrix, both ways.
func TestEveryFaultFailsExactlyItsChecks(t *testing.T) {
	listed := map[string]bool{}
	for _, tt := range faultMatrix {
		listed[tt.fault] = true
		t.Run(tt.fault, func(t *testing.T) {
			run := runKonera(t, tt.fault)
			var want []string
			onlyWarnings := true
			for _, w := range tt.want {
				want = append(want, flowAbbrev.Replace(w))
			}
			got := deviations(run)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("checks that stopped holding:\n got  %q\n want %q", got, want)
			}
			for _, tr := range run.Targets {
				for _, f := range tr.Flows {
					for _, s := range f.Steps {
						for _, o := range s.Outcomes {
							if o.Status == checks.Fail {
								onlyWarnings = false
							}
						}
					}
				}
			}
			switch {
			case onlyWarnings && run.Status != checks.Warn:
				t.Errorf("a fault that only breaks SHOULDs leaves the run %s, want warn", run.Status)
			case !onlyWarnings && run.Status != checks.Fail:
				t.Errorf("run status %s, want fail", run.Status)
			}
		})
	}
	for _, f := range sandbox.ProviderFaults("konera") {
		if !listed[f.Name] && methodFaults[f.Name] == "" {
			t.Errorf("fault %s is not in the matrix", f.Name)
		}
	}
}

// TestEveryCheckCanFail makes sure the matrix leaves no check untested: every check that applies
// to a conforming run fails under at least one fault.
func TestEveryCheckCanFail(t *testing.T) {
	failed := map[string]bool{}
	for _, tt := range faultMatrix {
		for _, w := range tt.want {
			failed[flowAbbrev.Replace(w)] = true
		}
	}
	run := runKonera(t)
	for _, f := range run.Targets[0].Flows {
		for _, s := range f.Steps {
			for _, o := range s.Outcomes {
				key := f.ID + "/" + s.ID + "/" + o.ID
				if o.Status == checks.Pass && !failed[key] {
					t.Errorf("%s passes against the conforming sandbox and no fault makes it fail", key)
				}
			}
		}
	}
}
