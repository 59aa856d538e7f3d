package skrill

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// Refunds follow the Automated Payments and Merchant Query Interfaces
// Guide, "Refunds": refund.pl action=prepare (transaction_id, amount for a
// partial refund), then action=refund, answering status 2, 0 or -2.

func eurCents(n int64) billing.Money { return billing.Money{Amount: n, Currency: "EUR"} }

func refundReq(key, ref string, m billing.Money) gateways.RefundRequest {
	return gateways.RefundRequest{IdempotencyKey: key, Reference: ref, Amount: m}
}

// paid is a charge the payer paid.
func (f *fixture) paid(key string) string {
	f.t.Helper()
	r, _ := f.paidCheckout(key, eur)
	return r.Reference
}

func (f *fixture) refund(req gateways.RefundRequest) gateways.RefundResult {
	f.t.Helper()
	r, err := f.g.Refund(context.Background(), req)
	if err != nil {
		f.t.Fatalf("Refund(%+v) = %v", req, err)
	}
	return r
}

func TestRefundWhole(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	req := refundReq(gateways.RefundKey("pay_1/1"), ref, billing.Money{})
	r := f.refund(req)
	refunds := f.srv.Refunds(ref)
	if len(refunds) != 1 || r != (gateways.RefundResult{Reference: refunds[0].MBTransactionID, Status: gateways.RefundSucceeded}) || refunds[0].Amount != eur {
		t.Fatalf("Refund = %+v; Skrill made %+v; want one refund of %s", r, refunds, eur)
	}
	sess := f.lastEvent()
	if e := sess.event; e.Type != gateways.EventChargeRefunded || e.Reference != ref || e.Amount != eur || e.IdempotencyKey != "pay_1/1" || e.ID != r.Reference+":2" {
		t.Errorf("refund's status post = %+v, want charge.refunded of %s", e, eur)
	}
	if again := f.refund(req); again != r || len(f.srv.Refunds(ref)) != 1 {
		t.Errorf("repeated refund = %+v, Skrill holds %d refunds; want %+v and one", again, len(f.srv.Refunds(ref)), r)
	}
	_, err := f.g.Refund(context.Background(), refundReq("another", ref, billing.Money{}))
	wantErr(t, "Refund(refunded, another key)", err, gateways.KindPermanent, gateways.ErrAlreadyRefunded)
}

func TestRefundPartial(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	first := f.refund(refundReq("r1", ref, eurCents(500)))
	second := f.refund(refundReq("r2", ref, eurCents(490)))
	if first.Reference == second.Reference || first.Status != gateways.RefundSucceeded || second.Status != gateways.RefundSucceeded {
		t.Errorf("partial refunds = %+v, %+v; want two", first, second)
	}
	_, err := f.g.Refund(context.Background(), refundReq("r3", ref, eurCents(1001)))
	wantErr(t, "Refund(above what remains)", err, gateways.KindPermanent, gateways.ErrNotRefundable)
	rest := f.refund(refundReq("r4", ref, billing.Money{}))
	refunds := f.srv.Refunds(ref)
	if len(refunds) != 3 || refunds[2].MBTransactionID != rest.Reference || refunds[2].Amount != eurCents(1000) {
		t.Errorf("Skrill holds %+v; want the rest, 10.00, refunded third", refunds)
	}
	if p, _ := f.srv.Transaction(ref); p.Refunded != eur {
		t.Errorf("refunded in all %v, want %v", p.Refunded, eur)
	}
	_, err = f.g.Refund(context.Background(), refundReq("r5", ref, eurCents(1)))
	wantErr(t, "Refund(nothing remains)", err, gateways.KindPermanent, gateways.ErrNotRefundable)
	if again := f.refund(refundReq("r1", ref, eurCents(500))); again != first {
		t.Errorf("repeat of r1 = %+v, want %+v", again, first)
	}
}

func TestRefundRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ref := f.paid("pay_1/1")
	other := f.paid("pay_2/1")
	f.refund(refundReq("r1", ref, eurCents(500)))
	_, sid := f.checkout("pay_3/1", eur)
	if _, err := f.srv.PayPending(sid); err != nil {
		t.Fatal(err)
	}
	_, sid = f.checkout("pay_4/1", eur)
	if _, err := f.srv.Fail(sid, "05"); err != nil {
		t.Fatal(err)
	}
	unpaid, _ := f.checkout("pay_5/1", eur)
	tests := []struct {
		name   string
		req    gateways.RefundRequest
		kind   gateways.ErrorKind
		target error
	}{
		{"key used for another charge", refundReq("r1", other, eurCents(500)), gateways.KindPermanent, gateways.ErrIdempotencyConflict},
		{"key used for another amount", refundReq("r1", ref, eurCents(400)), gateways.KindPermanent, gateways.ErrIdempotencyConflict},
		{"key used for a partial, now whole", refundReq("r1", ref, billing.Money{}), gateways.KindPermanent, gateways.ErrIdempotencyConflict},
		{"pending charge", refundReq("k", "pay_5F3_2F1", billing.Money{}), gateways.KindPermanent, gateways.ErrNotRefundable},
		{"declined charge", refundReq("k", "pay_5F4_2F1", billing.Money{}), gateways.KindPermanent, gateways.ErrNotRefundable},
		{"unpaid charge", refundReq("k", unpaid.Reference, billing.Money{}), gateways.KindPermanent, gateways.ErrUnknownCharge},
		{"not our reference", refundReq("k", "no/such", billing.Money{}), gateways.KindPermanent, gateways.ErrUnknownCharge},
		{"another currency", refundReq("k", other, billing.Money{Amount: 100, Currency: "USD"}), gateways.KindPermanent, gateways.ErrNotRefundable},
		{"negative", refundReq("k", other, eurCents(-1)), gateways.KindPermanent, nil},
		{"no key", refundReq("", other, billing.Money{}), gateways.KindPermanent, nil},
	}
	for _, tt := range tests {
		_, err := f.g.Refund(ctx, tt.req)
		wantErr(t, "Refund("+tt.name+")", err, tt.kind, tt.target)
	}
	if n := len(f.srv.Refunds(other)); n != 0 {
		t.Errorf("%d refunds of the other charge, want none", n)
	}
}

// Skrill refuses a second whole refund with ALREADY_REFUNDED: a gateway
// whose log lost the first refund (another process) still refunds once.
func TestRefundAlreadyRefundedAtSkrill(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.refund(refundReq("r1", ref, billing.Money{}))
	fresh, err := Connector{CheckoutURL: f.srv.CheckoutURL(), APIURL: f.srv.APIURL()}.Connect(f.acct)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fresh.Refund(context.Background(), refundReq("r1", ref, billing.Money{}))
	wantErr(t, "Refund(by a gateway that forgot the refund)", err, gateways.KindPermanent, gateways.ErrAlreadyRefunded)
	if n := len(f.srv.Refunds(ref)); n != 1 {
		t.Errorf("Skrill holds %d refunds, want 1", n)
	}
}

func TestRefundStatuses(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.srv.NextRefundStatus(skrilltest.StatusPending)
	if r := f.refund(refundReq("r1", ref, eurCents(100))); r.Status != gateways.RefundPending || r.Reference == "" {
		t.Errorf("pending refund = %+v", r)
	}
	if e := f.lastEvent().event; e.Type != gateways.EventOther {
		t.Errorf("pending refund's post = %+v, want other", e)
	}
	f.srv.NextRefundStatus(skrilltest.StatusFailed)
	failed := f.refund(refundReq("r2", ref, eurCents(100)))
	if failed.Status != gateways.RefundFailed || failed.FailureReason == "" {
		t.Errorf("failed refund = %+v, want failed with a reason", failed)
	}
	if again := f.refund(refundReq("r2", ref, eurCents(100))); again != failed {
		t.Errorf("repeat of the failed refund = %+v, want %+v", again, failed)
	}
	// A failed refund took nothing: all but the pending 1.00 remains.
	if r := f.refund(refundReq("r3", ref, eurCents(1890))); r.Status != gateways.RefundSucceeded {
		t.Errorf("refund of the rest = %+v", r)
	}
}

// A refund whose answer was lost may have been made: its key answers a
// permanent error, and Skrill holds one refund.
func TestRefundLostAnswer(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.srv.LoseNextAnswer(skrilltest.RefundPath + "?action=refund")
	req := refundReq("r1", ref, billing.Money{})
	for i := range 2 {
		_, err := f.g.Refund(context.Background(), req)
		wantErr(t, "Refund(answer lost)", err, gateways.KindPermanent, errRefundOutcomeUnknown)
		if n := len(f.srv.Refunds(ref)); n != 1 {
			t.Fatalf("call %d: Skrill holds %d refunds, want 1", i+1, n)
		}
	}
	_, err := f.g.Refund(context.Background(), refundReq("r2", ref, billing.Money{}))
	wantErr(t, "Refund(another key)", err, gateways.KindPermanent, gateways.ErrNotRefundable)
}

// A refund Skrill refused is forgotten: the key may be tried again.
func TestRefundRefusedThenRetried(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	for _, fault := range []string{skrilltest.RefundPath + "?action=prepare", skrilltest.QueryPath} {
		f.srv.FailNext(fault, 503)
		_, err := f.g.Refund(context.Background(), refundReq("r1", ref, billing.Money{}))
		wantErr(t, "Refund(during an outage)", err, gateways.KindTransient, nil)
	}
	if r := f.refund(refundReq("r1", ref, billing.Money{})); r.Status != gateways.RefundSucceeded {
		t.Errorf("retry = %+v", r)
	}
}

func TestRefundConcurrentSameKey(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	req := refundReq(gateways.RefundKey("pay_1/1"), ref, billing.Money{})
	results := make([]gateways.RefundResult, 8)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			r, err := f.g.Refund(context.Background(), req)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	for _, r := range results {
		if r != results[0] || r.Reference == "" {
			t.Fatalf("concurrent refunds = %+v, want one refund", results)
		}
	}
	if n := len(f.srv.Refunds(ref)); n != 1 {
		t.Errorf("Skrill holds %d refunds, want 1", n)
	}
}

// A refund Skrill refuses at the refund step (its session expired) was not
// made: the key is forgotten and the retry refunds.
func TestRefundSessionExpired(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	step := time.Duration(0)
	f := newFixture(t, func(s *setup) {
		s.server.Clock = func() time.Time { clock = clock.Add(step); return clock }
	})
	ref := f.paid("pay_1/1")
	step = 16 * time.Minute
	_, err := f.g.Refund(context.Background(), refundReq("r1", ref, billing.Money{}))
	wantErr(t, "Refund(session expired)", err, gateways.KindTransient, nil)
	if n := len(f.srv.Refunds(ref)); n != 0 {
		t.Fatalf("Skrill holds %d refunds, want none", n)
	}
	step = 0
	if r := f.refund(refundReq("r1", ref, billing.Money{})); r.Status != gateways.RefundSucceeded {
		t.Errorf("retry = %+v", r)
	}
}
