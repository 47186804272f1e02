package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIOOnlyInCommands keeps Update, View and Init free of I/O by keeping every call that does
// I/O in commands.go and engine.go (whose functions only build tea.Cmds, or run in the engine's
// own goroutine) and ui.go (which runs the program). Every other file of the package only computes.
func TestIOOnlyInCommands(t *testing.T) {
	forbidden := []string{
		"http.Get", "http.Post", ".Do(", "os.", "time.Sleep", "reports.WriteFile", ".Resolve(",
		"listen.Open(", ".Step(", "Prepare(", ".Serve(", "Builtin()", "Discover(", ".Close()", "net.Listen", ".Wait(",
		"ioutil.", "exec.",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "commands.go" || f == "engine.go" || f == "ui.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			code, _, _ := strings.Cut(line, "//")
			for _, call := range forbidden {
				if strings.Contains(code, call) {
					t.Errorf("%s:%d: %q does I/O outside a command: %s", f, i+1, call, strings.TrimSpace(line))
				}
			}
		}
	}
	if checked < 8 {
		t.Errorf("only %d files checked", checked)
	}
}
