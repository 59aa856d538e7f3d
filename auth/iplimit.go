package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimiter slows one address guessing across many accounts, which the
// per-account lockout alone would not notice: every failed login from an IP
// takes a token, and an IP without tokens is refused until one refills.
type ipLimiter struct {
	every time.Duration // one token refills this often
	burst int           // failures allowed in a row
	mu    sync.Mutex
	ips   map[string]*rate.Limiter
}

// maxTrackedIPs bounds the map; idle entries (full buckets) are dropped
// first when it is reached.
const maxTrackedIPs = 100_000

func newIPLimiter(every time.Duration, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, ips: map[string]*rate.Limiter{}}
}

// wait is how long ip must wait before its next login, zero when it may try now.
func (l *ipLimiter) wait(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.ips[ip]
	if !ok {
		return 0
	}
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(l.every))
}

// failed takes a token from ip.
func (l *ipLimiter) failed(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.ips[ip]
	if !ok {
		if len(l.ips) >= maxTrackedIPs {
			l.dropIdle(now)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.ips[ip] = lim
	}
	lim.AllowN(now, 1)
}

// dropIdle forgets IPs whose bucket has refilled. If that frees too little
// (many addresses failing at once), it forgets a tenth at random, so the
// map stays bounded and the scan stays rare.
func (l *ipLimiter) dropIdle(now time.Time) {
	for ip, lim := range l.ips {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.ips, ip)
		}
	}
	for ip := range l.ips {
		if len(l.ips) < maxTrackedIPs*9/10 {
			break
		}
		delete(l.ips, ip)
	}
}
