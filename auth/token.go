package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Access tokens are JWTs (HS256) that carry a session: a token lives at
// most TokenTTL and dies with its session, so revoking the session (or the
// account) ends every token made from it.

// TokenTTL is how long an access token is valid.
const TokenTTL = 15 * time.Minute

// tokenLeeway tolerates clock skew between billgate and token holders.
const tokenLeeway = 30 * time.Second

// minTokenKey is the shortest HS256 key accepted: 256 bits.
const minTokenKey = 32

// TokenKey is a named HS256 key.
type TokenKey struct {
	ID     string
	Secret []byte
}

// Tokens issues and verifies access tokens. The first key signs; every
// key verifies, so keys rotate by adding the new one first and dropping
// the old one once its tokens have expired.
type Tokens struct {
	keys     []TokenKey
	issuer   string
	audience string
	now      func() time.Time
}

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
		case len(k.Secret) < minTokenKey:
			return nil, fmt.Errorf("tokens: key %q has %d bytes, want at least %d", k.ID, len(k.Secret), minTokenKey)
		}
		seen[k.ID] = true
	}
	return &Tokens{keys: keys, issuer: issuer, audience: tokenAudience, now: now}, nil
}

// tokenAudience is who tokens are for: billgate's API.
const tokenAudience = "billgate"

// RandomTokenKey is a fresh key, for a single process that was given none.
func RandomTokenKey() TokenKey {
	secret := make([]byte, minTokenKey)
	_, _ = rand.Read(secret)
	return TokenKey{ID: "random-" + base64.RawURLEncoding.EncodeToString(secret[:6]), Secret: secret}
}

// ParseTokenKeys reads "kid=base64key,kid2=base64key2" (BILLGATE_JWT_KEYS),
// the signing key first.
func ParseTokenKeys(s string) ([]TokenKey, error) {
	var keys []TokenKey
	for _, part := range strings.Split(s, ",") {
		id, encoded, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, errors.New("want kid=base64key, comma-separated")
		}
		secret, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("key %q: not base64", id)
		}
		keys = append(keys, TokenKey{ID: id, Secret: secret})
	}
	return keys, nil
}

// TokenClaims are what an access token says.
type TokenClaims struct {
	jwt.RegisteredClaims
	SessionID uuid.UUID  `json:"sid"`
	TenantID  *uuid.UUID `json:"tid,omitempty"`
	Roles     []string   `json:"roles"`
}

// Issue makes an access token for the principal's session.
func (t *Tokens) Issue(p *Principal) (token string, expires time.Time, err error) {
	now := t.now().UTC().Truncate(time.Second)
	expires = minTime(now.Add(TokenTTL), p.Session.ExpiresAt.UTC())
	claims := TokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: t.issuer, Audience: jwt.ClaimStrings{t.audience}, Subject: p.Client.ID.String(),
			ExpiresAt: jwt.NewNumericDate(expires), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ID: uuid.NewString(),
		},
		SessionID: p.Session.ID, TenantID: p.Client.TenantID, Roles: p.Roles,
	}
	key := t.keys[0]
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = key.ID
	token, err = tok.SignedString(key.Secret)
	return token, expires, err
}

// Verify checks a token: HS256 only, a known kid, the signature, the
// issuer and audience, a present and unexpired exp, and nbf, with 30 s of
// leeway. Anything wrong is ErrAuthFailed.
func (t *Tokens) Verify(raw string) (*TokenClaims, error) {
	var claims TokenClaims
	_, err := jwt.ParseWithClaims(raw, &claims, t.key,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(), jwt.WithIssuer(t.issuer), jwt.WithAudience(t.audience),
		jwt.WithLeeway(tokenLeeway), jwt.WithTimeFunc(t.now))
	if err != nil || claims.SessionID == uuid.Nil {
		return nil, ErrAuthFailed
	}
	return &claims, nil
}

func (t *Tokens) key(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	for _, k := range t.keys {
		if k.ID == kid {
			return k.Secret, nil
		}
	}
	return nil, errors.New("unknown kid")
}

// looksLikeJWT tells a JWT (three base64url parts, a JSON header) from a
// session secret.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}
