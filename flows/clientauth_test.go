package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// methodFaults are the Konera faults that break one client authentication method, each shown by
// TestClientAuthMethods under the method it breaks rather than in the fault matrix, whose
// profile authenticates with client_secret_post.
var methodFaults = map[string]string{
	"client-basic-refused":       flows.ClientSecretBasic,
	"basic-challenge-no-realm":   flows.ClientSecretBasic,
	"client-assertion-refused":   flows.PrivateKeyJWT,
	"client-assertion-unchecked": flows.PrivateKeyJWT,
	"public-client-refused":      flows.ClientAuthNone,
}

// TestClientAuthMethods runs konera.client-credentials with each client authentication method
// against a sandbox client registered for that method only: it passes, and the fault that breaks
// the method fails exactly the checks it should. The secret has the characters that Basic's
// form-encoding (RFC 6749 2.3.1) exists for.
func TestClientAuthMethods(t *testing.T) {
	const secret = "p+%:s é/ü&="
	tests := []struct {
		method string
		fault  string
	}{
		{flows.ClientSecretBasic, "client-basic-refused"},
		{flows.ClientSecretBasic, "basic-challenge-no-realm"},
		{flows.ClientSecretPost, "client-post-refused"},
		{flows.PrivateKeyJWT, "client-assertion-refused"},
		{flows.PrivateKeyJWT, "client-assertion-unchecked"},
		{flows.ClientAuthNone, "public-client-refused"},
	}
	declared := map[string]sandbox.Fault{}
	for _, f := range sandbox.ProviderFaults("konera") {
		declared[f.Name] = f
	}
	for _, tt := range tests {
		t.Run(tt.method+"/"+tt.fault, func(t *testing.T) {
			for _, fault := range []string{"", tt.fault} {
				var faults []string
				if fault != "" {
					faults = []string{fault}
				}
				target, sb := koneraTarget(t, sandbox.Options{ClientAuthMethod: tt.method, ClientSecret: secret, Faults: faults})
				target.Client.Method = tt.method
				target.Secrets[flows.ClientKeyVar] = sb.Values("http://x")[flows.ClientKeyVar]
				var sent []flows.Request
				run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, func(e flows.Event) {
					if r, ok := e.(flows.RequestSent); ok {
						sent = append(sent, r.Request)
					}
				})
				if fault == "" {
					if got := failures(run); len(got) > 0 || run.Status != checks.Pass {
						t.Fatalf("%s without its fault: %s %v", tt.method, run.Status, got)
					}
					wantSent(t, tt.method, sent[0])
					continue
				}
				holdToDeclaration(t, declared[fault], run)
			}
		})
	}
	for fault, method := range methodFaults {
		found := false
		for _, tt := range tests {
			found = found || tt.fault == fault && tt.method == method
		}
		if !found {
			t.Errorf("fault %s has no case under %s", fault, method)
		}
	}
}

// wantSent checks that the first token request carried the credentials as the method says, and
// masked.
func wantSent(t *testing.T, method string, r flows.Request) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	switch method {
	case flows.ClientSecretBasic:
		if auth != "Basic [secret:authorization]" || strings.Contains(r.Body, "client_secret") {
			t.Errorf("basic: Authorization %q, body %q", auth, r.Body)
		}
	case flows.ClientSecretPost:
		if auth != "" || !strings.Contains(r.Body, "client_secret=[secret:client_secret]") {
			t.Errorf("post: Authorization %q, body %q", auth, r.Body)
		}
	case flows.PrivateKeyJWT:
		if auth != "" || !strings.Contains(r.Body, "client_assertion=[secret:client_assertion]") ||
			!strings.Contains(r.Body, "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer") {
			t.Errorf("private_key_jwt: Authorization %q, body %q", auth, r.Body)
		}
	case flows.ClientAuthNone:
		if auth != "" || strings.Contains(r.Body, "client_secret") || !strings.Contains(r.Body, "client_id=") {
			t.Errorf("none: Authorization %q, body %q", auth, r.Body)
		}
	}
}

// TestAssertionAudience runs konera.client-credentials under private_key_jwt with the aud a
// profile can set: the token endpoint (the default) and the issuer both pass, since the sandbox
// accepts either as OIDC Core 9 allows; an audience that is neither is refused, so the audience
// the profile names is the one the assertion carries.
func TestAssertionAudience(t *testing.T) {
	tests := []struct {
		name     string
		audience func(base string) string
		pass     bool
	}{
		{"token endpoint", func(string) string { return "" }, true},
		{"issuer", func(base string) string { return base + "/auth/realms/konera" }, true},
		{"another server", func(string) string { return "https://auth.elsewhere.example/token" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, sb := koneraTarget(t, sandbox.Options{ClientAuthMethod: flows.PrivateKeyJWT})
			base := strings.TrimSuffix(target.Vars["api_base"], "/")
			target.Client.Method = flows.PrivateKeyJWT
			target.Client.Audience = tt.audience(base)
			target.Secrets[flows.ClientKeyVar] = sb.Values(base)[flows.ClientKeyVar]
			target.Flows = target.Flows[:1] // konera.client-credentials
			run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, func(flows.Event) {})
			token := run.Targets[0].Flows[0].Steps[0]
			if tt.pass {
				if got := failures(run); len(got) > 0 || run.Status != checks.Pass {
					t.Fatalf("aud %q: %s %v", target.Client.Audience, run.Status, got)
				}
				return
			}
			if token.Status != checks.Fail || token.Exchanges[0].Response.Status != 401 {
				t.Errorf("aud %q: token step %s, status %d; want a failure on a 401", target.Client.Audience, token.Status, token.Exchanges[0].Response.Status)
			}
		})
	}
}
