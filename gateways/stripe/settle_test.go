package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// pending is a charge waiting for the payer's authentication.
func pending(t *testing.T, s *scenario, key string) gateways.ChargeResult {
	t.Helper()
	r, err := s.gw.Charge(context.Background(), chargeRequest(key, s.saved(t, stripetest.MethodAuthenticationRequired)))
	if err != nil || r.Status != gateways.Pending {
		t.Fatalf("Charge() = %+v, %v; want pending", r, err)
	}
	return r
}

// docs.stripe.com/api/payment_intents/cancel: a PaymentIntent waiting for
// the payer is canceled, once; one that succeeded or was declined is not.
func TestVoid(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects}, testAccount())
	r := pending(t, s, "pay_1/1")
	s.rec.Requests()

	req := gateways.VoidRequest{IdempotencyKey: gateways.VoidKey("pay_1/1"), Reference: r.Reference}
	want := gateways.ChargeResult{Status: gateways.Voided, Reference: r.Reference}
	for i := range 2 {
		if got, err := s.gw.Void(ctx, req); err != nil || got != want {
			t.Errorf("Void() call %d = %+v, %v; want %+v", i+1, got, err, want)
		}
	}
	reqs := s.rec.Requests()
	if len(reqs) != 3 || reqs[1].Method != http.MethodPost || reqs[1].Path != "/v1/payment_intents/"+r.Reference+"/cancel" {
		t.Fatalf("requests = %+v, want a retrieval, one cancellation, then a retrieval", reqs)
	}
	wantRequest(t, reqs[1], http.MethodPost, "/v1/payment_intents/"+r.Reference+"/cancel", req.IdempotencyKey, url.Values{"cancellation_reason": {"abandoned"}})
	if _, err := s.srv.CompleteAction(r.Reference, true); err == nil {
		t.Error("the payer completed a voided charge")
	}
	if got := mustLookup(t, s.gw, r.Reference); got != want {
		t.Errorf("Lookup() = %+v, want %+v", got, want)
	}
}

func TestVoidSettled(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	visa := s.saved(t, stripetest.MethodVisa)
	succeeded, _ := s.gw.Charge(ctx, chargeRequest("pay_ok/1", visa))
	declined, _ := s.gw.Charge(ctx, chargeRequest("pay_no/1", s.saved(t, stripetest.MethodChargeCustomerFail)))
	for _, r := range []gateways.ChargeResult{succeeded, declined} {
		got, err := s.gw.Void(ctx, gateways.VoidRequest{IdempotencyKey: "void/" + r.Reference, Reference: r.Reference})
		if !errors.Is(err, gateways.ErrChargeSettled) || !gateways.IsPermanent(err) || got != r {
			t.Errorf("Void(%s) = %+v, %v; want it as it stands, %+v, and ErrChargeSettled", r.Status, got, err, r)
		}
	}
	// A declined PaymentIntent could be canceled at Stripe, but billgate
	// reports it settled and leaves it declined.
	if got := mustLookup(t, s.gw, declined.Reference); got != declined {
		t.Errorf("Lookup(declined) after Void = %+v, want %+v", got, declined)
	}
}

// Stripe will not cancel a bank debit that is processing; its outcome is
// due, so the void is retried later.
func TestVoidProcessing(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	r, _ := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", s.saved(t, stripetest.MethodUSBankAccount)))
	got, err := s.gw.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "pay_1/1/void", Reference: r.Reference})
	if !gateways.IsTransient(err) || got.Status != gateways.Pending {
		t.Errorf("Void(processing) = %+v, %v; want it pending and a transient error", got, err)
	}
	if err := s.srv.Settle(r.Reference); err != nil {
		t.Fatal(err)
	}
	if got, err := s.gw.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "pay_1/1/void", Reference: r.Reference}); !errors.Is(err, gateways.ErrChargeSettled) || got.Status != gateways.Succeeded {
		t.Errorf("Void(settled) = %+v, %v; want succeeded and ErrChargeSettled", got, err)
	}
}

func TestUnknownCharge(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	calls := map[string]func() error{
		"Lookup":          func() error { _, err := s.gw.Lookup(ctx, "pi_unknown"); return err },
		"Lookup(not pi_)": func() error { _, err := s.gw.Lookup(ctx, "ch_1/../x"); return err },
		"Find":            func() error { _, err := s.gw.Find(ctx, "pay_unknown/1"); return err },
		"Void": func() error {
			_, err := s.gw.Void(ctx, gateways.VoidRequest{IdempotencyKey: "k", Reference: "pi_unknown"})
			return err
		},
		"Refund": func() error {
			_, err := s.gw.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "k", Reference: "pi_unknown"})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, gateways.ErrUnknownCharge) || !gateways.IsPermanent(err) {
			t.Errorf("%s = %v, want a permanent ErrUnknownCharge", name, err)
		}
	}
}

// Stripe's search lags behind writes (docs.stripe.com/search#data-freshness):
// Find knows a charge once it is indexed.
func TestFindAfterSearchLag(t *testing.T) {
	s := newScenario(t, stripetest.Options{SearchLag: time.Minute}, testAccount())
	r, _ := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", s.saved(t, stripetest.MethodVisa)))
	if _, err := s.gw.Find(context.Background(), "pay_1/1"); !errors.Is(err, gateways.ErrUnknownCharge) {
		t.Errorf("Find() before indexing = %v, want ErrUnknownCharge", err)
	}
	s.clock.Advance(time.Minute)
	if got := mustFind(t, s.gw, "pay_1/1"); got != r {
		t.Errorf("Find() after indexing = %+v, want %+v", got, r)
	}
}

// A key reused after Stripe pruned it (24 hours) makes a second
// PaymentIntent; Find prefers the one that succeeded.
func TestFindPrefersTheSuccess(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	succeeded, _ := s.gw.Charge(ctx, chargeRequest("pay_1/1", s.saved(t, stripetest.MethodVisa)))
	s.clock.Advance(25 * time.Hour)
	declined, _ := s.gw.Charge(ctx, chargeRequest("pay_1/1", s.saved(t, stripetest.MethodChargeCustomerFail)))
	if declined.Reference == succeeded.Reference || declined.Status != gateways.Declined {
		t.Fatalf("second Charge() after 25 h = %+v, want a new, declined PaymentIntent", declined)
	}
	if got := mustFind(t, s.gw, "pay_1/1"); got != succeeded {
		t.Errorf("Find() = %+v, want the success %+v", got, succeeded)
	}
}

// docs.stripe.com/api/refunds/create: whole or partial, several per charge,
// each once per key; never more than what remains.
func TestRefund(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	r, _ := s.gw.Charge(ctx, chargeRequest("pay_1/1", s.saved(t, stripetest.MethodVisa)))
	s.rec.Requests()
	usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }

	first := gateways.RefundRequest{IdempotencyKey: "refund_1", Reference: r.Reference, Amount: usd(500)}
	got, err := s.gw.Refund(ctx, first)
	if err != nil || got.Status != gateways.RefundSucceeded || got.Reference == "" {
		t.Fatalf("Refund(5.00) = %+v, %v; want succeeded", got, err)
	}
	reqs := s.rec.Requests()
	wantRequest(t, reqs[len(reqs)-1], http.MethodPost, "/v1/refunds", "refund_1",
		url.Values{"payment_intent": {r.Reference}, "amount": {"500"}, "metadata[billgate_idempotency_key]": {"refund_1"}})
	if again, err := s.gw.Refund(ctx, first); err != nil || again != got {
		t.Errorf("Refund() again = %+v, %v; want %+v", again, err, got)
	}
	if n := len(s.srv.Refunds()); n != 1 {
		t.Errorf("%d refunds after a retry, want 1", n)
	}

	tests := []struct {
		name    string
		req     gateways.RefundRequest
		wantErr []error
	}{
		{"the key with another amount", gateways.RefundRequest{IdempotencyKey: "refund_1", Reference: r.Reference, Amount: usd(600)}, []error{gateways.ErrIdempotencyConflict}},
		{"more than remains", gateways.RefundRequest{IdempotencyKey: "refund_2", Reference: r.Reference, Amount: usd(1500)}, []error{gateways.ErrNotRefundable}},
		{"another currency", gateways.RefundRequest{IdempotencyKey: "refund_3", Reference: r.Reference, Amount: billing.Money{Amount: 100, Currency: "EUR"}}, []error{gateways.ErrNotRefundable}},
		{"the rest", gateways.RefundRequest{IdempotencyKey: "refund_4", Reference: r.Reference}, nil},
		{"after the whole was refunded", gateways.RefundRequest{IdempotencyKey: "refund_5", Reference: r.Reference}, []error{gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded}},
	}
	for _, tt := range tests {
		got, err := s.gw.Refund(ctx, tt.req)
		if tt.wantErr == nil {
			if err != nil || got.Status != gateways.RefundSucceeded {
				t.Errorf("Refund(%s) = %+v, %v; want succeeded", tt.name, got, err)
			}
			continue
		}
		for _, want := range tt.wantErr {
			if !errors.Is(err, want) || !gateways.IsPermanent(err) {
				t.Errorf("Refund(%s) = %+v, %v; want a permanent error wrapping %v", tt.name, got, err, want)
			}
		}
	}
	var total int64
	for _, re := range s.srv.Refunds() {
		total += re.Amount
	}
	if total != 1999 {
		t.Errorf("refunded %d in all, want the whole 1999", total)
	}
}

func TestRefundRefused(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects}, testAccount())
	declined, _ := s.gw.Charge(ctx, chargeRequest("pay_no/1", s.saved(t, stripetest.MethodChargeCustomerFail)))
	waiting := pending(t, s, "pay_wait/1")
	disputed, _ := s.gw.Charge(ctx, chargeRequest("pay_dp/1", s.saved(t, stripetest.MethodCreateDispute)))
	for _, r := range []gateways.ChargeResult{declined, waiting, disputed} {
		if _, err := s.gw.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "refund/" + r.Reference, Reference: r.Reference}); !errors.Is(err, gateways.ErrNotRefundable) || !gateways.IsPermanent(err) {
			t.Errorf("Refund(%s) = %v, want a permanent ErrNotRefundable", r.Status, err)
		}
	}
}

// A bank debit's refund is pending until the bank settles it.
func TestRefundPending(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	r, _ := s.gw.Charge(ctx, chargeRequest("pay_1/1", s.saved(t, stripetest.MethodUSBankAccount)))
	if err := s.srv.Settle(r.Reference); err != nil {
		t.Fatal(err)
	}
	got, err := s.gw.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "refund_1", Reference: r.Reference})
	if err != nil || got.Status != gateways.RefundPending {
		t.Errorf("Refund() = %+v, %v; want pending", got, err)
	}
	if err := s.srv.Settle(got.Reference); err != nil {
		t.Error(err)
	}
}

// docs.stripe.com/payments/save-and-reuse: a PaymentMethod attached to a
// Customer is what an off-session charge takes.
func TestCheckMethod(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	cus, pm, _ := s.srv.SaveMethod(stripetest.MethodVisa)
	otherCus, _, _ := s.srv.SaveMethod(stripetest.MethodVisa)
	want := cus + "/" + pm
	for _, token := range []string{pm, want} {
		if got, err := s.gw.CheckMethod(ctx, token); err != nil || got != want {
			t.Errorf("CheckMethod(%s) = %q, %v; want %q", token, got, err, want)
		}
	}
	if r, err := s.gw.Charge(ctx, chargeRequest("pay_1/1", want)); err != nil || r.Status != gateways.Succeeded {
		t.Errorf("Charge() with the checked token = %+v, %v; want succeeded", r, err)
	}
	for _, token := range []string{
		otherCus + "/" + pm,          // another customer's
		stripetest.MethodVisa,        // attached to nobody
		"pm_unknown",                 // unknown to Stripe
		"cus_1/pm_1/x", "4242424242", // malformed
	} {
		if got, err := s.gw.CheckMethod(ctx, token); !gateways.IsPermanent(err) {
			t.Errorf("CheckMethod(%s) = %q, %v; want a permanent error", token, got, err)
		}
	}
}

// Stripe refuses what it will not do with an error body the gateway reads
// (docs.stripe.com/api/errors), here a PaymentMethod of another customer.
func TestChargeWithAnotherCustomersMethod(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	_, pm, _ := s.srv.SaveMethod(stripetest.MethodVisa)
	cus, _, _ := s.srv.SaveMethod(stripetest.MethodVisa)
	_, err := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", cus+"/"+pm))
	if !gateways.IsPermanent(err) {
		t.Errorf("Charge() = %v, want a permanent error", err)
	}
	if n := len(s.srv.PaymentIntents()); n != 0 {
		t.Errorf("%d PaymentIntents were created, want none", n)
	}
}
