package models

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// An address's bucket: burst tokens, one back every period; a token given
// back is there again at once; another address has its own.
func TestTakeLoginIPToken(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		const ip, every, burst = "192.0.2.1", 30 * time.Second, 3
		take := func(ip string, at time.Time) time.Duration {
			t.Helper()
			wait, err := s.TakeLoginIPToken(ctx, ip, at, every, burst)
			if err != nil {
				t.Fatal(err)
			}
			return wait
		}
		for i := range burst {
			if w := take(ip, now); w != 0 {
				t.Fatalf("take %d = %v, want 0", i+1, w)
			}
		}
		for _, tt := range []struct {
			name string
			ip   string
			at   time.Time
			want time.Duration
		}{
			{"with the bucket empty", ip, now, every},
			{"another address", "192.0.2.2", now, 0},
			{"20s later", ip, now.Add(20 * time.Second), 10 * time.Second},
			{"once a token refilled", ip, now.Add(every), 0},
			{"with it taken", ip, now.Add(every), every},
		} {
			if w := take(tt.ip, tt.at); w != tt.want {
				t.Errorf("take %s = %v, want %v", tt.name, w, tt.want)
			}
		}
		if err := s.ReturnLoginIPToken(ctx, ip, every); err != nil {
			t.Fatal(err)
		}
		if w := take(ip, now.Add(every)); w != 0 {
			t.Errorf("take after a token was given back = %v, want 0", w)
		}
		if w := take(ip, now.Add(time.Hour)); w != 0 {
			t.Errorf("take an hour later = %v, want 0", w)
		}
		for i := range burst - 1 {
			if w := take(ip, now.Add(time.Hour)); w != 0 {
				t.Errorf("take %d of a refilled bucket = %v, want 0", i+2, w)
			}
		}
	})
}

// Twenty callers at once, as on several API processes, take exactly the
// burst; the others are told to wait.
func TestTakeLoginIPTokenIsAtomic(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		var wg sync.WaitGroup
		var taken atomic.Int32
		for range 20 {
			wg.Go(func() {
				wait, err := s.TakeLoginIPToken(ctx, "192.0.2.1", now, time.Hour, 5)
				if err != nil {
					t.Error(err)
				}
				if wait == 0 {
					taken.Add(1)
				}
			})
		}
		wg.Wait()
		if n := taken.Load(); n != 5 {
			t.Errorf("20 takes at once from a bucket of 5 took %d, want 5", n)
		}
	})
}

// The purge deletes the budgets of addresses whose bucket has been full
// since before its cutoff, along with the login throttles.
func TestPurgeLoginIPThrottles(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		for ip, at := range map[string]time.Time{"192.0.2.1": now.Add(-48 * time.Hour), "192.0.2.2": now.Add(-time.Hour)} {
			if _, err := s.TakeLoginIPToken(ctx, ip, at, 30*time.Second, 20); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PurgeLoginThrottles(ctx, now.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeLoginThrottles() = %d, %v, want 1", n, err)
		}
		var left []LoginIPThrottle
		if err := s.db.Find(&left).Error; err != nil || len(left) != 1 || left[0].ID != hashOf("192.0.2.2") {
			t.Errorf("left %+v (%v), want the recent address's budget alone", left, err)
		}
	})
}
