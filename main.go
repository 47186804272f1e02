// Command telconform tests telco network APIs (CAMARA Number Verification, SIM Swap and the auth
// flows around them) for conformance: it runs each documented flow against a provider described
// by a TOML profile, checks every response and reports pass or fail with the evidence.
//
// With --report it runs headless for CI; with no profile it runs against its built-in sandbox.
// This file only picks the command; each lives in its own cmd_*.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module version.
var version = ""

// Exit codes, as the README documents them.
const (
	exitOK          = 0
	exitFailed      = 1   // a check failed or a step could not run
	exitUsage       = 2   // bad usage or a bad profile
	exitInterrupted = 130 // interrupted; the report of what ran is still written
)

// errInterruptedAgain is why a report is not written: a second Ctrl-C.
var errInterruptedAgain = errors.New("interrupted a second time")

// main wires Ctrl-C (and SIGTERM) in three stages. The first stops the run: the steps under way
// are cancelled and the reports of what ran are written. The second stops writing them: a report
// being written is abandoned, the previous one stays as it was and no temporary file is left.
// A third ends the process the ordinary way.
func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, interrupt := context.WithCancel(context.Background())
	abort, abortWrites := context.WithCancelCause(context.Background())
	go func() {
		<-sigs
		interrupt()
		<-sigs
		abortWrites(errInterruptedAgain)
		signal.Stop(sigs)
	}()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, env: os.LookupEnv, isTerminal: stdoutIsTerminal, abort: abort}
	os.Exit(a.run(ctx, os.Args[1:]))
}

// app is the command line with its surroundings injected, so tests run it in-process.
type app struct {
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	isTerminal     func() bool
	// sandbox and sandboxClock configure the in-process sandboxes of sandbox profiles; tests use
	// them to plant marker credentials and to pin time.
	sandbox      sandbox.Options
	sandboxClock func() time.Time
	// onEvent sees every engine event and onSandbox every sandbox a run started, after the run;
	// tests use them to interrupt a run part-way and to collect what the sandboxes issued.
	onEvent   func(flows.Event)
	onSandbox func(*sandbox.Sandbox)
	// abort is done at a second Ctrl-C: reports not yet written are abandoned. Nil means never.
	abort context.Context
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "flows":
			return a.listFlows(args[1:])
		case "profiles":
			return a.listProfiles(args[1:])
		case "validate":
			return a.validate(args[1:])
		case "sandbox":
			return a.serveSandbox(ctx, args[1:])
		case "help":
			fmt.Fprint(a.stdout, a.usage())
			return exitOK
		}
	}
	return a.start(ctx, args)
}

func (a *app) fail(code int, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "telconform: "+format+"\n", args...)
	return code
}

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func stdoutIsTerminal() bool {
	st, err := os.Stdout.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
