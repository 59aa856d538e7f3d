package gatewayaccounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// fakeGateways connects "stripe" (a secret key that must say its mode, a
// webhook secret, an optional publishable key) and "skrill".
type fakeGateways struct{}

func (fakeGateways) Names() []string { return []string{"skrill", "stripe"} }

func (fakeGateways) Fields(gateway string) ([]Field, bool) {
	switch gateway {
	case "stripe":
		return []Field{{Name: "secretKey", Secret: true}, {Name: "webhookSecret", Secret: true}, {Name: "publishableKey", Optional: true}}, true
	case "skrill":
		return []Field{{Name: "merchantId"}, {Name: "secretWord", Secret: true}}, true
	}
	return nil, false
}

func (fakeGateways) Check(gateway, mode string, creds map[string]string) error {
	if gateway == "stripe" && !strings.HasPrefix(creds["secretKey"], "sk_"+mode+"_") {
		return errors.New("secretKey: a " + mode + " account takes an sk_" + mode + "_ key")
	}
	return nil
}

type fixture struct {
	svc                *Service
	store              *models.Store
	admin, shop, other tenancy.Caller
	customer           tenancy.Caller
	now                time.Time
}

func newFixture(t *testing.T, dsn string) *fixture {
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
	f.svc = &Service{Store: store.GatewayAccounts, Gateways: fakeGateways{}, Secrets: box, Now: func() time.Time { return f.now }}
	shop, other := &models.Client{Login: "shop-" + uuid.NewString()}, &models.Client{Login: "other-" + uuid.NewString()}
	for _, c := range []*models.Client{shop, other} {
		if err := store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	bob := &models.Client{Login: "bob", TenantID: &shop.ID}
	if err := store.CreateClient(ctx, bob); err != nil {
		t.Fatal(err)
	}
	f.admin = tenancy.Caller{ID: uuid.Must(uuid.NewV7()), Level: models.LevelAdmin}
	f.shop = tenancy.Caller{ID: shop.ID, Level: models.LevelBusiness}
	f.other = tenancy.Caller{ID: other.ID, Level: models.LevelBusiness}
	f.customer = tenancy.Caller{ID: bob.ID, TenantID: &shop.ID, Level: models.LevelCustomer}
	return f
}

func stripeAccount() New {
	return New{Gateway: "stripe", Mode: ModeTest, Name: "main", Currencies: []billing.Currency{"USD", "EUR", "USD"},
		Credentials: map[string]string{"secretKey": "sk_test_123", "webhookSecret": "whsec_abc", "publishableKey": "pk_test_9"}}
}

func TestConnectSealsSecretsAndShowsTheRest(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			f := newFixture(t, target.DSN)
			ctx := context.Background()
			a, err := f.svc.Connect(ctx, f.shop, stripeAccount())
			if err != nil {
				t.Fatal(err)
			}
			if a.TenantID != f.shop.ID || a.Gateway != "stripe" || a.Mode != ModeTest || a.Name != "main" {
				t.Errorf("connected %+v", a)
			}
			if got := Currencies(a); !slices.Equal(got, []billing.Currency{"EUR", "USD"}) {
				t.Errorf("Currencies = %v, want EUR and USD once each", got)
			}
			if got := Settings(a); len(got) != 1 || got["publishableKey"] != "pk_test_9" {
				t.Errorf("Settings = %v, want the publishable key only", got)
			}
			if got := SecretNames(a); !slices.Equal(got, []string{"secretKey", "webhookSecret"}) {
				t.Errorf("SecretNames = %v", got)
			}
			stored, _ := f.store.GatewayAccountByID(ctx, a.ID)
			for _, secret := range []string{"sk_test_123", "whsec_abc"} {
				if strings.Contains(stored.SealedSecrets, secret) || strings.Contains(stored.Settings, secret) {
					t.Errorf("the row holds %s in the clear", secret)
				}
			}
			opened, err := f.svc.Open(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if opened.Credentials["secretKey"] != "sk_test_123" || opened.Credentials["webhookSecret"] != "whsec_abc" || opened.Credentials["publishableKey"] != "pk_test_9" {
				t.Errorf("Open = %v, want every credential", opened.Credentials)
			}

			// The same ID again (a retried request) is the same account.
			retry := stripeAccount()
			retry.ID = a.ID
			if again, err := f.svc.Connect(ctx, f.shop, retry); err != nil || again.ID != a.ID {
				t.Errorf("connecting the same ID again = %+v, %v; want the account", again, err)
			}
			if _, err := f.svc.Connect(ctx, f.other, retry); !errors.As(err, new(*fault.ConflictError)) {
				t.Errorf("another business connecting under the ID = %v, want a conflict", err)
			}

			// Sealed for this account: moved onto another row, they do not open.
			b, err := f.svc.Connect(ctx, f.shop, stripeAccount())
			if err != nil {
				t.Fatal(err)
			}
			if err := f.store.UpdateGatewayAccount(ctx, b.ID, models.GatewayAccountChanges{SealedSecrets: &stored.SealedSecrets}, b.UpdatedAt, f.now); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Open(ctx, b.ID); !errors.Is(err, sealed.ErrInvalid) {
				t.Errorf("Open(another account's secrets) = %v, want sealed.ErrInvalid", err)
			}
		})
	}
}

func TestConnectRefusesBadInput(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	missing := uuid.Must(uuid.NewV7())
	tests := []struct {
		name   string
		caller tenancy.Caller
		change func(*New)
		field  string
	}{
		{"unknown gateway", f.shop, func(n *New) { n.Gateway = "bitpay" }, "gateway"},
		{"sandbox is not connected", f.shop, func(n *New) { n.Gateway = "sandbox" }, "gateway"},
		{"unknown mode", f.shop, func(n *New) { n.Mode = "prod" }, "mode"},
		{"a required credential missing", f.shop, func(n *New) { delete(n.Credentials, "webhookSecret") }, "credentials.webhookSecret"},
		{"an unknown credential", f.shop, func(n *New) { n.Credentials["password"] = "x" }, "credentials.password"},
		{"an empty credential", f.shop, func(n *New) { n.Credentials["secretKey"] = "" }, "credentials.secretKey"},
		{"an oversized credential", f.shop, func(n *New) { n.Credentials["secretKey"] = "sk_test_" + strings.Repeat("x", maxCredentialLen) }, "credentials.secretKey"},
		{"a test key in live mode", f.shop, func(n *New) { n.Mode = ModeLive }, "credentials"},
		{"a name too long", f.shop, func(n *New) { n.Name = strings.Repeat("n", MaxNameLen+1) }, "name"},
		{"a name with a control character", f.shop, func(n *New) { n.Name = "a\nb" }, "name"},
		{"an unknown currency", f.shop, func(n *New) { n.Currencies = []billing.Currency{"XYZ"} }, "currencies"},
		{"an admin naming no tenant", f.admin, func(*New) {}, "tenantId"},
		{"an admin naming a missing tenant", f.admin, func(n *New) { n.TenantID = &missing }, "tenantId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := stripeAccount()
			tt.change(&n)
			_, err := f.svc.Connect(ctx, tt.caller, n)
			var invalid *fault.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("Connect = %v, want invalid %s", err, tt.field)
			}
		})
	}
	for name, tt := range map[string]struct {
		caller tenancy.Caller
		tenant *uuid.UUID
	}{"a customer": {f.customer, nil}, "a business naming a tenant": {f.shop, &f.other.ID}} {
		n := stripeAccount()
		n.TenantID = tt.tenant
		if _, err := f.svc.Connect(ctx, tt.caller, n); !errors.As(err, new(*fault.DeniedError)) {
			t.Errorf("%s: Connect = %v, want denied", name, err)
		}
	}
	if list, _ := f.store.GatewayAccountList(ctx, nil, uuid.Nil, 10); len(list) != 0 {
		t.Errorf("refused connects wrote %d accounts", len(list))
	}
}

func TestWhoSeesWhichAccount(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	mine, err := f.svc.Connect(ctx, f.shop, stripeAccount())
	if err != nil {
		t.Fatal(err)
	}
	n := stripeAccount()
	n.TenantID = &f.other.ID
	theirs, err := f.svc.Connect(ctx, f.admin, n)
	if err != nil {
		t.Fatal(err)
	}
	if theirs.TenantID != f.other.ID {
		t.Errorf("an admin's account went to %s, want the tenant named", theirs.TenantID)
	}
	for _, tt := range []struct {
		name    string
		caller  tenancy.Caller
		id      uuid.UUID
		visible bool
	}{
		{"own", f.shop, mine.ID, true},
		{"another business's", f.shop, theirs.ID, false},
		{"admin, any", f.admin, theirs.ID, true},
		{"a customer, its business's", f.customer, mine.ID, false},
	} {
		_, err := f.svc.Get(ctx, tt.caller, tt.id)
		if tt.visible != (err == nil) || !tt.visible && !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: Get = %v, visible want %v", tt.name, err, tt.visible)
		}
		if tt.visible {
			continue
		}
		name := "x"
		if _, err := f.svc.Update(ctx, tt.caller, tt.id, Changes{Name: &name}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: Update = %v, want not found", tt.name, err)
		}
		if err := f.svc.Disconnect(ctx, tt.caller, tt.id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: Disconnect = %v, want not found", tt.name, err)
		}
	}
	if list, err := f.svc.List(ctx, f.shop, &f.other.ID, uuid.Nil, 10); err != nil || len(list) != 1 || list[0].ID != mine.ID {
		t.Errorf("a business's List (naming another tenant) = %v, %v; want its own only", list, err)
	}
	if list, _ := f.svc.List(ctx, f.admin, nil, uuid.Nil, 10); len(list) != 2 {
		t.Errorf("an admin's List = %d accounts, want both", len(list))
	}
	if _, err := f.svc.List(ctx, f.customer, nil, uuid.Nil, 10); !errors.As(err, new(*fault.DeniedError)) {
		t.Errorf("a customer's List = %v, want denied", err)
	}
}

func TestRotateByReplacing(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	a, err := f.svc.Connect(ctx, f.shop, stripeAccount())
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	updated, err := f.svc.Update(ctx, f.shop, a.ID, Changes{Credentials: map[string]string{"webhookSecret": "whsec_new"}})
	if err != nil {
		t.Fatal(err)
	}
	opened, _ := f.svc.Open(ctx, a.ID)
	if opened.Credentials["webhookSecret"] != "whsec_new" || opened.Credentials["secretKey"] != "sk_test_123" || opened.Credentials["publishableKey"] != "pk_test_9" {
		t.Errorf("after rotating the webhook secret: %v; want it replaced and the rest kept", opened.Credentials)
	}
	if !updated.UpdatedAt.Equal(f.now) {
		t.Errorf("UpdatedAt = %v, want %v: connections are remade from the row's update time", updated.UpdatedAt, f.now)
	}
	for name, ch := range map[string]Changes{
		"an unknown credential":     {Credentials: map[string]string{"password": "x"}},
		"a key of the other mode":   {Credentials: map[string]string{"secretKey": "sk_live_1"}},
		"a name with a control key": {Name: ptr("a\x00")},
	} {
		if _, err := f.svc.Update(ctx, f.shop, a.ID, ch); !errors.As(err, new(*fault.InvalidError)) {
			t.Errorf("%s: Update = %v, want invalid", name, err)
		}
	}
	if opened, _ := f.svc.Open(ctx, a.ID); opened.Credentials["secretKey"] != "sk_test_123" {
		t.Errorf("a refused update changed the secret key to %q", opened.Credentials["secretKey"])
	}
}

func TestDisconnectRefusedWhileMethodsPayThroughIt(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	a, err := f.svc.Connect(ctx, f.shop, stripeAccount())
	if err != nil {
		t.Fatal(err)
	}
	pm := &models.PaymentMethod{TenantID: f.shop.ID, CustomerID: f.customer.ID, Gateway: "stripe", GatewayAccountID: &a.ID, Token: "cus_1/pm_1"}
	if err := f.store.AddPaymentMethod(ctx, pm); err != nil {
		t.Fatal(err)
	}
	var conflict *fault.ConflictError
	if err := f.svc.Disconnect(ctx, f.shop, a.ID); !errors.As(err, &conflict) {
		t.Fatalf("Disconnect(in use) = %v, want a conflict", err)
	}
	if err := f.store.DeletePaymentMethod(ctx, f.customer.ID, pm.ID); err != nil {
		t.Fatal(err)
	}
	// A payment still open through the account holds it too.
	now := time.Now().UTC()
	inv := &models.Invoice{ID: uuid.Must(uuid.NewV7()), TenantID: f.shop.ID, CustomerID: f.customer.ID, Status: "open", Currency: "USD", Total: 100, AmountDue: 100, Version: 1, CreatedAt: now, UpdatedAt: now}
	p := &models.Payment{ID: uuid.Must(uuid.NewV7()), TenantID: f.shop.ID, CustomerID: f.customer.ID, InvoiceID: inv.ID, Amount: 100, Currency: "USD",
		Gateway: contract.GatewayRoute("stripe", a.ID), Status: "pending", Version: 1, CreatedAt: now, UpdatedAt: now}
	if _, err := f.store.ProjectPayment(ctx, p, inv); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Disconnect(ctx, f.shop, a.ID); !errors.As(err, &conflict) {
		t.Fatalf("Disconnect(a payment open through it) = %v, want a conflict", err)
	}
	p.Status, p.Version = "paid", 2
	inv.Status, inv.Version = "paid", 2
	if _, err := f.store.ProjectPayment(ctx, p, inv); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Disconnect(ctx, f.shop, a.ID); err != nil {
		t.Errorf("Disconnect = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
