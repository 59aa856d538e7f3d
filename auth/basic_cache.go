package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/google/uuid"
)

// verifiedCredentials remembers Basic credentials that verified, so a
// caller repeating them on every call pays argon2id once per lifetime.
// Entries are keyed by an HMAC under a key made at start, so the memory
// holds no password, nor anything a stolen dump could test guesses
// against. An entry names the password hash it was checked against: a
// password change or a rehash makes it stale, and a disabled account loads
// no principal, so both apply on the very next call.
type verifiedCredentials struct {
	key     []byte
	ttl     time.Duration
	mu      sync.Mutex
	entries map[[sha256.Size]byte]verifiedEntry
}

type verifiedEntry struct {
	clientID     uuid.UUID
	passwordHash string
	at           time.Time
}

// maxVerifiedCredentials bounds memory; past it, the memory starts over.
const maxVerifiedCredentials = 100_000

func newVerifiedCredentials(ttl time.Duration) *verifiedCredentials {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return &verifiedCredentials{key: key, ttl: ttl, entries: map[[sha256.Size]byte]verifiedEntry{}}
}

func (v *verifiedCredentials) keyOf(cred Credentials) [sha256.Size]byte {
	mac := hmac.New(sha256.New, v.key)
	for _, part := range []string{cred.Tenant, cred.Login, cred.Password} {
		mac.Write([]byte(part))
		mac.Write([]byte{0})
	}
	var k [sha256.Size]byte
	mac.Sum(k[:0])
	return k
}

// get is the entry for these credentials, if one is fresh.
func (v *verifiedCredentials) get(k [sha256.Size]byte, now time.Time) (verifiedEntry, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.entries[k]
	if !ok || now.Sub(e.at) >= v.ttl {
		return verifiedEntry{}, false
	}
	return e, true
}

func (v *verifiedCredentials) put(k [sha256.Size]byte, e verifiedEntry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= maxVerifiedCredentials {
		v.entries = map[[sha256.Size]byte]verifiedEntry{}
	}
	v.entries[k] = e
}

func (v *verifiedCredentials) drop(k [sha256.Size]byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.entries, k)
}
