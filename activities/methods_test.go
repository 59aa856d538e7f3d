package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// The method a first payment saved is kept once per customer, gateway
// account and token, however often the activity runs; another account's
// same token is another method.
func TestKeepPayersMethod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		a := &Activities{Store: s}
		accounts := make([]uuid.UUID, 2)
		for i := range accounts {
			acct := &models.GatewayAccount{ID: uuid.Must(uuid.NewV7()), TenantID: shop.ID, Gateway: "paypal", Mode: "test", CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := s.CreateGatewayAccount(ctx, acct); err != nil {
				t.Fatal(err)
			}
			accounts[i] = acct.ID
		}
		keep := func(route string) uuid.UUID {
			t.Helper()
			id, err := a.KeepPayersMethod(ctx, KeepPayersMethodInput{TenantID: shop.ID, CustomerID: bob.ID, Gateway: route, Token: "vault:W1"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		first := keep(contract.GatewayRoute("paypal", accounts[0]))
		if again := keep(contract.GatewayRoute("paypal", accounts[0])); again != first {
			t.Errorf("kept again as %s, want the same method %s", again, first)
		}
		other := keep(contract.GatewayRoute("paypal", accounts[1]))
		local := keep("sandbox")
		if other == first || local == first || local == other {
			t.Errorf("methods %s, %s, %s; want one per account", first, other, local)
		}
		methods, _ := s.PaymentMethods(ctx, bob.ID)
		if len(methods) != 3 {
			t.Fatalf("bob has %d methods, want 3", len(methods))
		}
		if m := methods[0]; m.ID != first || m.Gateway != "paypal" || m.GatewayAccountID == nil || *m.GatewayAccountID != accounts[0] || m.Token != "vault:W1" || m.TenantID != shop.ID {
			t.Errorf("the first method = %+v", m)
		}
		if _, err := a.KeepPayersMethod(ctx, KeepPayersMethodInput{TenantID: shop.ID, CustomerID: bob.ID, Gateway: "paypal/not-an-id", Token: "vault:W1"}); err == nil {
			t.Error("a malformed route was kept")
		}
	})
}
