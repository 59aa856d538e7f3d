// Package password hashes and verifies login passwords.
//
// New passwords are hashed with argon2id at OWASP's recommended parameters
// and stored as PHC strings, the format of the reference argon2 CLI and
// libsodium. Verify also accepts the legacy formats that billgate imports
// (salted SHA-256 from the old BillGate system, PBKDF2-SHA256 in PHC and
// Django form) and reports needsRehash so the caller replaces them on the
// next successful login. The accepted formats, the parameters and the limits
// are described in docs/password-hashes.md.
//
// Passwords are used exactly as given: never truncated, trimmed or
// Unicode-normalised.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
)

// ErrMalformedHash reports a stored hash that cannot be checked: an unknown
// format, a field that does not decode, or parameters outside the limits.
// Verify wraps it with a detail that never quotes the stored value.
var ErrMalformedHash = errors.New("password: malformed stored hash")

// Params are the argon2id parameters for new hashes.
type Params struct {
	Memory      uint32 // KiB
	Time        uint32 // passes over memory
	Parallelism uint8  // lanes
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultParams returns OWASP's recommended argon2id configuration:
// 19 MiB of memory, 2 passes, 1 lane, a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}
}

// Validate reports whether p is within the limits Verify accepts from a
// stored hash, so that every hash New's Hasher writes can be read back.
func (p Params) Validate() error {
	return checkArgon2Params(p)
}

// Hasher hashes new passwords with argon2id and verifies stored hashes of
// every accepted format. It is safe for concurrent use.
//
// It is a struct rather than an interface: there is one implementation, and a
// caller that wants a fake declares the one-method interface it uses.
type Hasher struct {
	params Params
	rand   io.Reader // salts; tests replace it to reproduce reference hashes
	dummy  string    // a hash at params that no password matches
	// slots bounds the hashes computed at once to half the cores: a flood
	// of logins then waits its turn instead of taking every core (and
	// 19 MiB a login) from the requests that need no hash.
	slots          chan struct{}
	inFlight, peak atomic.Int32 // hashes under way, and the most at once
}

// New returns a Hasher that writes hashes with p. It panics if p is invalid
// (see Params.Validate): a misconfigured hasher must stop the process at start
// rather than fail, or silently weaken, the first login.
func New(p Params) *Hasher {
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("password.New: invalid params: %v", err))
	}
	// The dummy's key is all zeros. Finding a password whose argon2id output
	// is all zeros is as hard as inverting argon2id.
	dummy := argon2Hash{
		memory: p.Memory, time: p.Time, parallelism: p.Parallelism,
		salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen),
	}
	return &Hasher{params: p, rand: rand.Reader, dummy: dummy.String(), slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
}

// inSlot runs hash once a slot is free.
func (h *Hasher) inSlot(hash func()) {
	h.slots <- struct{}{}
	defer func() { <-h.slots }()
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for peak := h.peak.Load(); n > peak; peak = h.peak.Load() {
		if h.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	hash()
}

// Hash returns the argon2id PHC string of password under h's parameters.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	a := argon2Hash{
		memory: h.params.Memory, time: h.params.Time, parallelism: h.params.Parallelism,
		salt: salt,
	}
	h.inSlot(func() { a.key = a.keyN(password, h.params.KeyLen) })
	return a.String(), nil
}

// Verify reports whether password matches the stored hash. needsRehash is
// true, and only alongside ok, when the stored hash is in a legacy format or
// uses argon2id parameters other than h's: the caller then stores
// Hash(password) in its place.
//
// err is non-nil only when the stored hash cannot be checked, and then wraps
// ErrMalformedHash (one exception: under GODEBUG=fips140=only, crypto/pbkdf2
// refuses salts under 16 bytes). A wrong password is ok == false with a nil
// error. An empty stored hash (an account without a password) is malformed:
// treat such an account like an unknown one and call VerifyDummy instead.
func (h *Hasher) Verify(password, stored string) (ok, needsRehash bool, err error) {
	d, err := parse(stored)
	if err != nil {
		return false, false, err
	}
	var got []byte
	h.inSlot(func() { got, err = d.derive(password) })
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, d.digest()) != 1 {
		return false, false, nil
	}
	return true, d.needsRehash(h.params), nil
}

// VerifyDummy spends the time of a Verify against a hash of h's parameters and
// matches nothing. Login calls it for an unknown user so that an unknown user
// and a wrong password cost the same.
func (h *Hasher) VerifyDummy(password string) {
	_, _, _ = h.Verify(password, h.dummy)
}

// Check reports whether stored is a hash Verify can check, in one of the
// accepted formats and within the limits, without verifying a password:
// imports use it to refuse a bad row before it is stored.
func Check(stored string) error {
	_, err := parse(stored)
	return err
}
