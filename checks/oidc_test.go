package checks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

var idTokenNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// The provider's keys: k1 signs id_tokens (ES256), k2 is a P-384 key it also publishes, and
// stranger is a key it does not publish.
var idKeys = sync.OnceValue(func() map[string]*ecdsa.PrivateKey {
	gen := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
	return map[string]*ecdsa.PrivateKey{"k1": gen(elliptic.P256()), "k2": gen(elliptic.P384()), "stranger": gen(elliptic.P256())}
})

func providerJWKS() string {
	keys := idKeys()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: keys["k1"].Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"},
		{Key: keys["k2"].Public(), KeyID: "k2", Algorithm: "ES384", Use: "sig"},
	}}
	b, _ := json.Marshal(set)
	return string(b)
}

// idTokenEvidence is a token response with an id_token signed by k1 as OIDC wants it; edit may
// change the claims, the signing (method and key) and the kid before it is signed.
func idTokenEvidence(edit func(claims jwt.MapClaims, sign *idSigning)) *Evidence {
	claims := jwt.MapClaims{"iss": "https://pxg.example", "sub": "pairwise-7f3a", "aud": "client-1",
		"exp": idTokenNow.Add(time.Hour).Unix(), "iat": idTokenNow.Unix(), "nonce": "n-0af1"}
	sign := &idSigning{method: jwt.SigningMethodES256, key: "k1", kid: "k1"}
	if edit != nil {
		edit(claims, sign)
	}
	tok := jwt.NewWithClaims(sign.method, claims)
	tok.Header["kid"] = sign.kid
	raw, err := tok.SignedString(idKeys()[sign.key])
	if err != nil {
		panic(err)
	}
	parts := strings.Split(raw, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	body, _ := json.Marshal(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": raw})
	return &Evidence{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body,
		Token: &Token{Header: header, Claims: payload, Raw: raw}, Now: idTokenNow,
		Expect: map[string]string{"issuer": "https://pxg.example", "client_id": "client-1", "nonce": "n-0af1",
			"jwks": providerJWKS(), "id_token_alg": "ES256"}}
}

type idSigning struct {
	method jwt.SigningMethod
	key    string
	kid    string
}

// idTokenCases are the id-token pack's rows of TestPackChecksPassAndFail: conforming evidence,
// and evidence with one deviation for each check.
func idTokenCases() []packCase {
	good := idTokenEvidence(nil)
	bad := func(edit func(jwt.MapClaims, *idSigning)) *Evidence { return idTokenEvidence(edit) }
	return []packCase{
		{IDToken, "oidc.id-token.present", good, func() *Evidence {
			e := idTokenEvidence(nil)
			e.Body, e.Token = []byte(`{"access_token":"at","token_type":"Bearer","expires_in":300}`), nil
			return e
		}(), Fail},
		{IDToken, "oidc.id-token.alg", good, bad(func(_ jwt.MapClaims, s *idSigning) {
			s.method, s.key, s.kid = jwt.SigningMethodES384, "k2", "k2" // verifies, but not the agreed algorithm
		}), Fail},
		{IDToken, "oidc.id-token.signature", good, bad(func(_ jwt.MapClaims, s *idSigning) { s.key = "stranger" }), Fail},
		{IDToken, "oidc.id-token.iss", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["iss"] = "https://other.example" }), Fail},
		{IDToken, "oidc.id-token.aud", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["aud"] = []string{"someone-else"} }), Fail},
		{IDToken, "oidc.id-token.exp", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["exp"] = idTokenNow.Add(-time.Minute).Unix() }), Fail},
		{IDToken, "oidc.id-token.iat", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["iat"] = idTokenNow.Add(time.Hour).Unix() }), Fail},
		{IDToken, "oidc.id-token.nonce", good, bad(func(c jwt.MapClaims, _ *idSigning) { delete(c, "nonce") }), Fail},
		{IDToken, "oidc.id-token.sub", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["sub"] = strings.Repeat("s", 256) }), Fail},
		{IDToken, "oidc.id-token.sub-not-msisdn", good, bad(func(c jwt.MapClaims, _ *idSigning) { c["sub"] = "+15143792381" }), Warn},
	}
}

// What a conformant provider may do passes: an audience array, a signature found without a kid,
// RS256 as the default; what it may not, fails.
func TestIDTokenAcceptsWhatOIDCAllows(t *testing.T) {
	tests := []struct {
		name string
		id   string
		ev   *Evidence
		want Status
	}{
		{"aud as an array", "oidc.id-token.aud", idTokenEvidence(func(c jwt.MapClaims, _ *idSigning) { c["aud"] = []string{"client-1", "other"} }), Pass},
		{"no kid", "oidc.id-token.signature", idTokenEvidence(func(_ jwt.MapClaims, s *idSigning) { s.kid = "" }), Pass},
		{"a kid the JWKS lacks", "oidc.id-token.signature", idTokenEvidence(func(_ jwt.MapClaims, s *idSigning) { s.kid = "k9" }), Fail},
		{"RS256 is the default", "oidc.id-token.alg", func() *Evidence {
			e := idTokenEvidence(nil)
			delete(e.Expect, "id_token_alg")
			return e
		}(), Fail},
		{"no nonce sent, none to check", "oidc.id-token.nonce", func() *Evidence {
			e := idTokenEvidence(nil)
			delete(e.Expect, "nonce")
			return e
		}(), Skip},
		{"no keys to verify with", "oidc.id-token.signature", func() *Evidence {
			e := idTokenEvidence(nil)
			delete(e.Expect, "jwks")
			return e
		}(), Skip},
		{"iat a minute ahead (clock skew)", "oidc.id-token.iat", idTokenEvidence(func(c jwt.MapClaims, _ *idSigning) { c["iat"] = idTokenNow.Add(time.Minute).Unix() }), Pass},
	}
	for _, tt := range tests {
		o := byID(IDToken.Eval(tt.ev))[tt.id]
		if o.Status != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, o, tt.want)
		}
	}
}

// alg none never passes, whatever the step allows, and the outcome never quotes the token.
func TestIDTokenAlgNone(t *testing.T) {
	e := idTokenEvidence(nil)
	claims := base64.RawURLEncoding.EncodeToString(e.Token.Claims)
	header := []byte(`{"alg":"none","typ":"JWT"}`)
	raw := base64.RawURLEncoding.EncodeToString(header) + "." + claims + "."
	e.Token = &Token{Header: header, Claims: e.Token.Claims, Raw: raw}
	e.Expect["id_token_alg"] = "ES256,none"
	e.Body, _ = json.Marshal(map[string]any{"id_token": raw})
	out := byID(IDToken.Eval(e))
	if out["oidc.id-token.alg"].Status != Fail || out["oidc.id-token.signature"].Status != Fail {
		t.Errorf("alg none: %s / %s", out["oidc.id-token.alg"], out["oidc.id-token.signature"])
	}
	for _, o := range out {
		if strings.Contains(o.Got, claims) {
			t.Errorf("%s quotes the token: %s", o.ID, o.Got)
		}
	}
}
