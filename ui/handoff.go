package ui

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/listen"
)

// handoff is the panel shown while a step waits for a person. For a walk on the phone: the URL
// to open (as text, and as a QR code on request), and three ways to bring back where the browser
// landed: paste it, let telconform listen for it on a local address, or say no redirect came. For
// a link the phone only has to open (KPN's session): the link, and a key to say it is done. For a
// value read off a device: a field to type it in (not drawn when it is a secret).
type handoff struct {
	c      *common
	ask    inputAsk
	listen key.Binding // the Listen binding, its help naming the address

	paste    textinput.Model
	pasting  bool
	addr     string
	listener *listen.Listener
	stopWait context.CancelFunc
	shown    urlOverlay // the URL drawn alone over the panes, if asked
	problem  string
	// stale is a pasted callback whose state is not the one sent, refused once: pasted again,
	// it goes to the checks as the provider's answer.
	stale string
}

func newHandoff(c *common, ask inputAsk, addr string) handoff {
	in := textinput.New()
	in.Placeholder = "paste the URL here"
	// The callback carries the authorization code, a secret: it is never drawn.
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.Prompt = "> "
	if ask.req.RedirectURI == "" && !ask.req.Confirm {
		in.Placeholder = "type the value here"
		if !ask.req.Secret {
			in.EchoMode = textinput.EchoNormal
		}
	}
	if addr == "" {
		addr = listenAddr(ask.req.RedirectURI)
	}
	listen := c.keys.Listen
	listen.SetHelp(listen.Help().Key, "listen on "+addr)
	return handoff{c: c, ask: ask, paste: in, addr: addr, listen: listen}
}

// listenAddr picks where to listen: the redirect URI's own address when it points at this
// machine, otherwise a local port the person can forward the phone's redirect to.
func listenAddr(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err == nil {
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			if u.Port() != "" {
				return u.Host
			}
		}
	}
	return "127.0.0.1:8765"
}

// The panel's kinds, by what the person brings back.
func (h handoff) callback() bool { return h.ask.req.RedirectURI != "" }
func (h handoff) confirm() bool  { return !h.callback() && h.ask.req.Confirm }
func (h handoff) value() bool    { return !h.callback() && !h.ask.req.Confirm }

func (h handoff) typing() bool { return h.pasting }

// stop ends a wait for the callback; the wait command then closes its listener.
func (h *handoff) stop() {
	if h.stopWait != nil {
		h.stopWait()
		h.stopWait = nil
	}
}

// Update handles the panel's keys and its listener; a non-nil reply is the person's answer.
func (h handoff) Update(msg tea.Msg) (handoff, tea.Cmd, *inputReply) {
	switch msg := msg.(type) {
	case listeningMsg:
		if msg.err != nil {
			h.problem = fmt.Sprintf("Cannot listen on %s: %v", h.addr, msg.err)
			return h, nil, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		h.listener, h.stopWait = msg.listener, cancel
		return h, waitCallbackCmd(ctx, msg.listener, h.ask.req.RedirectURI), nil
	case callbackMsg:
		if msg.err != nil {
			return h, nil, nil // the wait was stopped
		}
		return h.accept(msg.url, "listener")
	case tea.KeyMsg:
		return h.key(msg)
	}
	var cmd tea.Cmd
	h.paste, cmd = h.paste.Update(msg)
	return h, cmd, nil
}

func (h handoff) key(msg tea.KeyMsg) (handoff, tea.Cmd, *inputReply) {
	if h.pasting {
		switch {
		case key.Matches(msg, h.c.keys.Select) && h.value():
			return h, nil, &inputReply{answer: flows.Answer{Value: strings.TrimSpace(h.paste.Value()), Via: "typed"}}
		case key.Matches(msg, h.c.keys.Select):
			return h.accept(h.paste.Value(), "pasted")
		case key.Matches(msg, h.c.keys.Back):
			h.pasting = false
			h.paste.Blur()
			return h, nil, nil
		}
		var cmd tea.Cmd
		h.paste, cmd = h.paste.Update(msg)
		return h, cmd, nil
	}
	if h.shown.url != "" {
		h.shown = urlOverlay{} // any key closes it
		return h, nil, nil
	}
	switch {
	case h.confirm() && key.Matches(msg, h.c.keys.Select):
		return h, nil, &inputReply{answer: flows.Answer{Value: "done", Via: "confirmed"}}
	case h.value() && (key.Matches(msg, h.c.keys.Select) || key.Matches(msg, h.c.keys.Paste)):
		h.pasting, h.problem = true, ""
		return h, h.paste.Focus(), nil
	case key.Matches(msg, h.c.keys.SkipStep):
		return h, nil, &inputReply{err: flows.ErrNoAnswer}
	case key.Matches(msg, h.c.keys.QR, h.c.keys.ShowURL) && h.ask.req.URL != "":
		h.shown = urlOverlay{url: h.ask.req.URL, qr: key.Matches(msg, h.c.keys.QR)}
		return h, nil, nil
	case key.Matches(msg, h.c.keys.Copy) && h.ask.req.URL != "":
		return h, copyCmd(h.c.terminal, "the URL to open", h.ask.req.URL), nil
	case !h.callback():
		return h, nil, nil
	case key.Matches(msg, h.c.keys.Paste):
		h.pasting, h.problem = true, ""
		return h, h.paste.Focus(), nil
	case key.Matches(msg, h.c.keys.Listen):
		if h.listener != nil {
			return h, nil, nil
		}
		h.problem = ""
		return h, listenCmd(h.addr, h.ask.req.RedirectURI), nil
	case key.Matches(msg, h.c.keys.NoRedirect):
		return h, nil, &inputReply{answer: flows.Answer{URL: "", Via: "person: no redirect"}}
	}
	return h, nil, nil
}

// accept checks that what came back is a URL on the redirect URI's origin before handing it on.
func (h handoff) accept(raw, via string) (handoff, tea.Cmd, *inputReply) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	want, _ := url.Parse(h.ask.req.RedirectURI)
	if err != nil || want == nil || !strings.EqualFold(u.Host, want.Host) || !strings.EqualFold(u.Scheme, want.Scheme) {
		h.problem = fmt.Sprintf("That is not a URL on %s://%s: paste the whole address the browser shows.", want.Scheme, want.Host)
		h.paste.SetValue("")
		return h, nil, nil
	}
	// A state other than the one sent most often means a tab left from an earlier attempt, not a
	// provider that changed it: say so and ask again rather than record a failure. A callback
	// with no state at all goes on: the checks judge that.
	if got := u.Query().Get("state"); via == "pasted" && h.ask.req.State != "" && got != "" && got != h.ask.req.State && h.stale != raw {
		h.stale = raw
		h.problem = "That URL does not belong to this attempt: its state is not the one this step sent " +
			"(a tab from an earlier attempt?). Open the URL above again and paste where the browser lands; " +
			"paste this one again to record it as the provider's answer."
		h.paste.SetValue("")
		return h, nil, nil
	}
	return h, nil, &inputReply{answer: flows.Answer{URL: raw, Via: via}}
}

// view draws the panel for the detail pane, width cells wide.
func (h handoff) view(width int) string {
	st := h.c.styles
	req := h.ask.req
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	add(st.Warn.Render("This step needs the phone: "+req.Step.ID), "")
	add(wrap(req.Prompt, width)...)
	if req.URL != "" {
		add("", st.Heading.Render("Open on the phone"))
		add(breakURL(req.URL, width)...)
	}
	k := h.c.keys
	type action struct {
		b    key.Binding
		what string
	}
	var actions []action
	switch {
	case h.callback():
		add("", st.Heading.Render("Then bring back where the browser lands"))
		actions = []action{
			{k.Paste, "paste it"},
			{k.Listen, "let telconform listen on " + h.addr},
			{k.NoRedirect, "it showed an error page: no redirect"},
		}
	case h.confirm():
		add("", st.Heading.Render("Then say it is done"))
		actions = []action{{k.Select, "the phone opened it"}}
	default:
		actions = []action{{k.Select, "type the value"}}
	}
	actions = append(actions, action{k.SkipStep, "skip this step"})
	if req.URL != "" {
		actions = append(actions, action{k.QR, "show the URL as a QR code"},
			action{k.Copy, "copy the URL (through the terminal, OSC 52)"},
			action{k.ShowURL, "show the URL alone, unboxed, to select"})
	}
	for _, a := range actions {
		add(wrapStyled(func(s ...string) string { return strings.Join(s, "") }, keyText(st, a.b)+"  "+a.what, width)...)
	}
	if h.pasting {
		add("", h.paste.View())
	}
	if h.listener != nil {
		add("", st.Running.Render(fmt.Sprintf("Listening on %s for %s.", h.listener.Addr(), req.RedirectURI)))
		add(wrap("Point the redirect URI (or a tunnel in front of it) at this address; the flow goes on when the browser arrives.", width)...)
	}
	if h.problem != "" {
		add("")
		add(wrapStyled(st.Problem.Render, h.problem, width)...)
	}
	return fitLines(lines, width)
}

func (h handoff) keys() bindings {
	k := h.c.keys
	if h.pasting {
		use := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use it"))
		stop := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop pasting"))
		return bindings{short: []key.Binding{use, stop}, full: [][]key.Binding{{use, stop}}}
	}
	var all []key.Binding
	switch {
	case h.callback():
		all = []key.Binding{k.Paste, h.listen, k.NoRedirect, k.SkipStep, k.QR, k.Copy, k.ShowURL, k.Cancel}
	case h.confirm():
		done := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done"))
		all = []key.Binding{done, k.SkipStep, k.QR, k.Copy, k.ShowURL, k.Cancel}
	default:
		typeIt := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type the value"))
		all = []key.Binding{typeIt, k.SkipStep, k.Cancel}
	}
	return bindings{short: all, full: [][]key.Binding{all}}
}

func keyText(st Styles, b key.Binding) string { return st.Heading.Render(b.Help().Key) }

// breakURL cuts a long URL into lines of width cells, so it can be read and copied whole.
func breakURL(u string, width int) []string {
	if width < 10 {
		width = 10
	}
	var out []string
	for len(u) > width {
		out = append(out, u[:width])
		u = u[width:]
	}
	return append(out, u)
}
