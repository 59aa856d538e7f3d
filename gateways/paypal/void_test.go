package paypal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// Orders v2 has no cancel for an order with intent CAPTURE; Void marks the
// order (orders.patch, a JSON Patch replacing
// /purchase_units/@reference_id=='default'/custom_id), and a marked order
// is never captured, even once the payer approves it.
func TestVoidBeforeApproval(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	req := gateways.VoidRequest{IdempotencyKey: gateways.VoidKey("pay_1/1"), Reference: ref}
	for i := range 2 {
		if r, err := e.g.Void(ctx, req); err != nil || r.Status != gateways.Voided || r.Reference != ref || r.NextAction != nil {
			t.Errorf("Void call %d = %+v, %v, want voided", i+1, r, err)
		}
	}
	if n := e.srv.Calls("orders.patch"); n != 1 {
		t.Errorf("orders.patch called %d times, want 1: a marked order needs no second mark", n)
	}
	// PayPal still lets the payer approve; billgate never captures.
	e.approve(ref, paypaltest.BuyerPays)
	if r := e.lookup(ref); r.Status != gateways.Voided {
		t.Errorf("Lookup of a voided order the payer approved = %+v, want voided", r)
	}
	if r, err := e.g.Find(ctx, "pay_1/1"); err != nil || r.Status != gateways.Voided {
		t.Errorf("Find = %+v, %v, want voided", r, err)
	}
	if r := e.charge("pay_1/1", paypal.TokenApproval); r.Status != gateways.Voided {
		t.Errorf("Charge again = %+v, want voided", r)
	}
	if n := e.srv.Calls("orders.capture"); n != 0 {
		t.Errorf("orders.capture called %d times, want none", n)
	}
	if status, _ := e.srv.OrderStatus(ref); status != "APPROVED" {
		t.Errorf("the order is %s at PayPal, want APPROVED and uncaptured", status)
	}
}

// An order the payer approved but billgate has not captured is voided
// too: approval moves no money.
func TestVoidApprovedUncaptured(t *testing.T) {
	e := newEnv(t)
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	if r, err := e.g.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "pay_1/1/void", Reference: ref}); err != nil || r.Status != gateways.Voided {
		t.Errorf("Void = %+v, %v, want voided", r, err)
	}
	if r := e.lookup(ref); r.Status != gateways.Voided || e.srv.CaptureID(ref) != "" {
		t.Errorf("Lookup after the void = %+v (capture %q), want voided and uncaptured", r, e.srv.CaptureID(ref))
	}
}

// A captured order is past voiding: it is reported as it stands (by the
// capture's status) with ErrChargeSettled.
func TestVoidSettled(t *testing.T) {
	e := newEnv(t)
	succeeded := e.paid("paid/1").Reference
	declined := e.charge("denied/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending))).Reference
	if err := e.srv.SettleCapture(e.srv.CaptureID(declined), false); err != nil {
		t.Fatal(err)
	}
	held := e.charge("held/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending))).Reference
	tests := []struct {
		ref  string
		want gateways.Status
	}{
		{succeeded, gateways.Succeeded},
		{declined, gateways.Declined},
		{held, gateways.Pending}, // a PENDING capture cannot be voided either
	}
	for _, tt := range tests {
		r, err := e.g.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "v", Reference: tt.ref})
		wantPermanent(t, "Void("+string(tt.want)+" charge)", err, gateways.ErrChargeSettled)
		if r.Status != tt.want || r.Reference != tt.ref {
			t.Errorf("Void(%s charge) = %+v, want it as it stands", tt.want, r)
		}
	}
	if n := e.srv.Calls("orders.patch"); n != 0 {
		t.Errorf("orders.patch called %d times, want none", n)
	}
}

// A capture that lands between Void's read and its patch: orders.patch-422
// ORDER_ALREADY_COMPLETED, and the void reports the capture.
func TestVoidRacesCapture(t *testing.T) {
	ic := &interceptor{match: func(r *http.Request) bool { return r.Method == http.MethodPatch }}
	e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper { ic.next = next; return ic }))
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	ic.before = func() { captureDirectly(t, e, ref) }
	r, err := e.g.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "pay_1/1/void", Reference: ref})
	wantPermanent(t, "Void losing to a capture", err, gateways.ErrChargeSettled)
	if r.Status != gateways.Succeeded {
		t.Errorf("Void losing to a capture = %+v, want succeeded", r)
	}
}

func TestVoidRefused(t *testing.T) {
	e := newEnv(t)
	voided := e.charge("pay_1/1", paypal.TokenApproval).Reference
	if err := e.srv.VoidOrder(voided); err != nil {
		t.Fatal(err)
	}
	if r, err := e.g.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "k", Reference: voided}); err != nil || r.Status != gateways.Voided {
		t.Errorf("Void(an order PayPal voided) = %+v, %v, want voided", r, err)
	}
	_, err := e.g.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "k", Reference: "5O190127TN364715T"})
	wantPermanent(t, "Void(unknown)", err, gateways.ErrUnknownCharge)
	_, err = e.g.Void(context.Background(), gateways.VoidRequest{Reference: voided})
	wantPermanent(t, "Void without a key", err)
}
