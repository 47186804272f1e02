package ui

import (
	"github.com/charmbracelet/lipgloss"
)

// Styles are the looks of the interface, by role. Screens never make styles of their own, so a
// colour change is one edit here and NO_COLOR reaches every corner.
type Styles struct {
	Title    lipgloss.Style // the header line
	Heading  lipgloss.Style // a section inside a pane
	Muted    lipgloss.Style // explanations, hints, secondary text
	Selected lipgloss.Style // the row under the cursor
	Pass     lipgloss.Style
	Fail     lipgloss.Style
	Warn     lipgloss.Style
	Skip     lipgloss.Style
	Running  lipgloss.Style
	Code     lipgloss.Style // URLs, headers, bodies
	Pane     lipgloss.Style // a bordered pane
	Focused  lipgloss.Style // a bordered pane that has the keyboard
	Status   lipgloss.Style // the confirmation line
	Problem  lipgloss.Style // an error line
	Badge    lipgloss.Style // the walk/run mode badge
}

// DefaultStyles returns the house styles. With colour off (NO_COLOR, or a terminal without
// colour) only weight and borders remain, so nothing depends on colour to be read: every status
// also has its word or mark.
func DefaultStyles() Styles {
	green := lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"}
	red := lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"}
	amber := lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"}
	grey := lipgloss.AdaptiveColor{Light: "#6e7781", Dark: "#8b949e"}
	blue := lipgloss.AdaptiveColor{Light: "#0969da", Dark: "#58a6ff"}
	border := lipgloss.RoundedBorder()
	return Styles{
		Title:    lipgloss.NewStyle().Bold(true),
		Heading:  lipgloss.NewStyle().Bold(true),
		Muted:    lipgloss.NewStyle().Foreground(grey),
		Selected: lipgloss.NewStyle().Bold(true).Reverse(true),
		Pass:     lipgloss.NewStyle().Foreground(green),
		Fail:     lipgloss.NewStyle().Foreground(red).Bold(true),
		Warn:     lipgloss.NewStyle().Foreground(amber),
		Skip:     lipgloss.NewStyle().Foreground(grey),
		Running:  lipgloss.NewStyle().Foreground(blue),
		Code:     lipgloss.NewStyle(),
		Pane:     lipgloss.NewStyle().Border(border).BorderForeground(grey).Padding(0, 1),
		// The focused pane's border is thick as well as blue: the weight survives NO_COLOR.
		Focused: lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(blue).Padding(0, 1),
		Status:  lipgloss.NewStyle().Foreground(green),
		Problem: lipgloss.NewStyle().Foreground(red),
		Badge:   lipgloss.NewStyle().Bold(true),
	}
}
