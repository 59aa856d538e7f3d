package skrill

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// A refund's outcome: the refund answer of refund.pl (Automated Payments
// and Merchant Query Interfaces Guide, "Refunds": status 2, 0 or -2), and
// for a pending one the MQI's status_trn by mb_trn_id ("Merchant Query
// Interface", "View transaction status": "Either trn_id or mb_trn_id must
// be supplied").

func (f *fixture) lookupRefund(ref string) gateways.RefundResult {
	f.t.Helper()
	r, err := f.g.LookupRefund(context.Background(), ref)
	if err != nil {
		f.t.Fatalf("LookupRefund(%s) = %v", ref, err)
	}
	return r
}

// A refund that ended is answered from the log, without asking Skrill.
func TestLookupRefundEnded(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	done := f.refund(refundReq("r1", ref, eurCents(500)))
	f.srv.NextRefundStatus(skrilltest.StatusFailed)
	failed := f.refund(refundReq("r2", ref, eurCents(500)))
	n := f.requests.Load()
	for _, want := range []gateways.RefundResult{done, failed} {
		if got := f.lookupRefund(want.Reference); got != want {
			t.Errorf("LookupRefund(%s) = %+v, want %+v", want.Reference, got, want)
		}
	}
	if got := f.requests.Load() - n; got != 0 {
		t.Errorf("looking up ended refunds made %d requests, want none", got)
	}
}

// A pending refund is asked about by its own Skrill ID: the payment it
// refunds, processed, must not answer for it. Its outcome is kept.
func TestLookupRefundPendingThenProcessed(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.srv.NextRefundStatus(skrilltest.StatusPending)
	pending := f.refund(refundReq("r1", ref, eurCents(500)))
	if got := f.lookupRefund(pending.Reference); got != pending {
		t.Fatalf("LookupRefund(still pending) = %+v, want %+v", got, pending)
	}
	if _, err := f.srv.SettleRefund(pending.Reference); err != nil {
		t.Fatal(err)
	}
	if e := f.lastEvent().event; e.Type != gateways.EventChargeRefunded || e.Amount != eurCents(500) {
		t.Errorf("the settled refund's post = %+v, want charge.refunded of 5.00", e)
	}
	want := gateways.RefundResult{Reference: pending.Reference, Status: gateways.RefundSucceeded}
	if got := f.lookupRefund(pending.Reference); got != want {
		t.Fatalf("LookupRefund(settled) = %+v, want %+v", got, want)
	}
	n := f.requests.Load()
	if got := f.lookupRefund(pending.Reference); got != want || f.requests.Load() != n {
		t.Errorf("second LookupRefund = %+v after %d requests; want %+v from the log", got, f.requests.Load()-n, want)
	}
	if again := f.refund(refundReq("r1", ref, eurCents(500))); again != want {
		t.Errorf("repeat of r1 = %+v, want the settled refund", again)
	}
}

// A pending refund that fails gives back what it held: the rest of the
// payment is refundable again.
func TestLookupRefundPendingThenFailed(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.srv.NextRefundStatus(skrilltest.StatusPending)
	pending := f.refund(refundReq("r1", ref, billing.Money{}))
	_, err := f.g.Refund(context.Background(), refundReq("r2", ref, billing.Money{}))
	wantErr(t, "Refund(while the whole is pending)", err, gateways.KindPermanent, gateways.ErrNotRefundable)
	if _, err := f.srv.FailRefund(pending.Reference); err != nil {
		t.Fatal(err)
	}
	want := gateways.RefundResult{Reference: pending.Reference, Status: gateways.RefundFailed, FailureReason: DeclineFailed}
	if got := f.lookupRefund(pending.Reference); got != want {
		t.Fatalf("LookupRefund(failed) = %+v, want %+v", got, want)
	}
	if r := f.refund(refundReq("r2", ref, billing.Money{})); r.Status != gateways.RefundSucceeded {
		t.Errorf("refund after the failure = %+v, want succeeded", r)
	}
	if refunds := f.srv.Refunds(ref); len(refunds) != 2 || refunds[1].Amount != eur {
		t.Errorf("Skrill holds %+v; want the failed refund and one of %s", refunds, eur)
	}
}

// Skrill's outage leaves the refund pending in the log: the next lookup
// asks again.
func TestLookupRefundOutage(t *testing.T) {
	f := newFixture(t)
	ref := f.paid("pay_1/1")
	f.srv.NextRefundStatus(skrilltest.StatusPending)
	pending := f.refund(refundReq("r1", ref, eurCents(500)))
	f.srv.SettleRefund(pending.Reference)
	f.srv.FailNext(skrilltest.QueryPath, http.StatusServiceUnavailable)
	_, err := f.g.LookupRefund(context.Background(), pending.Reference)
	wantErr(t, "LookupRefund(MQI down)", err, gateways.KindTransient, nil)
	if got := f.lookupRefund(pending.Reference); got.Status != gateways.RefundSucceeded {
		t.Errorf("LookupRefund after the outage = %+v, want succeeded", got)
	}
}

// Only refunds this account's gateway recorded are known: not another
// account's sharing the log, nor a charge's ID.
func TestLookupRefundUnknown(t *testing.T) {
	log := NewMemoryRefundLog()
	f := newFixture(t, func(s *setup) { s.conn = func(c *Connector) { c.Refunds = log } })
	ref := f.paid("pay_1/1")
	r := f.refund(refundReq("r1", ref, billing.Money{}))
	other := f.acct
	other.ID = uuid.MustParse("0190f3a2-7b1c-7d4e-8f00-000000000002")
	g, err := Connector{CheckoutURL: f.srv.CheckoutURL(), APIURL: f.srv.APIURL(), Refunds: log}.Connect(other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.(*Gateway).LookupRefund(context.Background(), r.Reference)
	wantErr(t, "LookupRefund(another account's refund)", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	payment, _ := f.srv.Transaction(ref)
	for _, unknown := range []string{"", "999999999", payment.MBTransactionID, ref} {
		_, err := f.g.LookupRefund(context.Background(), unknown)
		wantErr(t, "LookupRefund("+unknown+")", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	}
}
