package outbound

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The Standard Webhooks symmetric secret: "whsec_" and the base64 of 24 to
// 64 random bytes (standard-webhooks.md, "Signature scheme").
const (
	SecretPrefix   = "whsec_"
	MinSecretBytes = 24
	MaxSecretBytes = 64
	newSecretBytes = 32
)

// ErrInvalidSecret is what every refusal of a Standard Webhooks secret
// wraps. No error of this package quotes a secret.
var ErrInvalidSecret = errors.New("invalid Standard Webhooks secret")

// NewSecret is a fresh Standard Webhooks secret: "whsec_" and the padded
// standard base64 of 32 bytes from crypto/rand. It returns no error:
// crypto/rand.Read cannot fail since Go 1.24.
func NewSecret() string {
	key := make([]byte, newSecretBytes)
	_, _ = rand.Read(key)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret is the HMAC key of a Standard Webhooks secret: s must be
// "whsec_" and the padded standard base64 of 24 to 64 bytes, written the
// one way base64 writes it (no line breaks, no stray bits).
func ParseSecret(s string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: it does not start with %q", ErrInvalidSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	// DecodeString skips line breaks and ignores a last character's unused
	// bits: only the canonical form reads back the same.
	if err != nil || base64.StdEncoding.EncodeToString(key) != encoded {
		return nil, fmt.Errorf("%w: what follows %q is not padded standard base64", ErrInvalidSecret, SecretPrefix)
	}
	if err := checkKeyLength(len(key)); err != nil {
		return nil, err
	}
	return key, nil
}

func checkKeyLength(n int) error {
	if n < MinSecretBytes || n > MaxSecretBytes {
		return fmt.Errorf("%w: it has %d bytes, want %d to %d", ErrInvalidSecret, n, MinSecretBytes, MaxSecretBytes)
	}
	return nil
}
