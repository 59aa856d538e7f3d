// Package auth is billgate's identity core: logins, sessions and what a
// caller may do. It knows nothing of HTTP; the api package maps its errors
// to the seed-exact answers.
package auth

import (
	"errors"
	"fmt"
	"time"
)

// The refusals every credential check ends in.
var (
	// ErrAuthFailed: wrong credentials, an unknown login, a disabled
	// account. One answer for all, so none can be told apart.
	ErrAuthFailed = errors.New("AUTH FAILED")
	// ErrSessionUnknown: no credentials, or a session that is unknown,
	// expired or revoked, or whose client is disabled.
	ErrSessionUnknown = errors.New("SESSION UNKNOWN")
	// ErrPermissionDenied: authenticated, but not allowed.
	ErrPermissionDenied = errors.New("PERMISSION DENIED")
)

// ErrKeysCannotMintKeys refuses key management, sessions and password
// changes to a caller presenting an API or signing key (or a token made
// from one), so a leaked key cannot make itself a successor, end its
// owner's sessions or try its owner's password.
var ErrKeysCannotMintKeys = fmt.Errorf("%w: keys cannot manage keys, sessions or passwords", ErrPermissionDenied)

// ErrNotFound is a record the store does not hold (or no longer live):
// the persister marks the store's own not-found with it, keeping the
// store's error in the chain for callers that answer it.
var ErrNotFound = errors.New("not found")

// LockedError refuses a login while the account is locked out, whatever
// the password.
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string {
	return "too many failed logins; retry after " + e.Until.Format(time.RFC3339)
}

// RetryAfter is the wait in whole seconds, at least one.
func (e *LockedError) RetryAfter(now time.Time) int {
	return max(1, int(e.Until.Sub(now).Seconds()+0.999))
}
