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

// PurgeSessionsInput says which dead sessions to purge.
type PurgeSessionsInput struct {
	// Retention keeps expired and revoked sessions this long after they
	// died, for the audit trail; zero means DefaultSessionRetention.
	Retention time.Duration
}

// PurgeSessionsResult reports what a purge deleted.
type PurgeSessionsResult struct {
	// Purged counts the sessions deleted.
	Purged int64
	// Cutoff is the time before which dead sessions were deleted.
	Cutoff time.Time
}

// PurgeSessions deletes the sessions that expired or were revoked more than
// the retention ago. It is a single DELETE, so a retry or an overlapping
// run is harmless: what is gone stays gone.
func (a *Activities) PurgeSessions(ctx context.Context, in PurgeSessionsInput) (PurgeSessionsResult, error) {
	retention := in.Retention
	switch {
	case retention == 0:
		retention = DefaultSessionRetention
	case retention < 0:
		// A cutoff in the future would delete live sessions.
		return PurgeSessionsResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("purge sessions: retention %s is negative", retention), InvalidInputError, nil)
	}
	cutoff := a.now().Add(-retention)
	n, err := a.Store.PurgeSessions(ctx, cutoff)
	if err != nil {
		return PurgeSessionsResult{}, fmt.Errorf("purge sessions: %w", err)
	}
	return PurgeSessionsResult{Purged: n, Cutoff: cutoff}, nil
}
