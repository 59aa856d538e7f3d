package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/payloadcheck"
)

// Access tokens are JWTs (HS256, or EdDSA whose public keys are published
// as a JWKS) that carry a session: a token lives at most TokenTTL and dies
// with its session, so revoking the session (or the account) ends every
// token made from it.

// TokenTTL is how long an access token is valid.
const TokenTTL = 15 * time.Minute

// tokenLeeway tolerates clock skew between billgate and token holders.
const tokenLeeway = 30 * time.Second

// minTokenKey is the shortest HS256 key accepted: 256 bits.
const minTokenKey = 32

// TokenKey is a named key: an HS256 Secret, or an Ed25519 private key
// (EdDSA), whose public half others may verify with.
type TokenKey struct {
	ID      string
	Secret  []byte
	Ed25519 ed25519.PrivateKey
}

// method is the key's signing algorithm.
func (k TokenKey) method() jwt.SigningMethod {
	if k.Ed25519 != nil {
		return jwt.SigningMethodEdDSA
	}
	return jwt.SigningMethodHS256
}

// verifier is what checks the key's signatures.
func (k TokenKey) verifier() any {
	if k.Ed25519 != nil {
		return k.Ed25519.Public()
	}
	return k.Secret
}

func (k TokenKey) signer() any {
	if k.Ed25519 != nil {
		return k.Ed25519
	}
	return k.Secret
}

// Tokens issues and verifies access tokens. The first key signs; every
// key verifies, so keys rotate by adding the new one first and dropping
// the old one once its tokens have expired.
type Tokens struct {
	keys     []TokenKey
	issuer   string
	audience string
	now      func() time.Time
	// verified remembers tokens whose signature and claims checked out, by
	// hash, so a client repeating a token pays the check once; the expiry
	// is still checked on every use.
	mu       sync.Mutex
	verified map[[sha256.Size]byte]*TokenClaims
}

// maxVerified bounds the verified-token memory; past it, it starts over.
const maxVerified = 100_000

// NewTokens checks the keys (at least one, each with a distinct ID and 32+
// bytes). issuer names billgate in the tokens (its public URL).
func NewTokens(keys []TokenKey, issuer string, now func() time.Time) (*Tokens, error) {
	if len(keys) == 0 {
		return nil, errors.New("tokens: no signing key")
	}
	seen := map[string]bool{}
	for _, k := range keys {
		switch {
		case k.ID == "" || seen[k.ID]:
			return nil, fmt.Errorf("tokens: key ID %q is empty or repeated", k.ID)
		case k.Ed25519 != nil && len(k.Ed25519) != ed25519.PrivateKeySize:
			return nil, fmt.Errorf("tokens: key %q is not an Ed25519 private key", k.ID)
		case k.Ed25519 == nil && len(k.Secret) < minTokenKey:
			return nil, fmt.Errorf("tokens: key %q has %d bytes, want at least %d", k.ID, len(k.Secret), minTokenKey)
		}
		seen[k.ID] = true
	}
	return &Tokens{keys: keys, issuer: issuer, audience: tokenAudience, now: now, verified: map[[sha256.Size]byte]*TokenClaims{}}, nil
}

// tokenAudience is who tokens are for: billgate's API.
const tokenAudience = "billgate"

// RandomTokenKey is a fresh key, for a single process that was given none.
func RandomTokenKey() TokenKey {
	secret := make([]byte, minTokenKey)
	_, _ = rand.Read(secret)
	return TokenKey{ID: "random-" + base64.RawURLEncoding.EncodeToString(secret[:6]), Secret: secret}
}

// ParseTokenKeys reads "kid=base64key,kid2=ed25519:base64seed"
// (BILLGATE_JWT_KEYS), the signing key first: a plain key is an HS256
// secret, an "ed25519:" one the 32-byte seed of an EdDSA key.
func ParseTokenKeys(s string) ([]TokenKey, error) {
	var keys []TokenKey
	for _, part := range strings.Split(s, ",") {
		id, encoded, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, errors.New("want kid=base64key or kid=ed25519:base64seed, comma-separated")
		}
		seed, eddsa := strings.CutPrefix(encoded, "ed25519:")
		secret, err := base64.StdEncoding.DecodeString(seed)
		if err != nil {
			return nil, fmt.Errorf("key %q: not base64", id)
		}
		key := TokenKey{ID: id, Secret: secret}
		if eddsa {
			if len(secret) != ed25519.SeedSize {
				return nil, fmt.Errorf("key %q: an Ed25519 seed has %d bytes", id, ed25519.SeedSize)
			}
			key = TokenKey{ID: id, Ed25519: ed25519.NewKeyFromSeed(secret)}
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// TokenClaims are what an access token says.
type TokenClaims struct {
	jwt.RegisteredClaims
	SessionID uuid.UUID  `json:"sid,omitzero"`  // the session it dies with, or
	KeyID     uuid.UUID  `json:"akid,omitzero"` // the API key it dies with
	TenantID  *uuid.UUID `json:"tid,omitempty"`
	Roles     []string   `json:"roles"`
	// Payloads are the payload templates compiled when the token was made.
	Payloads *payloadcheck.Set `json:"tpl,omitempty"`
}

// Issue makes an access token for the principal's session or API key; it
// never outlives either.
func (t *Tokens) Issue(p *Principal) (token string, expires time.Time, err error) {
	now := t.now().UTC().Truncate(time.Second)
	expires = now.Add(TokenTTL)
	var sessionID, keyID uuid.UUID
	switch {
	case p.Session != nil:
		sessionID, expires = p.Session.ID, minTime(expires, p.Session.ExpiresAt.UTC())
	case p.APIKey != nil:
		keyID = p.APIKey.ID
		if p.APIKey.ExpiresAt != nil {
			expires = minTime(expires, p.APIKey.ExpiresAt.UTC())
		}
	default:
		return "", time.Time{}, errors.New("tokens: a token needs a session or an API key")
	}
	claims := TokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: t.issuer, Audience: jwt.ClaimStrings{t.audience}, Subject: p.Account.ID.String(),
			ExpiresAt: jwt.NewNumericDate(expires), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ID: uuid.NewString(),
		},
		SessionID: sessionID, KeyID: keyID, TenantID: p.Account.TenantID, Roles: p.Roles, Payloads: p.Payloads,
	}
	key := t.keys[0]
	tok := jwt.NewWithClaims(key.method(), claims)
	tok.Header["kid"] = key.ID
	token, err = tok.SignedString(key.signer())
	return token, expires, err
}

// Verify checks a token: a known kid, signed with that key's own algorithm
// (HS256 or EdDSA: never another, so a public key cannot pass for an HMAC
// secret), the signature, the issuer and audience, a present and unexpired
// exp, and nbf, with 30 s of leeway. Anything wrong is ErrAuthFailed.
func (t *Tokens) Verify(raw string) (*TokenClaims, error) {
	sum := sha256.Sum256([]byte(raw))
	t.mu.Lock()
	known := t.verified[sum]
	t.mu.Unlock()
	if known != nil {
		if !t.now().Before(known.ExpiresAt.Add(tokenLeeway)) {
			return nil, ErrAuthFailed
		}
		claims := *known
		return &claims, nil
	}
	claims, err := t.verify(raw)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		clear(t.verified)
	}
	t.verified[sum] = claims
	t.mu.Unlock()
	copied := *claims
	return &copied, nil
}

func (t *Tokens) verify(raw string) (*TokenClaims, error) {
	var claims TokenClaims
	_, err := jwt.ParseWithClaims(raw, &claims, t.key,
		jwt.WithValidMethods(t.methods()),
		jwt.WithExpirationRequired(), jwt.WithIssuer(t.issuer), jwt.WithAudience(t.audience),
		jwt.WithLeeway(tokenLeeway), jwt.WithTimeFunc(t.now))
	if err != nil || (claims.SessionID == uuid.Nil) == (claims.KeyID == uuid.Nil) {
		return nil, ErrAuthFailed // a token stands for one session or one key
	}
	return &claims, nil
}

// key finds the token's key by kid, and refuses it for another algorithm.
func (t *Tokens) key(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	for _, k := range t.keys {
		if k.ID == kid {
			if tok.Method.Alg() != k.method().Alg() {
				return nil, errors.New("algorithm does not match the key")
			}
			return k.verifier(), nil
		}
	}
	return nil, errors.New("unknown kid")
}

// methods are the algorithms of the configured keys.
func (t *Tokens) methods() []string {
	var algs []string
	for _, k := range t.keys {
		if alg := k.method().Alg(); !slices.Contains(algs, alg) {
			algs = append(algs, alg)
		}
	}
	return algs
}

// JWK is a public key as a JSON Web Key (RFC 8037 for Ed25519).
type JWK struct {
	KeyType   string `json:"kty"`
	Curve     string `json:"crv"`
	KeyID     string `json:"kid"`
	X         string `json:"x"`
	Algorithm string `json:"alg"`
	Use       string `json:"use"`
}

// PublicKeys are the EdDSA keys' public halves, for /.well-known/jwks.json;
// HS256 keys are secret and never listed.
func (t *Tokens) PublicKeys() []JWK {
	keys := []JWK{}
	for _, k := range t.keys {
		if k.Ed25519 != nil {
			pub := k.Ed25519.Public().(ed25519.PublicKey)
			keys = append(keys, JWK{KeyType: "OKP", Curve: "Ed25519", KeyID: k.ID, X: base64.RawURLEncoding.EncodeToString(pub), Algorithm: "EdDSA", Use: "sig"})
		}
	}
	return keys
}

// looksLikeJWT tells a JWT (three base64url parts, a JSON header) from a
// session secret.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}
