package sales

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// checker keeps "pm_…" tokens as "cus_1/pm_…" and refuses the others, as
// a connected gateway would; it records the routes it was asked through.
type checker struct{ routes []string }

func (c *checker) CheckMethod(_ context.Context, route, token string) (string, error) {
	c.routes = append(c.routes, route)
	if token == "pm_gone" {
		return "", fault.Invalid("token", "stripe refused the token: no such payment method", nil)
	}
	return "cus_1/" + token, nil
}

// connect gives the shop an account at gateway taking currencies.
func (f *fixture) connect(gateway string, currencies string) *models.GatewayAccount {
	w := f.s.Billing.(*world)
	a := &models.GatewayAccount{ID: uuid.New(), TenantID: f.shop.ID, Gateway: gateway, Mode: "test", Currencies: currencies}
	w.accounts[a.ID] = a
	return a
}

func TestSavingAMethodOfAConnectedAccount(t *testing.T) {
	f := newFixture()
	c := &checker{}
	w := f.s.Billing.(*world)
	f.s.PaymentMethods, f.s.MethodChecker, f.s.Now = w, c, time.Now
	ctx, bob := context.Background(), f.bob.ID
	stripe := f.connect("stripe", "")

	pm, err := f.s.SavePaymentMethod(ctx, f.bob, bob, NewMethod{Gateway: "stripe", Token: "pm_1"})
	if err != nil {
		t.Fatal(err)
	}
	if pm.Gateway != "stripe" || pm.GatewayAccountID == nil || *pm.GatewayAccountID != stripe.ID || pm.Token != "cus_1/pm_1" {
		t.Errorf("saved %+v; want the shop's stripe account and the token its gateway keeps", pm)
	}
	if want := contract.GatewayRoute("stripe", stripe.ID); len(c.routes) != 1 || c.routes[0] != want {
		t.Errorf("checked through %v, want %s", c.routes, want)
	}
	named, err := f.s.SavePaymentMethod(ctx, f.bob, bob, NewMethod{GatewayAccountID: &stripe.ID, Token: "pm_2"})
	if err != nil || *named.GatewayAccountID != stripe.ID || named.Gateway != "stripe" {
		t.Errorf("saving through the account named = %+v, %v", named, err)
	}

	strangers := &models.GatewayAccount{ID: uuid.New(), TenantID: f.stranger.ID, Gateway: "stripe"}
	w.accounts[strangers.ID] = strangers
	saved := len(w.methods)
	for _, tt := range []struct {
		name  string
		m     NewMethod
		field string
	}{
		{"a gateway the shop did not connect", NewMethod{Gateway: "paypal", Token: "x"}, "gateway"},
		{"another business's account", NewMethod{GatewayAccountID: &strangers.ID, Token: "pm_3"}, "gatewayAccountId"},
		{"no such account", NewMethod{GatewayAccountID: ptr(uuid.New()), Token: "pm_3"}, "gatewayAccountId"},
		{"an account at another gateway", NewMethod{Gateway: "paypal", GatewayAccountID: &stripe.ID, Token: "pm_3"}, "gateway"},
		{"a token the gateway refuses", NewMethod{Gateway: "stripe", Token: "pm_gone"}, "token"},
	} {
		_, err := f.s.SavePaymentMethod(ctx, f.bob, bob, tt.m)
		var invalid *fault.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("%s: SavePaymentMethod = %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	f.connect("stripe", "")
	var invalid *fault.InvalidError
	if _, err := f.s.SavePaymentMethod(ctx, f.bob, bob, NewMethod{Gateway: "stripe", Token: "pm_4"}); !errors.As(err, &invalid) || invalid.Field != "gatewayAccountId" {
		t.Errorf("with two stripe accounts and none named = %v, want gatewayAccountId asked for", err)
	}
	if len(w.methods) != saved {
		t.Errorf("refusals saved %d methods", len(w.methods)-saved)
	}
}

func TestSellingThroughAConnectedAccount(t *testing.T) {
	f := newFixture()
	w := f.s.Billing.(*world)
	euros := f.connect("stripe", "EUR")
	card := &models.PaymentMethod{ID: uuid.New(), CustomerID: f.bob.ID, Gateway: "stripe", GatewayAccountID: &euros.ID, Token: "cus_1/pm_1"}
	w.methods[card.ID] = card
	ctx := context.Background()

	got, err := f.s.checkout(ctx, f.bob, Order{PriceID: f.monthly, Payment: Payment{MethodID: &card.ID}}, billing.RecurringPrice)
	if err != nil {
		t.Fatal(err)
	}
	if want := (contract.PaymentMethod{PaymentMethodID: card.ID, Gateway: contract.GatewayRoute("stripe", euros.ID), Token: "cus_1/pm_1"}); got.method != want {
		t.Errorf("a saved method pays through %+v, want %+v", got.method, want)
	}
	inline, err := f.s.checkout(ctx, f.bob, Order{PriceID: f.monthly, Payment: Payment{Inline: &contract.PaymentMethod{Gateway: "stripe", Token: "cus_1/pm_9"}}}, billing.RecurringPrice)
	if err != nil || inline.method.Gateway != contract.GatewayRoute("stripe", euros.ID) || inline.method.PaymentMethodID != uuid.Nil {
		t.Errorf("an inline method pays through %+v, %v; want the shop's stripe account", inline.method, err)
	}
	var invalid *fault.InvalidError
	_, err = f.s.checkout(ctx, f.bob, Order{PriceID: f.euros, Payment: Payment{MethodID: &card.ID}}, billing.RecurringPrice)
	if !errors.As(err, &invalid) || invalid.Field != "currency" || invalid.Message != "the stripe account takes EUR only" {
		t.Errorf("a USD price through an EUR account = %v, want the currency refused", err)
	}
	_, err = f.s.ChangePaymentMethod(ctx, f.bob.Scope(), f.sub, uuid.New(), Payment{Inline: &contract.PaymentMethod{Gateway: "paypal", Token: "x"}})
	if !errors.As(err, &invalid) || invalid.Field != "paymentMethod.gateway" {
		t.Errorf("changing to a gateway the shop did not connect = %v, want refused", err)
	}
}

// oneClock knows one test clock, which follows any gateway.
type oneClock struct {
	clocks
	id uuid.UUID
}

func (c oneClock) ForSale(_ context.Context, id *uuid.UUID, _ uuid.UUID, _ string) (*contract.TestClock, error) {
	if id == nil {
		return nil, nil
	}
	return &contract.TestClock{ID: c.id}, nil
}

// Simulated time never moves real money: a sale on a test clock goes
// through a test-mode account only.
func TestTestClocksRunWithTestModeAccountsOnly(t *testing.T) {
	f := newFixture()
	clock := uuid.New()
	f.s.Clocks = oneClock{id: clock}
	ctx := context.Background()
	bobID := f.bob.ID.String()
	for mode, wantErr := range map[string]bool{"test": false, "live": true} {
		a := f.connect("stripe", "")
		a.Mode = mode
		f.s.Billing.(*world).accounts = map[uuid.UUID]*models.GatewayAccount{a.ID: a}
		_, err := f.s.checkout(ctx, f.shop, Order{CustomerID: &bobID, PriceID: f.monthly, TestClockID: &clock,
			Payment: Payment{Inline: &contract.PaymentMethod{Gateway: "stripe", Token: "cus_1/pm_1"}}}, billing.RecurringPrice)
		var invalid *fault.InvalidError
		if got := errors.As(err, &invalid) && invalid.Field == "testClockId"; got != wantErr {
			t.Errorf("a sale on a clock through a %s account = %v, want refused: %v", mode, err, wantErr)
		}
	}
}
