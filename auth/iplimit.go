package auth

import (
	"context"
	"log/slog"
	"sync"
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
//
// A flood from one address would make every refusal a write to the same
// row. Once the store refuses an address, this process refuses it without
// asking for up to refuseLocallyFor: it may refuse an attempt that another
// process's returned token would have let through, never admit one too
// many.
type ipLimiter struct {
	store ipTokenStore
	every time.Duration // one token refills this often
	burst int           // failures allowed in a row
	log   *slog.Logger

	mu      sync.Mutex
	refused map[string]refusal
}

// refusal is the store's last answer refusing an address.
type refusal struct {
	until    time.Time // when the store said a token is back
	askAgain time.Time // till then this process refuses without asking
}

// refuseLocallyFor bounds how long this process refuses an address on the
// store's last word: a token given back meanwhile by another process's
// attempt waits this long at most.
const refuseLocallyFor = time.Second

// maxRefusals is how many refused addresses a process keeps before it
// drops those it no longer refuses.
const maxRefusals = 4096

func newIPLimiter(store ipTokenStore, every time.Duration, burst int, log *slog.Logger) *ipLimiter {
	return &ipLimiter{store: store, every: every, burst: burst, log: log, refused: map[string]refusal{}}
}

// admit takes a token for an attempt from ip at now: zero when it may try,
// and then done must report the attempt's outcome; otherwise how long it
// must wait. The wait counts the attempts under way as failures. byStore
// tells a refusal the store made from one this process made on its word.
func (l *ipLimiter) admit(ctx context.Context, ip string, now time.Time) (wait time.Duration, byStore bool, err error) {
	if wait := l.refusedHere(ip, now); wait > 0 {
		return wait, false, nil
	}
	wait, err = l.store.TakeLoginIPToken(ctx, ip, now, l.every, l.burst)
	if err == nil && wait > 0 {
		l.remember(ip, now, wait)
	}
	return wait, true, err
}

// refusedHere is how long ip must still wait, when this process refuses it
// without asking the store.
func (l *ipLimiter) refusedHere(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.refused[ip]
	if !ok || !now.Before(r.askAgain) {
		return 0
	}
	return r.until.Sub(now)
}

// remember that the store refused ip at now for wait.
func (l *ipLimiter) remember(ip string, now time.Time, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.refused) >= maxRefusals {
		for other, r := range l.refused {
			if !now.Before(r.askAgain) {
				delete(l.refused, other)
			}
		}
	}
	l.refused[ip] = refusal{until: now.Add(wait), askAgain: now.Add(min(wait, refuseLocallyFor))}
}

// forget stops refusing ip here: this process gave one of its tokens back.
func (l *ipLimiter) forget(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.refused, ip)
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
		return
	}
	l.forget(ip)
}
