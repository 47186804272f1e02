package flows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/telconform/telconform/checks"
	"github.com/tidwall/gjson"
)

// MintKind signs a JWT with a private key the profile holds (an application's key, for a
// provider that authenticates applications by a signed token). The token goes into a variable
// and is a secret from that moment; its header and claims are the step's evidence, for checks
// with jwt:… targets. It makes no request.
type MintKind struct {
	// Key names the profile secret that holds the private key, in PEM: RSA (signed RS256) or
	// P-256 (ES256).
	Key string `toml:"key"`
	// Claims are added to iat, exp and a fresh jti. String values are templates.
	Claims map[string]any `toml:"claims"`
	// Header is added to typ and alg (a kid, say).
	Header map[string]string `toml:"header"`
	// Lifetime sets exp after iat (default 15m).
	Lifetime string `toml:"lifetime"`
	// Backdate moves iat (and so exp) into the past, to mint a token that has expired.
	Backdate string `toml:"backdate"`
	// Into is the variable that receives the token.
	Into string `toml:"into"`
	// Tamper alters the signature after signing, so the token does not verify: for the negative
	// case of a provider that must check it.
	Tamper bool `toml:"tamper"`
}

const defaultMintLifetime = 15 * time.Minute

// Name is "mint".
func (*MintKind) Name() string { return "mint" }

func (k *MintKind) validate(v *validation) {
	if !validName(k.Key) {
		v.at("key", fmt.Sprintf("key %q: name the profile secret that holds the private key (PEM)", k.Key))
	}
	if !validName(k.Into) {
		v.at("into", fmt.Sprintf("into %q: the variable that receives the token (letters, digits, _)", k.Into))
	}
	for _, f := range []struct{ key, value string }{{"lifetime", k.Lifetime}, {"backdate", k.Backdate}} {
		if f.value == "" {
			continue
		}
		if d, err := time.ParseDuration(f.value); err != nil || d < 0 {
			v.at(f.key, fmt.Sprintf("%s %q: write a duration, as in \"15m\"", f.key, f.value))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(k.Claims)) {
		switch val := k.Claims[name].(type) {
		case string:
			v.use(val)
		case int64, float64, bool, []any:
		default:
			v.at("claims", fmt.Sprintf("claim %s: %T is not a string, number, boolean or array", name, val))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(k.Header)) {
		v.use(k.Header[name])
	}
	v.use("{{" + k.Key + "}}")
	v.define(k.Into)
}

func (k *MintKind) durations() (lifetime, backdate time.Duration) {
	lifetime = defaultMintLifetime
	if d, err := time.ParseDuration(k.Lifetime); err == nil {
		lifetime = d
	}
	backdate, _ = time.ParseDuration(k.Backdate)
	return lifetime, backdate
}

func (k *MintKind) describe(d *describer) Description {
	lifetime, backdate := k.durations()
	var claims []string
	for _, name := range slices.Sorted(maps.Keys(k.Claims)) {
		val := k.Claims[name]
		if s, ok := val.(string); ok {
			val = d.fill(s, nil)
		}
		claims = append(claims, fmt.Sprintf("%s=%v", name, val))
	}
	note := fmt.Sprintf("Signs a JWT with the profile's %s, valid for %s", k.Key, lifetime)
	if backdate > 0 {
		note += fmt.Sprintf(", issued %s ago", backdate)
	}
	if k.Tamper {
		note += ", then alters its signature so that it does not verify"
	}
	return Description{Kind: k.Name(), Summary: "sign a JWT into {{" + k.Into + "}}",
		Notes: []string{note + ".", "Claims: " + strings.Join(append(claims, "iat, exp, jti"), ", ") + "."}}
}

func (k *MintKind) run(ctx context.Context, x *execution) (*checks.Evidence, error) {
	s := x.s
	pemText, err := x.fill("{{"+k.Key+"}}", nil)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(pemText)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", k.Key, err)
	}
	lifetime, backdate := k.durations()
	iat := s.clock.Now().Add(-backdate)
	claims := map[string]any{"iat": iat.Unix(), "exp": iat.Add(lifetime).Unix(), "jti": newUUID()}
	for _, name := range slices.Sorted(maps.Keys(k.Claims)) {
		val := k.Claims[name]
		if str, ok := val.(string); ok {
			if val, err = x.fill(str, nil); err != nil {
				return nil, err
			}
		}
		claims[name] = val
	}
	header := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(k.Header)) {
		if header[name], err = x.fill(k.Header[name], nil); err != nil {
			return nil, err
		}
	}
	token, err := signJWT(key, header, claims)
	if err != nil {
		return nil, err
	}
	if k.Tamper {
		token = tamper(token)
	}
	s.masker.Add(k.Into, token)
	s.set(k.Into, token)
	tok, err := decodeJWT(token)
	if err != nil {
		return nil, err
	}
	x.res.Token = recordOf("minted", tok)
	x.res.Captured = map[string]string{k.Into: token}
	return &checks.Evidence{Token: tok}, nil
}

// tamper changes the first character of a compact JWS's signature: the first signature byte
// changes, so the signature no longer verifies, whatever its length.
func tamper(token string) string {
	i := strings.LastIndexByte(token, '.') + 1
	if i == 0 || i >= len(token) {
		return token
	}
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// decodeJWT splits a compact JWS into its header and claims, without verifying anything.
func decodeJWT(token string) (*checks.Token, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d parts", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("JWT header: %v", err)
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("JWT claims: %v", err)
	}
	return &checks.Token{Header: header, Claims: claims, Raw: token}, nil
}

// idTokenOf decodes the id_token member of a JSON body, if it holds a JWT.
func idTokenOf(body []byte) *checks.Token {
	v := gjson.GetBytes(body, "id_token")
	if v.Type != gjson.String {
		return nil
	}
	tok, err := decodeJWT(v.Str)
	if err != nil {
		return nil
	}
	return tok
}

// recordOf turns a decoded token into its record: where it came from, its header and claims,
// never the token.
func recordOf(kind string, t *checks.Token) *TokenRecord {
	rec := &TokenRecord{Kind: kind}
	_ = json.Unmarshal(t.Header, &rec.Header)
	_ = json.Unmarshal(t.Claims, &rec.Claims)
	return rec
}
