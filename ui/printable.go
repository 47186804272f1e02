package ui

import (
	"net/http"
	"slices"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/internal/termtext"
)

// Everything the engine hands the interface passes through printable first: what a provider sent
// (bodies, headers, error text, values a check quotes, URLs it redirected to) reaches the screen
// with every control character and escape sequence written out, so no response can retitle the
// terminal, clear it or move the cursor. Reports are written from the engine's own record and
// keep the text as it was (JSON escapes it).

func printable(ev flows.Event) flows.Event {
	switch e := ev.(type) {
	case flows.FlowStarted:
		e.Result = printableFlow(e.Result)
		return e
	case flows.RequestSent:
		e.Request = printableRequest(e.Request)
		return e
	case flows.ResponseReceived:
		e.Exchange = printableExchange(e.Exchange)
		return e
	case flows.RequestReceived:
		e.Request = printableReceived(e.Request)
		return e
	case flows.Attempt:
		e.Outcome = printableOutcome(e.Outcome)
		return e
	case flows.CheckDone:
		e.Outcome = printableOutcome(e.Outcome)
		return e
	case flows.StepDone:
		e.Result = printableStep(e.Result)
		e.FlowResult = printableFlow(e.FlowResult)
		return e
	case flows.FlowDone:
		e.Result = printableFlow(e.Result)
		return e
	case flows.Waiting:
		if e.Next != nil {
			d := printableDescription(*e.Next)
			e.Next = &d
		}
		return e
	}
	return ev
}

func printableInput(r flows.InputRequest) flows.InputRequest {
	r.Prompt, r.URL = termtext.Block(r.Prompt), termtext.Line(r.URL)
	return r
}

func printableFlow(f flows.FlowResult) flows.FlowResult {
	f.Steps = slices.Clone(f.Steps)
	for i := range f.Steps {
		f.Steps[i] = printableStep(f.Steps[i])
	}
	return f
}

func printableStep(s flows.StepResult) flows.StepResult {
	s.Reason = termtext.Line(s.Reason)
	s.Exchanges = slices.Clone(s.Exchanges)
	for i := range s.Exchanges {
		s.Exchanges[i] = printableExchange(s.Exchanges[i])
	}
	if h := s.Handoff; h != nil {
		s.Handoff = &flows.Handoff{URL: termtext.Line(h.URL), Callback: termtext.Line(h.Callback), Via: h.Via}
	}
	if r := s.Received; r != nil {
		p := printableReceived(*r)
		s.Received = &p
	}
	if s.Captured != nil {
		c := make(map[string]string, len(s.Captured))
		for k, v := range s.Captured {
			c[k] = termtext.Line(v)
		}
		s.Captured = c
	}
	s.Outcomes = slices.Clone(s.Outcomes)
	for i := range s.Outcomes {
		s.Outcomes[i] = printableOutcome(s.Outcomes[i])
	}
	return s
}

func printableOutcome(o checks.Outcome) checks.Outcome {
	o.Target, o.Expected, o.Got, o.Reason = termtext.Line(o.Target), termtext.Line(o.Expected), termtext.Line(o.Got), termtext.Line(o.Reason)
	return o
}

func printableExchange(ex flows.Exchange) flows.Exchange {
	ex.Request = printableRequest(ex.Request)
	ex.Error = termtext.Line(ex.Error)
	if r := ex.Response; r != nil {
		p := *r
		p.Header, p.Body = printableHeader(r.Header), termtext.Block(r.Body)
		ex.Response = &p
	}
	return ex
}

func printableRequest(r flows.Request) flows.Request {
	r.URL, r.Header, r.Body = termtext.Line(r.URL), printableHeader(r.Header), termtext.Block(r.Body)
	return r
}

func printableReceived(r flows.Received) flows.Received {
	r.Method, r.URL, r.Header, r.Body = termtext.Line(r.Method), termtext.Line(r.URL), printableHeader(r.Header), termtext.Block(r.Body)
	return r
}

func printableDescription(d flows.Description) flows.Description {
	d.Summary, d.URL, d.Header, d.Body = termtext.Line(d.Summary), termtext.Line(d.URL), printableHeader(d.Header), termtext.Block(d.Body)
	d.Notes = slices.Clone(d.Notes)
	for i := range d.Notes {
		d.Notes[i] = termtext.Line(d.Notes[i])
	}
	return d
}

func printableHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		p := make([]string, len(vs))
		for i, v := range vs {
			p[i] = termtext.Line(v)
		}
		out[termtext.Line(k)] = p
	}
	return out
}
