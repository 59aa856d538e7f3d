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
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// world is a tenant's catalog and customers in memory.
type world struct {
	clients  map[uuid.UUID]*models.Client
	prices   map[uuid.UUID]*models.Price
	products map[uuid.UUID]*models.Product
	methods  map[uuid.UUID]*models.PaymentMethod
	subs     map[uuid.UUID]*models.Subscription
	invoices map[uuid.UUID]*models.Invoice
	payments map[uuid.UUID]*models.Payment
	accounts map[uuid.UUID]*models.GatewayAccount
}

func (w *world) GatewayAccountByID(_ context.Context, id uuid.UUID) (*models.GatewayAccount, error) {
	return find(w.accounts, id)
}
func (w *world) GatewayAccountsAt(_ context.Context, tenant uuid.UUID, gateway string, limit int) ([]models.GatewayAccount, error) {
	var out []models.GatewayAccount
	for _, a := range w.accounts {
		if a.TenantID == tenant && a.Gateway == gateway && len(out) < limit {
			out = append(out, *a)
		}
	}
	return out, nil
}

func (w *world) ClientByID(_ context.Context, id uuid.UUID) (*models.Client, error) {
	return find(w.clients, id)
}
func (w *world) PriceByID(_ context.Context, id uuid.UUID) (*models.Price, error) {
	return find(w.prices, id)
}
func (w *world) ProductByID(_ context.Context, id uuid.UUID) (*models.Product, error) {
	return find(w.products, id)
}
func (w *world) PaymentMethodByID(_ context.Context, id uuid.UUID) (*models.PaymentMethod, error) {
	return find(w.methods, id)
}
func (w *world) SubscriptionByID(_ context.Context, id uuid.UUID) (*models.Subscription, error) {
	return find(w.subs, id)
}
func (w *world) PaymentByID(_ context.Context, id uuid.UUID) (*models.Payment, error) {
	return find(w.payments, id)
}
func (w *world) InvoiceByID(_ context.Context, id uuid.UUID) (*models.Invoice, error) {
	return find(w.invoices, id)
}
func (w *world) Subscriptions(context.Context, models.SubscriptionFilter) ([]models.Subscription, error) {
	return nil, nil
}
func (w *world) Payments(context.Context, models.PaymentFilter) ([]models.Payment, error) {
	return nil, nil
}

func find[T any](m map[uuid.UUID]*T, id uuid.UUID) (*T, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	return nil, models.ErrNotFound
}

// clocks knows no clock: a sale on one is refused as no such.
type clocks struct{}

func (clocks) ForSale(_ context.Context, id *uuid.UUID, _ uuid.UUID, _ string) (*contract.TestClock, error) {
	if id == nil {
		return nil, nil
	}
	return nil, fault.Invalid("testClockId", "no such test clock", id.String())
}
func (clocks) Follow(context.Context, *contract.TestClock, string, bool) error { return nil }

type fixture struct {
	s                              *Service
	shop, bob, eve, stranger       tenancy.Caller
	monthly, once, retired, euros  uuid.UUID
	archived, otherShops, bobsCard uuid.UUID
	sub                            uuid.UUID
}

func newFixture() *fixture {
	w := &world{clients: map[uuid.UUID]*models.Client{}, prices: map[uuid.UUID]*models.Price{},
		products: map[uuid.UUID]*models.Product{}, methods: map[uuid.UUID]*models.PaymentMethod{}, subs: map[uuid.UUID]*models.Subscription{},
		accounts: map[uuid.UUID]*models.GatewayAccount{}}
	f := &fixture{s: &Service{Accounts: w, Catalog: w, Billing: w, Clocks: clocks{}, Gateways: []string{"sandbox"}, Connections: w}}
	client := func(tenant *uuid.UUID, level int, disabled bool) tenancy.Caller {
		c := &models.Client{ID: uuid.New(), TenantID: tenant, Disabled: disabled}
		w.clients[c.ID] = c
		return tenancy.Caller{ID: c.ID, TenantID: c.TenantID, Level: level}
	}
	f.shop = client(nil, models.LevelBusiness, false)
	f.stranger = client(nil, models.LevelBusiness, false)
	f.bob = client(&f.shop.ID, models.LevelCustomer, false)
	f.eve = client(&f.shop.ID, models.LevelCustomer, true)
	product := func(tenant uuid.UUID, active bool) uuid.UUID {
		p := &models.Product{ID: uuid.New(), TenantID: tenant, Name: "Pro", Active: active}
		w.products[p.ID] = p
		return p.ID
	}
	month, one := "month", 1
	price := func(product uuid.UUID, typ billing.PriceType, currency string, active bool) uuid.UUID {
		p := &models.Price{ID: uuid.New(), TenantID: w.products[product].TenantID, ProductID: product, Type: string(typ),
			Amount: 1 << 50, Currency: currency, Active: active}
		if typ == billing.RecurringPrice {
			p.Interval, p.IntervalCount = &month, &one
		}
		w.prices[p.ID] = p
		return p.ID
	}
	pro := product(f.shop.ID, true)
	f.monthly = price(pro, billing.RecurringPrice, "EUR", true)
	f.euros = price(pro, billing.RecurringPrice, "USD", true)
	f.once = price(pro, billing.OneTimePrice, "EUR", true)
	f.retired = price(pro, billing.RecurringPrice, "EUR", false)
	f.archived = price(product(f.shop.ID, false), billing.RecurringPrice, "EUR", true)
	f.otherShops = price(product(f.stranger.ID, true), billing.RecurringPrice, "EUR", true)
	card := &models.PaymentMethod{ID: uuid.New(), CustomerID: f.bob.ID, Gateway: "sandbox", Token: "tok"}
	w.methods[card.ID] = card
	f.bobsCard = card.ID
	sub := &models.Subscription{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, Currency: "EUR", Quantity: 1 << 30}
	w.subs[sub.ID] = sub
	f.sub = sub.ID
	return f
}

func ptr[T any](v T) *T { return &v }

func TestCheckoutRefusals(t *testing.T) {
	f := newFixture()
	card := Payment{MethodID: &f.bobsCard}
	bobID := f.bob.ID.String()
	for _, tc := range []struct {
		name   string
		caller tenancy.Caller
		order  Order
		want   billing.PriceType
		field  string
		msg    string
	}{
		{"a quantity of zero", f.bob, Order{PriceID: f.monthly, Quantity: ptr(int64(0)), Payment: card}, billing.RecurringPrice, "quantity", "quantity must be 1-10000"},
		{"a quantity too large", f.bob, Order{PriceID: f.monthly, Quantity: ptr(int64(MaxQuantity + 1)), Payment: card}, billing.RecurringPrice, "quantity", "quantity must be 1-10000"},
		{"a customer buying for another", f.bob, Order{CustomerID: ptr(bobID + "x"), PriceID: f.monthly, Payment: card}, billing.RecurringPrice, "customerId", "a customer buys for itself"},
		{"a business naming nobody", f.shop, Order{PriceID: f.monthly, Payment: card}, billing.RecurringPrice, "customerId", "customerId is required"},
		{"another tenant's customer", f.stranger, Order{CustomerID: &bobID, PriceID: f.monthly, Payment: card}, billing.RecurringPrice, "customerId", "no such customer"},
		{"a disabled customer", f.shop, Order{CustomerID: ptr(f.eve.ID.String()), PriceID: f.monthly, Payment: card}, billing.RecurringPrice, "customerId", "the customer is disabled"},
		{"another tenant's price", f.bob, Order{PriceID: f.otherShops, Payment: card}, billing.RecurringPrice, "priceId", "no such price"},
		{"a price no longer sold", f.bob, Order{PriceID: f.retired, Payment: card}, billing.RecurringPrice, "priceId", "the price is no longer sold"},
		{"a one-time price subscribed to", f.bob, Order{PriceID: f.once, Payment: card}, billing.RecurringPrice, "priceId", "a one-time price is bought with POST /v1/purchases"},
		{"a recurring price bought", f.bob, Order{PriceID: f.monthly, Payment: card}, billing.OneTimePrice, "priceId", "a recurring price is subscribed to with POST /v1/subscriptions"},
		{"an archived product", f.bob, Order{PriceID: f.archived, Payment: card}, billing.RecurringPrice, "priceId", "the price's product is archived"},
		{"two ways to pay", f.bob, Order{PriceID: f.monthly, Payment: Payment{MethodID: &f.bobsCard, Inline: &contract.PaymentMethod{Gateway: "sandbox", Token: "t"}}}, billing.RecurringPrice, "paymentMethod", "give paymentMethodId or paymentMethod, not both"},
		{"no way to pay", f.bob, Order{PriceID: f.monthly}, billing.RecurringPrice, "paymentMethodId", "paymentMethodId or paymentMethod is required"},
		{"a method of no such", f.shop, Order{CustomerID: &bobID, PriceID: f.monthly, Payment: Payment{MethodID: ptr(uuid.New())}}, billing.RecurringPrice, "paymentMethodId", "no such payment method for this customer"},
		{"a gateway not configured", f.bob, Order{PriceID: f.monthly, Payment: Payment{Inline: &contract.PaymentMethod{Gateway: "paypal", Token: "t"}}}, billing.RecurringPrice, "paymentMethod.gateway", "gateway must be one of the configured gateways or one the business connected"},
		{"a clock of no such", f.shop, Order{CustomerID: &bobID, PriceID: f.monthly, Payment: card, TestClockID: ptr(uuid.New())}, billing.RecurringPrice, "testClockId", "no such test clock"},
		{"a total that does not fit", f.bob, Order{PriceID: f.monthly, Quantity: ptr(int64(MaxQuantity)), Payment: card}, billing.RecurringPrice, "quantity", "the price times the quantity is too large"},
	} {
		_, err := f.s.checkout(context.Background(), tc.caller, tc.order, tc.want)
		var invalid *fault.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tc.field || invalid.Message != tc.msg {
			t.Errorf("%s: checkout = %v, want %s: %s", tc.name, err, tc.field, tc.msg)
		}
	}
	_, err := f.s.checkout(context.Background(), f.bob, Order{PriceID: f.monthly, Payment: card, TestClockID: ptr(uuid.New())}, billing.RecurringPrice)
	if denied := (*fault.DeniedError)(nil); !errors.As(err, &denied) || denied.Field != "testClockId" {
		t.Errorf("a customer's sale on a clock = %v, want testClockId denied", err)
	}
}

func TestCheckout(t *testing.T) {
	f := newFixture()
	bobID := f.bob.ID.String()
	for _, caller := range []tenancy.Caller{f.bob, f.shop} {
		got, err := f.s.checkout(context.Background(), caller, Order{CustomerID: &bobID, PriceID: f.monthly, Payment: Payment{MethodID: &f.bobsCard}}, billing.RecurringPrice)
		if err != nil {
			t.Fatal(err)
		}
		want := contract.PaymentMethod{PaymentMethodID: f.bobsCard, Gateway: "sandbox", Token: "tok"}
		if got.customer.ID != f.bob.ID || got.quantity != 1 || got.method != want || got.productName != "Pro" ||
			got.total != (billing.Money{Amount: 1 << 50, Currency: "EUR"}) || got.clock != nil {
			t.Errorf("checkout = %+v, want bob's one unit of Pro, by his card, on real time", got)
		}
	}
}

func TestChangeRefusals(t *testing.T) {
	f := newFixture()
	scope := f.bob.Scope()
	var invalid *fault.InvalidError
	_, err := f.s.ChangePrice(context.Background(), scope, f.sub, uuid.New(), f.euros, billing.CreateProrations)
	if !errors.As(err, &invalid) || invalid.Message != "the new price must be in the subscription's currency, EUR" {
		t.Errorf("a change to another currency = %v, want refused", err)
	}
	_, err = f.s.ChangePrice(context.Background(), scope, f.sub, uuid.New(), f.monthly, billing.CreateProrations)
	if !errors.As(err, &invalid) || invalid.Message != "the price times the quantity is too large" {
		t.Errorf("a change whose total does not fit = %v, want refused", err)
	}
	if _, err := f.s.Pause(context.Background(), f.stranger.Scope(), f.sub, uuid.New()); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another tenant's change = %v, want not found", err)
	}
}

func (w *world) AddPaymentMethod(_ context.Context, pm *models.PaymentMethod) error {
	pm.ID = uuid.New()
	w.methods[pm.ID] = pm
	return nil
}
func (w *world) PaymentMethods(_ context.Context, customer uuid.UUID) ([]models.PaymentMethod, error) {
	var out []models.PaymentMethod
	for _, pm := range w.methods {
		if pm.CustomerID == customer {
			out = append(out, *pm)
		}
	}
	return out, nil
}
func (w *world) DeletePaymentMethod(_ context.Context, customer, id uuid.UUID) error {
	if pm, ok := w.methods[id]; !ok || pm.CustomerID != customer {
		return models.ErrNotFound
	}
	delete(w.methods, id)
	return nil
}

func TestSavedPaymentMethods(t *testing.T) {
	f := newFixture()
	f.s.PaymentMethods, f.s.Now = f.s.Billing.(*world), time.Now
	ctx, bob := context.Background(), f.bob.ID
	var invalid *fault.InvalidError
	if _, err := f.s.SavePaymentMethod(ctx, f.shop, bob, NewMethod{Gateway: "paypal", Token: "t"}); !errors.As(err, &invalid) || invalid.Field != "gateway" {
		t.Errorf("a gateway not configured = %v, want refused", err)
	}
	for name, who := range map[string]tenancy.Caller{"another business": f.stranger, "another customer": f.eve} {
		if _, err := f.s.SavePaymentMethod(ctx, who, bob, NewMethod{Gateway: "sandbox", Token: "t"}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s saving bob's method = %v, want not found", name, err)
		}
	}
	if _, err := f.s.SavedPaymentMethods(ctx, f.shop, f.shop.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the methods of a business account = %v, want not found: it is no customer", err)
	}
	pm, err := f.s.SavePaymentMethod(ctx, f.bob, bob, NewMethod{Gateway: "sandbox", Token: "tok_2"})
	if err != nil || pm.TenantID != f.shop.ID || pm.CustomerID != bob {
		t.Fatalf("bob saving his own = %+v, %v", pm, err)
	}
	if list, err := f.s.SavedPaymentMethods(ctx, f.shop, bob); err != nil || len(list) != 2 {
		t.Errorf("the shop listing bob's = %d, %v; want his card and the new one", len(list), err)
	}
	if err := f.s.DeletePaymentMethod(ctx, f.stranger, bob, pm.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another business deleting = %v, want not found", err)
	}
	if err := f.s.DeletePaymentMethod(ctx, f.shop, bob, pm.ID); err != nil {
		t.Errorf("the shop deleting = %v", err)
	}
}
