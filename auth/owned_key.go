package auth

import (
	"context"
	"errors"
	"time"
)

// keyUse is the expiry and last use of the key (API or signing) a
// principal presented, and how to record a use of it.
type keyUse struct {
	expires, lastUsed *time.Time
	touch             func(ctx context.Context, now time.Time) error
}

// ownedKeyPrincipal is the principal of a live key, cached under cacheKey
// or found by load; use reads the key back from the principal. A key that
// is unknown, revoked or expired, or whose owner is disabled, is
// ErrAuthFailed. It records the key's use at most once a minute.
func (ps *principals) ownedKeyPrincipal(ctx context.Context, cacheKey string, from Origin, now time.Time,
	load func(now time.Time) (*Principal, error), use func(p *Principal) keyUse) (*Principal, error) {
	p, ok := ps.cache.get(cacheKey, now)
	if !ok {
		gen := ps.cache.generation()
		var err error
		p, err = load(now)
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrSessionUnknown):
			return nil, ErrAuthFailed
		case err != nil:
			return nil, err
		}
		ps.cache.put(cacheKey, p, gen, now)
	}
	k := use(p)
	if k.expires != nil && !now.Before(*k.expires) {
		return nil, ErrAuthFailed
	}
	if k.lastUsed == nil || now.Sub(*k.lastUsed) >= touchEvery {
		gen := ps.cache.generation()
		if err := k.touch(ctx, now); err != nil {
			return nil, err
		}
		ps.cache.put(cacheKey, p, gen, now)
	}
	p.IP = from.IP
	return p, nil
}
