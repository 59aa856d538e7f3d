package auth

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// principalCache keeps authenticated principals by session-secret hash, so
// most requests are authenticated without a database round trip. The store
// reports every identity change (here, and through Postgres NOTIFY from
// other processes) and the cache drops what it names at once; the lifetime
// only bounds staleness if a notification is ever lost.
type principalCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	gen      uint64 // bumped by every forget, so a load that raced one is not kept
	byHash   map[string]cachedPrincipal
	byClient map[uuid.UUID]map[string]struct{}
}

type cachedPrincipal struct {
	p  *Principal
	at time.Time
}

// maxCached bounds memory; past it the cache starts over.
const maxCached = 100_000

func newPrincipalCache(ttl time.Duration) *principalCache {
	return &principalCache{ttl: ttl, byHash: map[string]cachedPrincipal{}, byClient: map[uuid.UUID]map[string]struct{}{}}
}

// get returns a copy of the principal, so callers may change it freely.
func (c *principalCache) get(hash string, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil, false
	}
	return e.p.copy(), true
}

// generation is read before a load from the database and given back to put.
func (c *principalCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps p unless something was forgotten since gen was read: then p
// may predate that change.
func (c *principalCache) put(hash string, p *Principal, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.byHash) >= maxCached {
		c.clear()
	}
	c.byHash[hash] = cachedPrincipal{p: p.copy(), at: now}
	id := p.Account.ID
	if c.byClient[id] == nil {
		c.byClient[id] = map[string]struct{}{}
	}
	c.byClient[id][hash] = struct{}{}
}

// forget drops what a change names: one client, or everyone (uuid.Nil).
func (c *principalCache) forget(clientID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if clientID == uuid.Nil {
		c.clear()
		return
	}
	for hash := range c.byClient[clientID] {
		delete(c.byHash, hash)
	}
	delete(c.byClient, clientID)
}

func (c *principalCache) clear() {
	c.byHash = map[string]cachedPrincipal{}
	c.byClient = map[uuid.UUID]map[string]struct{}{}
}
