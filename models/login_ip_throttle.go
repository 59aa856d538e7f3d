package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// LoginIPThrottle is the failed-login budget of one client address, shared
// by every API process: a token bucket of burst tokens, one refilled every
// period, kept as the time it is full again (the theoretical arrival time
// of GCRA). FullAt is in microseconds since the Unix epoch, so that one
// upsert moves it with integer arithmetic on SQLite and Postgres alike. ID
// is the SHA-256 of the address: the table holds no address in plain text.
type LoginIPThrottle struct {
	ID     string `gorm:"primaryKey"`
	FullAt int64
}

// TakeLoginIPToken takes one token from ip's bucket of burst tokens (one
// at least), one back every period, at now: it returns zero when it took
// one, and otherwise how long until one is back. One statement decides, so
// concurrent callers, on any process, take no more tokens than the bucket
// holds.
func (s *Sessions) TakeLoginIPToken(ctx context.Context, ip string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	id, at, cost := hashOf(ip), now.UnixMicro(), every.Microseconds()
	limit := at + int64(burst-1)*cost // the latest FullAt that still holds a token
	for {
		res := s.db.WithContext(ctx).Exec(`INSERT INTO login_ip_throttles (id, full_at) VALUES (?, ?)
ON CONFLICT (id) DO UPDATE SET full_at = CASE WHEN login_ip_throttles.full_at > ? THEN login_ip_throttles.full_at ELSE ? END + ?
WHERE login_ip_throttles.full_at <= ?`, id, at+cost, at, at, cost, limit)
		if err := translate(res.Error); err != nil {
			return 0, err
		}
		if res.RowsAffected == 1 {
			return 0, nil
		}
		var t LoginIPThrottle
		err := translate(s.db.WithContext(ctx).Take(&t, "id = ?", id).Error)
		switch {
		case errors.Is(err, ErrNotFound): // purged meanwhile: take it anew
		case err != nil:
			return 0, err
		case t.FullAt > limit:
			return time.Duration(t.FullAt-limit) * time.Microsecond, nil
		}
	}
}

// ReturnLoginIPToken gives back a token TakeLoginIPToken took from ip's
// bucket. The caller returns it within a period of taking it: later, the
// token has refilled already, and returning it would add one.
func (s *Sessions) ReturnLoginIPToken(ctx context.Context, ip string, every time.Duration) error {
	return translate(s.db.WithContext(ctx).Model(&LoginIPThrottle{}).Where("id = ?", hashOf(ip)).
		Update("full_at", gorm.Expr("full_at - ?", every.Microseconds())).Error)
}
