package models

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// paidPayment stores a purchase of 9900 USD paid.
func paidPayment(t *testing.T, s *Store, f *billingFixture) *Payment {
	t.Helper()
	inv := f.invoice(nil, f.bob, 1)
	p := f.payment(inv, 1)
	p.Status, inv.Status = "paid", "paid"
	if _, err := s.ProjectPayment(context.Background(), p, inv); err != nil {
		t.Fatal(err)
	}
	return p
}

func refundOf(p *Payment, amount int64) *Refund {
	return &Refund{ID: uuid.Must(uuid.NewV7()), PaymentID: p.ID, Amount: amount, Currency: p.Currency, Reason: "requested_by_customer", CreatedAt: at(3), UpdatedAt: at(3)}
}

func TestRefunds(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		p := paidPayment(t, s, f)

		first := refundOf(p, 4000)
		if created, err := s.CreateRefund(ctx, first); err != nil || !created {
			t.Fatalf("CreateRefund = %v, %v", created, err)
		}
		if first.Status != "pending" || first.TenantID != p.TenantID || first.CustomerID != p.CustomerID || first.InvoiceID != p.InvoiceID {
			t.Errorf("created %+v; want it pending, of the payment's tenant, customer and invoice", first)
		}
		again := *first
		again.Status, again.TenantID = "", uuid.Nil
		if created, err := s.CreateRefund(ctx, &again); err != nil || created || again.Status != "pending" || again.TenantID != p.TenantID {
			t.Errorf("the same refund again = %v, %v, %+v; want the stored one, not created", created, err, again)
		}
		other := *first
		other.Amount = 1
		if _, err := s.CreateRefund(ctx, &other); !errors.Is(err, ErrConflict) {
			t.Errorf("another refund under the same ID = %v, want ErrConflict", err)
		}

		// 9900 paid, 4000 pending: 5900 is left, not 5901.
		if left, err := s.Refundable(ctx, p); err != nil || left != 5900 {
			t.Errorf("Refundable = %d, %v; want 5900", left, err)
		}
		if _, err := s.CreateRefund(ctx, refundOf(p, 5901)); !errors.Is(err, ErrOverRefund) {
			t.Errorf("refunding more than is left = %v, want ErrOverRefund", err)
		}
		euros := refundOf(p, 100)
		euros.Currency = "EUR"
		if _, err := s.CreateRefund(ctx, euros); !errors.Is(err, ErrOverRefund) {
			t.Errorf("refunding in another currency = %v, want ErrOverRefund", err)
		}
		pending := f.payment(f.invoice(nil, f.bob, 1), 1)
		if _, err := s.ProjectPayment(ctx, pending, f.invoice(nil, f.bob, 1)); err == nil {
			if _, err := s.CreateRefund(ctx, refundOf(pending, 1)); !errors.Is(err, ErrOverRefund) {
				t.Errorf("refunding an unpaid payment = %v, want ErrOverRefund", err)
			}
		}

		// A pending refund's gateway reference is kept for later lookups.
		if err := s.NotePendingRefund(ctx, first.ID, "re_pending", at(3)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RefundByID(ctx, first.ID); got.GatewayReference != "re_pending" || got.Status != "pending" {
			t.Errorf("after NotePendingRefund = %+v", got)
		}

		// A failed refund gives its amount back to what is refundable.
		if settled, err := s.SettleRefund(ctx, first.ID, contract.RefundState{Status: contract.RefundFailed, FailureReason: "expired_or_canceled_card", SettledAt: at(4)}); err != nil || !settled {
			t.Fatalf("SettleRefund(failed) = %v, %v", settled, err)
		}
		if notes, _ := s.CreditNotes(ctx, p.InvoiceID); len(notes) != 0 {
			t.Errorf("a failed refund wrote %d credit notes", len(notes))
		}
		whole := refundOf(p, 9900)
		if _, err := s.CreateRefund(ctx, whole); err != nil {
			t.Fatalf("refunding the whole after a failure = %v", err)
		}
		if settled, err := s.SettleRefund(ctx, whole.ID, contract.RefundState{Status: contract.RefundSucceeded, GatewayReference: "re_1", SettledAt: at(5)}); err != nil || !settled {
			t.Fatalf("SettleRefund(succeeded) = %v, %v", settled, err)
		}
		if settled, err := s.SettleRefund(ctx, whole.ID, contract.RefundState{Status: contract.RefundFailed, SettledAt: at(6)}); err != nil || settled {
			t.Errorf("settling a settled refund = %v, %v; want it left", settled, err)
		}
		got, _ := s.RefundByID(ctx, whole.ID)
		if got.Status != "succeeded" || got.GatewayReference != "re_1" || !got.UpdatedAt.Equal(at(5)) {
			t.Errorf("the settled refund = %+v", got)
		}
		notes, err := s.CreditNotes(ctx, p.InvoiceID)
		if err != nil || len(notes) != 1 || notes[0].RefundID != whole.ID || notes[0].Amount != 9900 || notes[0].Currency != "USD" {
			t.Errorf("CreditNotes = %+v, %v; want one of 9900 USD for the refund", notes, err)
		}
		if got, _ := s.PaymentByID(ctx, p.ID); got.AmountRefunded != 9900 {
			t.Errorf("the payment's AmountRefunded = %d, want 9900", got.AmountRefunded)
		}
		if got, _ := s.InvoiceByID(ctx, p.InvoiceID); got.AmountCredited != 9900 {
			t.Errorf("the invoice's AmountCredited = %d, want 9900", got.AmountCredited)
		}
		if left, err := s.Refundable(ctx, p); err != nil || left != 0 {
			t.Errorf("Refundable = %d, %v; want nothing left", left, err)
		}
		if _, err := s.CreateRefund(ctx, refundOf(p, 1)); !errors.Is(err, ErrOverRefund) {
			t.Errorf("refunding a fully refunded payment = %v, want ErrOverRefund", err)
		}

		list, err := s.Refunds(ctx, RefundFilter{PaymentID: &p.ID, Statuses: []string{"succeeded"}, Limit: 10})
		if err != nil || len(list) != 1 || list[0].ID != whole.ID {
			t.Errorf("Refunds(succeeded) = %v, %v", list, err)
		}
		if list, _ := s.Refunds(ctx, RefundFilter{CustomerID: &f.eve.ID, Limit: 10}); len(list) != 0 {
			t.Errorf("another customer's Refunds = %d", len(list))
		}
	})
}

// Refunds at once never return more than was paid.
func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		f := newBillingFixture(t, s)
		p := paidPayment(t, s, f)
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		for range 8 {
			wg.Go(func() {
				ok, err := s.CreateRefund(context.Background(), refundOf(p, 3000))
				if err != nil && !errors.Is(err, ErrOverRefund) {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if ok {
					created++
				}
			})
		}
		wg.Wait()
		if created != 3 {
			t.Errorf("%d refunds of 3000 of a 9900 payment were created, want 3", created)
		}
	})
}

// The dispute mark is the store's, which the workflow's writes keep.
func TestDisputeMarkSurvivesTheWorkflowsWrites(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		p := paidPayment(t, s, f)
		if err := s.MarkDisputed(ctx, p.ID, "stripe/"+uuid.NewString(), at(4)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.PaymentByID(ctx, p.ID); got.DisputedAt != nil {
			t.Errorf("another gateway marked the payment disputed at %v", got.DisputedAt)
		}
		if err := s.MarkDisputed(ctx, p.ID, p.Gateway, at(5)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDisputed(ctx, p.ID, p.Gateway, at(6)); err != nil {
			t.Fatal(err)
		}
		p.Version++
		inv := f.invoice(nil, f.bob, p.Version)
		inv.ID, inv.Status = p.InvoiceID, "paid"
		if applied, err := s.ProjectPayment(ctx, p, inv); err != nil || !applied {
			t.Fatalf("ProjectPayment = %v, %v", applied, err)
		}
		got, _ := s.PaymentByID(ctx, p.ID)
		if got.DisputedAt == nil || !got.DisputedAt.Equal(at(5)) {
			t.Errorf("DisputedAt = %v, want the first report's, kept through the newer write", got.DisputedAt)
		}
	})
}

// A refund made at the gateway is recorded once, succeeded and credited
// like one of billgate's; one the payment cannot take writes nothing.
func TestRecordGatewayRefund(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		p := paidPayment(t, s, f)
		ours := refundOf(p, 4000)
		if _, err := s.CreateRefund(ctx, ours); err != nil {
			t.Fatal(err)
		}
		usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }
		g := GatewayRefund{PaymentID: p.ID, Gateway: "sandbox", Reference: "re_dashboard", Amount: usd(2500), At: at(4)}

		r, recorded, err := s.RecordGatewayRefund(ctx, g)
		if err != nil || !recorded {
			t.Fatalf("RecordGatewayRefund = %v, %v", recorded, err)
		}
		if r.ID != GatewayRefundID(p.ID, "re_dashboard") || r.Status != "succeeded" || r.Origin != RefundOriginGateway || r.Amount != 2500 ||
			r.GatewayReference != "re_dashboard" || r.InvoiceID != p.InvoiceID || r.CustomerID != p.CustomerID || r.TenantID != p.TenantID {
			t.Errorf("recorded %+v", r)
		}
		again, recorded, err := s.RecordGatewayRefund(ctx, g)
		if err != nil || recorded || again.ID != r.ID {
			t.Errorf("the same refund again = %+v, %v, %v; want the stored one, not recorded", again, recorded, err)
		}
		notes, _ := s.CreditNotes(ctx, p.InvoiceID)
		if len(notes) != 1 || notes[0].RefundID != r.ID || notes[0].Amount != 2500 {
			t.Errorf("CreditNotes = %+v; want one of 2500 for the gateway's refund", notes)
		}
		if got, _ := s.PaymentByID(ctx, p.ID); got.AmountRefunded != 2500 {
			t.Errorf("AmountRefunded = %d, want 2500", got.AmountRefunded)
		}
		if got, _ := s.RefundByID(ctx, ours.ID); got.Origin != RefundOriginAPI {
			t.Errorf("billgate's own refund has origin %q", got.Origin)
		}

		// 9900 paid, 2500 refunded at the gateway: the pending 4000 of
		// billgate's does not count, the gateway decides it; 7401 is too much.
		refused := []GatewayRefund{
			{PaymentID: p.ID, Gateway: "sandbox", Reference: "re_big", Amount: usd(7401), At: at(5)},
			{PaymentID: p.ID, Gateway: "stripe/" + uuid.NewString(), Reference: "re_other", Amount: usd(1), At: at(5)},
			{PaymentID: p.ID, Gateway: "sandbox", Reference: "re_eur", Amount: billing.Money{Amount: 1, Currency: "EUR"}, At: at(5)},
		}
		for _, g := range refused {
			if _, _, err := s.RecordGatewayRefund(ctx, g); !errors.Is(err, ErrOverRefund) {
				t.Errorf("RecordGatewayRefund(%s) = %v, want ErrOverRefund", g.Reference, err)
			}
		}
		if _, _, err := s.RecordGatewayRefund(ctx, GatewayRefund{PaymentID: p.ID, Gateway: "sandbox", Reference: "re_rest", Amount: usd(7400), At: at(5)}); err != nil {
			t.Errorf("recording what is left = %v", err)
		}
		if list, _ := s.Refunds(ctx, RefundFilter{PaymentID: &p.ID, Limit: 10}); len(list) != 3 {
			t.Errorf("refunds of the payment = %d, want billgate's and two of the gateway's", len(list))
		}
	})
}
