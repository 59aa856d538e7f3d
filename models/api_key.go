package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// MaxAPIKeys is how many live API keys one client may hold.
const MaxAPIKeys = 100

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

// CreateAPIKey stores a key, unless its client already holds MaxAPIKeys
// live ones (ErrConflict). The key's ID must be set: it is part of the
// secret.
func (s *Store) CreateAPIKey(ctx context.Context, k *APIKey, now time.Time) error {
	return s.WithTx(ctx, func(tx *Store) error {
		if err := tx.lockClient(ctx, k.ClientID); err != nil {
			return err
		}
		var live int64
		if err := translate(tx.liveKeys(ctx, k.ClientID, now).Count(&live).Error); err != nil {
			return err
		}
		if live >= MaxAPIKeys {
			return fmt.Errorf("client %s holds %d API keys: %w", k.ClientID, live, ErrConflict)
		}
		return translate(tx.db.WithContext(ctx).Create(k).Error)
	})
}

// APIKeyByID finds a key that is neither revoked nor expired.
func (s *Store) APIKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*APIKey, error) {
	var k APIKey
	err := s.db.WithContext(ctx).Where("id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", id, now).Take(&k).Error
	if err != nil {
		return nil, fmt.Errorf("api key %s: %w", id, translate(err))
	}
	return &k, nil
}

// APIKeys lists a client's live keys, oldest first.
func (s *Store) APIKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]APIKey, error) {
	var out []APIKey
	return out, translate(s.liveKeys(ctx, clientID, now).Order("id").Find(&out).Error)
}

func (s *Store) liveKeys(ctx context.Context, clientID uuid.UUID, now time.Time) gormDB {
	return s.db.WithContext(ctx).Model(&APIKey{}).
		Where("client_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", clientID, now)
}

// TouchAPIKey records that a key was used.
func (s *Store) TouchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&APIKey{}).Where("id = ?", id).Update("last_used_at", now).Error)
}

// RevokeAPIKey revokes one of a client's keys; another client's key, or
// one already revoked, is ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&APIKey{}).
		Where("id = ? AND client_id = ? AND revoked_at IS NULL", id, clientID).
		Update("revoked_at", now)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("api key %s: %w", id, ErrNotFound)
	}
	s.identityChanged(ctx, clientID)
	return nil
}

// lockClient holds the client's row until the transaction ends, so that
// counts of what it owns stay true until the insert (SQLite serialises
// writers already).
func (s *Store) lockClient(ctx context.Context, id uuid.UUID) error {
	q := s.db.WithContext(ctx)
	if s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var c Client
	if err := q.Select("id").Take(&c, "id = ?", id).Error; err != nil {
		return fmt.Errorf("client %s: %w", id, translate(err))
	}
	return nil
}
