package checks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The id-token pack validates an OIDC id_token the way OIDC Core 3.1.3.7 tells a client to:
// the signature against the provider's published keys, an algorithm that is not none and is
// the one agreed, the issuer, the audience, the expiry, the issue time and the nonce. What it
// compares with comes from the step's expect table: issuer, client_id, nonce, jwks (the key set
// as JSON, fetched by an earlier step) and id_token_alg (the algorithms allowed, comma-separated;
// RS256 when not given, OIDC's default).

// iatSkew is how far in the future an id_token's iat may be before it is refused: clocks differ.
const iatSkew = 5 * time.Minute

// asymmetricAlgs are the JWS algorithms an id_token signature is parsed with: a client holds no
// secret to check an HMAC with, and none is never acceptable.
var asymmetricAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// msisdnLike matches a phone number written as one: +E.164, bare digits, or a tel: URI.
var msisdnLike = regexp.MustCompile(`^(tel:)?\+?[0-9]{6,15}$`)

// IDToken is the pack for the id_token of a token response to a request that asked for openid.
var IDToken = register(&Pack{
	Name:  "oidc.id-token",
	Title: "OIDC id_token (OIDC Core 3.1.3.3, 3.1.3.7)",
	Checks: []PackCheck{
		{
			ID: "oidc.id-token.present", Level: LevelFail, Ref: "OIDC Core 3.1.3.3",
			Explain: "A token response to an authorization that asked for openid carries an id_token, a signed JWT.",
			Target:  "body id_token",
			eval: func(ev *Evidence) verdict {
				v := body(ev, "id_token")
				return holds(ev.Token != nil && v.Kind == KindString, "a JWT", redact(v))
			},
		},
		{
			ID: "oidc.id-token.alg", Level: LevelFail, Ref: "OIDC Core 3.1.3.7, 2",
			Explain: "The id_token is signed with the algorithm agreed for the client (RS256 unless registered otherwise), never none.",
			Target:  "jwt header.alg",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				allowed := allowedAlgs(ev)
				v := bodyValue(ev.Token.Header, "alg")
				ok := v.Kind == KindString && !strings.EqualFold(v.Str, "none") && slices.Contains(allowed, v.Str)
				return holds(ok, "one of "+strings.Join(allowed, ", ")+" (id_token_alg), not none", v)
			},
		},
		{
			ID: "oidc.id-token.signature", Level: LevelFail, Ref: "OIDC Core 3.1.3.7",
			Explain: "The signature verifies with a key the provider publishes in its JWKS (the one its kid names).",
			Target:  "jwt signature",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				jwks, ok := ev.Expect["jwks"]
				if !ok || jwks == "" {
					return notApplicable("the step names no keys to verify with (expect.jwks)")
				}
				problem := verifyWithJWKS(ev.Token.Raw, jwks)
				if problem == "" {
					return holds(true, "verifies with the provider's keys", StringValue("verifies"))
				}
				return holds(false, "verifies with the provider's keys", StringValue(problem))
			},
		},
		{
			ID: "oidc.id-token.iss", Level: LevelFail, Ref: "OIDC Core 3.1.3.7",
			Explain: "iss is exactly the provider's issuer identifier.",
			Target:  "jwt claims.iss",
			eval:    claimIs("iss", "issuer", "no id_token, or no issuer to compare with (expect.issuer)"),
		},
		{
			ID: "oidc.id-token.aud", Level: LevelFail, Ref: "OIDC Core 3.1.3.7",
			Explain: "aud names the client: the token was issued for it and no one else may use it as its own.",
			Target:  "jwt claims.aud",
			eval: func(ev *Evidence) verdict {
				want, ok := expected(ev, "client_id")
				if !ok {
					return notApplicable("no id_token, or no client id to compare with (expect.client_id)")
				}
				v := bodyValue(ev.Token.Claims, "aud")
				var auds []string
				switch v.Kind {
				case KindString:
					auds = []string{v.Str}
				case KindArray:
					_ = json.Unmarshal([]byte(v.Str), &auds)
				}
				return holds(slices.Contains(auds, want), "the client id "+quote(want)+", alone or in an array", v)
			},
		},
		{
			ID: "oidc.id-token.exp", Level: LevelFail, Ref: "OIDC Core 3.1.3.7, 2",
			Explain: "exp is a NumericDate after the time the token was received.",
			Target:  "jwt claims.exp",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				v := bodyValue(ev.Token.Claims, "exp")
				return holds(v.Kind == KindNumber && time.Unix(int64(v.Num), 0).After(ev.Now),
					"a NumericDate after "+ev.Now.UTC().Format(time.RFC3339), v)
			},
		},
		{
			ID: "oidc.id-token.iat", Level: LevelFail, Ref: "OIDC Core 3.1.3.7, 2",
			Explain: "iat is a NumericDate, and not in the future (beyond five minutes of clock difference).",
			Target:  "jwt claims.iat",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				v := bodyValue(ev.Token.Claims, "iat")
				return holds(v.Kind == KindNumber && !time.Unix(int64(v.Num), 0).After(ev.Now.Add(iatSkew)),
					"a NumericDate no later than "+ev.Now.Add(iatSkew).UTC().Format(time.RFC3339), v)
			},
		},
		{
			ID: "oidc.id-token.nonce", Level: LevelFail, Ref: "OIDC Core 3.1.3.7, 2",
			Explain: "The nonce the authorization request sent comes back in the id_token exactly: it ties the token to that request.",
			Target:  "jwt claims.nonce",
			eval:    claimIs("nonce", "nonce", "no id_token, or no nonce was sent (expect.nonce)"),
		},
		{
			ID: "oidc.id-token.sub", Level: LevelFail, Ref: "OIDC Core 2",
			Explain: "sub identifies the end user: a string of at most 255 ASCII characters.",
			Target:  "jwt claims.sub",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				v := bodyValue(ev.Token.Claims, "sub")
				ok := v.Kind == KindString && v.Str != "" && len(v.Str) <= 255 && isASCII(v.Str)
				return holds(ok, "a string of 1 to 255 ASCII characters", v)
			},
		},
		{
			ID: "oidc.id-token.sub-not-msisdn", Level: LevelWarn, Ref: "CAMARA ICM ID token sub",
			Explain: "CAMARA's profile forbids a sub that is the phone number (personal data in every token); a pairwise identifier is recommended. A provider outside that profile may differ, so this is a warning.",
			Target:  "jwt claims.sub",
			eval: func(ev *Evidence) verdict {
				if ev.Token == nil {
					return notApplicable("no id_token")
				}
				v := bodyValue(ev.Token.Claims, "sub")
				if v.Kind != KindString {
					return notApplicable("no sub (oidc.id-token.sub reports it)")
				}
				return holds(!msisdnLike.MatchString(v.Str), "not a phone number", v)
			},
		},
	},
})

// expected returns what the step expects under name, when there is an id_token to compare.
func expected(ev *Evidence, name string) (string, bool) {
	if ev.Token == nil {
		return "", false
	}
	v, ok := ev.Expect[name]
	return v, ok && v != ""
}

// claimIs checks that the id_token's claim is exactly the string the step expects under key; the
// check does not apply, saying why (missing), when there is no token or nothing to compare with.
func claimIs(claim, key, missing string) func(*Evidence) verdict {
	return func(ev *Evidence) verdict {
		want, ok := expected(ev, key)
		if !ok {
			return notApplicable(missing)
		}
		v := bodyValue(ev.Token.Claims, claim)
		return holds(v.Kind == KindString && v.Str == want, "string "+quote(want), v)
	}
}

// allowedAlgs are the algorithms the step allows (expect.id_token_alg), RS256 by default.
func allowedAlgs(ev *Evidence) []string {
	list := ev.Expect["id_token_alg"]
	if list == "" {
		return []string{"RS256"}
	}
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// verifyWithJWKS checks a compact JWS against a JSON Web Key Set, returning "" when a key of the
// set verifies it, or what went wrong, in words for an outcome's got.
func verifyWithJWKS(token, jwks string) string {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks), &set); err != nil {
		return "the JWKS does not parse: " + err.Error()
	}
	jws, err := jose.ParseSigned(token, asymmetricAlgs)
	if err != nil {
		return "not a JWS signed with an asymmetric algorithm: " + err.Error()
	}
	if len(jws.Signatures) != 1 {
		return fmt.Sprintf("%d signatures, not one", len(jws.Signatures))
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Keys
	if kid != "" {
		keys = set.Key(kid)
		if len(keys) == 0 {
			return fmt.Sprintf("no key in the JWKS has kid %q", kid)
		}
	}
	for _, k := range keys {
		if !k.IsPublic() {
			continue
		}
		if _, err := jws.Verify(k); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("does not verify with any of the %d keys the JWKS offers for it", len(keys))
}

// redact renders an id_token member for an outcome without the token: its kind and length.
func redact(v Value) Value {
	if v.Kind == KindString {
		return Value{Kind: KindString, Str: fmt.Sprintf("(%d characters)", len(v.Str))}
	}
	return v
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
