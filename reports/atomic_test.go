package reports

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dirNames lists a directory, so tests can tell that nothing but the report is left in it.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

func assertOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := dirNames(t, dir)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("directory holds %q, want only %q (a temporary file was left behind?)", got, want)
	}
}

func assertContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

func TestWriteFileReplacesTheReport(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f.Name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r"+f.Ext)
			if err := os.WriteFile(path, []byte("the previous report"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := WriteFile(context.Background(), path, testRun(), testMeta); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := f.Write(&want, testRun(), testMeta); err != nil {
				t.Fatal(err)
			}
			assertContent(t, path, want.String())
			assertOnly(t, dir, "r"+f.Ext)
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != reportMode {
				t.Errorf("report mode = %v (%v), want %v", info.Mode().Perm(), err, os.FileMode(reportMode))
			}
		})
	}
}

func TestWriteFileFailedRenderKeepsThePreviousReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := os.WriteFile(path, []byte("the previous report"), 0o600); err != nil {
		t.Fatal(err)
	}
	cause := errors.New("renderer gave up")
	err := writeAtomic(context.Background(), path, func(w io.Writer) error {
		io.WriteString(w, "half a report")
		return cause
	})
	if !errors.Is(err, cause) || err.Error() != "write "+path+": renderer gave up" {
		t.Errorf("error = %v, want %q wrapping the cause", err, "write "+path+": renderer gave up")
	}
	assertContent(t, path, "the previous report")
	assertOnly(t, dir, "r.json")
}

func TestWriteFileMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "r.json")
	err := WriteFile(context.Background(), path, testRun(), testMeta)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want one that says the directory does not exist", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "write "+path+": open ") || !strings.HasSuffix(msg, ": no such file or directory") ||
		strings.Contains(msg, "\n") {
		t.Errorf("error = %q, want one line naming the path and the cause", msg)
	}
	assertOnly(t, dir)
}

// A rename that fails (here: the destination is a directory) must leave the destination as it
// was and remove the temporary file.
func TestWriteFileFailedRenameCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.xml")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(context.Background(), path, testRun(), testMeta)
	if err == nil || !strings.HasPrefix(err.Error(), "write "+path+": rename ") {
		t.Fatalf("error = %v, want the failed rename", err)
	}
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		t.Errorf("destination changed: %v, %v", info, err)
	}
	assertOnly(t, dir, "r.xml")
}

func TestWriteFileUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories; the missing-directory and rename tests cover the cleanup")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := os.WriteFile(path, []byte("the previous report"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	err := WriteFile(context.Background(), path, testRun(), testMeta)
	if !errors.Is(err, fs.ErrPermission) || !strings.HasPrefix(err.Error(), "write "+path+": ") {
		t.Errorf("error = %v, want a permission error naming %s", err, path)
	}
	assertContent(t, path, "the previous report")
	assertOnly(t, dir, "r.json")
}

func TestWriteFileUnknownExtension(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.txt")
	err := WriteFile(context.Background(), path, testRun(), testMeta)
	if want := "write " + path + `: unknown report extension ".txt": use .xml, .json, .md or .html`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	assertOnly(t, dir)
}

// A write that its context stops part-way (a second Ctrl-C) keeps the previous report and leaves
// no temporary file, whether the stop comes during a long render or after the last byte.
func TestWriteFileStoppedKeepsThePreviousReport(t *testing.T) {
	for _, c := range []struct {
		name  string
		after int // bytes written after the stop
	}{{"during a long render", 64 << 10}, {"after the last byte", 0}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.json")
			if err := os.WriteFile(path, []byte("the previous report"), 0o600); err != nil {
				t.Fatal(err)
			}
			stopped := errors.New("interrupted a second time")
			ctx, stop := context.WithCancelCause(context.Background())
			wrote := 0
			err := writeAtomic(ctx, path, func(w io.Writer) error {
				io.WriteString(w, "half a report")
				stop(stopped)
				n, err := w.Write(make([]byte, c.after))
				wrote = n
				return err
			})
			if !errors.Is(err, stopped) {
				t.Errorf("err = %v, want the stop's cause", err)
			}
			if c.after > 0 && wrote == c.after {
				t.Errorf("all %d bytes after the stop were accepted", wrote)
			}
			assertContent(t, path, "the previous report")
			assertOnly(t, dir, "r.json")
		})
	}
}
