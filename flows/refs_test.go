package flows_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// TestEveryReferenceResolves: every ref a built-in flow, a step's check, a poll's condition, a
// fault or a tolerance cites names a clause in the registry (checks/clauses.go), so a report's
// citation always points at something real.
func TestEveryReferenceResolves(t *testing.T) {
	cat, err := flows.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	all := cat.All()
	files, _ := filepath.Glob("testdata/*.toml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fl, err := flows.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, fl...)
	}
	resolve := func(where, ref string) {
		if ref == "" {
			t.Errorf("%s cites nothing", where)
			return
		}
		if _, err := checks.ParseRef(ref); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}
	n := 0
	for _, f := range all {
		resolve(f.ID, f.Ref)
		for _, s := range f.Steps {
			for _, c := range s.Checks {
				resolve(f.ID+"/"+s.ID+"/"+c.ID, c.Ref)
				n++
			}
			if d, ok := s.Kind.(*flows.PollKind); ok {
				resolve(f.ID+"/"+s.ID+"/until", d.Until.Ref)
			}
			if d, ok := s.Kind.(*flows.AwaitKind); ok {
				resolve(f.ID+"/"+s.ID+"/await", d.Ref)
			}
		}
	}
	for _, f := range sandbox.Faults() {
		resolve("fault "+f.ID(), f.Clause)
		n++
	}
	for _, tol := range sandbox.Tolerances() {
		resolve("tolerance "+tol.ID(), tol.Clause)
	}
	if n < 100 {
		t.Errorf("only %d refs looked at", n)
	}
}
