package webhookendpoints

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/outbound"
	"github.com/billgate/billgate/tenancy"
)

type fixture struct {
	svc                          *Service
	store                        *models.Store
	admin, shop, other, customer tenancy.Caller
	now                          time.Time
	woken                        []wake
}

// wake is one call of the fixture's Waker.
type wake struct {
	endpoint uuid.UUID
	now      bool
}

func (f *fixture) Wake(_ context.Context, endpoint uuid.UUID, now bool) error {
	f.woken = append(f.woken, wake{endpoint, now})
	return nil
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, dsn, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("k1")})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	f.svc = &Service{Store: store.WebhookEndpoints, Secrets: box, Outbox: store.WebhookDeliveries, Wake: f, Now: func() time.Time { return f.now }}
	shop, other := &models.Client{Login: "shop-" + uuid.NewString()}, &models.Client{Login: "other-" + uuid.NewString()}
	for _, c := range []*models.Client{shop, other} {
		if err := store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	f.admin = tenancy.Caller{ID: uuid.Must(uuid.NewV7()), Level: models.LevelAdmin}
	f.shop = tenancy.Caller{ID: shop.ID, Level: models.LevelBusiness}
	f.other = tenancy.Caller{ID: other.ID, Level: models.LevelBusiness}
	f.customer = tenancy.Caller{ID: uuid.Must(uuid.NewV7()), TenantID: &shop.ID, Level: models.LevelCustomer}
	return f
}

func basicEndpoint() New {
	return New{URL: "https://hooks.example/billgate", Description: "CRM", EventTypes: []string{"invoice.*", "payment.failed"},
		Auth: outbound.Auth{Scheme: outbound.SchemeBasic, User: "billgate", Secret: "s3cret"}}
}

// An endpoint is created with a signing secret shown once; its secrets
// are sealed, never in its row; it is its business's alone.
func TestCreateSealsSecrets(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			f := newFixture(t, target.DSN)
			ctx := context.Background()
			w, err := f.svc.Create(ctx, f.shop, basicEndpoint())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := outbound.ParseSecret(w.Secret); err != nil || !strings.HasPrefix(w.Secret, "whsec_") {
				t.Errorf("secret %q: %v", w.Secret, err)
			}
			e := w.Endpoint
			if e.TenantID != f.shop.ID || !e.Enabled || !slices.Equal(e.Types(), []string{"invoice.*", "payment.failed"}) {
				t.Errorf("created %+v", e)
			}
			stored, _ := f.store.WebhookEndpointByID(ctx, e.ID)
			for _, secret := range []string{w.Secret, "s3cret"} {
				if strings.Contains(stored.Auth+stored.SealedSecrets+stored.URL+stored.Description, secret) {
					t.Errorf("the row holds a secret in the clear")
				}
			}
			if a := AuthOf(stored); a.Scheme != outbound.SchemeBasic || a.User != "billgate" || a.Secret != "" {
				t.Errorf("AuthOf = %+v", a)
			}
			opened, err := f.svc.Open(ctx, e.ID)
			if err != nil || opened.Auth.Secret != "s3cret" || len(opened.Signing) != 1 {
				t.Fatalf("Open = %+v, %v", opened, err)
			}
			if key, _ := outbound.ParseSecret(w.Secret); string(opened.Signing[0]) != string(key) {
				t.Error("Open's signing key is not the secret shown")
			}

			if _, err := f.svc.Get(ctx, f.other, e.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("another business reads it: %v", err)
			}
			if _, err := f.svc.Create(ctx, f.customer, basicEndpoint()); err == nil {
				t.Error("a customer created an endpoint")
			}
			if l, _ := f.svc.List(ctx, f.other, nil, uuid.Nil, 10); len(l) != 0 {
				t.Errorf("another business lists %d endpoints", len(l))
			}
			if l, _ := f.svc.List(ctx, f.admin, &f.shop.ID, uuid.Nil, 10); len(l) != 1 {
				t.Errorf("an admin lists %d of the shop's endpoints", len(l))
			}
		})
	}
}

// Bad input is refused on its field and writes nothing.
func TestCreateRefusesBadInput(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	for name, tt := range map[string]struct {
		change func(*New)
		field  string
	}{
		"no url":             {func(n *New) { n.URL = "" }, "url"},
		"relative url":       {func(n *New) { n.URL = "/hooks" }, "url"},
		"ftp url":            {func(n *New) { n.URL = "ftp://hooks.example/" }, "url"},
		"credentials":        {func(n *New) { n.URL = "https://user:pw@hooks.example/" }, "url"},
		"fragment":           {func(n *New) { n.URL = "https://hooks.example/#x" }, "url"},
		"no types":           {func(n *New) { n.EventTypes = nil }, "eventTypes"},
		"unknown type":       {func(n *New) { n.EventTypes = []string{"invoice.eaten"} }, "eventTypes"},
		"unknown object":     {func(n *New) { n.EventTypes = []string{"planet.*"} }, "eventTypes"},
		"twice":              {func(n *New) { n.EventTypes = []string{"*", "*"} }, "eventTypes"},
		"long description":   {func(n *New) { n.Description = strings.Repeat("é", MaxDescriptionLen+1) }, "description"},
		"basic without user": {func(n *New) { n.Auth.User = "" }, "auth.user"},
		"unknown scheme":     {func(n *New) { n.Auth.Scheme = "digest" }, "auth.scheme"},
	} {
		n := basicEndpoint()
		tt.change(&n)
		_, err := f.svc.Create(ctx, f.shop, n)
		var invalid *fault.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("%s: Create = %v, want invalid %s", name, err, tt.field)
		}
	}
	if l, _ := f.svc.List(ctx, f.shop, nil, uuid.Nil, 10); len(l) != 0 {
		t.Errorf("refused creates wrote %d endpoints", len(l))
	}
}

// Updates replace what they name; an auth of the same scheme keeps its
// secret; rotation signs with both secrets for RotationOverlap.
func TestUpdateAndRotate(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	w, err := f.svc.Create(ctx, f.shop, basicEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	id := w.Endpoint.ID
	off, url := false, "https://hooks.example/v2"
	e, err := f.svc.Update(ctx, f.shop, id, Changes{Enabled: &off, URL: &url, Auth: &outbound.Auth{Scheme: outbound.SchemeBasic, User: "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	opened, _ := f.svc.Open(ctx, id)
	if e.Enabled || e.URL != url || opened.Auth.User != "ops" || opened.Auth.Secret != "s3cret" {
		t.Errorf("after the update: %+v, auth %+v; want disabled, the new URL, user ops with the old secret", e, opened.Auth)
	}
	if _, err := f.svc.Update(ctx, f.shop, id, Changes{Auth: &outbound.Auth{Scheme: outbound.SchemeCustom, Name: "Plain"}}); err == nil {
		t.Error("a new scheme without its secret was taken")
	}

	f.now = f.now.Add(time.Hour)
	rotated, err := f.svc.RotateSecret(ctx, f.shop, id)
	if err != nil || rotated.Secret == w.Secret {
		t.Fatalf("RotateSecret = %v, %v", rotated.Secret, err)
	}
	opened, _ = f.svc.Open(ctx, id)
	newKey, _ := outbound.ParseSecret(rotated.Secret)
	oldKey, _ := outbound.ParseSecret(w.Secret)
	if len(opened.Signing) != 2 || string(opened.Signing[0]) != string(newKey) || string(opened.Signing[1]) != string(oldKey) {
		t.Errorf("after rotation the endpoint signs with %d keys, want the new one then the old", len(opened.Signing))
	}
	f.now = f.now.Add(RotationOverlap)
	if opened, _ = f.svc.Open(ctx, id); len(opened.Signing) != 1 {
		t.Errorf("a day after rotation the endpoint signs with %d keys, want the new one only", len(opened.Signing))
	}
	if _, err := f.svc.RotateSecret(ctx, f.other, id); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another business rotated it: %v", err)
	}
	if err := f.svc.Delete(ctx, f.shop, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, f.shop, id); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
