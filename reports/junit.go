package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
)

// The JUnit XML vocabulary as Jenkins, GitLab and GitHub's test reporters read it. A flow run
// against a profile is a test suite and each of its steps a test case, so a CI page lists the
// steps that went wrong under the flow they belong to. Elements are structs marshalled by
// encoding/xml, so every value from a provider (bodies, headers, reasons) is escaped.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// junitTime is the JUnit timestamp: ISO 8601 without an offset, as the JUnit ant task wrote it
// and CI readers expect. Times are converted to UTC first so the missing offset is not a guess.
const junitTime = "2006-01-02T15:04:05"

// JUnit writes the run as JUnit XML, the one test report format every CI system shows natively:
// failed checks become failures, steps that could not run become errors, skipped steps are
// skipped, and what was sent plus any warnings go to the test case's output.
func JUnit(w io.Writer, run *flows.RunResult, meta Meta) error {
	run = orEmpty(run)
	doc := junitSuites{Name: meta.tool(), Time: seconds(run.Duration)}
	for _, t := range run.Targets {
		for _, f := range t.Flows {
			s := junitSuiteOf(t, f)
			doc.Tests += s.Tests
			doc.Failures += s.Failures
			doc.Errors += s.Errors
			doc.Skipped += s.Skipped
			doc.Suites = append(doc.Suites, s)
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitSuiteOf(t flows.TargetResult, f flows.FlowResult) junitSuite {
	s := junitSuite{
		Name:      t.Name + " / " + f.ID,
		Time:      seconds(f.Duration),
		Timestamp: f.Started.UTC().Format(junitTime),
		Properties: []junitProperty{
			{Name: "profile", Value: t.Name},
			{Name: "flow", Value: f.ID},
			{Name: "source", Value: t.Source},
		},
	}
	// A run against a sandbox told to deviate says so where CI shows the suite: a failure there
	// is the point of the run, not news about a provider.
	for _, f := range t.Faults {
		s.Properties = append(s.Properties, junitProperty{Name: "sandbox-fault", Value: f})
	}
	for _, tol := range t.Tolerances {
		s.Properties = append(s.Properties, junitProperty{Name: "sandbox-tolerance", Value: tol})
	}
	for _, st := range f.Steps {
		c := junitCaseOf(t.Name+"."+f.ID, st)
		s.Tests++
		switch {
		case c.Skipped != nil:
			s.Skipped++
		case c.Error != nil:
			s.Errors++
		case c.Failure != nil:
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	return s
}

// junitCaseOf gives a step at most one of skipped, error or failure, in that order: a step that
// did not run or could not run has no checks worth failing on. A step whose only problems are
// known deviations is skipped, with them as the message: CI stays green and still shows them.
func junitCaseOf(classname string, st flows.StepResult) junitCase {
	c := junitCase{Classname: classname, Name: st.ID + ": " + st.Title, Time: seconds(st.Duration)}
	switch st.Status {
	case checks.Skip:
		c.Skipped = &junitSkipped{Message: st.Reason}
	case checks.Known:
		var lines []string
		for _, o := range st.Outcomes {
			if o.Status == checks.Known {
				lines = append(lines, checkLine(o)+" ("+o.Reason+")")
			}
		}
		c.Skipped = &junitSkipped{Message: strings.Join(lines, "; ")}
	case checks.Error:
		c.Error = &junitProblem{Message: st.Reason, Type: "step"}
	default:
		if failed := failedChecks(st.Outcomes); len(failed) > 0 {
			ids, lines := make([]string, len(failed)), make([]string, len(failed))
			for i, o := range failed {
				ids[i], lines[i] = o.ID, checkLine(o)
			}
			c.Failure = &junitProblem{
				Message: fmt.Sprintf("%s failed: %s", plural(len(failed), "check"), strings.Join(ids, ", ")),
				Type:    "check",
				Text:    strings.Join(lines, "\n"),
			}
		}
	}
	c.SystemOut = junitOutput(st)
	return c
}

// junitOutput is what a CI reader needs to see beside a step's verdict: the request lines, so it
// is clear what was sent, and the checks that did not hold without failing the step.
func junitOutput(st flows.StepResult) string {
	var lines []string
	for _, ex := range st.Exchanges {
		lines = append(lines, requestLine(ex))
	}
	for _, o := range st.Outcomes {
		switch o.Status {
		case checks.Warn:
			lines = append(lines, "warning: "+checkLine(o))
		case checks.Info:
			lines = append(lines, "info: "+checkLine(o))
		case checks.Fixed:
			lines = append(lines, "fixed: "+o.ID+": "+o.Reason)
		case checks.Known:
			lines = append(lines, "known: "+checkLine(o)+" ("+o.Reason+")")
		}
	}
	return strings.Join(lines, "\n")
}

// requestLine sums an exchange up as `METHOD URL → status`, or the error that stopped it.
func requestLine(ex flows.Exchange) string {
	s := ex.Request.Method + " " + ex.Request.URL + " → "
	switch {
	case ex.Response != nil:
		return s + fmt.Sprint(ex.Response.Status)
	case ex.Error != "":
		return s + "error: " + ex.Error
	default:
		return s + "no response"
	}
}

// failedChecks are the outcomes that make a step fail.
func failedChecks(outcomes []checks.Outcome) []checks.Outcome {
	var failed []checks.Outcome
	for _, o := range outcomes {
		if o.Failed() {
			failed = append(failed, o)
		}
	}
	return failed
}

// seconds is a duration as JUnit writes it: seconds with three decimals.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
