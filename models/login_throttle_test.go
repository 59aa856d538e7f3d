package models

import (
	"context"
	"sync"
	"testing"
	"time"
)

// lockAfter is a lockout rule for ReserveLoginAttempt: the attempt that
// reaches limit, made at now, locks its source for lockFor(attempts past
// the limit). The identity core's rule is auth.Lockout.
func lockAfter(limit int, now time.Time, lockFor func(n int) time.Duration) func(attempt int) *time.Time {
	return func(attempt int) *time.Time {
		if attempt < limit {
			return nil
		}
		until := now.Add(lockFor(attempt - limit))
		return &until
	}
}

// Twenty parallel attempts from one source against a limit of five reserve
// exactly five; the fifth locks the source out, and each lock after expiry
// is longer. An account that does not exist is counted the same.
func TestReserveLoginAttemptIsAtomic(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		lockFor := func(n int) time.Duration { return time.Minute << n }
		for _, src := range []LoginSource{
			SourceOf(newClient(t, s, nil, "target"), "192.0.2.1"),
			{Login: "nobody", Tenant: "no-such-shop", IP: "192.0.2.1"},
		} {
			var wg sync.WaitGroup
			var mu sync.Mutex
			reserved := 0
			for range 20 {
				wg.Go(func() {
					_, ok, err := s.ReserveLoginAttempt(ctx, src, now, lockAfter(5, now, lockFor))
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						reserved++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if reserved != 5 {
				t.Fatalf("%s: reserved %d of 20 parallel attempts, want 5", src.Login, reserved)
			}
			got, ok, err := s.ReserveLoginAttempt(ctx, src, now, lockAfter(5, now, lockFor))
			if err != nil || ok || got.Failures != 5 || !got.LockedUntil.Equal(now.Add(time.Minute)) {
				t.Fatalf("%s: the 21st attempt = %+v, %v, %v, want refused, 5 failures, locked until %v", src.Login, got, ok, err, now.Add(time.Minute))
			}

			later := now.Add(2 * time.Minute) // the first lock has expired
			got, ok, err = s.ReserveLoginAttempt(ctx, src, later, lockAfter(5, later, lockFor))
			if err != nil || !ok || !got.LockedUntil.Equal(later.Add(2*time.Minute)) {
				t.Fatalf("%s: attempt after expiry = %v, %v, locked until %v, want a slot and a 2m lock", src.Login, ok, err, got.LockedUntil)
			}
			if _, ok, _ := s.ReserveLoginAttempt(ctx, src, later, lockAfter(5, later, lockFor)); ok {
				t.Errorf("%s: a second attempt in the new lock was reserved", src.Login)
			}
		}
	})
}

// A lockout holds for its source only: another address, another login or
// another tenant is not locked, and a success clears its own source alone.
// A new password clears every source of the account.
func TestLoginThrottlesArePerSource(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		lockFor := func(int) time.Duration { return time.Hour }
		shop := newClient(t, s, nil, "shop")
		bob := newClient(t, s, &shop.ID, "bob")
		attacker, home := SourceOf(bob, "203.0.113.66"), SourceOf(bob, "198.51.100.7")
		locked := func(src LoginSource) bool {
			t.Helper()
			got, ok, err := s.ReserveLoginAttempt(ctx, src, now, lockAfter(1, now, lockFor))
			if err != nil {
				t.Fatal(err)
			}
			return !ok && got.LockedUntil != nil
		}

		if locked(attacker) || !locked(attacker) {
			t.Fatalf("the attacker's source is not locked after reaching the limit")
		}
		others := []LoginSource{home, {Login: "bob", IP: attacker.IP}, {Login: "bob", Tenant: "shop", IP: attacker.IP}, SourceOf(shop, attacker.IP)}
		for _, src := range others {
			if locked(src) {
				t.Errorf("source %+v is locked by the attacker's failures", src)
			}
		}
		if err := s.RecordLoginSuccess(ctx, bob.ID, home, now, ""); err != nil {
			t.Fatal(err)
		}
		if !locked(attacker) {
			t.Errorf("a success from home unlocked the attacker's source")
		}
		if err := s.SetPassword(ctx, bob.ID, "new hash", now); err != nil {
			t.Fatal(err)
		}
		if locked(attacker) {
			t.Errorf("the attacker's source is still locked after a new password")
		}
	})
}

// The client's statistics count wrong passwords and stamp the last one; a
// login resets the count and keeps the stamp.
func TestLoginStatistics(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		c := newClient(t, s, nil, "shop")
		failed := time.Now().UTC().Truncate(time.Second)
		for range 2 {
			if err := s.RecordLoginFailure(ctx, c.ID, failed); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.ClientByID(ctx, c.ID)
		if got.FailedLogins != 2 || got.LastFailedLoginAt == nil || !got.LastFailedLoginAt.Equal(failed) || got.LastLoginAt != nil {
			t.Fatalf("after 2 failures: %+v, want 2 failures stamped %v and no login", got, failed)
		}
		login := failed.Add(time.Minute)
		if err := s.RecordLoginSuccess(ctx, c.ID, SourceOf(c, "192.0.2.1"), login, "newhash"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.ClientByID(ctx, c.ID)
		if got.FailedLogins != 0 || !got.LastFailedLoginAt.Equal(failed) || !got.LastLoginAt.Equal(login) || got.LastLoginIP != "192.0.2.1" || got.PasswordHash != "newhash" {
			t.Errorf("after a login: %+v, want no failures, the failure's stamp kept, the login, its IP and the rehash stored", got)
		}
	})
}

// Counts untouched for the retention whose lock has ended are purged.
func TestPurgeLoginThrottles(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		old, recent := LoginSource{Login: "old", IP: "192.0.2.1"}, LoginSource{Login: "recent", IP: "192.0.2.1"}
		longLocked := LoginSource{Login: "long", IP: "192.0.2.1"}
		for _, attempt := range []struct {
			src  LoginSource
			at   time.Time
			lock time.Duration
		}{{old, now.Add(-48 * time.Hour), time.Minute}, {longLocked, now.Add(-48 * time.Hour), 72 * time.Hour}, {recent, now, time.Minute}} {
			if _, _, err := s.ReserveLoginAttempt(ctx, attempt.src, attempt.at, lockAfter(1, attempt.at, func(int) time.Duration { return attempt.lock })); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PurgeLoginThrottles(ctx, now.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeLoginThrottles() = %d, %v, want 1", n, err)
		}
		if _, ok, _ := s.ReserveLoginAttempt(ctx, longLocked, now, lockAfter(1, now, func(int) time.Duration { return time.Minute })); ok {
			t.Errorf("a lock still running was purged")
		}
	})
}
