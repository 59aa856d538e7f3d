package auth

import (
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
