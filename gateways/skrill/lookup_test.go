package skrill

import (
	"context"
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
	}{
		{"processed (2)", func(f *fixture, sid, _ string) error { _, err := f.srv.Pay(sid); return err },
			gateways.Succeeded, "", gateways.EventChargeSucceeded, false},
		{"pending (0)", func(f *fixture, sid, _ string) error { _, err := f.srv.PayPending(sid); return err },
			gateways.Pending, "", gateways.EventOther, true},
		{"cancelled (-1)", func(f *fixture, sid, _ string) error {
			if _, err := f.srv.PayPending(sid); err != nil {
				return err
			}
			return f.srv.Cancel(sid)
		}, gateways.Declined, DeclineCanceled, gateways.EventChargeFailed, false},
		{"failed (-2), insufficient funds", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "05"); return err },
			gateways.Declined, gateways.CodeInsufficientFunds, gateways.EventChargeFailed, false},
		{"failed (-2), 3-D Secure not completed", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "70"); return err },
			gateways.Declined, "authentication_failed", gateways.EventChargeFailed, false},
		{"failed (-2), code unlisted", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, "66"); return err },
			gateways.Declined, "failed_reason_66", gateways.EventChargeFailed, false},
		{"failed (-2), no code", func(f *fixture, sid, _ string) error { _, err := f.srv.Fail(sid, ""); return err },
			gateways.Declined, DeclineFailed, gateways.EventChargeFailed, false},
		{"chargeback (-3)", func(f *fixture, sid, trn string) error {
			if _, err := f.srv.Pay(sid); err != nil {
				return err
			}
			_, err := f.srv.Chargeback(trn)
			return err
		}, gateways.Succeeded, "", gateways.EventChargeDisputed, false},
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
