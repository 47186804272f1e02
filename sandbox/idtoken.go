package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Faults of id_tokens (OIDC Core 2, 3.1.3.7), shared by every provider whose authorization server
// issues them.
const (
	faultIDTokenMissing   = "id-token-missing"
	faultIDTokenWrongKey  = "id-token-wrong-key"
	faultIDTokenAlgNone   = "id-token-alg-none"
	faultIDTokenWrongIss  = "id-token-wrong-iss"
	faultIDTokenWrongAud  = "id-token-wrong-aud"
	faultIDTokenExpired   = "id-token-expired"
	faultIDTokenIATFuture = "id-token-iat-future"
	faultIDTokenNoSub     = "id-token-no-sub"
	faultIDTokenSubMSISDN = "id-token-sub-msisdn"
	faultNonceNotEchoed   = "nonce-not-echoed"
)

// idTokenKeyID is the kid of the key id_tokens are signed with, as the JWKS publishes it.
const idTokenKeyID = "sandbox-id-1"

// issueIDToken signs an OIDC id_token (OIDC Core 2) for a grant: iss (the server's own address,
// known from the request), a pairwise sub (never the
// phone number: CAMARA's profile forbids it), aud the client, exp, iat, auth_time and the nonce
// the authorization request sent. It is recorded as issued, like every secret the sandbox hands
// out.
func (as *authServer) issueIDToken(issuer, clientID, device, nonce string) string {
	now := as.now()
	claims := jwt.MapClaims{
		"iss":       issuer,
		"sub":       pairwiseSubject(clientID, device),
		"aud":       clientID,
		"exp":       now.Add(as.policy.tokenLifetime).Unix(),
		"iat":       now.Unix(),
		"auth_time": now.Unix(),
	}
	switch {
	case as.faults.on(faultIDTokenWrongAud):
		claims["aud"] = "someone-else"
	case as.tolerate.on(tolIDTokenAudArray):
		claims["aud"] = []string{clientID}
	}
	if as.faults.on(faultIDTokenWrongIss) {
		claims["iss"] = "https://issuer.invalid"
	}
	if as.faults.on(faultIDTokenExpired) {
		claims["exp"] = now.Add(-time.Minute).Unix()
	}
	if as.faults.on(faultIDTokenIATFuture) {
		claims["iat"] = now.Add(time.Hour).Unix()
	}
	switch {
	case as.faults.on(faultIDTokenNoSub):
		delete(claims, "sub")
	case as.faults.on(faultIDTokenSubMSISDN):
		claims["sub"] = device
	}
	if nonce != "" && !as.faults.on(faultNonceNotEchoed) {
		claims["nonce"] = nonce
	}
	var value string
	if as.faults.on(faultIDTokenAlgNone) {
		value, _ = jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	} else {
		key := idTokenKey()
		if as.faults.on(faultIDTokenWrongKey) {
			key = strangerKey()
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = idTokenKeyID
		value, _ = tok.SignedString(key)
	}
	as.store.record(value)
	return value
}

// pairwiseSubject is the sub of a device's id_tokens for one client: stable, opaque, and different
// for every client (OIDC Core 8.1).
func pairwiseSubject(clientID, device string) string {
	sum := sha256.Sum256([]byte(clientID + "|" + device))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// serveJWKS publishes the key id_tokens are signed with (RFC 7517).
func (as *authServer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: idTokenKey().Public(), KeyID: idTokenKeyID, Algorithm: "RS256", Use: "sig"},
	}}
	body, _ := json.Marshal(set)
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(body)
}
