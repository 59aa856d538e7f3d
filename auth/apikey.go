package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// APIKeyPrefix marks billgate API key secrets for secret scanners.
const APIKeyPrefix = "bgk_"

// An API key secret is the prefix and base64url(key ID ‖ 256 random bits):
// the ID finds the key, and the whole secret's hash is then compared in
// constant time.
const apiKeySecretLen = len(APIKeyPrefix) + 64

func newAPIKeySecret(id uuid.UUID) string {
	b := make([]byte, 48)
	copy(b, id[:])
	_, _ = rand.Read(b[16:]) // crypto/rand.Read never fails
	return APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ParseAPIKeySecret reads the key ID out of a secret; ok is false for
// anything that is not one.
func ParseAPIKeySecret(secret string) (id uuid.UUID, ok bool) {
	encoded, found := strings.CutPrefix(secret, APIKeyPrefix)
	if !found || len(secret) != apiKeySecretLen {
		return uuid.Nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return uuid.Nil, false
	}
	id, err = uuid.FromBytes(b[:16])
	return id, err == nil
}

// APIKey is an API key acting for its client; its secret is kept only as
// a hash.
type APIKey struct {
	ID          uuid.UUID
	ClientID    uuid.UUID
	Name        string
	SecretHash  string
	Hint        string  // the secret's last four characters
	PolicyNames *string // the policies it is narrowed to, as a JSON list; nil: all its client's
	ExpiresAt   *time.Time
	CreatedAt   time.Time
	LastUsedAt  *time.Time
}

// apiKeyStore keeps API keys.
type apiKeyStore interface {
	CreateAPIKey(ctx context.Context, k *APIKey, now time.Time) error
	APIKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*APIKey, error)
	APIKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]APIKey, error)
	TouchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) error
	RevokeAPIKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	auditStore
}

// NewAPIKey is what a new key is asked for with. Policies, when given,
// narrows the key to those of its owner's policies.
type NewAPIKey struct {
	Name      string
	ExpiresAt *time.Time
	Policies  []string
}

// APIKeys makes, lists and revokes the API keys that act for their owner,
// and authenticates their secrets.
type APIKeys struct {
	store      apiKeyStore
	principals *principals
	audit      auditor
	now        func() time.Time
}

// Create makes a key acting for the principal's client and returns it with
// its secret, shown this once. Policies must name policies the principal
// holds (see Principal.PolicyNames).
func (a *APIKeys) Create(ctx context.Context, p *Principal, req NewAPIKey) (*APIKey, string, error) {
	if p.actsByKey() {
		return nil, "", ErrKeysCannotMintKeys
	}
	now := a.now()
	k := &APIKey{ID: uuid.Must(uuid.NewV7()), ClientID: p.Account.ID, Name: req.Name, ExpiresAt: req.ExpiresAt, CreatedAt: now}
	secret := newAPIKeySecret(k.ID)
	k.SecretHash, k.Hint = HashToken(secret), secret[len(secret)-4:]
	if req.Policies != nil {
		names, _ := json.Marshal(req.Policies)
		k.PolicyNames = new(string(names))
	}
	if err := a.store.CreateAPIKey(ctx, k, now); err != nil {
		return nil, "", err
	}
	a.audit.record(ctx, event(AuditAPIKeyCreate, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"keyId": k.ID})
	return k, secret, nil
}

// List lists the principal's live keys.
func (a *APIKeys) List(ctx context.Context, p *Principal) ([]APIKey, error) {
	if p.actsByKey() {
		return nil, ErrKeysCannotMintKeys
	}
	return a.store.APIKeys(ctx, p.Account.ID, a.now())
}

// Revoke revokes one of the principal's keys; it stops working on the next
// request, in every process.
func (a *APIKeys) Revoke(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	now := a.now()
	if err := a.store.RevokeAPIKey(ctx, p.Account.ID, id, now); err != nil {
		return err
	}
	a.audit.record(ctx, event(AuditAPIKeyRevoke, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"keyId": id})
	return nil
}

// Authenticate finds who an API key secret acts for. A secret that is not a
// live key's is ErrAuthFailed: bad credentials, whatever the reason.
func (a *APIKeys) Authenticate(ctx context.Context, secret string, from Origin) (*Principal, error) {
	id, ok := ParseAPIKeySecret(secret)
	if !ok {
		return nil, ErrAuthFailed
	}
	p, err := a.principal(ctx, id, from)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(HashToken(secret)), []byte(p.APIKey.SecretHash)) != 1 {
		return nil, ErrAuthFailed
	}
	return p, nil
}

// principal is the principal of a live API key.
func (a *APIKeys) principal(ctx context.Context, id uuid.UUID, from Origin) (*Principal, error) {
	owner := func(now time.Time) (uuid.UUID, error) {
		k, err := a.store.APIKeyByID(ctx, id, now)
		if err != nil {
			return uuid.Nil, err
		}
		return k.ClientID, nil
	}
	load := func(now time.Time) (*Principal, error) {
		k, err := a.store.APIKeyByID(ctx, id, now)
		if err != nil {
			return nil, err
		}
		return a.narrowedPrincipal(ctx, k)
	}
	return a.principals.ownedKeyPrincipal(ctx, "key:"+id.String(), from, a.now(), owner, load, a.use)
}

func (a *APIKeys) use(p *Principal) keyUse {
	k := p.APIKey
	return keyUse{expires: k.ExpiresAt, lastUsed: k.LastUsedAt, touch: func(ctx context.Context, now time.Time) error {
		k.LastUsedAt = &now
		return a.store.TouchAPIKey(ctx, k.ID, now)
	}}
}

// narrowedPrincipal is the key owner's principal with only the policies
// the key names (all of them when it names none).
func (a *APIKeys) narrowedPrincipal(ctx context.Context, k *APIKey) (*Principal, error) {
	keep := func(string) bool { return true }
	if k.PolicyNames != nil {
		var only []string
		if err := json.Unmarshal([]byte(*k.PolicyNames), &only); err != nil {
			return nil, err
		}
		keep = func(name string) bool { return slices.Contains(only, name) }
	}
	p, err := a.principals.narrowed(ctx, k.ClientID, keep)
	if err != nil {
		return nil, err
	}
	p.APIKey = k
	return a.principals.withPayloads(ctx, p)
}
