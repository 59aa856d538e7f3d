package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/auth/signature"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
)

// API replicas share the database and nothing else. Here each is an
// Identity over a Store of its own (its own connections, its own change
// feed) on one database: a SQLite file, and Postgres when configured.
// Neither listens for NOTIFY, as if every notification came late: a
// principal cached by replica B must still not outlive a change made
// through replica A, on B's very next authentication.
func TestChangesApplyOnEveryReplica(t *testing.T) {
	targets := []dbtest.Target{{Name: "sqlite", DSN: "sqlite:" + filepath.Join(t.TempDir(), "billgate.db")}}
	if dsn := dbtest.Postgres(t); dsn != "" {
		targets = append(targets, dbtest.Target{Name: "postgres", DSN: dsn})
	}
	for _, target := range targets {
		t.Run(target.Name, func(t *testing.T) {
			f := &fixture{t: t, ctx: context.Background(), store: openStore(t, target.DSN), clock: start}
			cfg := f.tokenConfig()
			var err error
			if cfg.Secrets, err = sealed.New([]sealed.Key{sealed.RandomKey("shared")}); err != nil { // as BILLGATE_MASTER_KEYS
				t.Fatal(err)
			}
			f.use(cfg) // replica A
			b := NewIdentity(NewPersister(openStore(t, target.DSN)), testHasher, cfg, f.now, discardLog)
			for _, change := range replicaChanges {
				for _, s := range replicaSchemes {
					f.run(change.name+"/"+s.name, func(t *testing.T) {
						testChangeAppliesOnReplica(t, f, b, change, s)
					})
				}
			}
		})
	}
}

// A replicaScheme presents a client's credentials, made through replica A.
type replicaScheme struct {
	name    string
	present func(f *fixture, login string) presented
}

// presented is how to authenticate with a credential on a replica, and
// how to revoke it through replica A.
type presented struct {
	authenticate func(r *Identity) (*Principal, error)
	revoke       func() error
}

const replicaPassword = "old password"

var replicaSchemes = []replicaScheme{
	{"session", func(f *fixture, login string) presented {
		token := f.mustLogin(login, replicaPassword, "").Token
		return presented{
			authenticate: byToken(f, token),
			revoke:       func() error { return f.svc.Sessions.Logout(f.ctx, f.mustAuthenticate(token)) },
		}
	}},
	{"jwt", func(f *fixture, login string) presented {
		owner := f.mustAuthenticate(f.mustLogin(login, replicaPassword, "").Token)
		jwt, _, err := f.svc.AccessTokens.Issue(f.ctx, owner, Origin{IP: homeIP})
		if err != nil {
			f.t.Fatalf("Issue() = %v", err)
		}
		return presented{
			authenticate: byToken(f, jwt),
			revoke:       func() error { return f.svc.Sessions.Logout(f.ctx, owner) },
		}
	}},
	{"api-key", func(f *fixture, login string) presented {
		owner := f.mustAuthenticate(f.mustLogin(login, replicaPassword, "").Token)
		k, secret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "replicas"})
		if err != nil {
			f.t.Fatalf("APIKeys.Create() = %v", err)
		}
		return presented{
			authenticate: func(r *Identity) (*Principal, error) {
				return r.APIKeys.Authenticate(f.ctx, secret, Origin{IP: homeIP})
			},
			revoke: func() error { return f.svc.APIKeys.Revoke(f.ctx, owner, k.ID) },
		}
	}},
	{"signature", func(f *fixture, login string) presented {
		owner := f.mustAuthenticate(f.mustLogin(login, replicaPassword, "").Token)
		signed, k := signer(f.t, f.svc, owner)
		return presented{
			authenticate: func(r *Identity) (*Principal, error) {
				return r.SigningKeys.Authenticate(f.ctx, signed(), Origin{IP: homeIP})
			},
			revoke: func() error { return f.svc.SigningKeys.Revoke(f.ctx, owner, k.ID) },
		}
	}},
	{"basic", func(f *fixture, login string) presented {
		cred := Credentials{Login: login, Password: replicaPassword}
		return presented{
			authenticate: func(r *Identity) (*Principal, error) {
				return r.Logins.AuthenticateBasic(f.ctx, cred, Origin{IP: homeIP})
			},
			revoke: func() error {
				owner := f.mustAuthenticate(f.mustLogin(login, replicaPassword, "").Token)
				return f.svc.Logins.ChangePassword(f.ctx, owner, replicaPassword, "correct horse battery")
			},
		}
	}},
}

func byToken(f *fixture, token string) func(*Identity) (*Principal, error) {
	return func(r *Identity) (*Principal, error) { return r.Requests.Token(f.ctx, token, Origin{IP: homeIP}) }
}

// A replicaChange is made through replica A to a client that holds the
// role "viewer" of its own (whose policy allows profile:read and nothing
// else); changed says whether a principal shows it.
type replicaChange struct {
	name    string
	make    func(f *fixture, client uuid.UUID, policy *models.Policy, revoke func() error) error
	changed func(p *Principal, err error) bool
}

var replicaChanges = []replicaChange{
	{"RoleChange", func(f *fixture, client uuid.UUID, _ *models.Policy, _ func() error) error {
		return f.store.SetRoles(f.ctx, client, []string{"customer"})
	}, func(p *Principal, err error) bool { return err == nil && slices.Equal(p.Roles, []string{"customer"}) }},
	{"PolicyEdit", func(f *fixture, _ uuid.UUID, policy *models.Policy, _ func() error) error {
		policy.Statements = `[{"effect":"allow","actions":["profile:read"],"resources":["*"]},{"effect":"deny","actions":["profile:read"],"resources":["*"]}]`
		return f.store.UpdatePolicy(f.ctx, policy)
	}, func(p *Principal, err error) bool { return err == nil && !p.Can("profile:read") }},
	{"Revocation", func(_ *fixture, _ uuid.UUID, _ *models.Policy, revoke func() error) error {
		return revoke()
	}, refused},
	{"AccountDisabled", func(f *fixture, client uuid.UUID, _ *models.Policy, _ func() error) error {
		return f.store.SetDisabled(f.ctx, client, true)
	}, refused},
}

func refused(_ *Principal, err error) bool {
	return errors.Is(err, ErrSessionUnknown) || errors.Is(err, ErrAuthFailed)
}

func testChangeAppliesOnReplica(t *testing.T, f *fixture, b *Identity, change replicaChange, s replicaScheme) {
	name := change.name + "-" + s.name
	policy := &models.Policy{Name: name, Statements: `[{"effect":"allow","actions":["profile:read"],"resources":["*"]}]`}
	if err := f.store.CreatePolicy(f.ctx, policy); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateRole(f.ctx, &models.Role{Name: name, Level: models.LevelBusiness}, []string{name}); err != nil {
		t.Fatal(err)
	}
	client := f.client(nil, name, replicaPassword, name)
	cred := s.present(f, name)
	for range 2 { // loaded, then cached
		p, err := cred.authenticate(b)
		if err != nil || !p.Can("profile:read") || change.changed(p, err) {
			t.Fatalf("replica B before the change = %s, want the viewer", shown(p, err))
		}
	}
	if err := change.make(f, client.ID, policy, cred.revoke); err != nil {
		t.Fatalf("the change through replica A = %v", err)
	}
	if p, err := cred.authenticate(b); !change.changed(p, err) {
		t.Errorf("replica B's next authentication after the change = %s, want the change applied", shown(p, err))
	}
}

func shown(p *Principal, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("roles %v, profile:read allowed %v", p.Roles, p.Can("profile:read"))
}

// signer signs GETs with a new hmac-sha256 key of owner's over
// (request-target), host, date and a request ID of each call's own: the
// replay cache takes each signature once.
func signer(tb testing.TB, svc *Identity, owner *Principal) (func() SignedRequest, *SigningKey) {
	tb.Helper()
	k, secret, err := svc.SigningKeys.Create(context.Background(), owner, NewSigningKey{Name: "signer", Algorithm: signature.HMACSHA256})
	if err != nil {
		tb.Fatal(err)
	}
	var calls int
	return func() SignedRequest {
		calls++
		h := http.Header{"Host": {"billgate.test"}, "Date": {start.Format(http.TimeFormat)}, "X-Request-Id": {strconv.Itoa(calls)}}
		return signedRequest(tb, k.ID.String(), secret, k.Algorithm, []string{"(request-target)", "host", "date", "x-request-id"}, http.MethodGet, "/v1/profile", h, nil)
	}, k
}
