package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/internal/tomlfile"
	"github.com/telconform/telconform/profiles"
)

// validate checks profiles and flow files without running anything. A file with [[flow]] tables
// is read as a flow file, anything else as a profile. Environment variables a profile reads are
// not required here (CI validates without secrets); they are listed.
func (a *app) validate(files []string) int {
	if len(files) == 0 {
		return a.fail(exitUsage, "validate needs at least one file")
	}
	code := exitOK
	for _, path := range files {
		data, err := tomlfile.ReadFile(path)
		if err != nil {
			code = a.fail(exitUsage, "%s: %v", path, err)
			continue
		}
		if isFlowFile(data) {
			fl, err := flows.Parse(path, data)
			if err != nil {
				fmt.Fprintln(a.stderr, err)
				code = exitUsage
				continue
			}
			fmt.Fprintf(a.stdout, "ok  %s: %d flows\n", path, len(fl))
			continue
		}
		p, err := profiles.Load(path)
		if err == nil {
			_, err = launch.Check([]*profiles.Profile{p}, launch.Options{})
		}
		if err != nil {
			fmt.Fprintln(a.stderr, err)
			code = exitUsage
			continue
		}
		if missing := p.Needs(p.SelectedFlows(), nil); len(missing) > 0 {
			for _, id := range slices.Sorted(maps.Keys(missing)) {
				fmt.Fprintf(a.stderr, "%s: flow %s needs %s: add them under [vars] or [secrets]\n", path, id, strings.Join(missing[id], ", "))
			}
			code = exitUsage
			continue
		}
		line := fmt.Sprintf("ok  %s: profile %s, %d flows", path, p.Name, len(p.SelectedFlows()))
		if env := p.EnvNames(); len(env) > 0 {
			line += "; reads " + strings.Join(env, " ")
		}
		fmt.Fprintln(a.stdout, line)
	}
	return code
}

func isFlowFile(data []byte) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == "[[flow]]" {
			return true
		}
	}
	return false
}
