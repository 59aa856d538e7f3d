package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Keys keeps the keys clients hold: API keys and signing keys.
type Keys struct{ *conn }

// MaxOwnedKeys is how many live keys of one kind (API keys, signing keys)
// one client may hold.
const MaxOwnedKeys = 100

// An owned key is a credential row a client holds: live until revoked or
// past its optional expiry. APIKey and SigningKey share these operations.
type ownedKey interface {
	APIKey | SigningKey
}

const liveKey = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"

// createOwnedKey stores row for clientID unless the client already holds
// MaxOwnedKeys live ones of its kind (ErrConflict).
func createOwnedKey[K ownedKey](ctx context.Context, s *Keys, clientID uuid.UUID, row *K, now time.Time) error {
	return inTx(ctx, s.conn, func(tx *Keys) error {
		if err := tx.lockClient(ctx, clientID); err != nil {
			return err
		}
		var live int64
		if err := translate(liveKeysOf[K](ctx, tx, clientID, now).Count(&live).Error); err != nil {
			return err
		}
		if live >= MaxOwnedKeys {
			return fmt.Errorf("client %s holds %d keys: %w", clientID, live, ErrConflict)
		}
		return translate(tx.db.WithContext(ctx).Create(row).Error)
	})
}

func liveKeysOf[K ownedKey](ctx context.Context, s *Keys, clientID uuid.UUID, now time.Time) gormDB {
	return s.db.WithContext(ctx).Model(new(K)).Where("client_id = ? AND "+liveKey, clientID, now)
}

// liveOwnedKey finds a key that is neither revoked nor expired.
func liveOwnedKey[K ownedKey](ctx context.Context, s *Keys, id uuid.UUID, now time.Time) (*K, error) {
	var k K
	if err := s.db.WithContext(ctx).Where("id = ? AND "+liveKey, id, now).Take(&k).Error; err != nil {
		return nil, fmt.Errorf("key %s: %w", id, translate(err))
	}
	return &k, nil
}

// liveOwnedKeys lists a client's live keys, oldest first.
func liveOwnedKeys[K ownedKey](ctx context.Context, s *Keys, clientID uuid.UUID, now time.Time) ([]K, error) {
	var out []K
	return out, translate(liveKeysOf[K](ctx, s, clientID, now).Order("id").Find(&out).Error)
}

func touchOwnedKey[K ownedKey](ctx context.Context, s *Keys, id uuid.UUID, now time.Time) error {
	return translate(s.db.WithContext(ctx).Model(new(K)).Where("id = ?", id).Update("last_used_at", now).Error)
}

// revokeOwnedKey revokes one of a client's keys; another client's, or one
// already revoked, is ErrNotFound. It moves the client's identity version.
func revokeOwnedKey[K ownedKey](ctx context.Context, s *Keys, clientID, id uuid.UUID, now time.Time) error {
	return changeIdentity(ctx, s.conn, clientID, func(tx *Keys) error {
		return revokeClientRow(tx.db.WithContext(ctx).Model(new(K)), "key", clientID, id, now)
	})
}

// revokeClientRow revokes the row id of the client in q's table (a key or
// a session); another client's, or one already revoked, is ErrNotFound.
func revokeClientRow(q *gorm.DB, what string, clientID, id uuid.UUID, now time.Time) error {
	res := q.Where("id = ? AND client_id = ? AND revoked_at IS NULL", id, clientID).Update("revoked_at", now)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return nil
}

// lockClient holds the client's row until the transaction ends, so that
// counts of what it owns stay true until the insert (SQLite serialises
// writers already).
func (s *Keys) lockClient(ctx context.Context, id uuid.UUID) error {
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
