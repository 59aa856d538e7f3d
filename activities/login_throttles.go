package activities

import (
	"context"
	"time"
)

// LoginThrottleRetention is how long a source's failed logins are kept
// after its last failure and lock, and the default when
// PurgeLoginThrottlesInput.Retention is zero: a day, as Keycloak's failure
// reset time is half a day.
const LoginThrottleRetention = 24 * time.Hour

// PurgeLoginThrottlesInput keeps the failed-login counts of a source
// Retention after its last failure and lock; zero means
// LoginThrottleRetention.
type PurgeLoginThrottlesInput = PurgeInput

// PurgeLoginThrottlesResult reports what a login-throttle purge deleted.
type PurgeLoginThrottlesResult = PurgeResult

// PurgeLoginThrottles deletes the failed-login counts of sources that have
// not failed, nor been locked out, for the retention.
func (a *Activities) PurgeLoginThrottles(ctx context.Context, in PurgeLoginThrottlesInput) (PurgeLoginThrottlesResult, error) {
	return a.purge(ctx, "login throttles", in.Retention, LoginThrottleRetention, a.Store.PurgeLoginThrottles)
}
