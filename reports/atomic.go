package reports

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// reportMode is the permission a written report ends with. os.CreateTemp makes files only the
// owner can read; a report holds nothing secret (results arrive masked) and CI jobs often collect
// artifacts as another user, so it is opened up to what a plain file write usually gives.
const reportMode = 0o644

// writeAtomic renders into a temporary file beside path, then renames it over path. The rename
// is atomic on the same file system, which is why the temporary file lives in the destination's
// directory: a reader sees the old report or the new one, and a failed render, a full disk or an
// unwritable directory leaves the old one untouched. The temporary file is removed on any error,
// and when ctx is done before the rename: every write checks it, so a second Ctrl-C stops a long
// render at once.
func writeAtomic(ctx context.Context, path string, render func(io.Writer) error) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", path, context.Cause(ctx))
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close() // already failed; the close error would only repeat it
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()

	buf := bufio.NewWriter(ctxWriter{ctx, tmp})
	if err := render(buf); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	tmp.Chmod(reportMode) // best effort: some file systems refuse modes, and the report is still good
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	return os.Rename(tmp.Name(), path)
}

// ctxWriter refuses to write once its context is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.w.Write(p)
}
