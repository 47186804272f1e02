package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"rsc.io/qr"
)

// qrQuiet is the light border around the code, in modules: the QR standard (ISO/IEC 18004)
// asks for four, and phone cameras find a code with less less often.
const qrQuiet = 4

// qrCode draws text as a QR code with half-block characters, two modules per character cell
// vertically. It returns the drawing, its width in cells and its height in rows, or "" when
// the text does not fit in a QR code.
//
// With colour, every cell is drawn in explicit black on white whatever the terminal's theme: a
// code drawn in the theme's own colours comes out inverted on a light theme, and some readers
// refuse an inverted code. Without colour (NO_COLOR, a dumb terminal) light modules are full
// blocks and dark ones spaces, which reads right on the dark themes most terminals use.
func qrCode(text string, colour bool) (string, int, int) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return "", 0, 0
	}
	size := code.Size + 2*qrQuiet
	dark := func(x, y int) bool {
		x, y = x-qrQuiet, y-qrQuiet
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	// cell[top][bottom], true for dark.
	var cell [2][2]string
	if colour {
		black, white := lipgloss.Color("16"), lipgloss.Color("231")
		pick := func(d bool) lipgloss.Color {
			if d {
				return black
			}
			return white
		}
		for t := range 2 {
			for b := range 2 {
				cell[t][b] = lipgloss.NewStyle().Foreground(pick(t == 1)).Background(pick(b == 1)).Render("▀")
			}
		}
	} else {
		cell = [2][2]string{{"█", "▀"}, {"▄", " "}}
	}
	idx := func(d bool) int {
		if d {
			return 1
		}
		return 0
	}
	var b strings.Builder
	rows := 0
	for y := 0; y < size; y += 2 {
		for x := 0; x < size; x++ {
			// Past the last row the bottom half is quiet zone: light.
			b.WriteString(cell[idx(dark(x, y))][idx(y+1 < size && dark(x, y+1))])
		}
		b.WriteByte('\n')
		rows++
	}
	return strings.TrimSuffix(b.String(), "\n"), size, rows
}
