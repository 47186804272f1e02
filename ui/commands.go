package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
)

// Every piece of I/O the interface does is one of these commands, each returning one message
// type declared beside it. Update, View and Init only ever return them.

// profileEntry is one line of the profile picker: a profile that loaded, or a file that did not.
type profileEntry struct {
	profile *profiles.Profile
	missing []string // environment variables it reads that are not set
	problem error
}

// profilesLoadedMsg carries the built-in profiles and those found on the profile path.
type profilesLoadedMsg struct{ entries []profileEntry }

func loadProfilesCmd(opts Options) tea.Cmd {
	return func() tea.Msg {
		var entries []profileEntry
		builtin, err := profiles.Builtin()
		if err != nil {
			entries = append(entries, profileEntry{problem: err})
		}
		for _, p := range builtin {
			entries = append(entries, profileEntry{profile: p})
		}
		found, problems := profiles.Discover(profiles.SearchPath(opts.env()))
		for _, p := range append(opts.Profiles, found...) {
			entries = append(entries, profileEntry{profile: p})
		}
		for _, e := range problems {
			entries = append(entries, profileEntry{problem: e})
		}
		entries = dedupe(entries)
		for i, e := range entries {
			if e.profile != nil {
				entries[i].missing = e.profile.MissingEnv(opts.env())
			}
		}
		return profilesLoadedMsg{entries: entries}
	}
}

// dedupe keeps the first profile of each name: a profile named on the command line and also
// found on the profile path is one entry.
func dedupe(entries []profileEntry) []profileEntry {
	seen := map[string]bool{}
	var out []profileEntry
	for _, e := range entries {
		if e.profile != nil {
			key := e.profile.Name + "\x00" + e.profile.Source
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out = append(out, e)
	}
	return out
}

// profileResolvedMsg carries a profile made ready to run (its sandbox started, its environment
// read), or why it could not be.
type profileResolvedMsg struct {
	profile  *profiles.Profile
	resolved *profiles.Resolved
	err      error
}

// needValuesMsg says what a profile lacks before it can run: variables its flows need and
// environment variables it reads that are not set.
type needValuesMsg struct {
	profile *profiles.Profile
	vars    []string
	env     []string
}

// resolveProfileCmd makes a profile ready to run with the values the person typed (given) on top
// of --var and the environment, or says which values are still missing.
func resolveProfileCmd(p *profiles.Profile, opts Options, given given) tea.Cmd {
	return func() tea.Msg {
		vars := map[string]string{}
		for k, v := range opts.Vars {
			vars[k] = v
		}
		for k, v := range given.vars {
			vars[k] = v
		}
		env := func(name string) (string, bool) {
			if v, ok := given.env[name]; ok {
				return v, true
			}
			return opts.env()(name)
		}
		var missingVars []string
		seen := map[string]bool{}
		needs := p.Needs(p.SelectedFlows(), vars)
		for _, id := range slices.Sorted(maps.Keys(needs)) {
			for _, n := range needs[id] {
				if !seen[n] {
					seen[n] = true
					missingVars = append(missingVars, n)
				}
			}
		}
		if missingEnv := p.MissingEnv(env); len(missingVars) > 0 || len(missingEnv) > 0 {
			return needValuesMsg{profile: p, vars: missingVars, env: missingEnv}
		}
		res, err := p.Resolve(profiles.Options{
			Env: env, Vars: vars, MaxWait: opts.MaxWait,
			Sandbox: opts.Sandbox, SandboxClock: opts.SandboxClock, Walk: opts.Walk,
		})
		return profileResolvedMsg{profile: p, resolved: res, err: err}
	}
}

// given is what the person typed for a profile in the values dialog.
type given struct {
	vars map[string]string
	env  map[string]string
}

// closeCmd stops a profile's sandbox when the person leaves it.
func closeCmd(r *profiles.Resolved) tea.Cmd {
	if r == nil {
		return nil
	}
	return func() tea.Msg {
		r.Close()
		return nil
	}
}

// stepDoneMsg carries one finished step, tagged with the run it belongs to so that the result of
// a cancelled or restarted run is dropped.
type stepDoneMsg struct {
	runID  int
	flow   int
	step   int
	result flows.StepResult
}

func runStepCmd(ctx context.Context, runID, flow int, s *flows.Session, step int) tea.Cmd {
	return func() tea.Msg {
		return stepDoneMsg{runID: runID, flow: flow, step: step, result: s.Step(ctx, step)}
	}
}

// inputAsk is the runner waiting for a person, with where to send the answer.
type inputAsk struct {
	req   flows.InputRequest
	reply chan inputReply
}

type inputReply struct {
	answer flows.Answer
	err    error
}

// inputNeededMsg is the runner asking for a person.
type inputNeededMsg struct{ ask inputAsk }

// waitForInputCmd waits for the runner to ask for a person; Update re-arms it after each ask.
func waitForInputCmd(asks <-chan inputAsk) tea.Cmd {
	return func() tea.Msg { return inputNeededMsg{ask: <-asks} }
}

// answerCmd gives the runner the person's answer.
func answerCmd(ask inputAsk, reply inputReply) tea.Cmd {
	return func() tea.Msg {
		ask.reply <- reply
		return nil
	}
}

// askInput is the runner's side of asking: it hands the request to the interface and waits.
func askInput(asks chan<- inputAsk) flows.Input {
	return func(ctx context.Context, req flows.InputRequest) (flows.Answer, error) {
		reply := make(chan inputReply, 1)
		select {
		case asks <- inputAsk{req: req, reply: reply}:
		case <-ctx.Done():
			return flows.Answer{}, ctx.Err()
		}
		select {
		case r := <-reply:
			return r.answer, r.err
		case <-ctx.Done():
			return flows.Answer{}, ctx.Err()
		}
	}
}

// listeningMsg says whether the callback listener started.
type listeningMsg struct {
	listener *flows.CallbackListener
	err      error
}

func listenCmd(addr, redirectURI string) tea.Cmd {
	return func() tea.Msg {
		l, err := flows.ListenCallback(addr, redirectURI)
		return listeningMsg{listener: l, err: err}
	}
}

func closeListenerCmd(l *flows.CallbackListener) tea.Cmd {
	return func() tea.Msg {
		_ = l.Close()
		return nil
	}
}

// callbackMsg carries the URL the phone's browser was sent to.
type callbackMsg struct {
	url string
	err error
}

func waitCallbackCmd(ctx context.Context, l *flows.CallbackListener) tea.Cmd {
	return func() tea.Msg {
		u, err := l.Wait(ctx)
		_ = l.Close()
		return callbackMsg{url: u, err: err}
	}
}

// reportWrittenMsg says a report file was written, or why not.
type reportWrittenMsg struct {
	path   string
	format string
	err    error
}

func writeReportCmd(path string, run flows.RunResult, meta reports.Meta) tea.Cmd {
	return func() tea.Msg {
		f, err := reports.ForPath(path)
		if err == nil {
			err = reports.WriteFile(path, &run, meta)
		}
		return reportWrittenMsg{path: path, format: f.Name, err: err}
	}
}

// clearStatusMsg clears a confirmation line after a while, unless a newer one replaced it.
type clearStatusMsg struct{ id int }

func clearStatusCmd(id int) tea.Cmd {
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return clearStatusMsg{id: id} })
}

// describeWrite is the confirmation line for a written report.
func describeWrite(m reportWrittenMsg, run flows.RunResult) string {
	s := run.Summarize()
	return fmt.Sprintf("Wrote %s (%s: %s, %s)", m.path, m.format, plural(s.Flows, "flow"), plural(total(s.Steps), "step"))
}

func total[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
