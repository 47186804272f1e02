package checks

import (
	"reflect"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		in   string
		want []Challenge
	}{
		{`Bearer realm="konera", error="invalid_token"`, []Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": "konera", "error": "invalid_token"}}}},
		{`Basic realm="a, b", charset="UTF-8", Bearer`, []Challenge{
			{Scheme: "Basic", Params: map[string]string{"realm": "a, b", "charset": "UTF-8"}},
			{Scheme: "Bearer", Params: map[string]string{}}}},
		{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`, []Challenge{
			{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
			{Scheme: "Basic", Params: map[string]string{"realm": "simple"}}}},
		{`Negotiate abc123==`, []Challenge{{Scheme: "Negotiate", Params: map[string]string{}, Token68: "abc123=="}}},
		{`bearer`, []Challenge{{Scheme: "bearer", Params: map[string]string{}}}},
		{`realm="x"`, nil},
		{``, nil},
	}
	for _, tt := range tests {
		if got := ParseChallenges(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
	if !HasChallenge(`Basic realm="a", Bearer error="invalid_token"`, "bearer") || HasChallenge(`Basic realm="Bearer"`, "Bearer") {
		t.Error("HasChallenge looks at text instead of schemes")
	}
}
