package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, testRun(), testMeta); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.xml", buf.Bytes())
}

// parsedJUnit is the JUnit document as a CI reader parses it.
type parsedJUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T) parsedJUnit {
	t.Helper()
	var buf bytes.Buffer
	if err := JUnit(&buf, testRun(), testMeta); err != nil {
		t.Fatal(err)
	}
	var p parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatalf("the JUnit report does not parse: %v", err)
	}
	return p
}

// Every count attribute must equal the test cases it counts, at suite and at document level.
func TestJUnitCountsMatchTestCases(t *testing.T) {
	p := parseJUnit(t)
	var tests, failures, errors, skipped int
	for _, s := range p.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %q says tests=%d failures=%d errors=%d skipped=%d; its cases give %d, %d, %d, %d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errors, skipped = tests+len(s.Cases), failures+f, errors+e, skipped+sk
	}
	if p.Tests != tests || p.Failures != failures || p.Errors != errors || p.Skipped != skipped {
		t.Errorf("testsuites says tests=%d failures=%d errors=%d skipped=%d; its cases give %d, %d, %d, %d",
			p.Tests, p.Failures, p.Errors, p.Skipped, tests, failures, errors, skipped)
	}
	if tests != 7 || failures != 1 || errors != 1 || skipped != 1 {
		t.Errorf("fixture gives tests=%d failures=%d errors=%d skipped=%d, want 7, 1, 1, 1",
			tests, failures, errors, skipped)
	}
}

// What a CI reader sees for each kind of step, read back through an XML parser so escaping is
// part of what is checked.
func TestJUnitStepVerdicts(t *testing.T) {
	p := parseJUnit(t)
	cases := map[string]int{}
	suite := p.Suites[1]
	if suite.Name != "sandbox-konera / konera.sim-swap" {
		t.Fatalf("second suite is %q", suite.Name)
	}
	for i, c := range suite.Cases {
		cases[c.Name] = i
	}
	get := func(name string) int {
		i, ok := cases[name]
		if !ok {
			t.Fatalf("no test case %q among %v", name, cases)
		}
		return i
	}

	failed := suite.Cases[get("check-swapped: A swapped number reports swapped=true")]
	if failed.Failure == nil || failed.Failure.Message != "1 check failed: camara.sim-swap.swapped" {
		t.Errorf("failure = %+v", failed.Failure)
	} else if want := "camara.sim-swap.swapped: body swapped: expected boolean true, got boolean false [CAMARA SS check_swap.2]"; failed.Failure.Text != want {
		t.Errorf("failure text = %q, want %q", failed.Failure.Text, want)
	}
	if !strings.Contains(failed.SystemOut, "info: camara.response-time: duration: expected under 1s, got 1.204s") {
		t.Errorf("system-out lacks the informational finding:\n%s", failed.SystemOut)
	}

	errored := suite.Cases[get(`check-bad-number: A malformed number gets 400 "INVALID_ARGUMENT"`)]
	if errored.Error == nil || errored.Error.Message != "dial tcp 127.0.0.1:9: connect: connection refused" || errored.Failure != nil {
		t.Errorf("error = %+v, failure = %+v", errored.Error, errored.Failure)
	}

	skipped := suite.Cases[get("token-expires: An expired token is refused")]
	if skipped.Skipped == nil || !strings.HasPrefix(skipped.Skipped.Message, "waiting 5m1s") {
		t.Errorf("skipped = %+v", skipped.Skipped)
	}

	warned := suite.Cases[get("token: Get a token")]
	if warned.Failure != nil || warned.Error != nil || warned.Skipped != nil {
		t.Errorf("a warning alone must not fail the test case: %+v", warned)
	}
	wantOut := "POST http://127.0.0.1:41873/auth/realms/konera/protocol/openid-connect/token → 200\n" +
		"warning: camara.x-correlator-echo: header x-correlator: expected the request's x-correlator, got (absent) [CAMARA Commonalities x-correlator]"
	if warned.SystemOut != wantOut {
		t.Errorf("system-out = %q, want %q", warned.SystemOut, wantOut)
	}

	quoted := suite.Cases[get("retrieve-date: Retrieve the date of the last swap")]
	if want := `POST http://127.0.0.1:41873/camara/sim-swap/v2/retrieve-date?trace=a&b="c" → 200`; quoted.SystemOut != want {
		t.Errorf("system-out = %q, want %q", quoted.SystemOut, want)
	}
}

func TestJUnitEmptyRun(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, nil, Meta{}); err != nil {
		t.Fatal(err)
	}
	var p parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatalf("an empty run's report does not parse: %v\n%s", err, buf.String())
	}
	if !strings.Contains(buf.String(), `<testsuites name="telconform" tests="0"`) {
		t.Errorf("an empty run should still name the tool and count zero tests:\n%s", buf.String())
	}
}
