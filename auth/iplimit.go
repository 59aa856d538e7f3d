package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter slows one address guessing across many accounts, which the
// per-account lockout alone would not notice: every failed login from an IP
// takes a token, and an IP without tokens is refused until one refills. An
// attempt holds a token while it is checked, so attempts begun at once
// cannot pass the limit together.
type ipLimiter struct {
	every time.Duration // one token refills this often
	burst int           // failures allowed in a row
	mu    sync.Mutex
	ips   map[string]*ipBucket
}

// ipBucket is an address's failures and its attempts under way.
type ipBucket struct {
	failures *rate.Limiter
	pending  int // admitted, outcome not yet known
}

// maxTrackedIPs bounds the map; idle entries (full buckets) are dropped
// first when it is reached.
const maxTrackedIPs = 100_000

func newIPLimiter(every time.Duration, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, ips: map[string]*ipBucket{}}
}

// admit reserves an attempt for ip: zero when it may try now, and then
// done must report the attempt's outcome; otherwise how long it must wait.
// The wait counts the attempts under way as failures.
func (l *ipLimiter) admit(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.ips[ip]
	if !ok {
		if len(l.ips) >= maxTrackedIPs {
			l.dropIdle(now)
		}
		b = &ipBucket{failures: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.ips[ip] = b
	}
	free := b.failures.TokensAt(now) - float64(b.pending)
	if free < 1 {
		return time.Duration((1 - free) * float64(l.every))
	}
	b.pending++
	return 0
}

// done ends an attempt admit let through; a failure takes a token.
func (l *ipLimiter) done(ip string, now time.Time, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.ips[ip]
	b.pending--
	if failed {
		b.failures.AllowN(now, 1)
	}
}

// dropIdle forgets IPs whose bucket has refilled and that have no attempt
// under way. If that frees too little (many addresses failing at once), it
// forgets a tenth at random, so the map stays bounded and the scan stays
// rare; an address with an attempt under way is kept.
func (l *ipLimiter) dropIdle(now time.Time) {
	for ip, b := range l.ips {
		if b.pending == 0 && b.failures.TokensAt(now) >= float64(l.burst) {
			delete(l.ips, ip)
		}
	}
	for ip, b := range l.ips {
		if len(l.ips) < maxTrackedIPs*9/10 {
			break
		}
		if b.pending == 0 {
			delete(l.ips, ip)
		}
	}
}
