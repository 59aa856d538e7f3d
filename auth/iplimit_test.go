package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestIPLimiter(t *testing.T) {
	l := newIPLimiter(30*time.Second, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if w := l.wait("192.0.2.1", now); w != 0 {
			t.Fatalf("wait before failure %d = %v, want 0", i+1, w)
		}
		l.failed("192.0.2.1", now)
	}
	if w := l.wait("192.0.2.1", now); w != 30*time.Second {
		t.Errorf("wait after 3 failures = %v, want 30s", w)
	}
	if w := l.wait("192.0.2.2", now); w != 0 {
		t.Errorf("another IP waits %v, want 0", w)
	}
	if w := l.wait("192.0.2.1", now.Add(20*time.Second)); w != 10*time.Second {
		t.Errorf("wait 20s later = %v, want 10s", w)
	}
	if w := l.wait("192.0.2.1", now.Add(30*time.Second)); w != 0 {
		t.Errorf("wait once a token refilled = %v, want 0", w)
	}
}

func TestIPLimiterDropsIdleEntries(t *testing.T) {
	l := newIPLimiter(time.Second, 2)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.failed("192.0.2.1", now)
	l.failed("192.0.2.2", now.Add(time.Hour))
	l.dropIdle(now.Add(time.Hour))
	if _, ok := l.ips["192.0.2.1"]; ok {
		t.Errorf("an IP whose bucket refilled long ago is still tracked")
	}
	if _, ok := l.ips["192.0.2.2"]; !ok {
		t.Errorf("an IP that just failed was dropped")
	}
}

// Failures from many goroutines, on one address and on each one's own,
// are all counted, each once, and never past the burst.
func TestIPLimiterConcurrent(t *testing.T) {
	const goroutines, each, burst = 8, 10, 100
	every := time.Hour
	l := newIPLimiter(every, burst)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	own := func(g int) string { return fmt.Sprintf("198.51.100.%d", g) }
	const shared = "192.0.2.1"
	tokens := func(ip string) float64 { return l.ips[ip].TokensAt(now) }

	together(goroutines, func(g int) {
		for range each {
			l.failed(shared, now)
			l.failed(own(g), now)
			if w := l.wait(own(g), now); w != 0 {
				t.Errorf("%s waits %v after fewer failures than the burst", own(g), w)
			}
		}
	})
	if got, want := tokens(shared), float64(burst-goroutines*each); got != want {
		t.Errorf("%s has %v attempts left after %d concurrent failures, want %v", shared, got, goroutines*each, want)
	}
	for g := range goroutines {
		if got, want := tokens(own(g)), float64(burst-each); got != want {
			t.Errorf("%s has %v attempts left after %d failures, want %v", own(g), got, each, want)
		}
	}

	// As many failures again: past the burst, the address is refused for
	// exactly one refill, not more.
	together(goroutines, func(int) {
		for range each {
			l.failed(shared, now)
			l.wait(shared, now)
		}
	})
	if got := tokens(shared); got != 0 {
		t.Errorf("%s has %v attempts left after %d failures with a burst of %d, want 0", shared, got, 2*goroutines*each, burst)
	}
	if w := l.wait(shared, now); w != every {
		t.Errorf("%s waits %v, want %v", shared, w, every)
	}
	if len(l.ips) != goroutines+1 {
		t.Errorf("%d addresses tracked, want %d", len(l.ips), goroutines+1)
	}
}
