package contract

import "time"

// PurgeSessionsScheduleID names the Temporal Schedule that runs
// PurgeSessionsWorkflow, the hourly housekeeping; the workflows it starts
// have IDs beginning with it. The name predates the Idempotency-Key purge
// and is kept: renaming would leave the old schedule behind.
const PurgeSessionsScheduleID = "billgate-purge-sessions"

// PurgeSessionsWorkflowInput configures one housekeeping run.
type PurgeSessionsWorkflowInput struct {
	// Retention keeps dead sessions this long; zero means the activity's
	// default (activities.DefaultSessionRetention).
	Retention time.Duration
}

// PurgeSessionsWorkflowResult reports what one housekeeping run deleted.
type PurgeSessionsWorkflowResult struct {
	// Purged counts the sessions deleted.
	Purged int64
	// Cutoff is the time before which dead sessions were deleted.
	Cutoff time.Time
	// IdempotencyKeysPurged counts the Idempotency-Keys deleted.
	IdempotencyKeysPurged int64
	// IdempotencyKeysCutoff is the time before which Idempotency-Keys were
	// deleted.
	IdempotencyKeysCutoff time.Time
	// LoginThrottlesPurged counts the failed-login counts deleted.
	LoginThrottlesPurged int64
	// LoginThrottlesCutoff is the time before which they were deleted.
	LoginThrottlesCutoff time.Time
	// SeenSignaturesPurged counts the HTTP Signatures remembered against
	// replay that were deleted.
	SeenSignaturesPurged int64
	// SeenSignaturesCutoff is the time before which their end came.
	SeenSignaturesCutoff time.Time
}
