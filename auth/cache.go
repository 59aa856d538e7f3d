package auth

import (
	"sync"
	"time"
)

// principalCache keeps authenticated principals by credential (a session
// secret's hash, a key's ID, a Basic client), so that most requests load
// none from the database. It vouches for nothing by itself: each principal
// carries the identity version read before it was loaded, and every use
// compares that with the database's (principals.cached). The lifetime only
// bounds what versions do not cover: the dynamic payload-template
// variables compiled into Basic and key principals.
type principalCache struct {
	ttl   time.Duration
	mu    sync.Mutex
	byKey map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p  *Principal
	at time.Time
}

// maxCached bounds memory; past it the cache starts over.
const maxCached = 100_000

func newPrincipalCache(ttl time.Duration) *principalCache {
	return &principalCache{ttl: ttl, byKey: map[string]cachedPrincipal{}}
}

// get returns a copy of the principal, so callers may change it freely.
func (c *principalCache) get(key string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.p.copy(), true
}

// put keeps a copy of p. A principal older than the one it replaces is
// harmless: its version is older too, and its next use loads it again.
func (c *principalCache) put(key string, p *Principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= maxCached {
		c.byKey = map[string]cachedPrincipal{}
	}
	c.byKey[key] = cachedPrincipal{p: p.copy(), at: now}
}
