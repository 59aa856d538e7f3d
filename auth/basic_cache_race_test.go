package auth

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Basic calls from many goroutines remember, look up and drop verified
// credentials at once: each sees its own put until it drops it, and
// nothing after; a shared entry is always one whole put, never a mix.
func TestVerifiedCredentialsConcurrent(t *testing.T) {
	const goroutines, rounds = 8, 200
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := newVerifiedCredentials(time.Minute)
	shared := v.keyOf(Credentials{Login: "shop", Password: "shared password"})
	ids := make([]uuid.UUID, goroutines)
	for g := range ids {
		ids[g] = uuid.New()
	}
	together(goroutines, func(g int) {
		own := v.keyOf(Credentials{Login: fmt.Sprintf("user%d", g), Password: "password"})
		hash := func(i int) string { return fmt.Sprintf("hash %d/%d", g, i) }
		for i := range rounds {
			v.put(own, verifiedEntry{clientID: ids[g], passwordHash: hash(i), at: now})
			if e, ok := v.get(own, now); !ok || e.passwordHash != hash(i) {
				t.Errorf("goroutine %d: get after put = %+v, %v, want %q", g, e, ok, hash(i))
				return
			}
			v.drop(own)
			if e, ok := v.get(own, now); ok {
				t.Errorf("goroutine %d: get after drop = %+v, want none", g, e)
				return
			}
			v.put(shared, verifiedEntry{clientID: ids[g], passwordHash: fmt.Sprint(g), at: now})
			if e, ok := v.get(shared, now); !ok || e.passwordHash != fmt.Sprint(slices.Index(ids, e.clientID)) {
				t.Errorf("goroutine %d: the shared entry = %+v, %v, want one goroutine's whole put", g, e, ok)
				return
			}
		}
		v.put(own, verifiedEntry{clientID: ids[g], passwordHash: hash(rounds), at: now})
	})
	if len(v.entries) != goroutines+1 {
		t.Errorf("%d entries remembered, want %d (each goroutine's last and the shared one)", len(v.entries), goroutines+1)
	}
	if _, ok := v.get(shared, now.Add(time.Minute)); ok {
		t.Errorf("the shared entry outlived its lifetime")
	}
}
