package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/telconform/telconform/checks"
)

func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, testRun(), testMeta); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.json", buf.Bytes())
}

// parsedJSON is what a consumer of the JSON report reads back, independent of the writer's types.
type parsedJSON struct {
	Status  string `json:"status"`
	Summary struct {
		Profiles    int            `json:"profiles"`
		Flows       int            `json:"flows"`
		FlowsFailed int            `json:"flows_failed"`
		Steps       map[string]int `json:"steps"`
		Checks      map[string]int `json:"checks"`
	} `json:"summary"`
	Profiles []struct {
		Flows []struct {
			Status string `json:"status"`
			Steps  []struct {
				Status string `json:"status"`
				Checks []struct {
					Status string `json:"status"`
				} `json:"checks"`
			} `json:"steps"`
		} `json:"flows"`
	} `json:"profiles"`
}

func parseJSON(t *testing.T, data []byte) parsedJSON {
	t.Helper()
	var p parsedJSON
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	return p
}

// The summary must agree with the details it summarises, and carry every count key.
func TestJSONSummaryMatchesRecount(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, testRun(), testMeta); err != nil {
		t.Fatal(err)
	}
	p := parseJSON(t, buf.Bytes())

	steps, checksBy := map[string]int{}, map[string]int{}
	flowCount, failed := 0, 0
	for _, prof := range p.Profiles {
		for _, f := range prof.Flows {
			flowCount++
			if f.Status == "fail" || f.Status == "error" {
				failed++
			}
			for _, st := range f.Steps {
				steps[st.Status]++
				for _, c := range st.Checks {
					checksBy[c.Status]++
				}
			}
		}
	}
	s := p.Summary
	if s.Profiles != len(p.Profiles) || s.Flows != flowCount || s.FlowsFailed != failed {
		t.Errorf("summary says %d profiles, %d flows, %d failed; recount finds %d, %d, %d",
			s.Profiles, s.Flows, s.FlowsFailed, len(p.Profiles), flowCount, failed)
	}
	compareCounts(t, "steps", s.Steps, steps, stepCountKeys)
	compareCounts(t, "checks", s.Checks, checksBy, checkCountKeys)

	// The fixture has something of every kind; a recount of zeros would prove nothing.
	if steps["fail"] != 1 || steps["error"] != 1 || steps["skip"] != 1 || steps["warn"] != 1 || checksBy["info"] != 1 {
		t.Errorf("fixture counts changed: steps %v, checks %v", steps, checksBy)
	}
}

func compareCounts[S ~string](t *testing.T, what string, summary, recount map[string]int, keys []S) {
	t.Helper()
	for _, k := range keys {
		if _, ok := summary[string(k)]; !ok {
			t.Errorf("summary.%s has no %q key", what, k)
		}
	}
	for k, n := range summary {
		if recount[k] != n {
			t.Errorf("summary.%s.%s = %d, recount finds %d", what, k, n, recount[k])
		}
	}
	for k, n := range recount {
		if summary[k] != n {
			t.Errorf("recount finds %d %s %s, summary says %d", n, what, k, summary[k])
		}
	}
}

// A nil or empty run still gives a document consumers can read without guards.
func TestJSONEmptyRun(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, nil, testMeta); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("report does not end with a newline: %q", out)
	}
	if !strings.Contains(out, `"profiles": []`) {
		t.Errorf("an empty run should list no profiles as [], got:\n%s", out)
	}
	p := parseJSON(t, buf.Bytes())
	compareCounts(t, "steps", p.Summary.Steps, map[string]int{}, stepCountKeys)
	compareCounts(t, "checks", p.Summary.Checks, map[string]int{}, checkCountKeys)
}

// A status the runner adds later (a known deviation, say) must be counted, not dropped, and the
// fixed keys keep their order ahead of it.
func TestJSONCountsKeepNewStatuses(t *testing.T) {
	c := statusCounts{keys: []checks.Status{checks.Pass, checks.Fail},
		by: map[checks.Status]int{checks.Fail: 2, "known": 1, "zeta": 3}}
	got, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"pass":0,"fail":2,"known":1,"zeta":3}`; string(got) != want {
		t.Errorf("counts = %s, want %s", got, want)
	}
}
