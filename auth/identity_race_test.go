package auth

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/signature"
)

// outcomes counts how concurrent calls ended; an error other than
// ErrAuthFailed and *LockedError is a test error.
type outcomes struct {
	mu                 sync.Mutex
	ok, failed, locked int
}

func (o *outcomes) add(t *testing.T, err error) {
	t.Helper()
	var locked *LockedError
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil:
		o.ok++
	case errors.Is(err, ErrAuthFailed):
		o.failed++
	case errors.As(err, &locked):
		o.locked++
	default:
		t.Errorf("unexpected error: %v", err)
	}
}

func (o *outcomes) String() string {
	return fmt.Sprintf("%d ok, %d ErrAuthFailed, %d *LockedError", o.ok, o.failed, o.locked)
}

// 20 wrong passwords at once for one account from one address: the
// lockout counts each once, so exactly Threshold of them are checked and
// the rest refused, as one after the other would be (e2e's TestLockout, in
// the process).
func testConcurrentWrongLogins(t *testing.T, f *fixture) {
	f.client(nil, "shop", "right", "business")
	login := func(name, pw, ip string) error {
		_, err := f.svc.Logins.Login(f.ctx, Credentials{Login: name, Password: pw}, Origin{IP: ip})
		return err
	}
	var got outcomes
	together(20, func(int) { got.add(t, login("shop", "wrong", homeIP)) })
	if threshold := testConfig().Lockout.Threshold; got.failed != threshold || got.locked != 20-threshold {
		t.Errorf("20 wrong passwords at once = %v, want %d ErrAuthFailed and the rest locked", &got, threshold)
	}
	var locked *LockedError
	if err := login("shop", "right", homeIP); !errors.As(err, &locked) {
		t.Errorf("the right password from the locked source = %v, want *LockedError", err)
	}
	if err := login("shop", "right", otherIP); err != nil {
		t.Errorf("the right password from another address = %v, want a session", err)
	}

	// The per-IP limit, over many accounts: an attempt holds its token
	// while it is checked, so exactly the burst of them are.
	cfg := testConfig()
	cfg.IPFailureBurst, cfg.IPFailureEvery = 5, 30*time.Second
	f.use(cfg)
	const guesser = "203.0.113.9"
	got = outcomes{}
	together(20, func(i int) { got.add(t, login(fmt.Sprintf("ghost%d", i), "wrong", guesser)) })
	if got.failed != cfg.IPFailureBurst || got.locked != 20-cfg.IPFailureBurst {
		t.Errorf("20 wrong logins at once from one address = %v, want %d ErrAuthFailed and the rest locked", &got, cfg.IPFailureBurst)
	}
	if err := login("shop", "right", guesser); !errors.As(err, &locked) || !locked.Until.Equal(f.clock.Add(cfg.IPFailureEvery)) {
		t.Errorf("the right password from the limited address = %v, want *LockedError until now + %v", err, cfg.IPFailureEvery)
	}
	if err := login("shop", "right", otherIP); err != nil {
		t.Errorf("the right password from another address = %v, want a session", err)
	}
}

// appliesAtOnce calls attempt from 8 goroutines at once, all through
// change: each goroutine's first call, made before change, must succeed,
// and every call begun after change returned must fail with want. Calls
// that overlap change may go either way.
func appliesAtOnce(t *testing.T, attempt func() error, change func() error, want error) {
	t.Helper()
	const goroutines, after = 8, 3
	var changed atomic.Bool
	var first sync.WaitGroup
	first.Add(goroutines)
	var all sync.WaitGroup
	for g := range goroutines {
		all.Go(func() {
			var once sync.Once
			defer once.Do(first.Done)
			for n := 0; n < after; {
				begunAfter := changed.Load()
				err := attempt()
				switch {
				case begunAfter && !errors.Is(err, want):
					t.Errorf("goroutine %d: a call begun after the change = %v, want %v", g, err, want)
					return
				case !begunAfter && err != nil && !errors.Is(err, want):
					t.Errorf("goroutine %d: a call during the change = %v", g, err)
					return
				}
				once.Do(func() {
					if err != nil {
						t.Errorf("goroutine %d: a call before the change = %v, want success", g, err)
					}
					first.Done()
				})
				if begunAfter {
					n++
				}
			}
		})
	}
	first.Wait()
	if err := change(); err != nil {
		t.Errorf("change: %v", err)
	}
	changed.Store(true)
	all.Wait()
}

// Basic credentials verified before a password change are refused by
// every call that begins once the change is stored, however many calls
// are remembering, looking up and dropping them meanwhile.
func testConcurrentBasicPasswordChange(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Lockout.Threshold = 1 << 20 // refusals stay ErrAuthFailed
	f.use(cfg)
	shop := f.client(nil, "shop", "old password", "business")
	appliesAtOnce(t, func() error {
		_, err := f.basic("shop", "old password", "")
		return err
	}, func() error {
		hash, err := testHasher.Hash("new password")
		if err == nil {
			err = f.store.SetPassword(f.ctx, shop.ID, hash, f.clock)
		}
		return err
	}, ErrAuthFailed)
	if _, err := f.basic("shop", "new password", ""); err != nil {
		t.Errorf("the new password = %v", err)
	}
}

// A session authenticated from the principal cache by many requests is
// refused by every request that begins once its account is disabled.
func testConcurrentSessionDisable(t *testing.T, f *fixture) {
	shop := f.client(nil, "shop", "pw", "business")
	token := f.mustLogin("shop", "pw", "").Token
	appliesAtOnce(t, func() error {
		_, err := f.authenticate(token)
		return err
	}, func() error {
		return f.store.SetDisabled(f.ctx, shop.ID, true)
	}, ErrSessionUnknown)
}

// The same signed request, presented by 16 callers at once, acts once.
func testConcurrentSignatureReplay(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	k, secret, err := f.svc.SigningKeys.Create(f.ctx, f.sessionPrincipal("shop"), NewSigningKey{Name: "portal", Algorithm: signature.HMACSHA256})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Date": {f.clock.Format(http.TimeFormat)}, "Host": {"billgate.test"}}
	req := signedRequest(t, k.ID.String(), secret, signature.HMACSHA256, []string{"(request-target)", "host", "date"}, "DELETE", "/v1/products/1", h, nil)
	var got outcomes
	together(16, func(int) {
		mine := req
		mine.Header = req.Header.Clone() // each its own HTTP request
		_, err := f.svc.SigningKeys.Authenticate(f.ctx, mine, Origin{IP: otherIP})
		got.add(t, err)
	})
	if got.ok != 1 || got.failed != 15 {
		t.Errorf("one signed request presented 16 times at once = %v, want 1 ok and 15 ErrAuthFailed", &got)
	}
}
