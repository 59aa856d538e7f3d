package auth

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

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
	svc := NewIdentity(store, testHasher, cfg, func() time.Time { return clock }, discardLog)

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
		if err != nil || p.Client.Login != login {
			t.Fatalf("Authenticate(token of %q) = %v, %v, want the principal %q", login, p, err, login)
		}
	})
}
