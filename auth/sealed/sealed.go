// Package sealed keeps secrets encrypted at rest with AES-256-GCM under
// master keys from the configuration: a sealed value is printable, names
// the key that sealed it, and opens only for the owner it was sealed for.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a master key: AES-256.
const KeySize = 32

// maxPlaintext bounds what Seal takes (secrets are short) and so what Open
// has to decode.
const maxPlaintext = 64 << 10

// overhead is what sealing adds to a plaintext: a 12-byte nonce and a
// 16-byte tag.
const overhead = 12 + 16

// version starts every sealed value, so the format can change later.
const version = "v1"

// ErrInvalid is what every refusal to open wraps: an unknown key, a
// malformed value, tampering or another owner.
var ErrInvalid = errors.New("sealed: cannot open")

// Key is a named master key.
type Key struct {
	ID     string
	Secret []byte
}

// Box seals with its first key and opens with any of them, so keys rotate
// by adding the new one first, resealing what the old one sealed, then
// dropping the old one.
type Box struct {
	sealID string
	aeads  map[string]cipher.AEAD
}

// New checks the keys (at least one, each with a valid, distinct ID and
// KeySize bytes) and makes a Box that seals with the first.
func New(keys []Key) (*Box, error) {
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	b := &Box{sealID: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %q: %w", k.ID, err)
		}
		// A random 96-bit nonce per value: safe for 2^32 values per key,
		// far more secrets than billgate will ever store.
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %q: %w", k.ID, err)
		}
		b.aeads[k.ID] = aead
	}
	return b, nil
}

// checkKeys refuses no keys, a malformed or repeated ID, and a key of the
// wrong length. It never quotes a malformed ID: a missing "kid=" would
// make one of the secret itself.
func checkKeys(keys []Key) error {
	if len(keys) == 0 {
		return errors.New("sealed: no key")
	}
	seen := map[string]bool{}
	for i, k := range keys {
		switch {
		case !validID(k.ID):
			return fmt.Errorf("sealed: key %d: ID is not 1-32 of [A-Za-z0-9_-]", i+1)
		case seen[k.ID]:
			return fmt.Errorf("sealed: key ID %q is repeated", k.ID)
		case len(k.Secret) != KeySize:
			return fmt.Errorf("sealed: key %q has %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		seen[k.ID] = true
	}
	return nil
}

// Seal encrypts plaintext for the owner that associatedData names (say, a
// row's ID): v1.<kid>.<base64url(nonce||ciphertext||tag)>.
func (b *Box) Seal(plaintext, associatedData []byte) (string, error) {
	if len(plaintext) > maxPlaintext {
		return "", fmt.Errorf("sealed: plaintext has %d bytes, at most %d", len(plaintext), maxPlaintext)
	}
	kid, sealed := b.SealBytes(plaintext, associatedData)
	return prefix(kid) + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// SealBytes is Seal for a caller that keeps the key ID apart from the
// bytes, such as a Temporal payload in its metadata: it returns the
// sealing key's ID and nonce||ciphertext||tag, bound to that ID and to
// associatedData. It takes plaintext of any size.
func (b *Box) SealBytes(plaintext, associatedData []byte) (kid string, sealed []byte) {
	return b.sealID, b.aeads[b.sealID].Seal(nil, nil, plaintext, additionalData(prefix(b.sealID), associatedData))
}

// Open decrypts what Seal made for the same associatedData. An unknown
// key, a malformed value, any change to it, or other associated data is an
// error wrapping ErrInvalid.
func (b *Box) Open(sealed string, associatedData []byte) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, version+".")
	if !ok {
		return nil, fmt.Errorf("%w: not a %s value", ErrInvalid, version)
	}
	kid, encoded, ok := strings.Cut(rest, ".")
	if !ok || !validID(kid) {
		return nil, fmt.Errorf("%w: malformed key ID", ErrInvalid)
	}
	if len(encoded) > base64.RawURLEncoding.EncodedLen(maxPlaintext+overhead) {
		return nil, fmt.Errorf("%w: too long", ErrInvalid)
	}
	// Strict, and no line breaks (which the decoder skips): no second
	// spelling of the same bytes.
	ciphertext, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil || strings.ContainsAny(encoded, "\r\n") {
		return nil, fmt.Errorf("%w: not base64url", ErrInvalid)
	}
	return b.OpenBytes(kid, ciphertext, associatedData)
}

// OpenBytes decrypts what SealBytes made under key kid for the same
// associatedData, with the errors of Open.
func (b *Box) OpenBytes(kid string, sealed, associatedData []byte) ([]byte, error) {
	aead := b.aeads[kid]
	if aead == nil {
		return nil, fmt.Errorf("%w: unknown key %q", ErrInvalid, kid)
	}
	if len(sealed) < overhead {
		return nil, fmt.Errorf("%w: too short", ErrInvalid)
	}
	plaintext, err := aead.Open(nil, nil, sealed, additionalData(prefix(kid), associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: tampered, or sealed for another owner", ErrInvalid)
	}
	return plaintext, nil
}

// prefix starts the value Seal makes with key kid: "v1.<kid>.".
func prefix(kid string) string { return version + "." + kid + "." }

// additionalData binds the ciphertext to its "v1.<kid>." prefix as well as
// to its owner. The prefix ends in the only dot it may hold, so the two
// cannot run into each other.
func additionalData(prefix string, owner []byte) []byte {
	return append([]byte(prefix), owner...)
}

// RandomKey is a fresh key, for a single process that was given none: what
// it seals opens in that process only.
func RandomKey(id string) Key {
	secret := make([]byte, KeySize)
	_, _ = rand.Read(secret)
	return Key{ID: id, Secret: secret}
}

// ParseKeys reads "kid=base64key,kid2=base64key" (the same shape as the
// JWT keys), the sealing key first: each ID 1-32 of [A-Za-z0-9_-], each
// key KeySize bytes of standard base64, no ID twice.
func ParseKeys(s string) ([]Key, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("sealed: no key")
	}
	var keys []Key
	for i, part := range strings.Split(s, ",") {
		id, encoded, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("sealed: key %d: want kid=base64key, comma-separated", i+1)
		}
		secret, err := base64.StdEncoding.Strict().DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("sealed: key %d: not base64", i+1)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// validID reports whether id is 1-32 of [A-Za-z0-9_-]: no dot, so it
// cannot break the sealed format.
func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
