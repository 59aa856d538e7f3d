package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
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

// NewAPIKey is what a new key is asked for with. Policies, when given,
// narrows the key to those of its owner's policies.
type NewAPIKey struct {
	Name      string
	ExpiresAt *time.Time
	Policies  []string
}

// ErrKeysCannotMintKeys refuses key management, sessions and password
// changes to a caller presenting an API or signing key (or a token made
// from one), so a leaked key cannot make itself a successor, end its
// owner's sessions or try its owner's password.
var ErrKeysCannotMintKeys = fmt.Errorf("%w: keys cannot manage keys, sessions or passwords", ErrPermissionDenied)

// CreateAPIKey makes a key acting for the principal's client and returns
// it with its secret, shown this once. Policies must name policies the
// principal holds (see Principal.PolicyNames).
func (s *Service) CreateAPIKey(ctx context.Context, p *Principal, req NewAPIKey) (*models.APIKey, string, error) {
	if p.actsByKey() {
		return nil, "", ErrKeysCannotMintKeys
	}
	now := s.now()
	k := &models.APIKey{ID: uuid.Must(uuid.NewV7()), ClientID: p.Client.ID, Name: req.Name, ExpiresAt: req.ExpiresAt, CreatedAt: now}
	secret := newAPIKeySecret(k.ID)
	k.SecretHash, k.Hint = HashToken(secret), secret[len(secret)-4:]
	if req.Policies != nil {
		names, _ := json.Marshal(req.Policies)
		k.PolicyNames = new(string(names))
	}
	if err := s.store.CreateAPIKey(ctx, k, now); err != nil {
		return nil, "", err
	}
	s.audit(ctx, event(AuditAPIKeyCreate, models.OutcomeOK, p.IP, nil, p.Client, now), map[string]any{"keyId": k.ID})
	return k, secret, nil
}

// APIKeys lists the principal's live keys.
func (s *Service) APIKeys(ctx context.Context, p *Principal) ([]models.APIKey, error) {
	if p.actsByKey() {
		return nil, ErrKeysCannotMintKeys
	}
	return s.store.APIKeys(ctx, p.Client.ID, s.now())
}

// RevokeAPIKey revokes one of the principal's keys; it stops working on
// the next request, in every process.
func (s *Service) RevokeAPIKey(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	now := s.now()
	if err := s.store.RevokeAPIKey(ctx, p.Client.ID, id, now); err != nil {
		return err
	}
	s.audit(ctx, event(AuditAPIKeyRevoke, models.OutcomeOK, p.IP, nil, p.Client, now), map[string]any{"keyId": id})
	return nil
}

// AuthenticateAPIKey finds who an API key secret acts for. A secret that is
// not a live key's is ErrAuthFailed: bad credentials, whatever the reason.
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string, from Origin) (*Principal, error) {
	id, ok := ParseAPIKeySecret(secret)
	if !ok {
		return nil, ErrAuthFailed
	}
	p, err := s.keyPrincipal(ctx, id, from)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(HashToken(secret)), []byte(p.APIKey.SecretHash)) != 1 {
		return nil, ErrAuthFailed
	}
	return p, nil
}

// keyPrincipal is the principal of a live API key.
func (s *Service) keyPrincipal(ctx context.Context, id uuid.UUID, from Origin) (*Principal, error) {
	return s.ownedKeyPrincipal(ctx, "key:"+id.String(), from, func(now time.Time) (*Principal, error) {
		k, err := s.store.APIKeyByID(ctx, id, now)
		if err != nil {
			return nil, err
		}
		return s.narrowedPrincipal(ctx, k)
	})
}

// ownedKeyPrincipal is the principal of a live key (API or signing),
// cached under cacheKey or found by load. A key that is unknown, revoked
// or expired, or whose owner is disabled, is ErrAuthFailed. It records the
// key's use at most once a minute.
func (s *Service) ownedKeyPrincipal(ctx context.Context, cacheKey string, from Origin, load func(now time.Time) (*Principal, error)) (*Principal, error) {
	now := s.now()
	p, ok := s.cache.get(cacheKey, now)
	if !ok {
		gen := s.cache.generation()
		var err error
		p, err = load(now)
		switch {
		case errors.Is(err, models.ErrNotFound), errors.Is(err, ErrSessionUnknown):
			return nil, ErrAuthFailed
		case err != nil:
			return nil, err
		}
		s.cache.put(cacheKey, p, gen, now)
	}
	expires, lastUsed, touch := s.keyUse(p)
	if expires != nil && !now.Before(*expires) {
		return nil, ErrAuthFailed
	}
	if lastUsed == nil || now.Sub(*lastUsed) >= touchEvery {
		gen := s.cache.generation()
		if err := touch(ctx, now); err != nil {
			return nil, err
		}
		s.cache.put(cacheKey, p, gen, now)
	}
	p.IP = from.IP
	return p, nil
}

// keyUse is the expiry and last use of the key a principal presented, and
// how to record a use of it.
func (s *Service) keyUse(p *Principal) (expires, lastUsed *time.Time, touch func(ctx context.Context, now time.Time) error) {
	if k := p.APIKey; k != nil {
		return k.ExpiresAt, k.LastUsedAt, func(ctx context.Context, now time.Time) error {
			k.LastUsedAt = &now
			return s.store.TouchAPIKey(ctx, k.ID, now)
		}
	}
	k := p.SigningKey
	return k.ExpiresAt, k.LastUsedAt, func(ctx context.Context, now time.Time) error {
		k.LastUsedAt = &now
		return s.store.TouchSigningKey(ctx, k.ID, now)
	}
}

// narrowedPrincipal is the key owner's principal with only the policies
// the key names (all of them when it names none).
func (s *Service) narrowedPrincipal(ctx context.Context, k *models.APIKey) (*Principal, error) {
	keep := func(string) bool { return true }
	if k.PolicyNames != nil {
		var only []string
		if err := json.Unmarshal([]byte(*k.PolicyNames), &only); err != nil {
			return nil, err
		}
		keep = func(name string) bool { return slices.Contains(only, name) }
	}
	p, err := s.principalOf(ctx, k.ClientID, keep)
	if err != nil {
		return nil, err
	}
	p.APIKey = k
	return s.withPayloads(ctx, p)
}
