// Package ui will hold telconform's terminal interface: Bubble Tea models that walk a person
// through each flow, showing every request, response and check as it happens. It is the only
// package allowed to import Bubble Tea, Bubbles or Lip Gloss; the engine below it (flows, checks,
// profiles, reports, sandbox) knows nothing of terminals.
package ui
