package auth

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestIPLimiter(t *testing.T) {
	l := newIPLimiter(30*time.Second, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w := l.admit("192.0.2.1", now); w != 0 {
			t.Fatalf("admit before failure %d = %v, want 0", i+1, w)
		}
		l.done("192.0.2.1", now, true)
	}
	if w := l.admit("192.0.2.1", now); w != 30*time.Second {
		t.Errorf("admit after 3 failures = %v, want 30s", w)
	}
	if w := l.admit("192.0.2.2", now); w != 0 {
		t.Errorf("another IP waits %v, want 0", w)
	}
	l.done("192.0.2.2", now, false)
	if w := l.admit("192.0.2.1", now.Add(20*time.Second)); w != 10*time.Second {
		t.Errorf("admit 20s later = %v, want 10s", w)
	}
	if w := l.admit("192.0.2.1", now.Add(30*time.Second)); w != 0 {
		t.Errorf("admit once a token refilled = %v, want 0", w)
	}
	// The attempt under way holds the token: another must wait for it.
	if w := l.admit("192.0.2.1", now.Add(30*time.Second)); w != 30*time.Second {
		t.Errorf("admit beside an attempt under way = %v, want 30s", w)
	}
	l.done("192.0.2.1", now.Add(30*time.Second), false) // a success gives it back
	if w := l.admit("192.0.2.1", now.Add(30*time.Second)); w != 0 {
		t.Errorf("admit after a success = %v, want 0", w)
	}
}

func TestIPLimiterDropsIdleEntries(t *testing.T) {
	l := newIPLimiter(time.Second, 2)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.admit("192.0.2.1", now)
	l.done("192.0.2.1", now, true)
	l.admit("192.0.2.2", now.Add(time.Hour))
	l.done("192.0.2.2", now.Add(time.Hour), true)
	l.admit("192.0.2.3", now) // still under way
	l.dropIdle(now.Add(time.Hour))
	if _, ok := l.ips["192.0.2.1"]; ok {
		t.Errorf("an IP whose bucket refilled long ago is still tracked")
	}
	if _, ok := l.ips["192.0.2.2"]; !ok {
		t.Errorf("an IP that just failed was dropped")
	}
	if _, ok := l.ips["192.0.2.3"]; !ok {
		t.Errorf("an IP with an attempt under way was dropped")
	}
}

// Attempts from many goroutines, on one address and on each one's own:
// failures are admitted exactly up to the burst and each counted once;
// successes take nothing.
func TestIPLimiterConcurrent(t *testing.T) {
	const goroutines, each, burst = 8, 20, 50
	every := time.Hour
	l := newIPLimiter(every, burst)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	own := func(g int) string { return fmt.Sprintf("198.51.100.%d", g) }
	const failing, succeeding = "192.0.2.1", "192.0.2.2"
	var admitted, succeeded atomic.Int64
	attempt := func(ip string, failed bool) bool {
		if l.admit(ip, now) != 0 {
			return false
		}
		l.done(ip, now, failed)
		return true
	}
	together(goroutines, func(g int) {
		for range each {
			if attempt(failing, true) {
				admitted.Add(1)
			}
			if !attempt(own(g), true) {
				t.Errorf("%s refused after fewer failures than the burst", own(g))
			}
			if attempt(succeeding, false) {
				succeeded.Add(1)
			}
		}
	})
	if got := admitted.Load(); got != burst {
		t.Errorf("%d of %d failing attempts at once admitted, want the burst, %d", got, goroutines*each, burst)
	}
	if got := succeeded.Load(); got != goroutines*each {
		t.Errorf("%d of %d succeeding attempts admitted, want all", got, goroutines*each)
	}
	tokens := func(ip string) float64 { return l.ips[ip].failures.TokensAt(now) }
	if got := tokens(failing); got != 0 {
		t.Errorf("%s has %v attempts left, want 0", failing, got)
	}
	if w := l.admit(failing, now); w != every {
		t.Errorf("%s waits %v, want %v", failing, w, every)
	}
	for g := range goroutines {
		if got, want := tokens(own(g)), float64(burst-each); got != want {
			t.Errorf("%s has %v attempts left after %d failures, want %v", own(g), got, each, want)
		}
	}
	if got := tokens(succeeding); got != burst {
		t.Errorf("%s has %v attempts left after successes alone, want %d", succeeding, got, burst)
	}
	for ip, b := range l.ips {
		if b.pending != 0 {
			t.Errorf("%s has %d attempts under way after all ended", ip, b.pending)
		}
	}
}
