package ui

import (
	"strings"

	"rsc.io/qr"
)

// qrCode draws text as a QR code with half-block characters, two modules per character cell
// vertically, dark modules as spaces on light blocks so it scans on dark and light themes
// alike. It returns "" when the text does not fit in a QR code.
func qrCode(text string) (string, int, int) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return "", 0, 0
	}
	const quiet = 2 // modules of light border on each side
	size := code.Size + 2*quiet
	dark := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	var b strings.Builder
	rows := 0
	for y := 0; y < size; y += 2 {
		for x := 0; x < size; x++ {
			top, bottom := dark(x, y), y+1 < size && dark(x, y+1)
			switch {
			case top && bottom:
				b.WriteByte(' ')
			case top:
				b.WriteString("▄")
			case bottom:
				b.WriteString("▀")
			default:
				b.WriteString("█")
			}
		}
		b.WriteByte('\n')
		rows++
	}
	return strings.TrimSuffix(b.String(), "\n"), size, rows
}
