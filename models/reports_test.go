package models

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

// reportFixture records a shop's billing history, an event at a time, as
// the projections would.
type reportFixture struct {
	*billingFixture
	s    *Store
	t    *testing.T
	subs map[string]*Subscription
	seq  int
}

func (f *reportFixture) subscribe(name string, tenant uuid.UUID, price Price, quantity int64) {
	f.t.Helper()
	sub := &Subscription{ID: uuid.New(), TenantID: tenant, CustomerID: f.bob.ID, PriceID: price.ID, Quantity: quantity,
		Status: "active", Currency: price.Currency, Amount: price.Amount, Gateway: "sandbox", Version: 1, CreatedAt: reportDay(0, 0), UpdatedAt: reportDay(0, 0)}
	if err := f.s.db.Create(sub).Error; err != nil {
		f.t.Fatal(err)
	}
	f.subs[name] = sub
}

// event records typ about object (a subscription's name, or a payment's
// ID) on day at hour.
func (f *reportFixture) event(typ, object string, day, hour int) {
	f.t.Helper()
	tenant, id, kind := f.shop.ID, uuid.NewSHA1(uuid.NameSpaceOID, []byte(object)), "payment"
	if sub, ok := f.subs[object]; ok {
		tenant, id, kind = sub.TenantID, sub.ID, "subscription"
	}
	f.seq++
	e := Event{ID: uuid.Must(uuid.NewV7()), TenantID: tenant, Type: typ, ObjectType: kind, ObjectID: id,
		DedupeKey: fmt.Sprint(f.seq), Data: "{}", CreatedAt: reportDay(day, hour)}
	if err := f.s.db.Create(&e).Error; err != nil {
		f.t.Fatal(err)
	}
}

// paid records an invoice of amount paid on day, and returns its payment.
func (f *reportFixture) paid(amount int64, day int) *Payment {
	f.t.Helper()
	at := reportDay(day, 12)
	inv := &Invoice{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, Status: "paid", Currency: "USD", Total: amount, AmountDue: amount, PaidAt: &at, Version: 1, CreatedAt: at, UpdatedAt: at}
	pay := &Payment{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, InvoiceID: inv.ID, Amount: amount, Currency: "USD", Gateway: "sandbox", Status: "paid", PaidAt: &at, Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := f.s.db.Create(inv).Error; err != nil {
		f.t.Fatal(err)
	}
	if err := f.s.db.Create(pay).Error; err != nil {
		f.t.Fatal(err)
	}
	return pay
}

func reportDay(day, hour int) time.Time {
	return time.Date(2031, time.January, 1+day, hour, 0, 0, 0, time.UTC)
}

// The four reports over five days of a shop's history, on both
// databases: each counts what happened in its own tenant, day by day.
func TestReports(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := &reportFixture{billingFixture: newBillingFixture(t, s), s: s, t: t, subs: map[string]*Subscription{}}
		year, one := "year", 1
		yearly := &Product{TenantID: f.shop.ID, Name: "Yearly", Active: true, Prices: []Price{
			{Amount: 120000, Currency: "USD", Type: "recurring", Interval: &year, IntervalCount: &one, Active: true}}}
		if err := s.CreateProduct(ctx, yearly); err != nil {
			t.Fatal(err)
		}
		other := newClient(t, s, nil, "other", "business")
		f.subscribe("a", f.shop.ID, f.monthly, 2)        // 2000 a month
		f.subscribe("b", f.shop.ID, yearly.Prices[0], 1) // 10000 a month
		f.subscribe("c", f.shop.ID, f.monthly, 1)        // never pays
		f.subscribe("e", f.shop.ID, f.monthly, 1)        // 1000 a month
		f.subscribe("theirs", other.ID, f.monthly, 5)    // another tenant's

		f.event(EventSubscriptionCreated, "a", 0, 9)
		f.event(EventSubscriptionActivated, "a", 0, 10)
		f.event(EventSubscriptionActivated, "e", 0, 11)
		f.event(EventSubscriptionActivated, "theirs", 0, 11)
		f.event(EventSubscriptionTrialing, "b", 0, 12)
		f.event(EventSubscriptionActivated, "b", 1, 9)
		f.event(EventSubscriptionCreated, "c", 1, 10)
		f.event(EventSubscriptionPastDue, "e", 2, 8)
		f.event(EventSubscriptionPaused, "a", 2, 12)
		f.event(EventSubscriptionExpired, "c", 2, 13) // its first invoice: not churn
		f.event(EventSubscriptionResumed, "a", 3, 8)
		f.event(EventSubscriptionRenewed, "a", 3, 8)
		f.event(EventSubscriptionCanceled, "b", 3, 15)
		f.event(EventSubscriptionExpired, "e", 4, 10)

		f.event(EventPaymentSucceeded, "p2", 1, 10) // paid at once: no recovery
		f.event(EventPaymentFailed, "p1", 1, 11)
		f.event(EventPaymentFailed, "p1", 2, 11)
		f.event(EventPaymentFailed, "p3", 2, 12)
		f.event(EventPaymentSucceeded, "p1", 3, 11)
		f.event(EventPaymentExpired, "p3", 4, 12)
		f.event(EventPaymentExpired, "p4", 4, 13) // a purchase never approved

		first := f.paid(2000, 0)
		f.paid(120000, 1)
		refund := &Refund{ID: uuid.New(), TenantID: f.shop.ID, CustomerID: f.bob.ID, PaymentID: first.ID, InvoiceID: first.InvoiceID,
			Amount: 500, Currency: "USD", Status: "succeeded", CreatedAt: reportDay(2, 9), UpdatedAt: reportDay(2, 10)}
		if err := s.db.Create(refund).Error; err != nil {
			t.Fatal(err)
		}

		days := make([]Day, 5)
		for i := range days {
			days[i] = Day{Start: reportDay(i, 0), End: reportDay(i+1, 0)}
		}
		mrr, err := s.MRR(ctx, f.shop.ID, days)
		want := []MRRRow{{0, "USD", 3000, 2}, {1, "USD", 13000, 3}, {2, "USD", 11000, 2}, {3, "USD", 3000, 2}, {4, "USD", 2000, 1}}
		if err != nil || !reflect.DeepEqual(mrr, want) {
			t.Errorf("MRR = %v, %v; want %v", mrr, err, want)
		}
		revenue, err := s.Revenue(ctx, f.shop.ID, days)
		wantRevenue := []RevenueRow{{0, "USD", 2000, 0}, {1, "USD", 120000, 0}, {2, "USD", 0, 500}}
		if err != nil || !reflect.DeepEqual(revenue, wantRevenue) {
			t.Errorf("Revenue = %v, %v; want %v", revenue, err, wantRevenue)
		}
		health, err := s.PaymentHealth(ctx, f.shop.ID, days)
		wantHealth := []PaymentHealthRow{{1, 1, 0, 0}, {2, 2, 0, 0}, {3, 0, 1, 0}, {4, 0, 0, 1}}
		if err != nil || !reflect.DeepEqual(health, wantHealth) {
			t.Errorf("PaymentHealth = %v, %v; want %v", health, err, wantHealth)
		}
		churn, err := s.Churn(ctx, f.shop.ID, days)
		wantChurn := []ChurnRow{{3, 1, 0}, {4, 0, 1}}
		if err != nil || !reflect.DeepEqual(churn, wantChurn) {
			t.Errorf("Churn = %v, %v; want %v", churn, err, wantChurn)
		}
		if mrr, err := s.MRR(ctx, other.ID, days[:1]); err != nil || len(mrr) != 1 || mrr[0].MRR != 5000 {
			t.Errorf("the other tenant's MRR = %v, %v; want its own 5000", mrr, err)
		}
	})
}
