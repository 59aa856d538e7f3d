package activities

import (
	"context"

	"github.com/billgate/billgate/auth"
)

// LoginThrottleRetention is how long a source's failed logins are kept
// after its last failure and lock, and the default when
// PurgeLoginThrottlesInput.Retention is zero: the lockout's window.
var LoginThrottleRetention = auth.DefaultLockout.Window

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
