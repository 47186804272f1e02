package profiles

import (
	"strings"
	"testing"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/tomlfile"
)

// FuzzParse: any profile file is read into a profile or refused with file errors on lines within
// the file, never a panic; a profile that is read resolves (with every reference filled by
// something) without panicking either, and its [vars] hold nothing named like a secret.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name = \"x\"\ntitle = \"t\"\nflows = [\"konera.sim-swap\"]\n[[known]]\nflow = \"konera.sim-swap\"\nstep = \"token\"\ncheck = \"x\"\n"))
	f.Add([]byte("name = \"x\"\n[vars]\napi_key = \"k\"\n[listeners.cb]\nbind = \":0\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// No directory: relative flow files and ${file:} references are looked up in the
		// package's own, where fuzzed names find nothing.
		p, err := Parse("p.toml", "", data)
		if err != nil {
			lines := strings.Count(string(data), "\n") + 1
			errs, ok := tomlfile.AsFileErrors(err)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			for _, e := range errs {
				if e.Line > lines || e.File != "p.toml" {
					t.Fatalf("error %v for a %d-line file", e, lines)
				}
			}
			return
		}
		for k := range p.Vars {
			if flows.SecretName(k) {
				t.Fatalf("accepted %q under [vars]", k)
			}
		}
		env := func(string) (string, bool) { return "https://x.example", true }
		sandbox := map[string]string{}
		for _, k := range []string{"url", "client_id", "client_secret", "redirect_uri", "device_number", "other_number", "swapped_number", "unswapped_number"} {
			sandbox[k] = "https://x.example"
		}
		_, _ = p.Resolve(Options{Env: env, SandboxValues: sandbox})
	})
}
