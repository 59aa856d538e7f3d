package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// keyUse is the expiry and last use of the key (API or signing) a
// principal presented, and how to record a use of it.
type keyUse struct {
	expires, lastUsed *time.Time
	touch             func(ctx context.Context, now time.Time) error
}

// ownedKeyPrincipal is the principal of a live key, cached under cacheKey
// or loaded by load; owner reads the client the key belongs to, and use
// reads the key back from the principal. A key that is unknown, revoked
// or expired, or whose owner is disabled, is ErrAuthFailed. It records the
// key's use at most once a minute.
func (ps *principals) ownedKeyPrincipal(ctx context.Context, cacheKey string, from Origin, now time.Time,
	owner func(now time.Time) (uuid.UUID, error), load func(now time.Time) (*Principal, error), use func(p *Principal) keyUse) (*Principal, error) {
	p, err := ps.cached(ctx, cacheKey, now,
		func() (uuid.UUID, error) { return owner(now) },
		func() (*Principal, error) { return load(now) })
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrSessionUnknown):
		return nil, ErrAuthFailed
	case err != nil:
		return nil, err
	}
	k := use(p)
	if k.expires != nil && !now.Before(*k.expires) {
		return nil, ErrAuthFailed
	}
	if k.lastUsed == nil || now.Sub(*k.lastUsed) >= touchEvery {
		if err := k.touch(ctx, now); err != nil {
			return nil, err
		}
		ps.cache.put(cacheKey, p, now)
	}
	p.IP = from.IP
	return p, nil
}
