package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// SessionTokenPrefix marks billgate session secrets, so secret scanners and
// the Bearer scheme can tell them from JWTs.
const SessionTokenPrefix = "bgs_"

// NewSessionToken returns a fresh secret of 256 random bits and the hash
// that is stored in its place.
func NewSessionToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = SessionTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a secret: SHA-256, hex. A fast hash is
// right here: the secret has 256 bits of entropy, so nothing can be
// guessed from its hash, and every request looks one up.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LooksLikeSessionToken tells a session secret from other bearer tokens.
func LooksLikeSessionToken(s string) bool {
	return strings.HasPrefix(s, SessionTokenPrefix) && len(s) == len(SessionTokenPrefix)+43
}
