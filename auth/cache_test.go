package auth

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

func cachedFor(id uuid.UUID) *Principal {
	return &Principal{Account: &Account{ID: id}, Session: &Session{ID: uuid.New(), ClientID: id}}
}

func TestPrincipalCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice, bob := uuid.New(), uuid.New()
	c := newPrincipalCache(10 * time.Second)
	c.put("a1", cachedFor(alice), c.generation(), now)
	c.put("a2", cachedFor(alice), c.generation(), now)
	c.put("b1", cachedFor(bob), c.generation(), now)

	p, ok := c.get("a1", now.Add(9*time.Second))
	if !ok {
		t.Fatal("get(a1) within the lifetime missed")
	}
	p.Session.ExpiresAt = now.Add(time.Hour) // callers may change their copy
	if again, _ := c.get("a1", now); !again.Session.ExpiresAt.IsZero() {
		t.Errorf("a caller's change to its copy reached the cache")
	}
	if _, ok := c.get("a1", now.Add(10*time.Second)); ok {
		t.Errorf("get(a1) after the lifetime hit")
	}

	c.forget(alice)
	for _, hash := range []string{"a1", "a2"} {
		if _, ok := c.get(hash, now); ok {
			t.Errorf("get(%s) after alice changed hit", hash)
		}
	}
	if _, ok := c.get("b1", now); !ok {
		t.Errorf("a change to alice dropped bob")
	}
	c.forget(uuid.Nil)
	if _, ok := c.get("b1", now); ok {
		t.Errorf("a change for everyone kept bob")
	}
}

// A principal loaded before a change and stored after it must not be kept:
// it may predate the change.
func TestPrincipalCacheRefusesALoadThatRacedAChange(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice := uuid.New()
	c := newPrincipalCache(time.Minute)
	gen := c.generation()
	c.forget(uuid.New()) // any change meanwhile
	c.put("a1", cachedFor(alice), gen, now)
	if _, ok := c.get("a1", now); ok {
		t.Errorf("a load that raced a change was cached")
	}
}

// Requests load and cache principals while the store reports changes:
// once forget returns, no get serves a principal loaded before the change
// it reports, however the loads raced it (what the generation is for).
func TestPrincipalCacheConcurrentForget(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice, bob := uuid.New(), uuid.New()
	c := newPrincipalCache(time.Hour)
	const loaders, readers, rounds = 4, 4, 300
	// version is alice as stored; forgotten, the last version whose
	// forget has returned. A principal's IP carries the version it was
	// loaded at.
	var version, forgotten, hits atomic.Int64
	key := func(l int) string { return "alice" + strconv.Itoa(l) }
	together(1+loaders+readers, func(g int) {
		for range rounds {
			switch {
			case g == 0: // the store: change alice, then report the change
				v := version.Add(1)
				c.forget(alice)
				forgotten.Store(v)
			case g <= loaders: // a request's load: the generation, then the row
				gen := c.generation()
				p := cachedFor(alice)
				p.IP = strconv.FormatInt(version.Load(), 10)
				c.put(key(g), p, gen, now)
				c.put("bob"+strconv.Itoa(g), cachedFor(bob), gen, now)
			default:
				floor := forgotten.Load()
				for l := 1; l <= loaders; l++ {
					if p, ok := c.get(key(l), now); ok {
						hits.Add(1)
						if v, _ := strconv.ParseInt(p.IP, 10, 64); v < floor {
							t.Errorf("get served alice as loaded at version %d after forget returned for version %d", v, floor)
							return
						}
					}
				}
			}
		}
	})
	t.Logf("%d hits", hits.Load())
	if gen := c.generation(); gen != rounds {
		t.Errorf("generation = %d after %d forgets, want %d", gen, rounds, rounds)
	}
	c.forget(uuid.Nil) // everyone
	for l := 1; l <= loaders; l++ {
		if _, ok := c.get(key(l), now); ok {
			t.Errorf("get(%s) hit after everyone was forgotten", key(l))
		}
	}
	c.put(key(1), cachedFor(alice), c.generation(), now)
	if _, ok := c.get(key(1), now); !ok {
		t.Errorf("a load after the last change was not kept")
	}
}
