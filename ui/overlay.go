package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// urlOverlay is a URL drawn alone in place of the panes, for a person to hand on: as a QR code
// for the phone's camera, or as text with nothing else on its lines (no border, no padding), so
// that selecting it in the terminal picks up the URL and only the URL.
type urlOverlay struct {
	url string
	qr  bool
}

func (o urlOverlay) view(st Styles, width, height int) string {
	if !o.qr {
		head := wrapStyled(st.Muted.Render, "The URL alone, to select and copy (it runs on from line to line; y copies it whole). Any key goes back.", width)
		return strings.Join(append(append(head, ""), breakURL(o.url, width)...), "\n")
	}
	code, w, rows := qrCode(o.url, lipgloss.ColorProfile() != termenv.Ascii)
	if code == "" {
		return st.Problem.Render("This URL is too long for a QR code: copy it from the panel instead.")
	}
	if w > width || rows+1 > height {
		need := fmt.Sprintf("The QR code needs %d×%d cells; this terminal has %d×%d.", w, rows+1, width, height)
		how := "Enlarge the window or zoom out, or open the URL from the panel. Any key goes back."
		return strings.Join(append(wrapStyled(st.Warn.Render, need, width), wrapStyled(st.Muted.Render, how, width)...), "\n")
	}
	return lipgloss.JoinVertical(lipgloss.Left, code, st.Muted.Render("Scan with the phone's camera, on mobile data. Any key goes back."))
}
