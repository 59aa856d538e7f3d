package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"io"
	"slices"
	"sync"
)

// The algorithms this package signs and verifies with, as the algorithm
// parameter names them. HMAC-SHA1 stays secure as a MAC, and PortaBilling
// still signs with it.
const (
	HMACSHA1   = "hmac-sha1"
	HMACSHA256 = "hmac-sha256"
)

// hashOf is alg's hash, checked with the secret it keys: an unknown
// algorithm or an empty secret is an error.
func hashOf(alg string, secret []byte) (func() hash.Hash, error) {
	if len(secret) == 0 {
		return nil, invalid("secret is empty")
	}
	switch alg {
	case HMACSHA1:
		return sha1.New, nil
	case HMACSHA256:
		return sha256.New, nil
	}
	return nil, invalid("algorithm %q is not supported", alg)
}

// Sign is the alg MAC of signingString under secret. An unknown algorithm
// or an empty secret is an error.
func Sign(alg string, secret []byte, signingString string) ([]byte, error) {
	h, err := hashOf(alg, secret)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(h, secret)
	mac.Write([]byte(signingString))
	return mac.Sum(nil), nil
}

// Verify reports whether sig is the alg MAC of signingString under secret,
// comparing in constant time. An unknown algorithm is false.
func Verify(alg string, secret []byte, signingString string, sig []byte) bool {
	want, err := Sign(alg, secret, signingString)
	return err == nil && hmac.Equal(sig, want)
}

// Verifier checks signatures under one key, reusing its keyed MACs across
// calls (and goroutines): the key schedule is paid once, not per request.
type Verifier struct {
	macs sync.Pool
}

// NewVerifier is a Verifier for alg under secret; an unknown algorithm or
// an empty secret is an error.
func NewVerifier(alg string, secret []byte) (*Verifier, error) {
	h, err := hashOf(alg, secret)
	if err != nil {
		return nil, err
	}
	key := slices.Clone(secret)
	return &Verifier{macs: sync.Pool{New: func() any { return hmac.New(h, key) }}}, nil
}

// Verify reports whether sig is the MAC of signingString, comparing in
// constant time.
func (v *Verifier) Verify(signingString string, sig []byte) bool {
	mac := v.macs.Get().(hash.Hash)
	defer v.macs.Put(mac)
	mac.Reset()
	_, _ = io.WriteString(mac, signingString)
	var sum [sha256.Size]byte
	return hmac.Equal(sig, mac.Sum(sum[:0]))
}
