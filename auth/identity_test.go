package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/internal/storetest"
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

// fixture is a migrated store, an Identity over it and the clock it reads.
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

// service is another Identity over the same store and clock.
func (f *fixture) service(cfg Config) *Identity {
	return NewIdentity(NewPersister(f.store), testHasher, cfg, f.now, discardLog)
}

// use points the fixture's Identity at cfg.
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

// TestIdentity runs every store-backed check against a real database on
// every dialect (dbtest.Targets). SQLite gets a fresh in-memory database per
// check; Postgres gets one database for the whole run, emptied of clients
// and sessions before each check, since creating a database costs about
// half a second. Run one check with e.g. -run 'TestIdentity/postgres/Lockout'.
func TestIdentity(t *testing.T) {
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
		{"LoginPerIPLimitFloodIsAuditedOnceASecond", testLoginPerIPLimitFloodIsAuditedOnceASecond},
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
		{"ConcurrentWrongLogins", testConcurrentWrongLogins},
		{"ConcurrentBasicPasswordChange", testConcurrentBasicPasswordChange},
		{"ConcurrentSessionDisable", testConcurrentSessionDisable},
		{"ConcurrentSignatureReplay", testConcurrentSignatureReplay},
		{"ReplicasShareSeenSignatures", testReplicasShareSeenSignatures},
		{"ReplicasSharePerIPLimit", testReplicasSharePerIPLimit},
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
							"DELETE FROM login_ip_throttles",
							"DELETE FROM seen_signatures",
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
	return storetest.Open(t, dsn)
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
