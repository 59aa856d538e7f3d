package auth

import (
	"context"
	"log/slog"
	"time"
)

// ipTokenStore keeps each address's failed-login budget, shared by every
// API process.
type ipTokenStore interface {
	// TakeLoginIPToken takes a token from ip's bucket of burst tokens, one
	// back every period: zero when it took one, else how long until one is
	// back. Concurrent takes, on any process, take no more than it holds.
	TakeLoginIPToken(ctx context.Context, ip string, now time.Time, every time.Duration, burst int) (time.Duration, error)
	// ReturnLoginIPToken gives back a token taken within the last period.
	ReturnLoginIPToken(ctx context.Context, ip string, every time.Duration) error
}

// ipLimiter slows one address guessing across many accounts, which the
// per-account lockout alone would not notice: every failed login from an IP
// takes a token, and an IP without tokens is refused until one refills. An
// attempt takes its token before it is checked and gives it back unless it
// fails, so attempts begun at once cannot pass the limit together. The
// tokens are in the store: every API process spends the same budget.
type ipLimiter struct {
	store ipTokenStore
	every time.Duration // one token refills this often
	burst int           // failures allowed in a row
	log   *slog.Logger
}

func newIPLimiter(store ipTokenStore, every time.Duration, burst int, log *slog.Logger) *ipLimiter {
	return &ipLimiter{store: store, every: every, burst: burst, log: log}
}

// admit takes a token for an attempt from ip at now: zero when it may try,
// and then done must report the attempt's outcome; otherwise how long it
// must wait. The wait counts the attempts under way as failures.
func (l *ipLimiter) admit(ctx context.Context, ip string, now time.Time) (time.Duration, error) {
	return l.store.TakeLoginIPToken(ctx, ip, now, l.every, l.burst)
}

// done ends an attempt admit let through at began: a failure keeps its
// token; any other outcome gives it back, unless the attempt took a period
// or more, by when the token has refilled anyway. The token is given back
// even when the caller has gone.
func (l *ipLimiter) done(ctx context.Context, ip string, began, now time.Time, failed bool) {
	if failed || now.Sub(began) >= l.every {
		return
	}
	if err := l.store.ReturnLoginIPToken(context.WithoutCancel(ctx), ip, l.every); err != nil {
		l.log.WarnContext(ctx, "a login attempt's per-IP token was not given back", slog.Any("error", err))
	}
}
