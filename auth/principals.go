package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/policy"
)

// principalStore reads who a client is and what its roles grant.
type principalStore interface {
	AccountByID(ctx context.Context, id uuid.UUID) (*Account, error)
	GrantsOf(ctx context.Context, clientID uuid.UUID) (Grants, error)
}

// Grants is what a client's roles give it, read fresh for each principal
// so that a lost role takes effect at once.
type Grants struct {
	Roles     []string
	Level     int      // the highest level among the roles; -1 without roles
	Policies  []Policy // every policy of every role, once each
	Listening []string // the roles in listen mode
	Contexts  []string // each role's payload context, in role-name order
}

// Policy is a stored policy, as JSON: its statements, and the payload
// templates and static substitutions that bound what it allows.
type Policy struct {
	Name          string
	Statements    string
	Payloads      string // {"action": [template, …]}
	Substitutions string // {"variable": value}
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
	account, err := ps.store.AccountByID(ctx, clientID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrSessionUnknown
	}
	if err != nil {
		return nil, err
	}
	if account.Disabled {
		return nil, ErrSessionUnknown
	}
	grants, err := ps.store.GrantsOf(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var policies []policy.Policy
	var names []string
	var granted []Policy
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
		Account:     account,
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
