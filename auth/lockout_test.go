package auth

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func testLockout(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Lockout.Threshold, cfg.Lockout.Base, cfg.Lockout.Max = 3, time.Minute, time.Hour
	f.use(cfg)
	shop := f.client(nil, "shop", "right", "business")
	f.client(nil, "other", "right", "business")

	wantFailed := func(pw string) {
		t.Helper()
		if res, err := f.login("shop", pw, ""); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("Login(shop, %q) at %v = %v, %v, want ErrAuthFailed", pw, f.clock.Sub(start), res, err)
		}
	}
	wantLocked := func(pw string, until time.Time) {
		t.Helper()
		res, err := f.login("shop", pw, "")
		var locked *LockedError
		if !errors.As(err, &locked) {
			t.Fatalf("Login(shop, %q) at %v = %v, %v, want *LockedError", pw, f.clock.Sub(start), res, err)
		}
		if !locked.Until.Equal(until) {
			t.Fatalf("Login(shop, %q) at %v: locked until %v, want %v", pw, f.clock.Sub(start), locked.Until, until)
		}
	}

	for range 3 {
		wantFailed("wrong")
	}
	firstLock := f.clock.Add(time.Minute)
	res, err := f.login("shop", "right", "")
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("Login(right password) after 3 failures = %v, %v, want *LockedError", res, err)
	}
	if !locked.Until.Equal(firstLock) {
		t.Errorf("LockedError.Until = %v, want %v (now + 1m)", locked.Until, firstLock)
	}
	if got := locked.RetryAfter(f.clock); got != 60 {
		t.Errorf("LockedError.RetryAfter(now) = %d, want 60", got)
	}
	wantLocked("wrong", firstLock)
	if _, err := f.login("other", "right", ""); err != nil {
		t.Errorf("Login(other) while shop is locked = %v, want a session: the lock is per account", err)
	}

	f.advance(59 * time.Second)
	wantLocked("right", firstLock)
	f.advance(2 * time.Second) // past the first lock
	wantFailed("wrong")        // the 4th failure locks for 2m
	secondLock := f.clock.Add(2 * time.Minute)
	wantLocked("right", secondLock)

	f.advance(2*time.Minute + time.Second)
	f.mustLogin("shop", "right", "") // the 5th attempt, right: unlocks
	c, err := f.store.ClientByID(f.ctx, shop.ID)
	if err != nil || c.FailedLogins != 0 {
		t.Fatalf("ClientByID(shop) after a login = %+v, %v, want no failures", c, err)
	}
	wantFailed("wrong")
	f.mustLogin("shop", "right", "") // one failure after a reset locks nothing
	for range 2 {
		wantFailed("wrong")
	}
	f.mustLogin("shop", "right", "") // the 3rd attempt, right, succeeds
}

// The lockout holds per account and source: an unknown login is locked
// out as a known one is, another address is not, and a tenant named by its
// login or by its ID is one account.
func testLockoutPerSource(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Lockout.Threshold = 3
	f.use(cfg)
	shop := f.client(nil, "shop", "right", "business")
	bob := f.client(&shop.ID, "bob", "right", "customer")
	from := func(ip, login, pw, tenant string) error {
		_, err := f.svc.Logins.Login(f.ctx, Credentials{Login: login, Password: pw, Tenant: tenant}, Origin{IP: ip})
		return err
	}
	lockedUntil := f.clock.Add(time.Minute)
	for _, account := range []struct{ login, tenant string }{{"shop", ""}, {"ghost", ""}, {"bob", "shop"}, {"nobody", "shop"}, {"bob", "no-such-shop"}} {
		for range 3 {
			if err := from(homeIP, account.login, "wrong", account.tenant); !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("Login(%+v, wrong) = %v, want ErrAuthFailed", account, err)
			}
		}
		var locked *LockedError
		if err := from(homeIP, account.login, "right", account.tenant); !errors.As(err, &locked) || !locked.Until.Equal(lockedUntil) {
			t.Errorf("Login(%+v, right) after 3 failures = %v, want *LockedError until %v", account, err, lockedUntil)
		}
	}
	var locked *LockedError
	if err := from(homeIP, "bob", "right", shop.ID.String()); !errors.As(err, &locked) {
		t.Errorf("Login(bob, tenant by ID) = %v, want *LockedError: the tenant named by login is the same", err)
	}
	if c, _ := f.store.ClientByID(f.ctx, bob.ID); c.FailedLogins != 3 || c.LastFailedLoginAt == nil {
		t.Errorf("bob's statistics = %d failures, last %v, want 3 and a time", c.FailedLogins, c.LastFailedLoginAt)
	}
	for _, account := range []struct{ login, tenant string }{{"shop", ""}, {"bob", "shop"}, {"bob", shop.ID.String()}} {
		if err := from(otherIP, account.login, "right", account.tenant); err != nil {
			t.Errorf("Login(%+v) from another address = %v, want a session", account, err)
		}
	}
	if err := from(homeIP, "shop", "right", ""); !errors.As(err, &locked) {
		t.Errorf("Login(shop) from the locked address after a success elsewhere = %v, want *LockedError", err)
	}
}

func TestLockFor(t *testing.T) {
	tests := []struct {
		base, max time.Duration
		n         int
		want      time.Duration
	}{
		{time.Minute, time.Hour, 0, time.Minute},
		{time.Minute, time.Hour, 1, 2 * time.Minute},
		{time.Minute, time.Hour, 2, 4 * time.Minute},
		{time.Minute, time.Hour, 5, 32 * time.Minute},
		{time.Minute, time.Hour, 6, time.Hour},
		{time.Minute, time.Hour, 7, time.Hour},
		{time.Minute, time.Hour, 30, time.Hour},
		{time.Minute, time.Hour, 31, time.Hour},
		{time.Minute, time.Hour, 1000, time.Hour},
		{time.Minute, time.Hour, math.MaxInt, time.Hour},
		{time.Minute, time.Hour, -1, time.Minute},
		{2 * time.Hour, time.Hour, 0, time.Hour}, // a base above the cap is capped
		{time.Second, 24 * time.Hour, 1000, 24 * time.Hour},
		{time.Nanosecond, 365 * 24 * time.Hour, 1000, 365 * 24 * time.Hour}, // doubles until the cap, never overflows
	}
	for _, tt := range tests {
		l := Lockout{Base: tt.base, Max: tt.max}
		if got := l.lockFor(tt.n); got != tt.want {
			t.Errorf("lockFor(%d) with base %v, max %v = %v, want %v", tt.n, tt.base, tt.max, got, tt.want)
		}
	}
}

// lockFor must never go negative or shrink as n grows, whatever the cap.
func TestLockForMonotonic(t *testing.T) {
	caps := []time.Duration{time.Hour, 100 * 365 * 24 * time.Hour, math.MaxInt64}
	for _, max := range caps {
		l := Lockout{Base: time.Minute, Max: max}
		prev := time.Duration(0)
		for n := range 64 {
			got := l.lockFor(n)
			if got < prev || got <= 0 || got > max {
				t.Fatalf("lockFor(%d) with base 1m, max %v = %v, want within (0, max] and >= lockFor(%d) = %v", n, max, got, n-1, prev)
			}
			prev = got
		}
	}
}

func TestLockedErrorRetryAfter(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want int
	}{
		{60 * time.Second, 60},
		{59*time.Second + time.Millisecond, 60},
		{time.Second, 1},
		{200 * time.Millisecond, 1},
		{0, 1},
		{-time.Hour, 1},
		{2 * time.Hour, 7200},
	}
	for _, tt := range tests {
		e := &LockedError{Until: start.Add(tt.wait)}
		if got := e.RetryAfter(start); got != tt.want {
			t.Errorf("RetryAfter(until - %v) = %d, want %d", tt.wait, got, tt.want)
		}
	}
	e := &LockedError{Until: start}
	if got := e.Error(); !strings.Contains(got, start.Format(time.RFC3339)) {
		t.Errorf("LockedError.Error() = %q, want it to name %s", got, start.Format(time.RFC3339))
	}
}
