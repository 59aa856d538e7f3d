package models

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/workflows/contract"
)

// eventTypes are the types of the events of object, oldest first.
func eventTypes(t *testing.T, s *Store, object uuid.UUID) []string {
	t.Helper()
	events, err := s.Events(context.Background(), EventFilter{ObjectID: &object, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

// A subscription's life is recorded as it is written, one event per
// transition however often a write is retried, none for a stale write.
func TestSubscriptionEvents(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		sub := f.subscription(f.bob, 1)
		sub.Status = "pending"
		write := func(change func(*Subscription)) {
			t.Helper()
			next := *sub
			next.Version++
			change(&next)
			if _, err := s.UpsertSubscription(ctx, &next); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpsertSubscription(ctx, &next); err != nil { // a retried write
				t.Fatal(err)
			}
			sub = &next
		}
		if _, err := s.UpsertSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
		write(func(n *Subscription) { n.Status = "active" })
		write(func(n *Subscription) { n.CurrentPeriodStart, n.CurrentPeriodEnd = ptr(at(31)), ptr(at(61)) })
		write(func(n *Subscription) { n.Status = "past_due" })
		write(func(n *Subscription) {
			n.Status, n.CurrentPeriodStart, n.CurrentPeriodEnd = "active", ptr(at(61)), ptr(at(91))
		})
		write(func(n *Subscription) { n.Status, n.PausedAt = "paused", ptr(at(70)) })
		write(func(n *Subscription) { n.Status, n.PausedAt = "active", nil })
		write(func(n *Subscription) { n.PriceID = f.oneTime.ID })
		write(func(n *Subscription) { n.Status, n.CanceledAt, n.EndedAt = "canceled", ptr(at(80)), ptr(at(80)) })
		stale := *sub
		stale.Version, stale.Status = 2, "expired"
		if _, err := s.UpsertSubscription(ctx, &stale); err != nil {
			t.Fatal(err)
		}

		want := []string{EventSubscriptionCreated, EventSubscriptionActivated, EventSubscriptionRenewed, EventSubscriptionPastDue,
			EventSubscriptionRenewed, EventSubscriptionPaused, EventSubscriptionResumed, EventSubscriptionPriceChanged, EventSubscriptionCanceled}
		if got := eventTypes(t, s, sub.ID); !slices.Equal(got, want) {
			t.Errorf("events = %v\nwant %v", got, want)
		}
		events, _ := s.Events(ctx, EventFilter{ObjectID: &sub.ID, Types: []string{EventSubscriptionCanceled}, Limit: 10})
		if len(events) != 1 {
			t.Fatalf("canceled events = %d", len(events))
		}
		e := events[0]
		var data Subscription
		if err := json.Unmarshal([]byte(e.Data), &data); err != nil || data.Status != "canceled" || data.ID != sub.ID {
			t.Errorf("the event's data = %s, %v; want the canceled row", e.Data, err)
		}
		if e.TenantID != sub.TenantID || e.CustomerID == nil || *e.CustomerID != f.bob.ID || e.ObjectType != ObjectSubscription || !e.CreatedAt.Equal(sub.UpdatedAt) {
			t.Errorf("event = %+v", e)
		}
	})
}

// An invoice and its payment record their changes: created as a draft,
// finalized and pending once due, failed per declined attempt, then paid.
func TestPaymentAndInvoiceEvents(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		inv := f.invoice(nil, f.bob, 1)
		inv.Status = "draft"
		if _, err := s.ProjectPayment(ctx, nil, inv); err != nil {
			t.Fatal(err)
		}
		p := f.payment(inv, 2)
		for _, step := range []struct {
			invoice, payment string
			attempts         []PaymentAttempt
		}{
			{"open", "pending", nil},
			{"open", "retrying", []PaymentAttempt{{Number: 1, Status: "declined"}}},
			{"open", "retrying", []PaymentAttempt{{Number: 1, Status: "declined"}}},
			{"open", "retrying", []PaymentAttempt{{Number: 1, Status: "declined"}, {Number: 2, Status: "declined"}}},
			{"paid", "paid", []PaymentAttempt{{Number: 1, Status: "declined"}, {Number: 2, Status: "declined"}, {Number: 3, Status: "succeeded"}}},
		} {
			inv.Version++
			p.Version = inv.Version
			inv.Status, p.Status, p.Attempts = step.invoice, step.payment, step.attempts
			if _, err := s.ProjectPayment(ctx, p, inv); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := eventTypes(t, s, inv.ID), []string{EventInvoiceCreated, EventInvoiceFinalized, EventInvoicePaid}; !slices.Equal(got, want) {
			t.Errorf("invoice events = %v, want %v", got, want)
		}
		if got, want := eventTypes(t, s, p.ID), []string{EventPaymentPending, EventPaymentFailed, EventPaymentFailed, EventPaymentSucceeded}; !slices.Equal(got, want) {
			t.Errorf("payment events = %v, want %v", got, want)
		}

		// Filters: by type, with a wildcard, by customer, after a cursor.
		invoices, _ := s.Events(ctx, EventFilter{Types: []string{"invoice.*"}, CustomerID: &f.bob.ID, Limit: 10})
		if len(invoices) != 3 {
			t.Errorf("invoice.* events = %d, want 3", len(invoices))
		}
		both, _ := s.Events(ctx, EventFilter{Types: []string{"invoice.*", EventPaymentSucceeded}, Limit: 10})
		if len(both) != 4 {
			t.Errorf("invoice.* and payment.succeeded events = %d, want 4", len(both))
		}
		if rest, _ := s.Events(ctx, EventFilter{After: both[1].ID, Types: []string{"invoice.*", EventPaymentSucceeded}, Limit: 10}); len(rest) != 2 {
			t.Errorf("events after the second = %d, want 2", len(rest))
		}
		if other, _ := s.Events(ctx, EventFilter{CustomerID: &f.eve.ID, Types: []string{"invoice.*", "payment.*"}, Limit: 10}); len(other) != 0 {
			t.Errorf("another customer's billing events = %d", len(other))
		}
		later := time.Now().Add(time.Hour)
		if none, _ := s.Events(ctx, EventFilter{CreatedGte: &later, Limit: 10}); len(none) != 0 {
			t.Errorf("events from an hour from now = %d", len(none))
		}
		got, err := s.EventByID(ctx, both[0].ID)
		if err != nil || got.Type != both[0].Type {
			t.Errorf("EventByID = %+v, %v", got, err)
		}
	})
}

// A refund records its creation and how it ended.
func TestRefundEvents(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		p := paidPayment(t, s, f)
		ok, bad := refundOf(p, 100), refundOf(p, 200)
		for _, r := range []*Refund{ok, bad} {
			if _, err := s.CreateRefund(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SettleRefund(ctx, ok.ID, contract.RefundState{Status: contract.RefundSucceeded, SettledAt: at(4)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SettleRefund(ctx, bad.ID, contract.RefundState{Status: contract.RefundFailed, SettledAt: at(4)}); err != nil {
			t.Fatal(err)
		}
		if got, want := eventTypes(t, s, ok.ID), []string{EventRefundCreated, EventRefundSucceeded}; !slices.Equal(got, want) {
			t.Errorf("a succeeded refund's events = %v, want %v", got, want)
		}
		if got, want := eventTypes(t, s, bad.ID), []string{EventRefundCreated, EventRefundFailed}; !slices.Equal(got, want) {
			t.Errorf("a failed refund's events = %v, want %v", got, want)
		}
	})
}

// A business's customer records its creation, each time it is disabled and
// each password change, without its password hash; platform accounts
// record none.
func TestCustomerEvents(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		shop := newClient(t, s, nil, "shop", "business")
		bob := newClient(t, s, &shop.ID, "bob", "customer")
		disabled := true
		for range 2 { // disabling a disabled customer is no new event
			if _, err := s.UpdateClient(ctx, bob.ID, ClientChanges{Disabled: &disabled}, at(2)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetPassword(ctx, bob.ID, "$argon2id$new", at(3)); err != nil {
			t.Fatal(err)
		}
		want := []string{EventCustomerCreated, EventCustomerDisabled, EventCustomerPasswordChanged}
		if got := eventTypes(t, s, bob.ID); !slices.Equal(got, want) {
			t.Errorf("bob's events = %v, want %v", got, want)
		}
		if got := eventTypes(t, s, shop.ID); len(got) != 0 {
			t.Errorf("a business's own account recorded %v", got)
		}
		events, _ := s.Events(ctx, EventFilter{ObjectID: &bob.ID, Limit: 10})
		var snap CustomerSnapshot
		if err := json.Unmarshal([]byte(events[2].Data), &snap); err != nil || snap.Client.PasswordHash != "" || snap.Client.Login != "bob" ||
			!slices.Equal(snap.Roles, []string{"customer"}) || events[2].TenantID != shop.ID || *events[2].CustomerID != bob.ID {
			t.Errorf("the event keeps %s, %v; want bob without his hash, with his role", events[2].Data, err)
		}
	})
}
