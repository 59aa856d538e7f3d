package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
)

// DefaultSessionRetention is how long dead sessions are kept when
// PurgeSessionsInput.Retention is zero.
const DefaultSessionRetention = 7 * 24 * time.Hour

// InvalidInputError is the application error type of an activity input that
// no retry can fix.
const InvalidInputError = "InvalidInput"

// PurgeInput says how long a purge keeps what it purges: zero means the
// purge's default.
type PurgeInput struct {
	Retention time.Duration
}

// PurgeResult reports what a purge deleted.
type PurgeResult struct {
	// Purged counts the rows deleted.
	Purged int64
	// Cutoff is the time before which they were deleted.
	Cutoff time.Time
}

// PurgeSessionsInput keeps expired and revoked sessions Retention after they
// died, for the audit trail; zero means DefaultSessionRetention.
type PurgeSessionsInput = PurgeInput

// PurgeSessionsResult reports what a session purge deleted.
type PurgeSessionsResult = PurgeResult

// PurgeSessions deletes the sessions that expired or were revoked more than
// the retention ago.
func (a *Activities) PurgeSessions(ctx context.Context, in PurgeSessionsInput) (PurgeSessionsResult, error) {
	return a.purge(ctx, "sessions", in.Retention, DefaultSessionRetention, a.Store.PurgeSessions)
}

// purge deletes with del what is older than the retention (def when zero).
// It is a single DELETE, so a retry or an overlapping run is harmless: what
// is gone stays gone. A negative retention is refused: a cutoff in the
// future would delete what is still live.
func (a *Activities) purge(ctx context.Context, what string, retention, def time.Duration, del func(context.Context, time.Time) (int64, error)) (PurgeResult, error) {
	switch {
	case retention == 0:
		retention = def
	case retention < 0:
		return PurgeResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("purge %s: retention %s is negative", what, retention), InvalidInputError, nil)
	}
	cutoff := a.now().Add(-retention)
	n, err := del(ctx, cutoff)
	if err != nil {
		return PurgeResult{}, fmt.Errorf("purge %s: %w", what, err)
	}
	return PurgeResult{Purged: n, Cutoff: cutoff}, nil
}
