package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// lookupRefund is the gateway's LookupRefund.
func lookupRefund(t *testing.T, gw gateways.ConnectedGateway, reference string) (gateways.RefundResult, error) {
	t.Helper()
	looker, ok := gw.(gateways.RefundLooker)
	if !ok {
		t.Fatal("the gateway is no gateways.RefundLooker")
	}
	return looker.LookupRefund(context.Background(), reference)
}

// docs.stripe.com/api/refunds/object: a refund's status as billgate settles
// it, through the test payment methods of docs.stripe.com/testing,
// "Refunds" (and a bank debit's refund, pyr_…): a card refund succeeds at
// once; pm_card_pendingRefund's is pending, then succeeds or fails;
// pm_card_refundFail's succeeds, then fails.
func TestLookupRefund(t *testing.T) {
	type step struct {
		settle     bool   // Settle the refund, else fail it with reason
		reason     string // failure_reason
		wantStatus gateways.RefundStatus
	}
	tests := []struct {
		name       string
		method     string
		processing bool // a bank debit, settled before the refund
		wantFirst  gateways.RefundStatus
		then       *step
	}{
		{"a card refund", stripetest.MethodVisa, false, gateways.RefundSucceeded, nil},
		{"pending, then succeeded", stripetest.MethodPendingRefund, false, gateways.RefundPending, &step{settle: true, wantStatus: gateways.RefundSucceeded}},
		{"pending, then failed", stripetest.MethodPendingRefund, false, gateways.RefundPending, &step{reason: "declined", wantStatus: gateways.RefundFailed}},
		{"succeeded, then failed", stripetest.MethodRefundFail, false, gateways.RefundSucceeded, &step{reason: "expired_or_canceled_card", wantStatus: gateways.RefundFailed}},
		{"a bank debit's, pending, then succeeded", stripetest.MethodUSBankAccount, true, gateways.RefundPending, &step{settle: true, wantStatus: gateways.RefundSucceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := newScenario(t, stripetest.Options{}, testAccount())
			charge, err := s.gw.Charge(ctx, chargeRequest("pay_1/1", s.saved(t, tt.method)))
			if err != nil {
				t.Fatal(err)
			}
			if tt.processing {
				if err := s.srv.Settle(charge.Reference); err != nil {
					t.Fatal(err)
				}
			}
			refund, err := s.gw.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "refund_1", Reference: charge.Reference})
			if err != nil || refund.Status != tt.wantFirst {
				t.Fatalf("Refund() = %+v, %v; want %s", refund, err, tt.wantFirst)
			}
			s.rec.Requests()
			if got, err := lookupRefund(t, s.gw, refund.Reference); err != nil || got != refund {
				t.Errorf("LookupRefund() = %+v, %v; want the refund as Refund returned it, %+v", got, err, refund)
			}
			wantRequest(t, oneRequest(t, s.rec), http.MethodGet, "/v1/refunds/"+refund.Reference, "", nil)
			if tt.then == nil {
				return
			}
			if tt.then.settle {
				err = s.srv.Settle(refund.Reference)
			} else {
				_, err = s.srv.FailRefund(refund.Reference, tt.then.reason)
			}
			if err != nil {
				t.Fatal(err)
			}
			want := gateways.RefundResult{Reference: refund.Reference, Status: tt.then.wantStatus, FailureReason: tt.then.reason}
			if got, err := lookupRefund(t, s.gw, refund.Reference); err != nil || got != want {
				t.Errorf("LookupRefund() after the bank = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// A reference that is no refund of the account's is ErrUnknownCharge; one
// that is no Refund ID at all is refused before asking Stripe.
func TestLookupRefundUnknown(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	charge, _ := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", s.saved(t, stripetest.MethodVisa)))
	s.rec.Requests()
	for _, ref := range []string{"re_unknown", "pyr_unknown", charge.Reference, "re_1/../x", ""} {
		if _, err := lookupRefund(t, s.gw, ref); !errors.Is(err, gateways.ErrUnknownCharge) || !gateways.IsPermanent(err) {
			t.Errorf("LookupRefund(%q) = %v, want a permanent ErrUnknownCharge", ref, err)
		}
	}
	for _, req := range s.rec.Requests() {
		if !strings.HasSuffix(req.Path, "_unknown") {
			t.Errorf("sent %s %s; only the well-formed IDs should reach Stripe", req.Method, req.Path)
		}
	}
}

// docs.stripe.com/error-handling: no answer, or Stripe's trouble, is worth
// retrying; a refused key is not.
func TestLookupRefundErrors(t *testing.T) {
	tests := []struct {
		name          string
		handler       http.HandlerFunc
		wantTransient bool
	}{
		{"Stripe's api_error", stripeAnswer(http.StatusInternalServerError, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`), true},
		{"rate limited", stripeAnswer(http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`), true},
		{"a revoked key", stripeAnswer(http.StatusUnauthorized, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****gate"}}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw, _ := connect(t, newHTTPServer(t, tt.handler), testAccount(), settableclock.At(t0))
			_, err := lookupRefund(t, gw, "re_3Qabc")
			if gateways.IsTransient(err) != tt.wantTransient || gateways.IsPermanent(err) == tt.wantTransient {
				t.Errorf("LookupRefund() = %v, want transient: %t", err, tt.wantTransient)
			}
		})
	}
}
