package models

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// APIKey acts for its client, narrowed to PolicyNames when set (a JSON
// array of policy names). The secret is never stored: SecretHash is its
// SHA-256, Hint its last four characters.
type APIKey struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	ClientID    uuid.UUID
	Name        string
	SecretHash  string
	Hint        string
	PolicyNames *string
	ExpiresAt   *time.Time
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// CreateAPIKey stores a key, unless its client already holds MaxOwnedKeys
// live ones (ErrConflict). The key's ID must be set: it is part of the
// secret.
func (s *Keys) CreateAPIKey(ctx context.Context, k *APIKey, now time.Time) error {
	return createOwnedKey(ctx, s, k.ClientID, k, now)
}

// APIKeyByID finds a key that is neither revoked nor expired.
func (s *Keys) APIKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*APIKey, error) {
	return liveOwnedKey[APIKey](ctx, s, id, now)
}

// APIKeys lists a client's live keys, oldest first.
func (s *Keys) APIKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]APIKey, error) {
	return liveOwnedKeys[APIKey](ctx, s, clientID, now)
}

// TouchAPIKey records that a key was used.
func (s *Keys) TouchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) error {
	return touchOwnedKey[APIKey](ctx, s, id, now)
}

// RevokeAPIKey revokes one of a client's keys.
func (s *Keys) RevokeAPIKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return revokeOwnedKey[APIKey](ctx, s, clientID, id, now)
}
