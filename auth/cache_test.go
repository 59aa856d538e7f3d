package auth

import (
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
