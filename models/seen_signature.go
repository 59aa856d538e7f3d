package models

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// SeenSignature is an HTTP Signature the API accepted, by its key and MAC
// bytes (never the header's text, so another base64 spelling of the same
// MAC is the same row), kept until ExpiresAt, when its Date leaves the
// skew. The table is the replay cache of every API process at once.
type SeenSignature struct {
	KeyID     uuid.UUID `gorm:"primaryKey"`
	MAC       []byte    `gorm:"primaryKey"`
	ExpiresAt time.Time
}

// RecordSignature records the MAC of key as seen until expiresAt, and
// reports whether it was new: false when a row for it is still live at now
// (its end not before now), which is a replay, whichever process stored it.
// A row past its end is taken over. One statement decides, so of concurrent
// callers, on any process, exactly one is told the MAC is new.
func (s *Keys) RecordSignature(ctx context.Context, key uuid.UUID, mac []byte, expiresAt, now time.Time) (bool, error) {
	// In UTC, as expires_at is written: SQLite compares the stored text.
	res := s.db.WithContext(ctx).Exec(`INSERT INTO seen_signatures (key_id, mac, expires_at) VALUES (?, ?, ?)
ON CONFLICT (key_id, mac) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_signatures.expires_at < ?`,
		key, mac, expiresAt.UTC(), now.UTC())
	if err := translate(res.Error); err != nil {
		return false, err
	}
	return res.RowsAffected == 1, nil
}

// PurgeSeenSignatures deletes the signatures whose end came before cutoff
// and returns how many it deleted.
func (s *Keys) PurgeSeenSignatures(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ?", cutoff.UTC()).Delete(&SeenSignature{})
	return res.RowsAffected, translate(res.Error)
}
