package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// IdempotentRequest is the first request made with an Idempotency-Key, and
// once it is answered, its answer.
type IdempotentRequest struct {
	ClientID    uuid.UUID `gorm:"primaryKey"`
	Key         string    `gorm:"primaryKey"`
	RequestHash string
	Status      int // 0 while in progress
	ContentType string
	Body        string
	CreatedAt   time.Time
}

func (IdempotentRequest) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey records r as the first request with its key unless
// one exists, and returns the stored one; claimed reports whether it is r.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, r IdempotentRequest) (stored IdempotentRequest, claimed bool, err error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if err := translate(res.Error); err != nil {
		return IdempotentRequest{}, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if err := translate(s.db.WithContext(ctx).Take(&stored, "client_id = ? AND key = ?", r.ClientID, r.Key).Error); err != nil {
		return IdempotentRequest{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return stored, res.RowsAffected == 1, nil
}

// CompleteIdempotencyKey stores the answer to a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string, status int, contentType, body string) error {
	return translate(s.db.WithContext(ctx).Model(&IdempotentRequest{}).Where("client_id = ? AND key = ?", clientID, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "body": body}).Error)
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed in a way
// worth retrying (a 5xx), so the retry runs afresh.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string) error {
	return translate(s.db.WithContext(ctx).Delete(&IdempotentRequest{}, "client_id = ? AND key = ? AND status = 0", clientID, key).Error)
}

// PurgeIdempotencyKeys deletes the keys created before before, answered or
// not: a key still in progress that old belongs to a request that died
// without releasing it. It returns how many it deleted.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	// In UTC, as created_at is written: SQLite compares the stored text.
	res := s.db.WithContext(ctx).Where("created_at < ?", before.UTC()).Delete(&IdempotentRequest{})
	return res.RowsAffected, translate(res.Error)
}
