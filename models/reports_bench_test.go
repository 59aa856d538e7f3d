package models

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
)

// dashboardSubscriptions is the yardstick: the first page of the
// dashboard renders in under a second with 10,000 subscriptions.
const dashboardSubscriptions = 10000

// BenchmarkDashboardReports computes the dashboard's first page, the four
// series over 30 days, on SQLite (the embedded default) holding 10,000
// subscriptions with their events, invoices and declines over 90 days.
// The baseline reads the 10,000 subscription rows; "vs-rows" is the
// reports' time over the baseline's, and ms/page the page's own time.
func BenchmarkDashboardReports(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	tenant := seedDashboard(b, s)
	days := make([]Day, 30)
	end := time.Date(2031, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range days {
		start := end.AddDate(0, 0, i-len(days))
		days[i] = Day{Start: start, End: start.AddDate(0, 0, 1)}
	}

	var rowsNs float64
	b.Run("read-subscription-rows", func(b *testing.B) {
		for b.Loop() {
			var subs []Subscription
			if err := s.db.WithContext(ctx).Where("tenant_id = ?", tenant).Find(&subs).Error; err != nil || len(subs) != dashboardSubscriptions {
				b.Fatalf("%d rows, %v", len(subs), err)
			}
		}
		rowsNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			mrr, err := s.MRR(ctx, tenant, days)
			if err != nil || len(mrr) != len(days) {
				b.Fatalf("MRR: %d rows, %v", len(mrr), err)
			}
			if _, err := s.Revenue(ctx, tenant, days); err != nil {
				b.Fatal(err)
			}
			if _, err := s.PaymentHealth(ctx, tenant, days); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Churn(ctx, tenant, days); err != nil {
				b.Fatal(err)
			}
		}
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(ns/1e6, "ms/page")
		b.ReportMetric(ns/rowsNs, "vs-rows")
	})
}

// seedDashboard writes a shop's 90 days: 10,000 monthly subscriptions
// started through January to March, each with its created and activated
// events and a paid invoice; every tenth canceled, every twentieth
// declined once and recovered.
func seedDashboard(b *testing.B, s *Store) uuid.UUID {
	b.Helper()
	ctx := context.Background()
	shop := &Client{Login: "shop"}
	if err := s.CreateClient(ctx, shop, "business"); err != nil {
		b.Fatal(err)
	}
	bob := &Client{Login: "bob", TenantID: &shop.ID}
	if err := s.CreateClient(ctx, bob, "customer"); err != nil {
		b.Fatal(err)
	}
	month, one := "month", 1
	p := &Product{TenantID: shop.ID, Name: "Pro", Active: true, Prices: []Price{{Amount: 3000, Currency: "USD", Type: "recurring", Interval: &month, IntervalCount: &one, Active: true}}}
	if err := s.CreateProduct(ctx, p); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	var subs []Subscription
	var invoices []Invoice
	var events []Event
	event := func(typ, kind string, object uuid.UUID, at time.Time) {
		events = append(events, Event{ID: uuid.Must(uuid.NewV7()), TenantID: shop.ID, Type: typ, ObjectType: kind, ObjectID: object,
			DedupeKey: fmt.Sprint(len(events)), Data: "{}", CreatedAt: at})
	}
	for i := range dashboardSubscriptions {
		at := start.Add(time.Duration(i) * 90 * 24 * time.Hour / dashboardSubscriptions)
		sub := Subscription{ID: uuid.New(), TenantID: shop.ID, CustomerID: bob.ID, PriceID: p.Prices[0].ID, Quantity: 1, Status: "active",
			Currency: "USD", Amount: 3000, Gateway: "sandbox", Version: 1, CreatedAt: at, UpdatedAt: at}
		subs = append(subs, sub)
		event(EventSubscriptionCreated, "subscription", sub.ID, at)
		payment := uuid.New()
		if i%20 == 0 {
			event(EventPaymentFailed, "payment", payment, at)
		}
		paid := at.Add(time.Hour)
		event(EventPaymentSucceeded, "payment", payment, paid)
		event(EventSubscriptionActivated, "subscription", sub.ID, paid)
		invoices = append(invoices, Invoice{ID: uuid.New(), TenantID: shop.ID, CustomerID: bob.ID, SubscriptionID: &sub.ID, Status: "paid", Currency: "USD",
			Total: 3000, AmountDue: 3000, PaidAt: &paid, Version: 1, CreatedAt: at, UpdatedAt: paid})
		if i%10 == 0 {
			event(EventSubscriptionCanceled, "subscription", sub.ID, paid.AddDate(0, 0, 20))
		}
	}
	for _, batch := range []any{&subs, &invoices, &events} {
		if err := s.db.CreateInBatches(batch, 500).Error; err != nil {
			b.Fatal(err)
		}
	}
	return shop.ID
}
