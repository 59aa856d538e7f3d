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
	versionStore
}

// IdentityVersion counts the changes to a client's identity state (its
// account, roles, sessions and keys) and to everyone's (role and policy
// edits). Every change moves it in its own transaction, in whichever
// process makes it, so a principal loaded after reading a version is
// current for as long as the database still holds that version.
type IdentityVersion struct {
	Client, Everyone int64
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
	versions *versionReads
	payloads *payloadCompiler
	cache    *principalCache
}

func newPrincipals(store principalStore, payloads *payloadCompiler, ttl time.Duration) *principals {
	return &principals{store: store, versions: &versionReads{store: store}, payloads: payloads, cache: newPrincipalCache(ttl)}
}

// cached is the principal cached under key if its client's identity
// version is still the one it was loaded at: one read of the database
// (versionReads).
// Otherwise it is loaded (load) and cached again, at the version read
// before loading it: the one just read, or for a credential not cached,
// that of the client clientOf finds it belongs to.
func (ps *principals) cached(ctx context.Context, key string, now time.Time,
	clientOf func() (uuid.UUID, error), load func() (*Principal, error)) (*Principal, error) {
	if p, ok := ps.cache.get(key, now); ok {
		v, err := ps.versions.of(ctx, p.Account.ID)
		if err != nil {
			return nil, err
		}
		if v == p.version {
			return p, nil
		}
		return ps.loadAt(key, now, v, load)
	}
	client, err := clientOf()
	if err != nil {
		return nil, err
	}
	return ps.fresh(ctx, key, now, client, load)
}

// fresh loads a principal of client (load) and caches it under key. The
// version is read first: a change committed while load reads moves it, so
// the principal is loaded again on its next use. Read after, it could
// vouch for what load read before the change.
func (ps *principals) fresh(ctx context.Context, key string, now time.Time, client uuid.UUID, load func() (*Principal, error)) (*Principal, error) {
	v, err := ps.versions.of(ctx, client)
	if err != nil {
		return nil, err
	}
	return ps.loadAt(key, now, v, load)
}

// loadAt loads a principal and caches it under key as current at v, which
// was read before.
func (ps *principals) loadAt(key string, now time.Time, v IdentityVersion, load func() (*Principal, error)) (*Principal, error) {
	p, err := load()
	if err != nil {
		return nil, err
	}
	p.version = v
	ps.cache.put(key, p, now)
	return p, nil
}

// ofClient is a client's principal without a credential, from the cache
// when it holds a current one.
func (ps *principals) ofClient(ctx context.Context, clientID uuid.UUID, now time.Time) (*Principal, error) {
	return ps.cached(ctx, "client:"+clientID.String(), now,
		func() (uuid.UUID, error) { return clientID, nil },
		func() (*Principal, error) {
			p, err := ps.load(ctx, clientID)
			if err != nil {
				return nil, err
			}
			return ps.withPayloads(ctx, p)
		})
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
