package profiles

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/telconform/telconform/internal/tomlfile"
)

//go:embed builtin/*.toml
var builtinFS embed.FS

// Builtin parses the profiles embedded in the binary, sorted by name.
func Builtin() ([]*Profile, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.toml")
	if err != nil {
		return nil, err
	}
	var out []*Profile
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		p, err := Parse("profiles/"+n, ".", data)
		if err != nil {
			return nil, err
		}
		p.BuiltIn = true
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Load reads a profile from a file. Its flow files are looked up next to it.
func Load(path string) (*Profile, error) {
	data, err := tomlfile.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &notFound{what: path}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, filepath.Dir(path), data)
}

// SearchPath lists the directories where profiles are found by name, in order: the
// colon-separated TELCONFORM_PROFILE_PATH if it is set, otherwise ./telconform and the user's
// configuration directory (~/.config/telconform/profiles on Linux).
func SearchPath(env func(string) (string, bool)) []string {
	if v, ok := env("TELCONFORM_PROFILE_PATH"); ok && v != "" {
		return filepath.SplitList(v)
	}
	dirs := []string{"telconform"}
	if dir, err := os.UserConfigDir(); err == nil {
		dirs = append(dirs, filepath.Join(dir, "telconform", "profiles"))
	}
	return dirs
}

// Find resolves what --profile names: a path (anything with a slash or ending in .toml), a
// built-in profile, or NAME.toml in one of the search directories.
func Find(nameOrPath string, dirs []string) (*Profile, error) {
	if strings.ContainsRune(nameOrPath, filepath.Separator) || strings.HasSuffix(nameOrPath, ".toml") {
		return Load(nameOrPath)
	}
	builtin, err := Builtin()
	if err != nil {
		return nil, err
	}
	for _, p := range builtin {
		if p.Name == nameOrPath {
			return p, nil
		}
	}
	for _, d := range dirs {
		path := filepath.Join(d, nameOrPath+".toml")
		if _, err := os.Stat(path); err == nil {
			return Load(path)
		}
	}
	return nil, &notFound{what: nameOrPath, dirs: dirs, builtin: builtin}
}

// Discover lists the profiles found in the search directories. Files that do not parse are
// returned as errors next to the ones that do, so a listing can show both.
func Discover(dirs []string) ([]*Profile, []error) {
	var out []*Profile
	var errs []error
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "*.toml"))
		sort.Strings(matches)
		for _, m := range matches {
			p, err := Load(m)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, p)
		}
	}
	return out, errs
}

type notFound struct {
	what    string
	dirs    []string
	builtin []*Profile
}

func (e *notFound) Error() string {
	if e.builtin == nil {
		return fmt.Sprintf("%s: no such profile file", e.what)
	}
	var names []string
	for _, p := range e.builtin {
		names = append(names, p.Name)
	}
	return fmt.Sprintf("no profile %q: built-in profiles are %s; files are looked for as NAME.toml in %s (telconform profiles lists them)",
		e.what, strings.Join(names, ", "), strings.Join(e.dirs, ", "))
}
