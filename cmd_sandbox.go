package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// serveSandbox serves a built-in sandbox until interrupted, for people and other tools.
func (a *app) serveSandbox(ctx context.Context, args []string) int {
	fs := newFlagSet("sandbox")
	listen := fs.String("listen", "127.0.0.1:8080", "serve on `HOST:PORT`")
	provider := fs.String("provider", "konera", "the provider to serve: `NAME` is one of "+strings.Join(sandbox.Providers(), ", "))
	keyOut := fs.String("key-out", "", "write the private key the sandbox's client signs with (Vonage's application key; the others' private_key_jwt key) to `FILE`, mode 0600")
	var faults, tolerances listFlag
	fs.Var(&faults, "fault", "make it deviate in one named way (`NAME`, listed below); repeatable")
	fs.Var(&tolerances, "tolerance", "make it behave in one way the standards allow (`NAME`, listed below); repeatable")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.sandboxHelp(fs)
			return exitOK
		}
		return a.fail(exitUsage, "sandbox: %v (telconform sandbox -h for usage)", err)
	}
	opts := a.sandbox
	opts.Faults = append(opts.Faults, faults...)
	opts.Tolerances = append(opts.Tolerances, tolerances...)
	sb, err := sandbox.New(*provider, opts)
	if err != nil {
		return a.fail(exitUsage, "sandbox: %v", err)
	}
	srv, err := sandbox.Listen(*listen, sb)
	if err != nil {
		return a.fail(exitUsage, "sandbox: %v", err)
	}
	values := sb.Values(srv.URL)
	if *keyOut != "" {
		// Written only where asked, never printed: a key is a secret even when it guards a sandbox.
		key := cmp.Or(values["application_private_key"], values["client_private_key"])
		if err := os.WriteFile(*keyOut, []byte(key), 0o600); err != nil {
			_ = srv.Close()
			return a.fail(exitUsage, "sandbox: --key-out: %v", err)
		}
		fmt.Fprintf(a.stdout, "The client's private key is in %s.\n", *keyOut)
	}
	// What a client needs to talk to it, secrets by name only (their defaults are in the README).
	var shown, secret []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		switch {
		case k == "url":
		case flows.SecretName(k) || k == flows.ClientKeyVar:
			secret = append(secret, k)
		default:
			shown = append(shown, k+" "+values[k])
		}
	}
	fmt.Fprintf(a.stdout, "%s sandbox on %s (%s; secrets not shown: %s; faults: %s; tolerances: %s). Ctrl-C stops it.\n",
		*provider, srv.URL, strings.Join(shown, ", "), strings.Join(secret, ", "), orNone(faults), orNone(tolerances))
	<-ctx.Done()
	_ = srv.Close()
	return exitOK
}

func (a *app) sandboxHelp(fs *flag.FlagSet) {
	fmt.Fprintf(a.stdout, "Usage: telconform sandbox [options]\n\nOptions:\n%s\nFaults (for --fault here, and as PROVIDER/NAME for a run's --fault):\n", helpText(fs))
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, f := range sandbox.Faults() {
		if !sandbox.Listed(f.Provider) {
			continue
		}
		fmt.Fprintf(w, "  %s\t%s\n", f.ID(), f.Description)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "\nTolerances (for --tolerance here and in a run): what the standards allow; every check still passes\n")
	for _, t := range sandbox.Tolerances() {
		if !sandbox.Listed(t.Provider) {
			continue
		}
		fmt.Fprintf(w, "  %s\t%s [%s]\n", t.ID(), t.Description, t.Clause)
	}
	w.Flush()
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
