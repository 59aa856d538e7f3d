package auth

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/models"
)

// The accounts FuzzLogin logs in to. Fixed IDs let the seeds name tenants.
var (
	fuzzShopID  = uuid.MustParse("0190f5c0-0000-7000-8000-000000000001")
	fuzzOtherID = uuid.MustParse("0190f5c0-0000-7000-8000-000000000002")
)

const (
	fuzzShopPW     = "shop password"
	fuzzBobPW      = "bob: pässwörd"
	fuzzOtherBobPW = "other bob password"
	fuzzRootPW     = "root password"
)

// fuzzWant is who exactly these credentials are, if anyone: a platform
// account without a tenant, or a customer with its business named by ID
// (in any spelling uuid.Parse accepts) or by login.
func fuzzWant(login, pw, tenant string) (uuid.UUID, bool) {
	if tenant == "" {
		switch {
		case login == "shop" && pw == fuzzShopPW:
			return fuzzShopID, true
		case login == "root" && pw == fuzzRootPW:
			return uuid.Nil, true // root's ID is not fixed; any success will do
		}
		return uuid.Nil, false
	}
	business, err := uuid.Parse(tenant)
	if err != nil {
		switch tenant {
		case "shop":
			business = fuzzShopID
		case "other":
			business = fuzzOtherID
		default:
			return uuid.Nil, false
		}
	}
	switch {
	case business == fuzzShopID && login == "bob" && pw == fuzzBobPW:
		return uuid.Nil, true
	case business == fuzzOtherID && login == "bob" && pw == fuzzOtherBobPW:
		return uuid.Nil, true
	}
	return uuid.Nil, false
}

// FuzzLogin feeds arbitrary logins, passwords and tenants to Login against a
// real (SQLite) store: it never panics, fails only with ErrAuthFailed, and
// succeeds only for exactly the right login, password and tenant.
func FuzzLogin(f *testing.F) {
	ctx := context.Background()
	store, err := models.Open(ctx, "sqlite::memory:", models.Options{})
	if err != nil {
		f.Fatalf("models.Open() = %v", err)
	}
	f.Cleanup(func() { _ = store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		f.Fatalf("Migrate() = %v", err)
	}
	create := func(id uuid.UUID, tenant *uuid.UUID, login, pw, role string) {
		hash, err := testHasher.Hash(pw)
		if err != nil {
			f.Fatal(err)
		}
		if err := store.CreateClient(ctx, &models.Client{ID: id, TenantID: tenant, Login: login, PasswordHash: hash}, role); err != nil {
			f.Fatalf("CreateClient(%s) = %v", login, err)
		}
	}
	create(fuzzShopID, nil, "shop", fuzzShopPW, "business")
	create(fuzzOtherID, nil, "other", "other password", "business")
	create(uuid.Nil, &fuzzShopID, "bob", fuzzBobPW, "customer")
	create(uuid.Nil, &fuzzOtherID, "bob", fuzzOtherBobPW, "customer")
	create(uuid.Nil, nil, "root", fuzzRootPW, "admin")
	if err := store.CreateClient(ctx, &models.Client{Login: "nopass"}, "business"); err != nil {
		f.Fatal(err)
	}

	// Neither lockout may turn a right password into a refusal: the
	// property is about credentials alone.
	cfg := testConfig()
	cfg.Lockout.Threshold = math.MaxInt32
	cfg.IPFailureBurst = math.MaxInt32
	clock := start
	svc := NewIdentity(NewPersister(store), testHasher, cfg, func() time.Time { return clock }, discardLog)

	for _, seed := range []struct{ login, pw, tenant string }{
		{"shop", fuzzShopPW, ""},
		{"shop", fuzzShopPW + " ", ""},
		{"SHOP", fuzzShopPW, ""},
		{"shop", fuzzShopPW, "shop"},
		{"root", fuzzRootPW, ""},
		{"bob", fuzzBobPW, fuzzShopID.String()},
		{"bob", fuzzBobPW, strings.ToUpper(fuzzShopID.String())},
		{"bob", fuzzBobPW, "urn:uuid:" + fuzzShopID.String()},
		{"bob", fuzzBobPW, "shop"},
		{"bob", fuzzBobPW, "other"},
		{"bob", fuzzOtherBobPW, fuzzOtherID.String()},
		{"bob", fuzzBobPW, ""},
		{"bob", fuzzBobPW, "bob"},
		{"nopass", "", ""},
		{"", "", ""},
		{"sh\x00op", fuzzShopPW, ""},
		{"shop", fuzzShopPW, "\xff"},
		{strings.Repeat("a", 200), "x", ""},
		{"shop", strings.Repeat("é", 129), ""},
	} {
		f.Add(seed.login, seed.pw, seed.tenant)
	}
	f.Fuzz(func(t *testing.T, login, pw, tenant string) {
		clock = clock.Add(time.Second)
		res, err := svc.Logins.Login(ctx, Credentials{Login: login, Password: pw, Tenant: tenant}, Origin{IP: homeIP})
		wantID, want := fuzzWant(login, pw, tenant)
		if !want {
			if !errors.Is(err, ErrAuthFailed) || res != nil {
				t.Fatalf("Login(%q, %q, tenant %q) = %v, %v, want ErrAuthFailed", login, pw, tenant, res, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Login(%q, %q, tenant %q) = %v, want a session", login, pw, tenant, err)
		}
		if wantID != uuid.Nil && res.Session.ClientID != wantID {
			t.Fatalf("Login(%q, %q, tenant %q) = session of %s, want %s", login, pw, tenant, res.Session.ClientID, wantID)
		}
		p, err := svc.Requests.Token(ctx, res.Token, Origin{IP: homeIP})
		if err != nil || p.Account.Login != login {
			t.Fatalf("Authenticate(token of %q) = %v, %v, want the principal %q", login, p, err, login)
		}
	})
}

func testLoginOpensSessions(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	shop := f.client(nil, "shop", "shop password", "business")
	other := f.client(nil, "other-shop", "other password", "business")
	bob := f.client(&shop.ID, "bob", "bob password", "customer")
	f.client(&other.ID, "bob", "other bob password", "customer")
	root := f.client(nil, "root", "root password", "admin")

	f.run("business", func(t *testing.T) {
		res := f.mustLogin("shop", "shop password", "")
		s := res.Session
		if !s.ExpiresAt.Equal(start.Add(cfg.Sessions.IdleTimeout)) || !s.AbsoluteExpiresAt.Equal(start.Add(cfg.Sessions.AbsoluteLifetime)) {
			t.Errorf("Login() session expires %v, absolute %v, want %v, %v",
				s.ExpiresAt, s.AbsoluteExpiresAt, start.Add(cfg.Sessions.IdleTimeout), start.Add(cfg.Sessions.AbsoluteLifetime))
		}
		if s.ClientID != shop.ID || s.IP != homeIP || s.UserAgent != "test-agent/1.0" || !s.CreatedAt.Equal(start) || !s.LastSeenAt.Equal(start) {
			t.Errorf("Login() session = %+v, want client %s, IP %s, agent test-agent/1.0, created and seen at %v", s, shop.ID, homeIP, start)
		}
		if !LooksLikeSessionToken(res.Token) || s.SecretHash != HashToken(res.Token) {
			t.Errorf("Login() token %q, stored hash %q, want a bgs_ token whose hash is stored", res.Token, s.SecretHash)
		}
		if stored := f.stored(res.Token); stored.ID != s.ID || !stored.ExpiresAt.Equal(s.ExpiresAt) || !stored.AbsoluteExpiresAt.Equal(s.AbsoluteExpiresAt) {
			t.Errorf("LiveSession() = %+v, want the session Login returned, %+v", stored, s)
		}
		c, err := f.store.ClientByID(f.ctx, shop.ID)
		if err != nil || c.LastLoginAt == nil || !c.LastLoginAt.Equal(start) || c.LastLoginIP != homeIP || c.FailedLogins != 0 {
			t.Errorf("ClientByID(shop) after Login = %+v, %v, want last login %v from %s, no failures", c, err, start, homeIP)
		}

		p := f.mustAuthenticate(res.Token)
		if p.Account.ID != shop.ID || p.Session.ID != s.ID || !slices.Equal(p.Roles, []string{"business"}) || p.Level != models.LevelBusiness {
			t.Errorf("Authenticate() = client %s session %s roles %v level %d, want %s %s [business] %d",
				p.Account.ID, p.Session.ID, p.Roles, p.Level, shop.ID, s.ID, models.LevelBusiness)
		}
		if got, want := p.Resource(), "tenant/"+shop.ID.String(); got != want {
			t.Errorf("Resource() = %q, want %q", got, want)
		}
		for action, want := range map[string]bool{"auth:read": true, "customers:create": true, "roles:create": false, "policies:read": false} {
			if got := p.Can(action); got != want {
				t.Errorf("business Can(%q) = %v, want %v", action, got, want)
			}
		}
	})

	f.run("customer", func(t *testing.T) {
		tests := []struct {
			name   string
			tenant string
			wantOK bool
		}{
			{"business ID", shop.ID.String(), true},
			{"business ID upper-case", strings.ToUpper(shop.ID.String()), true},
			{"business login", "shop", true},
			{"no tenant", "", false},
			{"other business's ID", other.ID.String(), false},
			{"other business's login", "other-shop", false},
			{"unknown tenant login", "no-such-shop", false},
			{"unknown tenant ID", uuid.NewString(), false},
			{"the customer's own ID", bob.ID.String(), false},
			{"tenant login differs in case", "SHOP", false},
		}
		for _, tt := range tests {
			f.run(tt.name, func(t *testing.T) {
				res, err := f.login("bob", "bob password", tt.tenant)
				if !tt.wantOK {
					if !errors.Is(err, ErrAuthFailed) || res != nil {
						t.Errorf("Login(bob, tenant %q) = %v, %v, want ErrAuthFailed", tt.tenant, res, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Login(bob, tenant %q) = %v, want a session", tt.tenant, err)
				}
				p := f.mustAuthenticate(res.Token)
				if p.Account.ID != bob.ID || !slices.Equal(p.Roles, []string{"customer"}) || p.Level != models.LevelCustomer {
					t.Errorf("Authenticate() = client %s roles %v level %d, want %s [customer] %d", p.Account.ID, p.Roles, p.Level, bob.ID, models.LevelCustomer)
				}
				if got, want := p.Resource(), "tenant/"+shop.ID.String(); got != want {
					t.Errorf("Resource() = %q, want %q", got, want)
				}
				for action, want := range map[string]bool{"auth:read": true, "subscriptions:create": true, "customers:create": false} {
					if got := p.Can(action); got != want {
						t.Errorf("customer Can(%q) = %v, want %v", action, got, want)
					}
				}
			})
		}
	})

	f.run("admin", func(t *testing.T) {
		res := f.mustLogin("root", "root password", "")
		p := f.mustAuthenticate(res.Token)
		if p.Account.ID != root.ID || p.Level != models.LevelAdmin || !slices.Equal(p.Roles, []string{"admin"}) {
			t.Errorf("Authenticate() = client %s roles %v level %d, want %s [admin] %d", p.Account.ID, p.Roles, p.Level, root.ID, models.LevelAdmin)
		}
		if got := p.Resource(); got != "platform" {
			t.Errorf("Resource() = %q, want %q", got, "platform")
		}
		for _, action := range []string{"anything:at-all", "roles:create", "auth:read"} {
			if !p.Can(action) {
				t.Errorf("admin Can(%q) = false, want true", action)
			}
		}
	})

	f.run("two logins, two sessions", func(t *testing.T) {
		a := f.mustLogin("shop", "shop password", "")
		b := f.mustLogin("shop", "shop password", "")
		if a.Token == b.Token || a.Session.ID == b.Session.ID {
			t.Errorf("two Logins returned token %q and %q, sessions %s and %s, want different ones", a.Token, b.Token, a.Session.ID, b.Session.ID)
		}
	})
}

func testLoginFailures(t *testing.T, f *fixture) {
	shop := f.client(nil, "shop", "shop password", "business")
	f.client(&shop.ID, "bob", "bob password", "customer")
	disabled := f.client(nil, "gone", "gone password", "business")
	if err := f.store.SetDisabled(f.ctx, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	f.client(nil, "nopass", "", "business")
	broken := &models.Client{Login: "broken", PasswordHash: "$argon2id$v=19$garbage"}
	if err := f.store.CreateClient(f.ctx, broken, "business"); err != nil {
		t.Fatal(err)
	}
	long128 := strings.Repeat("l", maxLoginBytes)
	f.client(nil, long128, "pw", "business")
	// 43 three-byte runes: the column (128 characters) takes it, Login's
	// limit (128 bytes) refuses it, so this account cannot log in.
	wide := strings.Repeat("€", 43)
	f.client(nil, wide, "pw", "business")
	pw128 := strings.Repeat("é", maxPasswordRunes) // 256 bytes, 128 runes
	pw129 := pw128 + "é"
	f.client(nil, "pw128", pw128, "business")
	f.client(nil, "pw129", pw129, "business")

	tests := []struct {
		name              string
		login, pw, tenant string
		wantOK            bool
	}{
		{"right password", "shop", "shop password", "", true},
		{"wrong password", "shop", "shop passwore", "", false},
		{"password with a trailing space", "shop", "shop password ", "", false},
		{"password in other case", "shop", "SHOP PASSWORD", "", false},
		{"empty password", "shop", "", "", false},
		{"unknown login", "nobody", "shop password", "", false},
		{"login in other case", "SHOP", "shop password", "", false},
		{"empty login", "", "shop password", "", false},
		{"business with a tenant", "shop", "shop password", shop.ID.String(), false},
		{"customer without tenant", "bob", "bob password", "", false},
		{"customer with unknown tenant", "bob", "bob password", "no-such-shop", false},
		{"customer with unknown tenant ID", "bob", "bob password", uuid.NewString(), false},
		{"customer, wrong password", "bob", "shop password", shop.ID.String(), false},
		{"disabled client", "gone", "gone password", "", false},
		{"client without a password", "nopass", "", "", false},
		{"client without a password, some password", "nopass", "x", "", false},
		{"malformed stored hash", "broken", "anything", "", false},
		{"login of 128 bytes", long128, "pw", "", true},
		{"login of 129 bytes", long128 + "l", "pw", "", false},
		{"login of 43 characters, 129 bytes", wide, "pw", "", false},
		{"login of 1000 bytes", strings.Repeat("x", 1000), "pw", "", false},
		{"password of 128 runes", "pw128", pw128, "", true},
		{"password of 129 runes", "pw129", pw129, "", false},
		{"password of 1 MB", "shop", strings.Repeat("p", 1<<20), "", false},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			res, err := f.login(tt.login, tt.pw, tt.tenant)
			if tt.wantOK {
				if err != nil || res == nil {
					t.Errorf("Login(%.20q, tenant %q) = %v, %v, want a session", tt.login, tt.tenant, res, err)
				}
				return
			}
			if !errors.Is(err, ErrAuthFailed) || res != nil {
				t.Errorf("Login(%.20q, tenant %q) = %v, %v, want ErrAuthFailed", tt.login, tt.tenant, res, err)
			}
		})
	}
}

// A NUL (which a JSON body carries as \u0000) or invalid UTF-8 in a login or
// tenant is a failed login on every dialect, not a database error.
func testLoginOddBytes(t *testing.T, f *fixture) {
	shop := f.client(nil, "shop", "pw", "business")
	f.client(&shop.ID, "bob", "pw", "customer")
	tests := []struct {
		name          string
		login, tenant string
	}{
		{"NUL in login", "sh\x00op", ""},
		{"NUL-only login", "\x00", ""},
		{"invalid UTF-8 login", "sh\xffop", ""},
		{"NUL in tenant", "bob", "sh\x00op"},
		{"invalid UTF-8 tenant", "bob", "\xffshop"},
		{"NUL in customer login", "bo\x00b", "shop"},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			res, err := f.login(tt.login, "pw", tt.tenant)
			if !errors.Is(err, ErrAuthFailed) {
				t.Errorf("Login(%q, tenant %q) = %v, %v, want ErrAuthFailed", tt.login, tt.tenant, res, err)
			}
		})
	}
}

func testLoginRehashesLegacyHashes(t *testing.T, f *fixture) {
	weaker := password.New(password.Params{Memory: 128, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})
	otherParams, err := weaker.Hash("argon password")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, login, pw, stored string
	}{
		{"salted SHA-256", "legacy", "legacy password", legacySHA256("legacy password")},
		{"salted SHA-256, documented vector", "docs", "correct horse battery staple",
			"$sha256$0f1e2d3c4b5a69788796a5b4c3d2e1f0$737ee7522df51526d0ac487d93cbe29d4efbf207ce9c16f08633f6f3c0dce3b2"},
		{"argon2id at other parameters", "argon", "argon password", otherParams},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			c := &models.Client{Login: tt.login, PasswordHash: tt.stored}
			if err := f.store.CreateClient(f.ctx, c, "business"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.login(tt.login, tt.pw+"x", ""); !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("Login(wrong password) = %v, want ErrAuthFailed", err)
			}
			if got, _ := f.store.ClientByID(f.ctx, c.ID); got.PasswordHash != tt.stored {
				t.Fatalf("a failed login rewrote the hash to %q", got.PasswordHash)
			}
			res := f.mustLogin(tt.login, tt.pw, "")
			f.mustAuthenticate(res.Token)
			got, err := f.store.ClientByID(f.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") {
				t.Errorf("stored hash after login = %q, want $argon2id$ at the hasher's parameters", got.PasswordHash)
			}
			ok, rehash, err := testHasher.Verify(tt.pw, got.PasswordHash)
			if !ok || rehash || err != nil {
				t.Errorf("Verify(password, rehashed) = %v, %v, %v, want true, false, nil", ok, rehash, err)
			}
			// The new hash works, and is not replaced again.
			f.mustLogin(tt.login, tt.pw, "")
			if again, _ := f.store.ClientByID(f.ctx, c.ID); again.PasswordHash != got.PasswordHash {
				t.Errorf("a second login rewrote the hash again: %q, then %q", got.PasswordHash, again.PasswordHash)
			}
		})
	}
}

// The per-IP failure limit refuses an address that failed too often, on any
// accounts, whatever the password, without counting against the account.
func testLoginPerIPLimit(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.IPFailureBurst, cfg.IPFailureEvery = 3, 30*time.Second
	f.use(cfg)
	shop := f.client(nil, "shop", "right", "business")
	f.client(nil, "other", "right", "business")
	from := func(ip, login, pw string) (*LoginResult, error) {
		return f.svc.Logins.Login(f.ctx, Credentials{Login: login, Password: pw}, Origin{IP: ip})
	}

	for _, attempt := range []struct{ login, pw string }{{"shop", "wrong"}, {"ghost", "right"}, {"other", "wrong"}} {
		if _, err := from(homeIP, attempt.login, attempt.pw); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("Login(%s, %s) = %v, want ErrAuthFailed", attempt.login, attempt.pw, err)
		}
	}
	res, err := from(homeIP, "shop", "right")
	var locked *LockedError
	if !errors.As(err, &locked) || !locked.Until.Equal(f.clock.Add(30*time.Second)) || locked.RetryAfter(f.clock) != 30 {
		t.Fatalf("Login(right password) from an IP with 3 failures = %v, %v, want *LockedError until now + 30s", res, err)
	}
	if c, _ := f.store.ClientByID(f.ctx, shop.ID); c.FailedLogins != 1 {
		t.Errorf("after a refusal by IP: failed logins %d, want 1: the refusal is not an attempt on the account", c.FailedLogins)
	}
	if _, err := from(otherIP, "shop", "right"); err != nil {
		t.Errorf("Login() from another IP = %v, want a session", err)
	}

	f.advance(30 * time.Second) // one attempt earned back
	if _, err := from(homeIP, "shop", "right"); err != nil {
		t.Errorf("Login() 30s later = %v, want a session", err)
	}
	if _, err := from(homeIP, "shop", "wrong"); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("Login(wrong) = %v, want ErrAuthFailed", err)
	}
	if _, err := from(homeIP, "shop", "right"); !errors.As(err, &locked) || !locked.Until.Equal(f.clock.Add(30*time.Second)) {
		t.Errorf("Login() after the earned attempt was spent = %v, want *LockedError until now + 30s", err)
	}
}

// A flood from a refused address writes the audit trail at most once a
// second (per process), not once a request: its refusals are answered on
// the store's last word, and each is in the access log.
func testLoginPerIPLimitFloodIsAuditedOnceASecond(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.IPFailureBurst, cfg.IPFailureEvery = 1, 30*time.Second
	f.use(cfg)
	const flooder = "203.0.113.77"
	audited := func() int64 {
		t.Helper()
		var n int64
		if err := f.store.DB().Model(&models.AuditEvent{}).Where("ip = ? AND details LIKE ?", flooder, "%ip-limited%").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := f.svc.Logins.Login(f.ctx, Credentials{Login: "ghost", Password: "wrong"}, Origin{IP: flooder}); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("the first wrong login = %v, want ErrAuthFailed", err)
	}
	flood := func() {
		for range 50 {
			var locked *LockedError
			if _, err := f.svc.Logins.Login(f.ctx, Credentials{Login: "ghost", Password: "wrong"}, Origin{IP: flooder}); !errors.As(err, &locked) {
				t.Fatalf("a login from the refused address = %v, want *LockedError", err)
			}
		}
	}
	flood()
	if n := audited(); n != 1 {
		t.Errorf("50 refused logins in the same instant wrote %d ip-limited audit events, want 1", n)
	}
	f.advance(2 * time.Second)
	flood()
	if n := audited(); n != 2 {
		t.Errorf("50 more two seconds later: %d ip-limited audit events in all, want 2", n)
	}
}

func testChangePassword(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Lockout.Threshold = 3
	f.use(cfg)
	const old, next = "old password", "correct horse battery"
	shop := f.client(nil, "shop", old, "business")
	current := f.mustLogin("shop", old, "")
	sibling := f.mustLogin("shop", old, "")
	p := f.mustAuthenticate(current.Token)

	var invalid *InvalidPasswordError
	if err := f.svc.Logins.ChangePassword(f.ctx, p, old, "short"); !errors.As(err, &invalid) || !errors.Is(invalid.Reason, password.ErrTooShort) {
		t.Errorf("ChangePassword(too short) = %v, want *InvalidPasswordError wrapping ErrTooShort", err)
	}
	if err := f.svc.Logins.ChangePassword(f.ctx, p, "wrong", next); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("ChangePassword(wrong current) = %v, want ErrAuthFailed", err)
	}
	if err := f.svc.Logins.ChangePassword(f.ctx, p, strings.Repeat("x", maxPasswordRunes+1), next); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("ChangePassword(current of 129 runes) = %v, want ErrAuthFailed", err)
	}
	if err := f.svc.Logins.ChangePassword(f.ctx, p, old, next); err != nil {
		t.Fatalf("ChangePassword() = %v, want nil", err)
	}
	c, err := f.store.ClientByID(f.ctx, shop.ID)
	if err != nil || c.FailedLogins != 0 {
		t.Errorf("ClientByID() after ChangePassword = %+v, %v, want no failures", c, err)
	}
	f.mustAuthenticate(current.Token)
	if _, err := f.authenticate(sibling.Token); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("Authenticate(other session) after ChangePassword = %v, want ErrSessionUnknown", err)
	}
	if _, err := f.login("shop", old, ""); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("Login(old password) = %v, want ErrAuthFailed", err)
	}
	f.mustLogin("shop", next, "")

	// A wrong current password counts toward the lockout.
	for range 3 {
		if err := f.svc.Logins.ChangePassword(f.ctx, p, "wrong", next+"!"); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("ChangePassword(wrong current) = %v, want ErrAuthFailed", err)
		}
	}
	var locked *LockedError
	if err := f.svc.Logins.ChangePassword(f.ctx, p, next, next+"!"); !errors.As(err, &locked) {
		t.Errorf("ChangePassword(right current) after 3 failures = %v, want *LockedError", err)
	}
	if _, err := f.login("shop", next, ""); !errors.As(err, &locked) {
		t.Errorf("Login() after 3 failed changes = %v, want *LockedError", err)
	}
}

func (f *fixture) basic(login, pw, tenant string) (*Principal, error) {
	return f.svc.Logins.AuthenticateBasic(f.ctx, Credentials{Login: login, Password: pw, Tenant: tenant}, Origin{IP: otherIP})
}

// lastLogin is when the client's password was last verified: a Basic call
// answered from the verified-credential memory does not move it.
func (f *fixture) lastLogin(id uuid.UUID) time.Time {
	f.t.Helper()
	c, err := f.store.ClientByID(f.ctx, id)
	if err != nil || c.LastLoginAt == nil {
		f.t.Fatalf("ClientByID() = %+v, %v", c, err)
	}
	return c.LastLoginAt.UTC()
}

// Basic credentials act on a call with no session. Verified once, they are
// remembered (the password is not checked again) until the lifetime ends,
// the password changes or the account is disabled: those apply at once.
func testBasicOnEveryCall(t *testing.T, f *fixture) {
	shop := f.client(nil, "shop", "old password", "business")
	customer := f.client(&shop.ID, "alice", "alice password", "customer")

	p, err := f.basic("shop", "old password", "")
	if err != nil || p.Account.ID != shop.ID || p.Session != nil || p.IP != otherIP || !p.Can("products:create") {
		t.Fatalf("AuthenticateBasic(shop) = %+v, %v, want shop's principal with no session, from %s", p, err, otherIP)
	}
	verifiedAt := f.lastLogin(shop.ID)
	f.advance(time.Minute)
	if _, err := f.basic("shop", "old password", ""); err != nil {
		t.Fatalf("AuthenticateBasic(again) = %v", err)
	}
	if got := f.lastLogin(shop.ID); !got.Equal(verifiedAt) {
		t.Errorf("a repeated Basic call verified the password again (last login %v, want %v)", got, verifiedAt)
	}
	if _, err := f.basic("shop", "old password!", ""); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("AuthenticateBasic(wrong password) = %v, want ErrAuthFailed", err)
	}
	if p, err := f.basic("alice", "alice password", shop.ID.String()); err != nil || p.Account.ID != customer.ID {
		t.Errorf("AuthenticateBasic(customer in tenant) = %+v, %v, want alice", p, err)
	}
	if _, err := f.basic("alice", "alice password", ""); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("AuthenticateBasic(customer without tenant) = %v, want ErrAuthFailed", err)
	}

	f.run("lifetime", func(t *testing.T) {
		f.advance(testConfig().BasicCacheTTL)
		if _, err := f.basic("shop", "old password", ""); err != nil {
			t.Fatal(err)
		}
		if got := f.lastLogin(shop.ID); !got.After(verifiedAt) {
			t.Errorf("past the lifetime the password was not verified again (last login %v)", got)
		}
	})
	f.run("password change", func(t *testing.T) {
		hash, _ := testHasher.Hash("new password")
		if err := f.store.SetPassword(f.ctx, shop.ID, hash, f.clock); err != nil {
			t.Fatal(err)
		}
		if _, err := f.basic("shop", "old password", ""); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("the old password after a change = %v, want ErrAuthFailed", err)
		}
		if _, err := f.basic("shop", "new password", ""); err != nil {
			t.Errorf("the new password = %v", err)
		}
	})
	f.run("disable", func(t *testing.T) {
		if err := f.store.SetDisabled(f.ctx, shop.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.basic("shop", "new password", ""); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a disabled account's remembered credentials = %v, want ErrAuthFailed", err)
		}
	})
}

// Basic on a call counts failures toward the same lockout as the login
// from the same address.
func testBasicLockout(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Lockout.Threshold = 2
	f.use(cfg)
	f.client(nil, "shop", "right password", "business")
	for range 2 {
		if _, err := f.basic("shop", "wrong", ""); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("AuthenticateBasic(wrong) = %v, want ErrAuthFailed", err)
		}
	}
	var locked *LockedError
	if _, err := f.basic("shop", "right password", ""); !errors.As(err, &locked) {
		t.Errorf("AuthenticateBasic(right) when locked = %v, want *LockedError", err)
	}
	if _, err := f.svc.Logins.Login(f.ctx, Credentials{Login: "shop", Password: "right password"}, Origin{IP: otherIP}); !errors.As(err, &locked) {
		t.Errorf("Login() after Basic failures from the same address = %v, want *LockedError", err)
	}
	if _, err := f.login("shop", "right password", ""); err != nil {
		t.Errorf("Login() from another address = %v, want a session", err)
	}
}
