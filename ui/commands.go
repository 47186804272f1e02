package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/launch"
	"github.com/telconform/telconform/internal/listen"
	"github.com/telconform/telconform/profiles"
	"github.com/telconform/telconform/reports"
)

// Every piece of I/O the interface does is one of these commands, each returning one message
// type declared beside it. Update, View and Init only ever return them.

// profileEntry is one line of the profile picker: a profile that loaded, or a file that did not.
type profileEntry struct {
	profile *profiles.Profile
	missing []string // environment variables it reads that are not set
	faults  []string // the sandbox faults --fault switches on for it, provider/name
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
		entries = offering(dedupe(entries), opts.Launch.Flows)
		var all []*profiles.Profile
		for _, e := range entries {
			if e.profile != nil {
				all = append(all, e.profile)
			}
		}
		// The command line checked --fault against these profiles already; an error here leaves
		// the rows without faults, and choosing a profile reports it.
		switches, _ := launch.Check(all, opts.Launch)
		for i, e := range entries {
			if e.profile != nil {
				entries[i].missing = e.profile.MissingEnv(opts.env())
				entries[i].faults, _ = switches.For(e.profile.Sandbox)
			}
		}
		return profilesLoadedMsg{entries: entries}
	}
}

// offering keeps, when --flow names flows, the profiles that have one of them (and the files that
// did not load, which might): the picker offers only what can run.
func offering(entries []profileEntry, flowIDs []string) []profileEntry {
	if len(flowIDs) == 0 {
		return entries
	}
	var out []profileEntry
	for _, e := range entries {
		if e.profile == nil || slices.ContainsFunc(flowIDs, e.profile.Offers) {
			out = append(out, e)
		}
	}
	return out
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

var errNoFlows = errors.New("the profile selects no flow (check --flow)")

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
		case asks <- inputAsk{req: printableInput(req), reply: reply}:
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
	listener *listen.Listener
	err      error
}

// listenCmd opens a listener for the phone's callback at addr, on the redirect URI's path.
func listenCmd(addr, redirectURI string) tea.Cmd {
	return func() tea.Msg {
		path := "/"
		if u, err := url.Parse(redirectURI); err == nil && u.Path != "" {
			path = u.Path
		}
		l, err := listen.Open(listen.Options{Addr: addr, Path: path,
			Reply: "telconform received the callback. You can close this page and go back to the terminal."})
		return listeningMsg{listener: l, err: err}
	}
}

func closeListenerCmd(l *listen.Listener) tea.Cmd {
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

func waitCallbackCmd(ctx context.Context, l *listen.Listener, redirectURI string) tea.Cmd {
	return func() tea.Msg {
		in, err := l.Next(ctx, 0)
		_ = l.Close()
		if err != nil {
			return callbackMsg{err: err}
		}
		return callbackMsg{url: listen.CallbackURL(redirectURI, in)}
	}
}

// reportWrittenMsg says a report file was written, or why not.
type reportWrittenMsg struct {
	profile string
	path    string
	format  string
	err     error
	run     flows.RunResult
}

// writeReportCmd writes what the engine has recorded so far: each flow's latest record.
// copiedMsg says a URL was sent to the terminal's clipboard.
type copiedMsg struct {
	what string
	err  error
}

// copyCmd asks the terminal to put text on the system clipboard (OSC 52). Whether it does is up
// to the terminal: there is no answer to wait for.
func copyCmd(w io.Writer, what, text string) tea.Cmd {
	return func() tea.Msg {
		_, err := io.WriteString(w, ansi.SetSystemClipboard(text))
		return copiedMsg{what: what, err: err}
	}
}

// exportPathMsg is a path typed into the export dialog, its leading ~ expanded as a shell would,
// and whether a file is there already.
type exportPathMsg struct {
	raw, path string
	exists    bool
}

func checkExportPathCmd(raw string) tea.Cmd {
	return func() tea.Msg {
		p := expandHome(raw)
		_, err := os.Stat(p)
		return exportPathMsg{raw: raw, path: p, exists: err == nil}
	}
}

// expandHome replaces a leading "~" or "~/" with the home directory; "~user" is left alone.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}

func writeReportCmd(path string, e *engine, meta reports.Meta) tea.Cmd {
	return func() tea.Msg {
		run := e.driver.Result()
		f, err := reports.ForPath(path)
		if err == nil {
			err = reports.WriteFile(context.Background(), path, &run, meta)
		}
		return reportWrittenMsg{profile: e.profile.Name, path: path, format: f.Name, err: err, run: run}
	}
}

// clearStatusMsg clears a confirmation line after a while, unless a newer one replaced it.
type clearStatusMsg struct{ id int }

func clearStatusCmd(id int) tea.Cmd {
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return clearStatusMsg{id: id} })
}

// describeWrite is the confirmation line for a written report.
func describeWrite(m reportWrittenMsg) string {
	s := m.run.Summarize()
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
