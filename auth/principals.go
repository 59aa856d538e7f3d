package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/models"
)

// principalStore reads who a client is and what its roles grant.
type principalStore interface {
	ClientByID(ctx context.Context, id uuid.UUID) (*models.Client, error)
	GrantsOf(ctx context.Context, clientID uuid.UUID) (models.Grants, error)
}

// touchEvery throttles the writes that record a credential's use (a
// session's sliding expiry, a key's last use): a credential used many times
// a minute is written once a minute.
const touchEvery = time.Minute

// principals loads clients' principals, with their payload templates, and
// keeps the cache every way of authenticating shares.
type principals struct {
	store    principalStore
	payloads *payloadCompiler
	cache    *principalCache
}

// ofClient is a client's principal without a credential, from the cache
// when it holds one.
func (ps *principals) ofClient(ctx context.Context, clientID uuid.UUID, now time.Time) (*Principal, error) {
	key := "client:" + clientID.String()
	if p, ok := ps.cache.get(key, now); ok {
		return p, nil
	}
	gen := ps.cache.generation()
	p, err := ps.load(ctx, clientID)
	if err == nil {
		p, err = ps.withPayloads(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	ps.cache.put(key, p, gen, now)
	return p, nil
}

// load is a client's principal with all its policies.
func (ps *principals) load(ctx context.Context, clientID uuid.UUID) (*Principal, error) {
	return ps.narrowed(ctx, clientID, func(string) bool { return true })
}

// narrowed loads a client's principal with those of its policies that
// keep allows. A disabled or deleted client is ErrSessionUnknown.
func (ps *principals) narrowed(ctx context.Context, clientID uuid.UUID, keep func(policy string) bool) (*Principal, error) {
	client, err := ps.store.ClientByID(ctx, clientID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrSessionUnknown
	}
	if err != nil {
		return nil, err
	}
	if client.Disabled {
		return nil, ErrSessionUnknown
	}
	grants, err := ps.store.GrantsOf(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var policies []policy.Policy
	var names []string
	var granted []models.Policy
	for _, stored := range grants.Policies {
		// Payload templates are always all of the client's: narrowing a key
		// takes actions away, never the limits on what it may send.
		granted = append(granted, stored)
		if !keep(stored.Name) {
			continue
		}
		pol := policy.Policy{Name: stored.Name}
		if err := json.Unmarshal([]byte(stored.Statements), &pol.Statements); err != nil {
			return nil, fmt.Errorf("policy %s: %w", stored.Name, err)
		}
		policies, names = append(policies, pol), append(names, stored.Name)
	}
	return &Principal{
		Client:      client,
		Roles:       grants.Roles,
		Level:       grants.Level,
		PolicyNames: names,
		Listening:   grants.Listening,
		policies:    policy.Compile(policies...),
		granted:     granted,
		contexts:    grants.Contexts,
	}, nil
}

// withPayloads sets p's payload templates, compiled now.
func (ps *principals) withPayloads(ctx context.Context, p *Principal) (*Principal, error) {
	set, err := ps.payloads.compile(ctx, p)
	if err != nil {
		return nil, err
	}
	p.Payloads = set
	return p, nil
}
