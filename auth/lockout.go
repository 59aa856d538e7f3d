package auth

import "time"

// Lockout is the rule that locks an account out for one source (see
// LoginSource) after failed logins: the attempt that reaches
// Threshold, counted since the source's last success, locks it for Base,
// and each attempt after a lock ends locks it for twice as long, up to Max.
// A source's count is forgotten Window after its last failure and lock.
type Lockout struct {
	Threshold int           // failures in a row that lock a source out
	Base      time.Duration // the first lock
	Max       time.Duration // the longest lock
	// Window is how long a source's failures are remembered without
	// another; the login-throttle purge (activities) forgets them then.
	Window time.Duration
}

// DefaultLockout locks after 5 failures, for one minute doubling up to an
// hour, and forgets failures after a day without one (Keycloak's failure
// reset time is half a day).
var DefaultLockout = Lockout{Threshold: 5, Base: time.Minute, Max: time.Hour, Window: 24 * time.Hour}

// lockedUntil is when the attempt'th attempt in a row from one source,
// made at now, locks that source out until; nil when it locks nothing.
func (l Lockout) lockedUntil(attempt int, now time.Time) *time.Time {
	if attempt < l.Threshold {
		return nil
	}
	until := now.Add(l.lockFor(attempt - l.Threshold))
	return &until
}

// lockFor is the growing backoff of the n'th lock after the first: the
// base, doubled n times, capped.
func (l Lockout) lockFor(n int) time.Duration {
	d := l.Base
	for range n {
		if d > l.Max/2 {
			return l.Max
		}
		d *= 2
	}
	return min(d, l.Max)
}
