package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"
)

// IdempotencyKeys keeps the answers to requests made with an
// Idempotency-Key.
type IdempotencyKeys struct{ *conn }

// IdempotentRequest is the first request made with an Idempotency-Key, and
// once it is answered, its answer.
type IdempotentRequest struct {
	ClientID    uuid.UUID `gorm:"primaryKey"`
	Key         string    `gorm:"primaryKey"`
	RequestHash string
	Status      int // 0 until answered
	ContentType string
	Body        string
	// ResourceID is reserved for what the request creates: a retry after
	// a failure creates under the same ID, so it finds what the first try
	// may have started.
	ResourceID uuid.UUID
	CreatedAt  time.Time
	// ClaimedAt is when the request now running took the key. A claim
	// older than the lease belongs to a process that died; a released key
	// has it at the epoch.
	ClaimedAt time.Time
}

func (IdempotentRequest) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey records r as the first request with its key unless
// one exists, and returns the stored one. claimed reports whether the
// caller is to run the request: r is new, or the stored request with the
// same hash is unanswered and was released or has held the key for longer
// than lease, and the caller takes it over, keeping its ResourceID.
func (s *IdempotencyKeys) ClaimIdempotencyKey(ctx context.Context, r IdempotentRequest, lease time.Duration) (stored IdempotentRequest, claimed bool, err error) {
	db := s.db.WithContext(ctx)
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if err := translate(res.Error); err != nil {
		return IdempotentRequest{}, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if res.RowsAffected == 1 {
		return r, true, nil
	}
	if err := translate(db.Take(&stored, "client_id = ? AND key = ?", r.ClientID, r.Key).Error); err != nil {
		return IdempotentRequest{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if stored.Status != 0 || stored.RequestHash != r.RequestHash {
		return stored, false, nil
	}
	// In UTC, as claimed_at is written: SQLite compares the stored text.
	res = db.Model(&IdempotentRequest{}).
		Where("client_id = ? AND key = ? AND status = 0 AND claimed_at < ?", r.ClientID, r.Key, r.ClaimedAt.Add(-lease).UTC()).
		Update("claimed_at", r.ClaimedAt.UTC())
	if err := translate(res.Error); err != nil {
		return IdempotentRequest{}, false, fmt.Errorf("take over idempotency key: %w", err)
	}
	stored.ClaimedAt = r.ClaimedAt
	return stored, res.RowsAffected == 1, nil
}

// CompleteIdempotencyKey stores the answer to a claimed key.
func (s *IdempotencyKeys) CompleteIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string, status int, contentType, body string) error {
	return translate(s.db.WithContext(ctx).Model(&IdempotentRequest{}).Where("client_id = ? AND key = ?", clientID, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "body": body}).Error)
}

// ReleaseIdempotencyKey gives up a claimed key whose request failed in a
// way worth retrying (a 5xx): the retry takes it over at once, with its
// reserved ResourceID.
func (s *IdempotencyKeys) ReleaseIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string) error {
	return translate(s.db.WithContext(ctx).Model(&IdempotentRequest{}).Where("client_id = ? AND key = ? AND status = 0", clientID, key).
		Update("claimed_at", time.Unix(0, 0).UTC()).Error)
}

// PurgeIdempotencyKeys deletes the keys created before before, answered or
// not: a key still in progress that old belongs to a request that died
// without releasing it. It returns how many it deleted.
func (s *IdempotencyKeys) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	// In UTC, as created_at is written: SQLite compares the stored text.
	res := s.db.WithContext(ctx).Where("created_at < ?", before.UTC()).Delete(&IdempotentRequest{})
	return res.RowsAffected, translate(res.Error)
}
