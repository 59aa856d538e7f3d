package models

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// SigningKey signs HTTP Signatures for its client with an HMAC secret.
// The secret is stored sealed with the master key (SealedSecret), since
// verifying needs it; RequiredHeaders is a JSON array of the header names
// every signature must cover. LegacyDateOnly keys take signatures over the
// Date alone; the others must cover the route, the host and the body too.
type SigningKey struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	ClientID        uuid.UUID
	Name            string
	Algorithm       string
	RequiredHeaders string
	LegacyDateOnly  bool
	SealedSecret    string
	ExpiresAt       *time.Time
	CreatedAt       time.Time
	LastUsedAt      *time.Time
	RevokedAt       *time.Time
}

// CreateSigningKey stores a key, unless its client already holds
// MaxOwnedKeys live ones (ErrConflict).
func (s *Keys) CreateSigningKey(ctx context.Context, k *SigningKey, now time.Time) error {
	return createOwnedKey(ctx, s, k.ClientID, k, now)
}

// SigningKeyByID finds a key that is neither revoked nor expired.
func (s *Keys) SigningKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*SigningKey, error) {
	return liveOwnedKey[SigningKey](ctx, s, id, now)
}

// SigningKeys lists a client's live keys, oldest first.
func (s *Keys) SigningKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]SigningKey, error) {
	return liveOwnedKeys[SigningKey](ctx, s, clientID, now)
}

// TouchSigningKey records that a key was used.
func (s *Keys) TouchSigningKey(ctx context.Context, id uuid.UUID, now time.Time) error {
	return touchOwnedKey[SigningKey](ctx, s, id, now)
}

// RevokeSigningKey revokes one of a client's keys.
func (s *Keys) RevokeSigningKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return revokeOwnedKey[SigningKey](ctx, s, clientID, id, now)
}
