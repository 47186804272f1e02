package checks

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	got, err := ParseRef("RFC6749 4.1.2, 10.12; CAMARA ICM Appendix A (RFC 6749 also allows 400)")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, "|") != "RFC6749 4.1.2|RFC6749 10.12|CAMARA ICM Appendix A" {
		t.Errorf("clauses %v", ids)
	}
	for _, bad := range []string{"RFC6749 99.9", "RFC 6749 5.2", "RFC6749 5.2, CAMARA ICM Appendix A", "CAMARA NV phone_number_verify_9"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("%q resolved", bad)
		}
	}
	// A part telconform does not know is an error, and the parts it knows still come back.
	got, err = ParseRef("Acme API guide 4; CAMARA NV phone_number_verify_400.1_no_request_body")
	if err == nil || len(got) != 1 || got[0].API != "Number Verification" || got[0].Feature != "phoneNumberVerify" {
		t.Errorf("partial ref: %v, %+v", err, got)
	}
	if c, _ := LookupClause("CAMARA NV share phone_number_verify_401.1_no_authorization_header"); c.Feature != "phoneNumberShare" {
		t.Errorf("a tag repeated across features is keyed by feature: %+v", c)
	}
}

// Every pack check cites clauses telconform knows.
func TestPackRefsResolve(t *testing.T) {
	for _, p := range Packs() {
		for _, c := range p.Checks {
			if _, err := ParseRef(c.Ref); err != nil {
				t.Errorf("%s: %v", c.ID, err)
			}
		}
	}
}
