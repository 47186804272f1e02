package ui

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/telconform/telconform/internal/leak"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/sandbox"
)

// TestJourneyHostileProviderOnScreen runs the hostile provider's flows (tokens long and cut,
// a code in a Location that does not parse, the client secret echoed back, escape sequences, a
// binary body…) in the real interface, then draws every step's detail pane the way the screen
// does at any width. No secret the provider issued and not the client secret, whole or in any
// 16-character piece, appears; neither does any raw control character a provider sent.
func TestJourneyHostileProviderOnScreen(t *testing.T) {
	const clientSecret = "MARKER-hostile-ui-secret-81c4"
	p, err := profiles.Find("../testdata/hostile.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Profiles = []*profiles.Profile{p}
	opts.Launch.Sandbox = sandbox.Options{ClientSecret: clientSecret}
	opts.Launch.Walk = "agent"

	tm := start(t, opts)
	waitFor(t, tm, "Flows of A provider that misbehaves on purpose") // the profile named on the command line opens at once
	keys(tm, "m", "a")
	waitFor(t, tm, "✗ binary") // the last step of the last flow
	keys(tm, "q", "q")         // the second answers "not exported: q again quits"
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	defer fm.Close()
	frames, _ := io.ReadAll(tm.FinalOutput(t))

	secrets := []string{clientSecret}
	for _, sb := range fm.engines["hostile"].prepared.Sandboxes {
		secrets = append(secrets, sb.Issued()...)
	}
	if len(secrets) < 15 { // fourteen values the provider issued, and the client secret
		t.Fatalf("only %d secrets: the flows did not run", len(secrets))
	}
	screens := map[string]string{"frames": string(frames)}
	recs := fm.records["hostile"]
	for _, f := range p.SelectedFlows() {
		fr, ok := recs[f.ID]
		if !ok || len(fr.Steps) != len(f.Steps) {
			t.Fatalf("%s: no full record", f.ID)
		}
		for i, s := range f.Steps {
			res := fr.Steps[i]
			if res.Pending {
				t.Errorf("%s/%s did not run", f.ID, s.ID)
			}
			for _, width := range []int{40, 80, 200} {
				screens[f.ID+"/"+s.ID] += renderStep(fm.c.styles, stepView{step: s, res: &res}, width)
			}
		}
	}
	for name, text := range screens {
		for _, s := range leak.Find(text, secrets) {
			t.Errorf("%s shows (part of) the secret %.20s… (%d characters)", name, s, len(s))
			if i := strings.Index(text, s[:16]); i >= 0 && os.Getenv("LEAKCTX") != "" {
				t.Logf("context: %q", text[max(0, i-300):min(len(text), i+100)])
			}
		}
		for _, raw := range []string{"\x1b]0;", "\x1b[2J\x1b[H", "\x07", "\x7f", "\u009b", "\u202e"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s holds the provider's raw %q", name, raw)
			}
		}
	}
	for name, want := range map[string]string{
		"hostile.bytes/control": `before\x1b[2J\x1b[Hafter\x1b]0;retitled\x07\rover\x7fend`, // the body, written out
		"hostile.bytes/binary":  "(binary, 2048 bytes) ",
		"hostile.secrets/echo":  "[secret:client_secret]",
	} {
		if !strings.Contains(screens[name], want) {
			t.Errorf("%s does not show %s:\n%s", name, want, screens[name])
		}
	}
}

// TestJourneyTokensStayMaskedOnScreen runs the PXG, Vonage and Konekt sandbox flows in the real
// interface (id_tokens, refresh tokens, minted application JWTs, the application's private key,
// passwords, session keys and cookies, API keys old and new, KPN's session and polling links and
// notification tokens) and draws every step's detail pane
// at three widths: no token, code, JWT, secret or piece of the private key appears, while the
// decoded claims and fields do.
func TestJourneyTokensStayMaskedOnScreen(t *testing.T) {
	for _, tc := range []struct {
		profile string
		last    string // the last step, whose mark ends the run
		claim   string // what the screen shows of the evidence (a decoded claim, a field)
	}{
		{"sandbox-pxg", "verify-expired-token", "nonce"},
		{"sandbox-vonage", "verify-expired-token", "application_id"},
		{"sandbox-konekt", "key-endpoint-refuses-key", "userid"},
		{"sandbox-kpn", "webhook-wrong-scope", "operatorName"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			const clientSecret = "MARKER-ui-secret-3f0a"
			opts := testOptions(t)
			opts.Launch.Sandbox = sandbox.Options{ClientSecret: clientSecret}
			opts.Launch.Walk = "agent"
			tm := start(t, opts)
			openProfile(t, tm, tc.profile)
			keys(tm, "m", "a")
			waitFor(t, tm, "✓ "+tc.last[:min(len(tc.last), 20)]) // the list may cut a long name at 80 columns
			keys(tm, "q", "q")                                   // the second answers "not exported: q again quits"
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
			defer fm.Close()
			frames, _ := io.ReadAll(tm.FinalOutput(t))

			eng := fm.engines[tc.profile]
			secrets := []string{clientSecret}
			for _, sb := range eng.prepared.Sandboxes {
				secrets = append(secrets, sb.Issued()...)
			}
			p := eng.profile
			for _, v := range eng.target.Secrets {
				secrets = append(secrets, v)
				for _, line := range strings.Split(v, "\n") { // a PEM, line by line
					if len(line) > 16 && !strings.HasPrefix(line, "-----") {
						secrets = append(secrets, line)
					}
				}
			}
			if len(secrets) < 6 {
				t.Fatalf("only %d secrets: the flows did not run", len(secrets))
			}
			screens := map[string]string{"frames": string(frames)}
			for _, f := range p.SelectedFlows() {
				fr, ok := fm.records[tc.profile][f.ID]
				if !ok || len(fr.Steps) != len(f.Steps) {
					t.Fatalf("%s: no full record", f.ID)
				}
				for i, s := range f.Steps {
					res := fr.Steps[i]
					if res.Pending {
						t.Errorf("%s/%s did not run", f.ID, s.ID)
					}
					for _, width := range []int{40, 80, 200} {
						screens[f.ID+"/"+s.ID] += renderStep(fm.c.styles, stepView{step: s, res: &res}, width)
					}
				}
			}
			shown := false
			for name, text := range screens {
				for _, s := range leak.Find(text, secrets) {
					t.Errorf("%s shows (part of) the secret %.20s… (%d characters)", name, s, len(s))
				}
				shown = shown || strings.Contains(text, tc.claim)
			}
			if !shown {
				t.Errorf("no screen shows the claim %s", tc.claim)
			}
		})
	}
}
