package activities

import (
	"context"
	"time"
)

// IdempotencyKeyRetention is how long an Idempotency-Key's answer is kept,
// and the default when PurgeIdempotencyKeysInput.Retention is zero. It is
// Stripe's 24 hours: callers written against Stripe retry within that
// window, and a key older than that may be reused for a new request.
const IdempotencyKeyRetention = 24 * time.Hour

// PurgeIdempotencyKeysInput keeps keys Retention after their first
// request; zero means IdempotencyKeyRetention.
type PurgeIdempotencyKeysInput = PurgeInput

// PurgeIdempotencyKeysResult reports what a key purge deleted.
type PurgeIdempotencyKeysResult = PurgeResult

// PurgeIdempotencyKeys deletes the Idempotency-Keys whose first request came
// more than the retention ago, answered or not: a key still in progress
// that old belongs to a request that died.
func (a *Activities) PurgeIdempotencyKeys(ctx context.Context, in PurgeIdempotencyKeysInput) (PurgeIdempotencyKeysResult, error) {
	return a.purge(ctx, "idempotency keys", in.Retention, IdempotencyKeyRetention, a.Store.PurgeIdempotencyKeys)
}
