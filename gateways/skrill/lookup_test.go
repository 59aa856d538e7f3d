package skrill

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// Each status of the Quick Checkout guide's status table ("Status URL
// parameters": 2, 0, -1, -2, -3), with failed_reason_code from Appendix
// "Failed reason codes", as Lookup and Find (Merchant Query Interface,
// "View transaction status"), Void and the webhook report it.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		name    string
		payer   func(f *fixture, sid, trn string) error
		status  gateways.Status
		decline string
		event   gateways.EventType
		voided  bool
		// saves: the payment set 1-Tap up, and Lookup gives its token.
		saves bool
	}{
		{"processed (2)", func(f *fixture, sid, _ string) error { _, err := f.srv.Pay(sid); return err },
			gateways.Succeeded, "", gateways.EventChargeSucceeded, false, true},
		{"pending (0)", func(f *fixture, sid, _ string) error { _, err := f.srv.PayPending(sid); return err },
			gateways.Pending, "", gateways.EventOther, true, false},
		{"cancelled (-1)", func(f *fixture, sid, _ string) error {
			if _, err := f.srv.PayPending(sid); err != nil {
				return err
			}
			return f.srv.Cancel(sid)
		}, gateways.Declined, DeclineCanceled, gateways.EventChargeFailed, false, false},
		{"failed (-2), insufficient funds", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "05"); return err },
			gateways.Declined, gateways.CodeInsufficientFunds, gateways.EventChargeFailed, false, false},
		{"failed (-2), 3-D Secure not completed", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "70"); return err },
			gateways.Declined, "authentication_failed", gateways.EventChargeFailed, false, false},
		{"failed (-2), code unlisted", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "66"); return err },
			gateways.Declined, "failed_reason_66", gateways.EventChargeFailed, false, false},
		{"failed (-2), no code", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, ""); return err },
			gateways.Declined, DeclineFailed, gateways.EventChargeFailed, false, false},
		// A payment charged back is no first payment to renew from: its
		// 1-Tap token is not given.
		{"chargeback (-3)", func(f *fixture, sid, trn string) error {
			if _, err := f.srv.Pay(sid); err != nil {
				return err
			}
			_, err := f.srv.Chargeback(trn)
			return err
		}, gateways.Succeeded, "", gateways.EventChargeDisputed, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			r, sid := f.checkout("pay_1/1", eur)
			if err := tt.payer(f, sid, r.Reference); err != nil {
				t.Fatal(err)
			}
			want := gateways.ChargeResult{Status: tt.status, Reference: r.Reference, DeclineCode: tt.decline}
			if tt.saves {
				want.SavedToken = oneTapTokenOf(t, f, r.Reference)
			}
			if got, err := f.g.Lookup(ctx, r.Reference); err != nil || got != want {
				t.Errorf("Lookup = %+v, %v; want %+v", got, err, want)
			}
			if got, err := f.g.Find(ctx, "pay_1/1"); err != nil || got != want {
				t.Errorf("Find = %+v, %v; want %+v", got, err, want)
			}
			e := f.lastEvent().event
			if e.Type != tt.event || e.Reference != r.Reference || e.IdempotencyKey != "pay_1/1" || e.DeclineCode != tt.decline {
				t.Errorf("webhook event = %+v, want %s for pay_1/1 declining %q", e, tt.event, tt.decline)
			}
			if tt.event == gateways.EventChargeDisputed && e.Amount != eur {
				t.Errorf("dispute amount = %v, want %v", e.Amount, eur)
			}
			v, err := f.g.Void(ctx, gateways.VoidRequest{IdempotencyKey: gateways.VoidKey("pay_1/1"), Reference: r.Reference})
			if tt.voided {
				if err != nil || v.Status != gateways.Voided {
					t.Errorf("Void = %+v, %v; want voided", v, err)
				}
				return
			}
			wantErr(t, "Void", err, gateways.KindPermanent, gateways.ErrChargeSettled)
			if v != want {
				t.Errorf("Void = %+v, want the charge as it stands, %+v", v, want)
			}
		})
	}
}

// Skrill has no payment until the payer submits one: Lookup and Find say
// unknown, and Void closes nothing but answers voided, repeatedly.
func TestUnpaidCheckout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, sid := f.checkout("pay_1/1", eur)
	_, err := f.g.Lookup(ctx, r.Reference)
	wantErr(t, "Lookup(unpaid)", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	_, err = f.g.Find(ctx, "pay_1/1")
	wantErr(t, "Find(unpaid)", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	req := gateways.VoidRequest{IdempotencyKey: gateways.VoidKey("pay_1/1"), Reference: r.Reference}
	for i := range 2 {
		if v, err := f.g.Void(ctx, req); err != nil || v != (gateways.ChargeResult{Status: gateways.Voided, Reference: r.Reference}) {
			t.Errorf("Void call %d = %+v, %v; want voided", i+1, v, err)
		}
	}
	// Skrill cannot close the session: a late payment is a success that
	// billgate's workflow refunds.
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	if v, err := f.g.Void(ctx, req); v.Status != gateways.Succeeded {
		t.Errorf("Void after a late payment = %+v, %v; want it succeeded", v, err)
	}
}

func TestLookupRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, ref := range []string{"", "not/ours", "pay_2f1"} {
		_, err := f.g.Lookup(ctx, ref)
		wantErr(t, "Lookup("+ref+")", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	}
	_, err := f.g.Find(ctx, "")
	wantErr(t, "Find(empty)", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	if n := f.requests.Load(); n != 0 {
		t.Errorf("%d requests for references that are not ours, want none", n)
	}
	_, err = f.g.Void(ctx, gateways.VoidRequest{Reference: "pay_5F1"})
	wantErr(t, "Void(no key)", err, gateways.KindPermanent, nil)
	_, err = f.g.Void(ctx, gateways.VoidRequest{IdempotencyKey: "v", Reference: "not/ours"})
	wantErr(t, "Void(not ours)", err, gateways.KindPermanent, gateways.ErrUnknownCharge)
	f.srv.FailNext(skrilltest.QueryPath, 500)
	_, err = f.g.Lookup(ctx, "pay_5F1")
	wantErr(t, "Lookup(MQI down)", err, gateways.KindTransient, nil)
	f.srv.FailNext(skrilltest.QueryPath, 500)
	_, err = f.g.Void(ctx, gateways.VoidRequest{IdempotencyKey: "v", Reference: "pay_5F1"})
	wantErr(t, "Void(MQI down)", err, gateways.KindTransient, nil)
}

// oneTapTokenOf is the 1-Tap token of the 1-Tap payment the server set up
// with, or took, the payment under trn.
func oneTapTokenOf(t *testing.T, f *fixture, trn string) string {
	t.Helper()
	paid, ok := f.srv.Transaction(trn)
	if !ok || paid.RecPaymentID == "" {
		t.Fatalf("Skrill holds %+v for %s, want a payment with a 1-Tap ID", paid, trn)
	}
	return OneTapTokenFor(paid.RecPaymentID)
}

// A processed first payment's MQI report carries rec_payment_id (status
// report fields, "Skrill 1-Tap Payment"): Lookup gives its 1-Tap token,
// the one the status post names too, once the payment is processed.
func TestLookupSavedToken(t *testing.T) {
	f := newFixture(t)
	r, tok := f.paidCheckout("pay_1/1", eur)
	if want := oneTapTokenOf(t, f, r.Reference); tok != want {
		t.Errorf("SavedToken = %q, want %q, the 1-Tap Skrill set up", tok, want)
	}
	if posted := f.lastEvent(); OneTapTokenFor(mustParse(t, posted.body).Get("rec_payment_id")) != tok {
		t.Errorf("the status post names rec_payment_id of %s, want that of %s", posted.body, tok)
	}

	// A payment that settles later sets 1-Tap up when it is processed.
	later, sid := f.checkout("pay_2/1", eur)
	if _, err := f.srv.PayPending(sid); err != nil {
		t.Fatal(err)
	}
	if got := f.lookup(later.Reference); got.Status != gateways.Pending || got.SavedToken != "" {
		t.Errorf("Lookup of a pending payment = %+v, want pending, no saved token", got)
	}
	if _, err := f.srv.Settle(later.Reference); err != nil {
		t.Fatal(err)
	}
	if got := f.lookup(later.Reference); got.Status != gateways.Succeeded || got.SavedToken != oneTapTokenOf(t, f, later.Reference) {
		t.Errorf("Lookup of the settled payment = %+v, want succeeded with its 1-Tap token", got)
	}

	failed, sid := f.checkout("pay_3/1", eur)
	if _, err := f.srv.Fail(sid, "05"); err != nil {
		t.Fatal(err)
	}
	if got := f.lookup(failed.Reference); got.Status != gateways.Declined || got.SavedToken != "" {
		t.Errorf("Lookup of a failed payment = %+v, want declined, no saved token", got)
	}
}

// A 1-Tap payment's report carries the rec_payment_id it was taken with,
// and nothing tells it from the first payment's: Lookup gives back the
// token it was charged with, nothing new. Charge itself gives none, and a
// declined 1-Tap payment none either.
func TestLookupSavedTokenOfOneTapPayment(t *testing.T) {
	f := newFixture(t)
	_, tok := f.paidCheckout("pay_1/1", eur)
	renewal := f.charge("pay_2/1", tok, eur)
	if renewal.Status != gateways.Succeeded || renewal.SavedToken != "" {
		t.Errorf("Charge(%s) = %+v, want succeeded, no saved token", tok, renewal)
	}
	if got := f.lookup(renewal.Reference); got.Status != gateways.Succeeded || got.SavedToken != tok {
		t.Errorf("Lookup of the 1-Tap payment = %+v, want succeeded, giving back %s", got, tok)
	}
	if err := f.srv.DeclineNextOneTap(tok[len(OneTapTokenPrefix):], "BALANCE_NOT_ENOUGH"); err != nil {
		t.Fatal(err)
	}
	declined := f.charge("pay_3/1", tok, eur)
	if got := f.lookup(declined.Reference); got.Status != gateways.Declined || got.SavedToken != "" {
		t.Errorf("Lookup of a declined 1-Tap payment = %+v, want declined, no saved token", got)
	}
}

// A rec_payment_id that parseToken would refuse as a 1-Tap ID (1 to 64
// letters and digits) is no saved token, and no error: the payment is
// reported all the same. The reports are the server's MQI answer, edited.
func TestSavedTokenMalformed(t *testing.T) {
	f := newFixture(t)
	r, _ := f.paidCheckout("pay_1/1", eur)
	report, err := f.g.queryTransaction(context.Background(), r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	for name, rec := range map[string]string{
		"a slash":   "12/3",
		"too long":  strings.Repeat("1", maxRecPaymentIDLen+1),
		"a space":   "12 3",
		"empty":     "",
		"non-ASCII": "１２３",
	} {
		changed := mustParse(t, []byte(edited(report, func(v url.Values) { v.Set("rec_payment_id", rec) })))
		if got := savedToken(changed); got != "" {
			t.Errorf("savedToken(rec_payment_id with %s) = %q, want none", name, got)
		}
		if res, err := chargeResult(r.Reference, changed); err != nil || res.Status != gateways.Succeeded {
			t.Errorf("chargeResult(rec_payment_id with %s) = %+v, %v, want succeeded", name, res, err)
		}
	}
	if got := savedToken(report); got == "" {
		t.Error("savedToken(the report as answered) = none, want the 1-Tap token")
	}
}

func mustParse(t *testing.T, body []byte) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
