package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const acme = `name = "acme"
title = "Acme aggregator"
provider = "konera"
flows = ["konera.client-credentials"]

[vars]
token_url = "https://auth.acme.example/token"
client_id = "${env:ACME_CLIENT_ID}"

[secrets]
client_secret = "${env:ACME_SECRET}"

[client]
token_endpoint_auth_method = "client_secret_post"
`

func env(vals map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vals[k]
		return v, ok
	}
}

func TestBuiltinProfiles(t *testing.T) {
	ps, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	// Each provider has a production profile named after it and a sandbox one, in name order.
	if len(names) < 10 || !slices.IsSorted(names) {
		t.Fatalf("built-in profiles: %v", names)
	}
	for _, p := range ps {
		twin := "sandbox-" + p.Name
		if p.Sandbox != "" {
			twin = strings.TrimPrefix(p.Name, "sandbox-")
		}
		if !slices.Contains(names, twin) || (p.Sandbox != "" && p.Sandbox != p.Provider) || (p.Sandbox == "" && p.Name != p.Provider) {
			t.Errorf("%s (provider %s, sandbox %q) has no twin %s, or names another provider", p.Name, p.Provider, p.Sandbox, twin)
		}
	}
	for _, p := range ps {
		got := p.EnvNames()
		switch {
		case p.Name == "konera" && (len(got) != 7 || got[0] != "KONERA_CLIENT_ID"):
			t.Errorf("konera reads %v", got)
		case p.Sandbox != "" && len(got) != 0:
			t.Errorf("the sandbox profile %s must run without any environment, reads %v", p.Name, got)
		case p.Sandbox == "" && len(got) == 0:
			t.Errorf("the production profile %s reads nothing from the environment: where do its credentials come from?", p.Name)
		}
	}
}

// A sandbox profile resolves from the values a started sandbox hands it; profiles itself starts
// nothing (internal/launch does, and its tests show the sandbox running).
func TestSandboxProfileResolvesFromSandboxValues(t *testing.T) {
	p, err := Find("sandbox-konera", nil)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"url": "http://127.0.0.1:1234", "client_id": "cid", "client_secret": "cs",
		"redirect_uri": "https://client.example/cb", "device_number": "+15143792381", "other_number": "+13541234567",
		"swapped_number": "+17147684731", "unswapped_number": "+34666666666"}
	tg, err := p.Resolve(Options{Flows: []string{"konera.sim-swap"}, SandboxValues: values})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Flows) != 1 || tg.Flows[0].ID != "konera.sim-swap" {
		t.Errorf("--flow filter gave %d flows", len(tg.Flows))
	}
	if tg.Vars["token_url"] != "http://127.0.0.1:1234/auth/realms/konera/protocol/openid-connect/token" {
		t.Errorf("token_url %q", tg.Vars["token_url"])
	}
	if tg.Secrets["client_secret"] != "cs" || tg.Client.Method != "client_secret_post" {
		t.Errorf("secret %q, client auth %+v", tg.Secrets["client_secret"], tg.Client)
	}
	if tg.Clock != nil || len(tg.Listeners) != 0 {
		t.Error("a resolved profile carries a clock or listeners: those belong to the run's preparation")
	}
}

func TestResolveFillsEnvironmentAndOverrides(t *testing.T) {
	p, err := Parse("acme.toml", ".", []byte(acme))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := p.Resolve(Options{
		Env:  env(map[string]string{"ACME_CLIENT_ID": "cid", "ACME_SECRET": "s3"}),
		Vars: map[string]string{"token_url": "http://127.0.0.1:9/token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Vars["client_id"] != "cid" || tg.Secrets["client_secret"] != "s3" || tg.Vars["token_url"] != "http://127.0.0.1:9/token" {
		t.Errorf("vars %v secrets %d", tg.Vars, len(tg.Secrets))
	}
	if tg.MaxWait != 0 {
		t.Errorf("a real provider's max wait is %s, want the option's 0", tg.MaxWait)
	}
}

// TestProfileErrors shows each mistake as one line naming file, line and key.
func TestProfileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		env  map[string]string
		want string
	}{
		{"syntax", strings.Replace(acme, `title = "Acme aggregator"`, `title = "Acme aggregator`, 1), nil, "acme.toml:2: "},
		{"unknown key", strings.Replace(acme, `title =`, `titel =`, 1), nil, `acme.toml:2: titel: unknown key (did you mean "title"?)`},
		{"wrong type", strings.Replace(acme, `flows = ["konera.client-credentials"]`, `flows = "konera.client-credentials"`, 1), nil,
			"acme.toml:4: flows: wrong type: got a string, want an array"},
		{"wrong type in table", strings.Replace(acme, `token_url = "https://auth.acme.example/token"`, `token_url = 443`, 1), nil,
			"acme.toml:7: vars.token_url: wrong type: got an integer, want a string"},
		{"literal secret", strings.Replace(acme, `"${env:ACME_SECRET}"`, `"hunter2"`, 1), nil,
			"acme.toml:11: secrets.client_secret: a profile never holds a secret"},
		{"unknown flow", strings.Replace(acme, `konera.client-credentials`, `konera.sim-swop`, 1), nil,
			`acme.toml:4: flows: unknown flow "konera.sim-swop"`},
		{"sandbox reference without sandbox", strings.Replace(acme, `"${env:ACME_CLIENT_ID}"`, `"${sandbox:client_id}"`, 1), nil,
			`acme.toml:8: vars.client_id: ${sandbox:client_id} needs sandbox`},
		{"unset env", acme, map[string]string{"ACME_CLIENT_ID": "cid"},
			"acme.toml:11: secrets.client_secret: environment variable ACME_SECRET is not set: export ACME_SECRET before running"},
		{"empty env", acme, map[string]string{"ACME_CLIENT_ID": "cid", "ACME_SECRET": ""},
			"environment variable ACME_SECRET is empty"},
		{"missing variable", strings.Replace(acme, `token_url = "https://auth.acme.example/token"`, ``, 1),
			map[string]string{"ACME_CLIENT_ID": "cid", "ACME_SECRET": "s"},
			`acme.toml:4: flows: flow konera.client-credentials needs "token_url": add it under [vars] or pass --var token_url=VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("acme.toml", ".", []byte(tt.src))
			if err == nil {
				_, err = p.Resolve(Options{Env: env(tt.env)})
			}
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("more than one line: %q", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestVarCannotOverrideASecret(t *testing.T) {
	p, err := Parse("acme.toml", ".", []byte(acme))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Resolve(Options{Vars: map[string]string{"client_secret": "x"}})
	if err == nil || !strings.Contains(err.Error(), "client_secret is a secret") {
		t.Errorf("error %v", err)
	}
}

func TestProfileFlowFilesAndDiscovery(t *testing.T) {
	dir := t.TempDir()
	flow := `[[flow]]
id = "acme.ping"
title = "Ping"
  [[flow.step]]
  id = "ping"
  title = "Ping"
  explain = "x"
  checks = [ { id = "http.status", on = "status", equals = 200 } ]
    [flow.step.request]
    url = "{{api}}/ping"
`
	prof := `name = "acme"
title = "Acme"
flows = ["acme.ping"]
flow_files = ["acme-flows.toml"]
[vars]
api = "https://api.acme.example"
`
	if err := os.WriteFile(filepath.Join(dir, "acme-flows.toml"), []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme.toml"), []byte(prof), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Find("acme", []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SelectedFlows()) != 1 || p.SelectedFlows()[0].ID != "acme.ping" {
		t.Errorf("flows %v", p.SelectedFlows())
	}
	found, errs := Discover([]string{dir})
	// acme-flows.toml is not a profile and is reported as such, next to the one that is.
	if len(found) != 1 || len(errs) != 1 {
		t.Errorf("found %d profiles and %d errors: %v", len(found), len(errs), errs)
	}
	if _, err := Find("nope", []string{dir}); err == nil || !strings.Contains(err.Error(), "built-in profiles are konekt, konera, kpn, pxg, sandbox-konekt") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestProfileRulesAddedWithTheEngine(t *testing.T) {
	tests := []struct {
		name, edit, with, want string
	}{
		{"secret under vars", `client_id = "${env:ACME_CLIENT_ID}"`, "client_id = \"${env:ACME_CLIENT_ID}\"\napi_token = \"abc\"",
			`acme.toml:9: vars.api_token: api_token looks like a secret: move it to [secrets] as api_token = "${env:NAME}"`},
		{"unknown auth method", `token_endpoint_auth_method = "client_secret_post"`, `token_endpoint_auth_method = "client_secret_jwt"`,
			`acme.toml:14: client.token_endpoint_auth_method: "client_secret_jwt": use one of client_secret_basic, client_secret_post, private_key_jwt, none`},
		{"auth method under a shorter name", `token_endpoint_auth_method = "client_secret_post"`, `auth_method = "client_secret_post"`,
			`acme.toml:14: client.auth_method: unknown key (did you mean "token_endpoint_auth_method"?)`},
		{"listener nobody declares", `token_endpoint_auth_method = "client_secret_post"`, "token_endpoint_auth_method = \"client_secret_post\"\n[listeners.hook]\nbind = \"0.0.0.0:9\"",
			`acme.toml:15: listeners.hook: no flow of this profile declares a listener "hook"`},
		{"bad env name", `"${env:ACME_SECRET}"`, `"${env:ACME SECRET}"`, `secrets.client_secret: ${env:ACME SECRET}: name an environment variable`},
		{"misspelt flow", `konera.client-credentials`, `konera.client-credential`, `unknown flow "konera.client-credential" (did you mean "konera.client-credentials"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("acme.toml", ".", []byte(strings.Replace(acme, tt.edit, tt.with, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// A secret may come from a file next to the profile (a private key, say); the file's final
// newline is not part of the value.
func TestFileReference(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(acme, `"${env:ACME_SECRET}"`, `"${file:secret.txt}"`, 1)
	p, err := Parse(filepath.Join(dir, "acme.toml"), dir, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := p.Resolve(Options{Env: env(map[string]string{"ACME_CLIENT_ID": "cid"})})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Secrets["client_secret"] != "from-a-file" {
		t.Errorf("secret %q", tg.Secrets["client_secret"])
	}
	src = strings.Replace(acme, `"${env:ACME_SECRET}"`, `"${file:missing.txt}"`, 1)
	p, _ = Parse(filepath.Join(dir, "acme.toml"), dir, []byte(src))
	if _, err := p.Resolve(Options{Env: env(map[string]string{"ACME_CLIENT_ID": "cid"})}); err == nil ||
		!strings.Contains(err.Error(), "acme.toml:11: secrets.client_secret: cannot read missing.txt") {
		t.Errorf("missing file: %v", err)
	}
}

// A profile with 10,000 misspelt variables: every one is reported on its own line, found through
// the file's index rather than a rescan per error (see BenchmarkParseManyErrors).
func TestManyErrorsEachOnItsLine(t *testing.T) {
	src := manyUnused(10000)
	_, err := Parse("big.toml", ".", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 10000 {
		t.Fatalf("%d errors, want 10000", len(lines))
	}
	if !strings.HasPrefix(lines[9999], "big.toml:10009: vars.unused9999: unknown variable") {
		t.Errorf("last error %q", lines[9999])
	}
}

// manyUnused is the acme profile with n variables no flow uses, just before [secrets].
func manyUnused(n int) string {
	return strings.Replace(acme, "[secrets]", unusedVars(n)+"[secrets]", 1)
}

func unusedVars(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "unused%d = \"x\"\n", i)
	}
	return b.String()
}

func BenchmarkParseManyErrors(b *testing.B) {
	src := []byte(manyUnused(10000))
	for b.Loop() {
		_, _ = Parse("big.toml", ".", src)
	}
}

// Listener settings take references like any value, filled only for the listeners of the flows
// that run: polling alone needs no tunnel.
func TestListenerSettingsFromTheEnvironment(t *testing.T) {
	p, err := Find("kpn", nil)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KPN_CLIENT_ID": "c", "KPN_CLIENT_SECRET": "s", "KPN_DEVICE_MSISDN": "31630000001", "KPN_OTHER_MSISDN": "31630000002"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if _, err := p.Resolve(Options{Env: lookup, Flows: []string{"kpn.polling"}}); err != nil {
		t.Errorf("polling alone: %v", err)
	}
	_, err = p.Resolve(Options{Env: lookup})
	if err == nil || !strings.Contains(err.Error(), "listeners.notify.bind: environment variable KPN_NOTIFY_BIND is not set") {
		t.Errorf("notification without its listener's settings: %v", err)
	}
	env["KPN_NOTIFY_BIND"], env["KPN_NOTIFY_URL"] = "127.0.0.1:0", "https://tunnel.example/kpn/notify"
	target, err := p.Resolve(Options{Env: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if got := target.ListenerSettings["notify"]; got.Bind != "127.0.0.1:0" || got.PublicURL != "https://tunnel.example/kpn/notify" {
		t.Errorf("listener settings %+v", got)
	}
}
