package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
)

// testHasher is cheap: the tests check the identity core, not argon2id.
var testHasher = password.New(password.Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})

var discardLog = slog.New(slog.DiscardHandler)

// start is where every test clock begins: whole seconds, so that Postgres's
// microsecond timestamps round-trip exactly.
var start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// testConfig is DefaultConfig with the per-IP failure limit out of the way:
// every test logs in from one address, and most of them fail on purpose.
// TestLoginPerIPLimit checks the limit.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.IPFailureBurst = 1 << 20
	return cfg
}

const (
	homeIP  = "192.0.2.1"
	otherIP = "198.51.100.7"
)

// fixture is a migrated store, a Service over it and the clock it reads.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *models.Store
	svc   *Identity
	clock time.Time
}

func (f *fixture) now() time.Time          { return f.clock }
func (f *fixture) advance(d time.Duration) { f.clock = f.clock.Add(d) }

// run is t.Run for the fixture's current test: the helpers report to the
// subtest while it runs (subtests here are never parallel).
func (f *fixture) run(name string, fn func(t *testing.T)) {
	parent := f.t
	parent.Run(name, func(t *testing.T) {
		f.t = t
		defer func() { f.t = parent }()
		fn(t)
	})
}

// service is another Service over the same store and clock.
func (f *fixture) service(cfg Config) *Identity {
	return NewIdentity(f.store, testHasher, cfg, f.now, discardLog)
}

// use points the fixture's Service at cfg.
func (f *fixture) use(cfg Config) { f.svc = f.service(cfg) }

// tokenConfig is testConfig issuing HS256 access tokens.
func (f *fixture) tokenConfig() Config {
	f.t.Helper()
	cfg := testConfig()
	tokens, err := NewTokens([]TokenKey{{ID: "k1", Secret: []byte(strings.Repeat("s", 32))}}, "https://billgate.test", f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.Tokens = tokens
	return cfg
}

// TestService runs every store-backed check against a real database on
// every dialect (dbtest.Targets). SQLite gets a fresh in-memory database per
// check; Postgres gets one database for the whole run, emptied of clients
// and sessions before each check, since creating a database costs about
// half a second. Run one check with e.g. -run 'TestService/postgres/Lockout'.
func TestService(t *testing.T) {
	checks := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"LoginOpensSessions", testLoginOpensSessions},
		{"LoginLifetimeShorterThanIdle", testLoginLifetimeShorterThanIdle},
		{"LoginFailures", testLoginFailures},
		{"LoginOddBytes", testLoginOddBytes},
		{"LoginTruncatesUserAgent", testLoginTruncatesUserAgent},
		{"LoginPerIPLimit", testLoginPerIPLimit},
		{"Lockout", testLockout},
		{"LockoutPerSource", testLockoutPerSource},
		{"LoginRehashesLegacyHashes", testLoginRehashesLegacyHashes},
		{"AuthenticateRefuses", testAuthenticateRefuses},
		{"AuthenticateSlidesIdleExpiry", testAuthenticateSlidesIdleExpiry},
		{"AuthenticateIdleExpiryBoundary", testAuthenticateIdleExpiryBoundary},
		{"AuthenticateThrottlesTouch", testAuthenticateThrottlesTouch},
		{"AuthenticateIPBinding", testAuthenticateIPBinding},
		{"AccessTokens", testAccessTokens},
		{"BasicOnEveryCall", testBasicOnEveryCall},
		{"BasicLockout", testBasicLockout},
		{"AccessTokenFromBasic", testAccessTokenFromBasic},
		{"APIKeys", testAPIKeys},
		{"APIKeyNarrowing", testAPIKeyNarrowing},
		{"Signatures", testSignatures},
		{"SignatureRules", testSignatureRules},
		{"PayloadTemplates", testPayloadTemplates},
		{"ExtendSession", testExtendSession},
		{"RevokeSessions", testRevokeSessions},
		{"ChangePassword", testChangePassword},
	}
	ctx := context.Background()
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			fresh := target.DSN == "sqlite::memory:" // a new database on every Open
			var shared *models.Store
			var raw *sql.DB
			if !fresh {
				shared = openStore(t, target.DSN)
				var err error
				if raw, err = sql.Open("pgx", target.DSN); err != nil {
					t.Fatalf("sql.Open(%s) = %v", target.Name, err)
				}
				t.Cleanup(func() { _ = raw.Close() })
			}
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					store := shared
					if fresh {
						store = openStore(t, target.DSN)
					} else {
						for _, q := range []string{
							"DELETE FROM sessions",
							"DELETE FROM login_throttles",
							"DELETE FROM client_roles",
							"DELETE FROM clients WHERE tenant_id IS NOT NULL",
							"DELETE FROM clients",
							"DELETE FROM role_policies WHERE role_id IN (SELECT id FROM roles WHERE NOT builtin)",
							"DELETE FROM roles WHERE NOT builtin",
							"DELETE FROM policies WHERE id NOT IN (SELECT policy_id FROM role_policies)",
						} {
							if _, err := raw.ExecContext(ctx, q); err != nil {
								t.Fatalf("%s: %v", q, err)
							}
						}
					}
					f := &fixture{t: t, ctx: ctx, store: store, clock: start}
					f.use(testConfig())
					c.fn(t, f)
				})
			}
		})
	}
}

// openStore opens and migrates the database dsn names.
func openStore(t testing.TB, dsn string) *models.Store {
	t.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, dsn, models.Options{})
	if err != nil {
		t.Fatalf("models.Open() = %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	return store
}

// client creates an account whose password is pw ("" leaves it without one).
func (f *fixture) client(tenant *uuid.UUID, login, pw string, roles ...string) *models.Client {
	f.t.Helper()
	c := &models.Client{TenantID: tenant, Login: login}
	if pw != "" {
		hash, err := testHasher.Hash(pw)
		if err != nil {
			f.t.Fatalf("Hash() = %v", err)
		}
		c.PasswordHash = hash
	}
	if err := f.store.CreateClient(f.ctx, c, roles...); err != nil {
		f.t.Fatalf("CreateClient(%s) = %v", login, err)
	}
	return c
}

func (f *fixture) login(login, pw, tenant string) (*LoginResult, error) {
	return f.svc.Logins.Login(f.ctx, Credentials{Login: login, Password: pw, Tenant: tenant}, Origin{IP: homeIP, UserAgent: "test-agent/1.0"})
}

func (f *fixture) mustLogin(login, pw, tenant string) *LoginResult {
	f.t.Helper()
	res, err := f.login(login, pw, tenant)
	if err != nil {
		f.t.Fatalf("Login(%s, tenant %q) = %v, want a session", login, tenant, err)
	}
	return res
}

func (f *fixture) authenticate(token string) (*Principal, error) {
	return f.svc.Requests.Token(f.ctx, token, Origin{IP: homeIP})
}

func (f *fixture) mustAuthenticate(token string) *Principal {
	f.t.Helper()
	p, err := f.authenticate(token)
	if err != nil {
		f.t.Fatalf("Authenticate() at %v = %v, want a principal", f.clock.Sub(start), err)
	}
	return p
}

// stored reads the session a token presents as the database holds it.
func (f *fixture) stored(token string) *models.Session {
	f.t.Helper()
	s, err := f.store.LiveSession(f.ctx, HashToken(token), f.clock)
	if err != nil {
		f.t.Fatalf("LiveSession() at %v = %v", f.clock.Sub(start), err)
	}
	return s
}

// legacySHA256 is the old BillGate system's format (docs/password-hashes.md):
// $sha256$<hex salt>$<hex SHA-256(salt bytes || password)>.
func legacySHA256(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	sum := sha256.Sum256(append(slices.Clone(salt), pw...))
	return "$sha256$" + hex.EncodeToString(salt) + "$" + hex.EncodeToString(sum[:])
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
		if p.Client.ID != shop.ID || p.Session.ID != s.ID || !slices.Equal(p.Roles, []string{"business"}) || p.Level != models.LevelBusiness {
			t.Errorf("Authenticate() = client %s session %s roles %v level %d, want %s %s [business] %d",
				p.Client.ID, p.Session.ID, p.Roles, p.Level, shop.ID, s.ID, models.LevelBusiness)
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
				if p.Client.ID != bob.ID || !slices.Equal(p.Roles, []string{"customer"}) || p.Level != models.LevelCustomer {
					t.Errorf("Authenticate() = client %s roles %v level %d, want %s [customer] %d", p.Client.ID, p.Roles, p.Level, bob.ID, models.LevelCustomer)
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
		if p.Client.ID != root.ID || p.Level != models.LevelAdmin || !slices.Equal(p.Roles, []string{"admin"}) {
			t.Errorf("Authenticate() = client %s roles %v level %d, want %s [admin] %d", p.Client.ID, p.Roles, p.Level, root.ID, models.LevelAdmin)
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

// An absolute lifetime shorter than the idle timeout bounds the first expiry.
func testLoginLifetimeShorterThanIdle(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Sessions.IdleTimeout, cfg.Sessions.AbsoluteLifetime = 2*time.Hour, time.Hour
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	s := f.mustLogin("shop", "pw", "").Session
	if !s.ExpiresAt.Equal(start.Add(time.Hour)) || !s.AbsoluteExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("Login() session expires %v, absolute %v, want both %v", s.ExpiresAt, s.AbsoluteExpiresAt, start.Add(time.Hour))
	}
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

func testAuthenticateRefuses(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	unknown, _ := NewSessionToken()

	tests := []struct {
		name  string
		token func() string
	}{
		{"empty", func() string { return "" }},
		{"unknown token", func() string { return unknown }},
		{"not a bgs_ token", func() string { return "opaque-but-not-ours" }},
		{"a session's hash instead of its token", func() string { return f.mustLogin("shop", "pw", "").Session.SecretHash }},
		{"token with one character changed", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			last := byte('A')
			if tok[len(tok)-1] == 'A' {
				last = 'B'
			}
			return tok[:len(tok)-1] + string(last)
		}},
		{"expired", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			f.advance(cfg.Sessions.IdleTimeout)
			return tok
		}},
		{"revoked by Logout", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			p := f.mustAuthenticate(tok)
			if err := f.svc.Sessions.Logout(f.ctx, p); err != nil {
				f.t.Fatalf("Logout() = %v", err)
			}
			return tok
		}},
		{"client disabled", func() string {
			c := f.client(nil, "soon-gone", "pw", "business")
			tok := f.mustLogin("soon-gone", "pw", "").Token
			f.mustAuthenticate(tok)
			if err := f.store.SetDisabled(f.ctx, c.ID, true); err != nil {
				f.t.Fatal(err)
			}
			return tok
		}},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			token := tt.token()
			if p, err := f.authenticate(token); !errors.Is(err, ErrSessionUnknown) {
				t.Errorf("Authenticate(%s) = %v, %v, want ErrSessionUnknown", tt.name, p, err)
			}
		})
	}
}

func testAuthenticateSlidesIdleExpiry(t *testing.T, f *fixture) {
	cfg := testConfig() // 2h idle, 24h absolute
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	absolute := res.Session.AbsoluteExpiresAt

	for _, at := range []time.Duration{30 * time.Minute, 90 * time.Minute, 2*time.Hour + 10*time.Minute} {
		f.clock = start.Add(at)
		p := f.mustAuthenticate(res.Token)
		want := f.clock.Add(cfg.Sessions.IdleTimeout)
		if !p.Session.ExpiresAt.Equal(want) {
			t.Errorf("Authenticate() at %v: session expires %v, want %v", at, p.Session.ExpiresAt, want)
		}
		if s := f.stored(res.Token); !s.ExpiresAt.Equal(want) || !s.LastSeenAt.Equal(f.clock) {
			t.Errorf("stored session at %v: expires %v, last seen %v, want %v, %v", at, s.ExpiresAt, s.LastSeenAt, want, f.clock)
		}
	}

	// Used every 110 minutes it lives on, up to the absolute expiry and
	// never past it.
	for f.clock.Add(110 * time.Minute).Before(absolute) {
		f.advance(110 * time.Minute)
		p := f.mustAuthenticate(res.Token)
		if want := minTime(f.clock.Add(cfg.Sessions.IdleTimeout), absolute); !p.Session.ExpiresAt.Equal(want) {
			t.Fatalf("Authenticate() at %v: expires %v, want %v", f.clock.Sub(start), p.Session.ExpiresAt, want)
		}
	}
	f.clock = absolute.Add(-time.Second)
	p := f.mustAuthenticate(res.Token)
	if !p.Session.ExpiresAt.Equal(absolute) {
		t.Errorf("Authenticate() a second before the absolute expiry: expires %v, want %v", p.Session.ExpiresAt, absolute)
	}
	if s := f.stored(res.Token); !s.ExpiresAt.Equal(absolute) || !s.AbsoluteExpiresAt.Equal(absolute) {
		t.Errorf("stored session: expires %v, absolute %v, want both %v", s.ExpiresAt, s.AbsoluteExpiresAt, absolute)
	}
	f.clock = absolute
	if p, err := f.authenticate(res.Token); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("Authenticate() at the absolute expiry = %v, %v, want ErrSessionUnknown", p, err)
	}
}

// An unused session dies at its idle expiry, not a moment later.
func testAuthenticateIdleExpiryBoundary(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	alive := f.mustLogin("shop", "pw", "").Token
	dead := f.mustLogin("shop", "pw", "").Token
	f.advance(cfg.Sessions.IdleTimeout - time.Second)
	f.mustAuthenticate(alive)
	f.advance(time.Second)
	if p, err := f.authenticate(dead); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("Authenticate() after exactly the idle timeout = %v, %v, want ErrSessionUnknown", p, err)
	}
	f.mustAuthenticate(alive) // it was used a second ago
}

func testAuthenticateThrottlesTouch(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")

	steps := []struct {
		at       time.Duration
		wantSeen time.Duration // LastSeenAt in the database, from start
	}{
		{10 * time.Second, 0},
		{50 * time.Second, 0},
		{59 * time.Second, 0},
		{60 * time.Second, 60 * time.Second},
		{90 * time.Second, 60 * time.Second},
		{119 * time.Second, 60 * time.Second},
		{125 * time.Second, 125 * time.Second},
	}
	for _, st := range steps {
		f.clock = start.Add(st.at)
		f.mustAuthenticate(res.Token)
		s := f.stored(res.Token)
		wantSeen := start.Add(st.wantSeen)
		if !s.LastSeenAt.Equal(wantSeen) || !s.ExpiresAt.Equal(wantSeen.Add(cfg.Sessions.IdleTimeout)) {
			t.Errorf("after Authenticate() at %v: last seen %v, expires %v, want %v, %v",
				st.at, s.LastSeenAt, s.ExpiresAt, wantSeen, wantSeen.Add(cfg.Sessions.IdleTimeout))
		}
	}
}

func testAuthenticateIPBinding(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	tests := []struct {
		mode    string
		ip      string
		wantErr error
	}{
		{IPBindingStrict, homeIP, nil},
		{IPBindingStrict, otherIP, ErrAuthFailed},
		{IPBindingStrict, "", ErrAuthFailed},
		{IPBindingLog, homeIP, nil},
		{IPBindingLog, otherIP, nil},
		{IPBindingOff, homeIP, nil},
		{IPBindingOff, otherIP, nil},
	}
	for _, tt := range tests {
		f.run(tt.mode+"/"+tt.ip, func(t *testing.T) {
			res := f.mustLogin("shop", "pw", "") // from homeIP
			cfg := testConfig()
			cfg.Sessions.IPBinding = tt.mode
			svc := f.service(cfg)
			p, err := svc.Requests.Token(f.ctx, res.Token, Origin{IP: tt.ip})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Authenticate(from %q, binding %s) = %v, %v, want %v", tt.ip, tt.mode, p, err, tt.wantErr)
			}
			if err == nil && p.Session.ID != res.Session.ID {
				t.Errorf("Authenticate(from %q, binding %s) = session %s, want %s", tt.ip, tt.mode, p.Session.ID, res.Session.ID)
			}
			// A refusal leaves the session usable from its own IP.
			if _, err := svc.Requests.Token(f.ctx, res.Token, Origin{IP: homeIP}); err != nil {
				t.Errorf("Authenticate(from %q, binding %s) after that = %v, want a principal", homeIP, tt.mode, err)
			}
		})
	}
}

func testExtendSession(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	absolute := res.Session.AbsoluteExpiresAt
	p := f.mustAuthenticate(res.Token)

	tests := []struct {
		name    string
		to      time.Time
		want    time.Time
		wantErr error
	}{
		{"within the lifetime", start.Add(5 * time.Hour), start.Add(5 * time.Hour), nil},
		{"shorter than now + idle", start.Add(time.Minute), start.Add(time.Minute), nil},
		{"past the absolute expiry: capped", start.Add(48 * time.Hour), absolute, nil},
		{"exactly the absolute expiry", absolute, absolute, nil},
		{"a nanosecond from now", start.Add(time.Nanosecond), start.Add(time.Nanosecond), nil},
		{"now", start, time.Time{}, ErrExpiryInPast},
		{"the past", start.Add(-time.Hour), time.Time{}, ErrExpiryInPast},
		{"zero time", time.Time{}, time.Time{}, ErrExpiryInPast},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			before := p.Session.ExpiresAt
			got, err := f.svc.Sessions.Extend(f.ctx, p, tt.to)
			if !errors.Is(err, tt.wantErr) || !got.Equal(tt.want) {
				t.Fatalf("ExtendSession(%v) = %v, %v, want %v, %v", tt.to, got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				if !p.Session.ExpiresAt.Equal(before) {
					t.Errorf("a refused ExtendSession moved the principal's expiry to %v", p.Session.ExpiresAt)
				}
				return
			}
			if !p.Session.ExpiresAt.Equal(tt.want) {
				t.Errorf("ExtendSession(%v): principal's session expires %v, want %v", tt.to, p.Session.ExpiresAt, tt.want)
			}
			if !tt.want.Equal(start.Add(time.Nanosecond)) { // Postgres keeps microseconds
				if s := f.stored(res.Token); !s.ExpiresAt.Equal(tt.want) {
					t.Errorf("ExtendSession(%v): stored expiry %v, want %v", tt.to, s.ExpiresAt, tt.want)
				}
			}
		})
	}

	// Extended to 5h, the session outlives the 2h idle timeout.
	if _, err := f.svc.Sessions.Extend(f.ctx, p, start.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Hour)
	f.mustAuthenticate(res.Token)
}

func testRevokeSessions(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	f.client(nil, "other", "pw", "business")

	f.run("keep current", func(t *testing.T) {
		current := f.mustLogin("shop", "pw", "").Token
		others := []string{f.mustLogin("shop", "pw", "").Token, f.mustLogin("shop", "pw", "").Token}
		bystander := f.mustLogin("other", "pw", "").Token
		p := f.mustAuthenticate(current)
		if list, err := f.svc.Sessions.List(f.ctx, p); err != nil || len(list) != 3 {
			t.Fatalf("Sessions() = %d sessions, %v, want 3", len(list), err)
		}
		n, err := f.svc.Sessions.RevokeAll(f.ctx, p, true)
		if err != nil || n != 2 {
			t.Fatalf("RevokeSessions(keepCurrent true) = %d, %v, want 2, nil", n, err)
		}
		f.mustAuthenticate(current)
		f.mustAuthenticate(bystander)
		for _, tok := range others {
			if _, err := f.authenticate(tok); !errors.Is(err, ErrSessionUnknown) {
				t.Errorf("Authenticate(revoked) = %v, want ErrSessionUnknown", err)
			}
		}
		if list, err := f.svc.Sessions.List(f.ctx, p); err != nil || len(list) != 1 || list[0].ID != p.Session.ID {
			t.Errorf("Sessions() after revoking = %v, %v, want only the current one", list, err)
		}
		if n, err := f.svc.Sessions.RevokeAll(f.ctx, p, true); err != nil || n != 0 {
			t.Errorf("RevokeSessions(keepCurrent true) again = %d, %v, want 0, nil", n, err)
		}
	})

	f.run("all", func(t *testing.T) {
		// The current session of the subtest above is still live.
		current := f.mustLogin("shop", "pw", "").Token
		f.mustLogin("shop", "pw", "")
		bystander := f.mustLogin("other", "pw", "").Token
		p := f.mustAuthenticate(current)
		n, err := f.svc.Sessions.RevokeAll(f.ctx, p, false)
		if err != nil || n != 3 {
			t.Fatalf("RevokeSessions(keepCurrent false) = %d, %v, want 3, nil", n, err)
		}
		if _, err := f.authenticate(current); !errors.Is(err, ErrSessionUnknown) {
			t.Errorf("Authenticate(current) after revoking all = %v, want ErrSessionUnknown", err)
		}
		f.mustAuthenticate(bystander)
	})

	f.run("one", func(t *testing.T) {
		mine := f.mustAuthenticate(f.mustLogin("shop", "pw", "").Token)
		sibling := f.mustLogin("shop", "pw", "")
		theirs := f.mustLogin("other", "pw", "")

		if err := f.svc.Sessions.Revoke(f.ctx, mine, theirs.Session.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(another client's session) = %v, want models.ErrNotFound", err)
		}
		f.mustAuthenticate(theirs.Token)
		if err := f.svc.Sessions.Revoke(f.ctx, mine, uuid.New()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(unknown) = %v, want models.ErrNotFound", err)
		}
		if err := f.svc.Sessions.Revoke(f.ctx, mine, sibling.Session.ID); err != nil {
			t.Fatalf("RevokeSession(own session) = %v, want nil", err)
		}
		if _, err := f.authenticate(sibling.Token); !errors.Is(err, ErrSessionUnknown) {
			t.Errorf("Authenticate(revoked sibling) = %v, want ErrSessionUnknown", err)
		}
		if err := f.svc.Sessions.Revoke(f.ctx, mine, sibling.Session.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(already revoked) = %v, want models.ErrNotFound", err)
		}
		if err := f.svc.Sessions.Logout(f.ctx, mine); err != nil {
			t.Fatalf("Logout() = %v", err)
		}
		if err := f.svc.Sessions.Logout(f.ctx, mine); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("Logout() twice = %v, want models.ErrNotFound", err)
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"ab€", 4, "ab"}, // never half a rune
		{"ab€", 5, "ab€"},
		{"ab€", 3, "ab"},
		{"ab€", 2, "ab"},
		{"€€", 1, ""},
		{strings.Repeat("x", 600), 512, strings.Repeat("x", 512)},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// Login stores at most 512 bytes of the user agent, cut at a rune.
func testLoginTruncatesUserAgent(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	agent := "a" + strings.Repeat("€", 300) // 901 bytes; byte 512 is inside a rune
	res, err := f.svc.Logins.Login(f.ctx, Credentials{Login: "shop", Password: "pw"}, Origin{IP: homeIP, UserAgent: agent})
	if err != nil {
		t.Fatal(err)
	}
	want := "a" + strings.Repeat("€", 170) // 511 bytes
	if got := f.stored(res.Token).UserAgent; got != want {
		t.Errorf("stored user agent = %d bytes, want %d", len(got), len(want))
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

// A JWT access token acts for its session while the session lives: a bad
// token is AUTH FAILED, a token whose session was revoked SESSION UNKNOWN.
func testAccessTokens(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	p := f.mustAuthenticate(res.Token)
	jwt, expires, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: homeIP})
	if err != nil || !expires.Equal(f.clock.Add(TokenTTL)) {
		t.Fatalf("IssueToken() = %v expiring %v, want %v", err, expires, f.clock.Add(TokenTTL))
	}
	if got := f.mustAuthenticate(jwt); got.Session.ID != res.Session.ID || got.Client.Login != "shop" {
		t.Errorf("Authenticate(jwt) = session %s of %s, want the login's", got.Session.ID, got.Client.Login)
	}
	if _, err := f.authenticate(jwt[:len(jwt)-2] + "xx"); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("a tampered token = %v, want ErrAuthFailed", err)
	}
	f.use(testConfig()) // no keys: no tokens
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("a token where none are accepted = %v, want ErrAuthFailed", err)
	}
	f.use(cfg)
	if err := f.svc.Sessions.Logout(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("a token of a revoked session = %v, want ErrSessionUnknown", err)
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
	if err != nil || p.Client.ID != shop.ID || p.Session != nil || p.IP != otherIP || !p.Can("products:create") {
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
	if p, err := f.basic("alice", "alice password", shop.ID.String()); err != nil || p.Client.ID != customer.ID {
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

// A token asked for with Basic opens a session for it, so that revoking
// the session ends the token.
func testAccessTokenFromBasic(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	p, err := f.basic("shop", "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	jwt, _, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: otherIP})
	if err != nil {
		t.Fatalf("IssueToken(Basic) = %v", err)
	}
	if p.Session != nil {
		t.Error("IssueToken changed the caller's principal")
	}
	byToken := f.mustAuthenticate(jwt)
	if byToken.Session == nil || byToken.Session.IP != otherIP {
		t.Fatalf("the token's principal = %+v, want a new session from %s", byToken.Session, otherIP)
	}
	if err := f.svc.Sessions.Logout(f.ctx, byToken); err != nil {
		t.Fatal(err)
	}
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("the token after its session ended = %v, want ErrSessionUnknown", err)
	}
}

func (f *fixture) sessionPrincipal(login string) *Principal {
	f.t.Helper()
	return f.mustAuthenticate(f.mustLogin(login, "pw", "").Token)
}

func (f *fixture) byKey(secret string) (*Principal, error) {
	return f.svc.APIKeys.Authenticate(f.ctx, secret, Origin{IP: otherIP})
}

// An API key acts for its owner until it is revoked or expires, or the
// owner is disabled; a key cannot manage keys; its JWT dies with it.
func testAPIKeys(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	shop := f.client(nil, "shop", "pw", "business")
	owner := f.sessionPrincipal("shop")
	expires := f.clock.Add(24 * time.Hour)
	key, secret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "deploys", ExpiresAt: &expires})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := ParseAPIKeySecret(secret); !ok || id != key.ID || key.SecretHash != HashToken(secret) || key.Hint != secret[len(secret)-4:] {
		t.Fatalf("CreateAPIKey() = %+v with secret %q: want the ID inside it, its hash and hint stored", key, secret)
	}
	p, err := f.byKey(secret)
	if err != nil || p.Client.ID != shop.ID || p.Session != nil || p.APIKey == nil || p.APIKey.ID != key.ID || !p.Can("products:create") {
		t.Fatalf("AuthenticateAPIKey() = %+v, %v, want shop's principal through the key", p, err)
	}
	if k, _ := f.store.APIKeyByID(f.ctx, key.ID, f.clock); k.LastUsedAt == nil || !k.LastUsedAt.Equal(f.clock) {
		t.Errorf("last used at = %v, want %v", k.LastUsedAt, f.clock)
	}

	forged := secret[:len(secret)-1] + map[bool]string{true: "A", false: "B"}[secret[len(secret)-1] != 'A']
	for name, bad := range map[string]string{"a forged secret": forged, "garbage": "bgk_nope", "a session secret": f.mustLogin("shop", "pw", "").Token} {
		if _, err := f.byKey(bad); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("AuthenticateAPIKey(%s) = %v, want ErrAuthFailed", name, err)
		}
	}
	if _, _, err := f.svc.APIKeys.Create(f.ctx, p, NewAPIKey{Name: "successor"}); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("CreateAPIKey(by a key) = %v, want ErrPermissionDenied", err)
	}
	if err := f.svc.APIKeys.Revoke(f.ctx, p, key.ID); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("RevokeAPIKey(by a key) = %v, want ErrPermissionDenied", err)
	}
	_, revokeAll := f.svc.Sessions.RevokeAll(f.ctx, p, false)
	_, extend := f.svc.Sessions.Extend(f.ctx, p, f.clock.Add(time.Hour))
	for name, err := range map[string]error{
		"Logout": f.svc.Sessions.Logout(f.ctx, p), "RevokeSession": f.svc.Sessions.Revoke(f.ctx, p, owner.SessionID()),
		"RevokeSessions": revokeAll, "ExtendSession": extend, "ChangePassword": f.svc.Logins.ChangePassword(f.ctx, p, "pw", "a new password long enough"),
	} {
		if !errors.Is(err, ErrPermissionDenied) {
			t.Errorf("%s(by a key) = %v, want ErrPermissionDenied", name, err)
		}
	}
	if _, err := f.store.LiveSessionByID(f.ctx, owner.SessionID(), f.clock); err != nil {
		t.Errorf("the owner's session after the key's attempts = %v, want it live", err)
	}

	jwt, tokenExpires, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: otherIP})
	if err != nil || !tokenExpires.Equal(f.clock.Add(TokenTTL)) {
		t.Fatalf("IssueToken(key) = %v expiring %v", err, tokenExpires)
	}
	if byToken := f.mustAuthenticate(jwt); byToken.APIKey == nil || byToken.APIKey.ID != key.ID || byToken.Session != nil {
		t.Errorf("the key's token acts as %+v, want the key", byToken)
	}

	f.run("expiry", func(t *testing.T) {
		f.advance(24 * time.Hour)
		if _, err := f.byKey(secret); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("an expired key = %v, want ErrAuthFailed", err)
		}
		f.advance(-24 * time.Hour)
	})
	f.run("revoke", func(t *testing.T) {
		if err := f.svc.APIKeys.Revoke(f.ctx, owner, key.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.byKey(secret); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a revoked key = %v, want ErrAuthFailed", err)
		}
		if _, err := f.authenticate(jwt); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a revoked key's token = %v, want ErrAuthFailed", err)
		}
		if keys, err := f.svc.APIKeys.List(f.ctx, owner); err != nil || len(keys) != 0 {
			t.Errorf("APIKeys() after revoking = %+v, %v, want none", keys, err)
		}
	})
	f.run("disabled owner", func(t *testing.T) {
		_, other, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		f.mustAuthenticateKey(other)
		if err := f.store.SetDisabled(f.ctx, shop.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.byKey(other); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a disabled owner's key = %v, want ErrAuthFailed", err)
		}
	})
}

func (f *fixture) mustAuthenticateKey(secret string) *Principal {
	f.t.Helper()
	p, err := f.byKey(secret)
	if err != nil {
		f.t.Fatalf("AuthenticateAPIKey() = %v", err)
	}
	return p
}

// A key narrowed to some of its owner's policies is allowed only what they
// allow, and loses a policy when its owner does.
func testAPIKeyNarrowing(t *testing.T, f *fixture) {
	f.client(nil, "root", "pw", "admin", "customer")
	owner := f.sessionPrincipal("root")
	if !slices.Equal(owner.PolicyNames, []string{"admin-default", "customer-default"}) {
		t.Fatalf("PolicyNames = %v", owner.PolicyNames)
	}
	_, narrowSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "narrow", Policies: []string{"customer-default"}})
	if err != nil {
		t.Fatal(err)
	}
	_, noneSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "none", Policies: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, fullSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "full"})
	if err != nil {
		t.Fatal(err)
	}
	narrow, none, full := f.mustAuthenticateKey(narrowSecret), f.mustAuthenticateKey(noneSecret), f.mustAuthenticateKey(fullSecret)
	if !full.Can("roles:create") || narrow.Can("roles:create") || !narrow.Can("products:read") || none.Can("products:read") {
		t.Errorf("full key roles:create %v (want true), narrowed roles:create %v (want false) products:read %v (want true), empty key products:read %v (want false)",
			full.Can("roles:create"), narrow.Can("roles:create"), narrow.Can("products:read"), none.Can("products:read"))
	}
	if !slices.Equal(narrow.PolicyNames, []string{"customer-default"}) {
		t.Errorf("narrowed PolicyNames = %v", narrow.PolicyNames)
	}
	if err := f.store.SetRoles(f.ctx, owner.Client.ID, []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	if narrow := f.mustAuthenticateKey(narrowSecret); narrow.Can("products:read") || len(narrow.PolicyNames) != 0 {
		t.Errorf("a key narrowed to a policy its owner lost still has %v", narrow.PolicyNames)
	}
}
