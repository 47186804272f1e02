package flows

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client authentication methods, named as the OIDC registry names token_endpoint_auth_method.
// A flow says where the client authenticates (a request with client_auth); the profile says how.
const (
	// ClientSecretBasic sends the id and secret by HTTP Basic, each form-encoded first
	// (RFC 6749 2.3.1): the method every authorization server must support.
	ClientSecretBasic = "client_secret_basic"
	// ClientSecretPost sends client_id and client_secret in the form body (RFC 6749 2.3.1).
	ClientSecretPost = "client_secret_post"
	// PrivateKeyJWT sends a client assertion signed with the client's private key (RFC 7523
	// 2.2, OIDC Core 9): CAMARA's method.
	PrivateKeyJWT = "private_key_jwt"
	// ClientAuthNone sends only client_id: a public client.
	ClientAuthNone = "none"
)

// ClientAuthMethods lists the methods a profile may choose.
var ClientAuthMethods = []string{ClientSecretBasic, ClientSecretPost, PrivateKeyJWT, ClientAuthNone}

// The profile values client authentication reads: client_id under [vars], and the secret or the
// private key under [secrets].
const (
	ClientIDVar     = "client_id"
	ClientSecretVar = "client_secret"
	ClientKeyVar    = "client_private_key"
)

// assertionType is the client_assertion_type of RFC 7523 2.2.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is how long a client assertion is valid; CAMARA allows at most 300 s.
const assertionLifetime = 60 * time.Second

// ClientAuth is how a profile's client authenticates at token endpoints.
type ClientAuth struct {
	Method string
	// Audience is the aud of a private_key_jwt assertion. Empty means the URL of the endpoint
	// the assertion is sent to, as RFC 7523 3 and CAMARA recommend; a provider that wants its
	// issuer identifier there sets it in the profile.
	Audience string
	// KeyID, when set, goes into the assertion's header as kid.
	KeyID string
}

// Needs lists the profile values the method reads.
func (c ClientAuth) Needs() []string {
	switch c.Method {
	case ClientSecretBasic, ClientSecretPost:
		return []string{ClientIDVar, ClientSecretVar}
	case PrivateKeyJWT:
		return []string{ClientIDVar, ClientKeyVar}
	}
	return []string{ClientIDVar}
}

// clientAuth adds the client's credentials to a request, as the target's method says. mode is
// ClientAuthValid or ClientAuthWrong. sign is false when only describing the request.
func (s *Session) clientAuth(b *built, mode string, sign bool) error {
	ca := s.target.Client
	if ca.Method == "" {
		return &skipError{"this step authenticates the client, and the profile names no method: set [client] token_endpoint_auth_method"}
	}
	id, ok := s.lookup(ClientIDVar)
	if !ok {
		return &skipError{"this step authenticates the client and needs {{client_id}}: set it in the profile's [vars]"}
	}
	wrong := mode == ClientAuthWrong
	switch ca.Method {
	case ClientSecretBasic, ClientSecretPost:
		secret, ok := s.lookup(ClientSecretVar)
		if !ok {
			return &skipError{"the profile authenticates the client with " + ca.Method + " and has no client_secret under [secrets]"}
		}
		if wrong {
			secret += "-wrong"
		}
		if ca.Method == ClientSecretPost {
			b.form.Set("client_id", id)
			b.form.Set("client_secret", secret)
			return nil
		}
		// RFC 6749 2.3.1: both halves are form-encoded before they are joined and encoded.
		cred := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
		b.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
		return nil
	case PrivateKeyJWT:
		b.form.Set("client_id", id)
		b.form.Set("client_assertion_type", assertionType)
		if !sign {
			b.form.Set("client_assertion", "(a JWT signed with the client's key when the step is sent)")
			return nil
		}
		key, err := s.clientKey(wrong)
		if err != nil {
			return err
		}
		aud := ca.Audience
		if aud == "" {
			endpoint := *b.url
			endpoint.RawQuery, endpoint.Fragment = "", ""
			aud = endpoint.String()
		}
		now := s.clock.Now()
		claims := map[string]any{"iss": id, "sub": id, "aud": aud, "jti": newUUID(),
			"iat": now.Unix(), "exp": now.Add(assertionLifetime).Unix()}
		header := map[string]any{}
		if ca.KeyID != "" {
			header["kid"] = ca.KeyID
		}
		token, err := signJWT(key, header, claims)
		if err != nil {
			return err
		}
		s.masker.Add("client_assertion", token)
		b.form.Set("client_assertion", token)
		return nil
	case ClientAuthNone:
		if wrong {
			return &skipError{"the profile's client is public (token_endpoint_auth_method none): it has no credential to get wrong"}
		}
		b.form.Set("client_id", id)
		return nil
	}
	return fmt.Errorf("unknown client authentication method %q", ca.Method)
}

// clientKey is the client's private key, or for wrong credentials a key nobody registered.
func (s *Session) clientKey(wrong bool) (crypto.Signer, error) {
	if wrong {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	pemText, ok := s.lookup(ClientKeyVar)
	if !ok {
		return nil, &skipError{"the profile authenticates the client with private_key_jwt and has no client_private_key under [secrets]"}
	}
	return ParsePrivateKey(pemText)
}

// ParsePrivateKey reads an RSA or P-256 private key in PEM (PKCS #1, SEC 1 or PKCS #8).
func ParsePrivateKey(pemText string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("the private key is not PEM: it should start with -----BEGIN PRIVATE KEY-----")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("the private key does not parse: %v", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("the RSA key has %d bits: RS256 needs at least 2048 (RFC 7518 3.3)", k.N.BitLen())
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("the EC key is not on P-256: ES256 needs P-256")
		}
		return k, nil
	}
	return nil, fmt.Errorf("a %T cannot sign RS256 or ES256", key)
}

// algFor is the JWS algorithm telconform signs with for a key: RS256 for RSA, ES256 for P-256.
func algFor(key crypto.Signer) jwt.SigningMethod {
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		return jwt.SigningMethodES256
	}
	return jwt.SigningMethodRS256
}

// signJWT signs claims with key; header adds to the typ and alg the library writes.
func signJWT(key crypto.Signer, header, claims map[string]any) (string, error) {
	t := jwt.NewWithClaims(algFor(key), jwt.MapClaims(claims))
	for k, v := range header {
		t.Header[k] = v
	}
	return t.SignedString(key)
}
