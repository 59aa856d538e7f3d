package auth

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/dbtest"
)

// onEachStore runs fn over a fresh store on every dialect.
func onEachStore(t *testing.T, fn func(t *testing.T, store *Persister)) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) { fn(t, NewPersister(openStore(t, target.DSN))) })
	}
}

func TestIPLimiter(t *testing.T) {
	onEachStore(t, func(t *testing.T, store *Persister) {
		ctx := context.Background()
		l := newIPLimiter(store, 30*time.Second, 3, discardLog)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		admit := func(ip string, at time.Time) time.Duration {
			t.Helper()
			w, _, err := l.admit(ctx, ip, at)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		for i := range 3 {
			if w := admit("192.0.2.1", now); w != 0 {
				t.Fatalf("admit before failure %d = %v, want 0", i+1, w)
			}
			l.done(ctx, "192.0.2.1", now, now, true)
		}
		if w := admit("192.0.2.1", now); w != 30*time.Second {
			t.Errorf("admit after 3 failures = %v, want 30s", w)
		}
		if w := admit("192.0.2.2", now); w != 0 {
			t.Errorf("another IP waits %v, want 0", w)
		}
		l.done(ctx, "192.0.2.2", now, now, false)
		if w := admit("192.0.2.1", now.Add(20*time.Second)); w != 10*time.Second {
			t.Errorf("admit 20s later = %v, want 10s", w)
		}
		later := now.Add(30 * time.Second)
		if w := admit("192.0.2.1", later); w != 0 {
			t.Errorf("admit once a token refilled = %v, want 0", w)
		}
		// The attempt under way holds the token: another must wait for it.
		if w := admit("192.0.2.1", later); w != 30*time.Second {
			t.Errorf("admit beside an attempt under way = %v, want 30s", w)
		}
		l.done(ctx, "192.0.2.1", later, later.Add(time.Second), false) // a success gives it back
		if w := admit("192.0.2.1", later.Add(time.Second)); w != 0 {
			t.Errorf("admit after a success = %v, want 0", w)
		}
		// A success that took a period or more keeps its token, which has
		// refilled meanwhile: given back, it would be taken from the
		// attempt that began since.
		one := newIPLimiter(store, 30*time.Second, 1, discardLog)
		slow, next := now, now.Add(31*time.Second)
		for _, at := range []time.Time{slow, next} {
			if w, _, err := one.admit(ctx, "192.0.2.3", at); err != nil || w != 0 {
				t.Fatalf("admit at %v = %v, %v, want 0", at.Sub(now), w, err)
			}
		}
		one.done(ctx, "192.0.2.3", slow, next, false)
		if w, _, err := one.admit(ctx, "192.0.2.3", next); err != nil || w != 30*time.Second {
			t.Errorf("admit beside the attempt that began after the slow one = %v, %v, want 30s", w, err)
		}
	})
}

// Attempts from many goroutines (as from several API processes), on one
// address and on each one's own: failures are admitted exactly up to the
// burst and each counted once; successes take nothing.
func TestIPLimiterConcurrent(t *testing.T) {
	onEachStore(t, func(t *testing.T, store *Persister) {
		const goroutines, each, burst = 8, 20, 50
		ctx := context.Background()
		every := time.Hour
		l := newIPLimiter(store, every, burst, discardLog)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		own := func(g int) string { return fmt.Sprintf("198.51.100.%d", g) }
		const failing, succeeding = "192.0.2.1", "192.0.2.2"
		var admitted, succeeded atomic.Int64
		attempt := func(ip string, failed bool) bool {
			w, _, err := l.admit(ctx, ip, now)
			if err != nil {
				t.Error(err)
			}
			if w != 0 {
				return false
			}
			l.done(ctx, ip, now, now, failed)
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
		// What is left of each budget: admitted failures until a wait.
		left := func(ip string) int {
			for n := 0; ; n++ {
				if w, _, err := l.admit(ctx, ip, now); err != nil || w != 0 {
					if err != nil {
						t.Fatal(err)
					}
					return n
				}
			}
		}
		if got := left(failing); got != 0 {
			t.Errorf("%s has %d attempts left, want 0", failing, got)
		}
		for g := range goroutines {
			if got := left(own(g)); got != burst-each {
				t.Errorf("%s has %d attempts left after %d failures, want %d", own(g), got, each, burst-each)
			}
		}
		if got := left(succeeding); got != burst {
			t.Errorf("%s has %d attempts left after successes alone, want %d", succeeding, got, burst)
		}
	})
}

// countingTokenStore counts the takes that reach the store.
type countingTokenStore struct {
	ipTokenStore
	takes atomic.Int64
}

func (s *countingTokenStore) TakeLoginIPToken(ctx context.Context, ip string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	s.takes.Add(1)
	return s.ipTokenStore.TakeLoginIPToken(ctx, ip, now, every, burst)
}

// Once the store refuses an address, the process refuses it without asking
// for up to refuseLocallyFor: a flood from one address costs the store a
// write a second, not one a request. A token the process gives back ends
// that at once; one another process gives back is seen within the second.
func TestIPLimiterRefusesLocallyOnTheStoresWord(t *testing.T) {
	onEachStore(t, func(t *testing.T, store *Persister) {
		ctx := context.Background()
		counted := &countingTokenStore{ipTokenStore: store}
		here, there := newIPLimiter(counted, 30*time.Second, 1, discardLog), newIPLimiter(store, 30*time.Second, 1, discardLog)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const ip = "192.0.2.1"
		var takes int64
		admit := func(l *ipLimiter, at time.Duration, want time.Duration, wantTakes int64) {
			t.Helper()
			w, byStore, err := l.admit(ctx, ip, now.Add(at))
			if err != nil || w != want {
				t.Errorf("admit at +%v = %v, %v, want %v", at, w, err, want)
			}
			if asked := counted.takes.Load() > takes; byStore != asked {
				t.Errorf("admit at +%v: by the store %v, but the store was asked: %v", at, byStore, asked)
			}
			takes = counted.takes.Load()
			if got := counted.takes.Load(); got != wantTakes {
				t.Errorf("after the admit at +%v the store saw %d takes, want %d", at, got, wantTakes)
			}
		}
		admit(here, 0, 0, 1)              // the one token, for an attempt under way
		admit(here, 0, 30*time.Second, 2) // refused by the store
		for range 100 {                   // refused here
			admit(here, 500*time.Millisecond, 29500*time.Millisecond, 2)
		}
		admit(here, 2*time.Second, 28*time.Second, 3) // asks again after a second
		admit(here, 2*time.Second, 28*time.Second, 3)
		here.done(ctx, ip, now, now.Add(2*time.Second), false) // a success: the token is back
		admit(here, 2*time.Second, 0, 4)
		here.done(ctx, ip, now.Add(2*time.Second), now.Add(2*time.Second), false)
		if w, _, err := there.admit(ctx, ip, now.Add(2*time.Second)); err != nil || w != 0 {
			t.Fatalf("the other process's admit = %v, %v, want 0", w, err)
		}
		admit(here, 2*time.Second, 30*time.Second, 5)
		there.done(ctx, ip, now.Add(2*time.Second), now.Add(2*time.Second), false)
		admit(here, 2500*time.Millisecond, 29500*time.Millisecond, 5) // not known here yet
		admit(here, 3*time.Second, 0, 6)
		if w, _, err := here.admit(ctx, "192.0.2.2", now.Add(3*time.Second)); err != nil || w != 0 {
			t.Errorf("another address waits %v, %v, want 0", w, err)
		}
	})
}
