package paypal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/billgate/billgate/gateways"
)

// refunds.get (payments_payment_v2, GET /v2/payments/refunds/{refund_id})
// reads a refund as PayPal has it now. A refund PayPal leaves PENDING
// (refund_status_details.reason ECHECK, a refund waiting on the payer's
// bank) settles later as COMPLETED, FAILED (still ECHECK) or CANCELLED.
func TestLookupRefundSettles(t *testing.T) {
	tests := []struct {
		settle string
		want   gateways.RefundResult
	}{
		{"COMPLETED", gateways.RefundResult{Status: gateways.RefundSucceeded}},
		{"FAILED", gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "failed: echeck"}},
		{"CANCELLED", gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "cancelled"}},
	}
	for _, tt := range tests {
		t.Run(tt.settle, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			ref := e.paid("pay_1/1").Reference
			e.srv.RefundOutcome("PENDING")
			pending, err := e.g.Refund(ctx, refundRequest("pay_1/1/refund", ref, 500))
			if err != nil || pending.Status != gateways.RefundPending {
				t.Fatalf("Refund = %+v, %v, want pending", pending, err)
			}
			if got, err := e.g.LookupRefund(ctx, pending.Reference); err != nil || got != pending {
				t.Errorf("LookupRefund while pending = %+v, %v, want %+v", got, err, pending)
			}
			if err := e.srv.SettleRefund(pending.Reference, tt.settle); err != nil {
				t.Fatal(err)
			}
			tt.want.Reference = pending.Reference
			if got, err := e.g.LookupRefund(ctx, pending.Reference); err != nil || got != tt.want {
				t.Errorf("LookupRefund once %s = %+v, %v, want %+v", tt.settle, got, err, tt.want)
			}
			// The refund's key still answers with the refund, as it is now.
			if again, err := e.g.Refund(ctx, refundRequest("pay_1/1/refund", ref, 500)); err != nil || again != tt.want {
				t.Errorf("Refund again = %+v, %v, want %+v", again, err, tt.want)
			}
		})
	}
}

// A refund that completed at once reads as Refund reported it.
func TestLookupRefundCompleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	done, err := e.g.Refund(ctx, refundRequest("r", e.paid("pay_1/1").Reference, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.g.LookupRefund(ctx, done.Reference); err != nil || got != done || got.Status != gateways.RefundSucceeded {
		t.Errorf("LookupRefund = %+v, %v, want %+v", got, err, done)
	}
}

// refunds.get's 404 (INVALID_RESOURCE_ID) is an unknown refund; a
// reference that is no PayPal ID is one too, without a call; 5xx is
// transient.
func TestLookupRefundFailures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.g.LookupRefund(ctx, "1JU08902781691411")
	wantPermanent(t, "LookupRefund(unknown)", err, gateways.ErrUnknownCharge)
	for _, ref := range []string{"", "../orders/X", "1ju08902781691411"} {
		_, err := e.g.LookupRefund(ctx, ref)
		wantPermanent(t, "LookupRefund("+ref+")", err, gateways.ErrUnknownCharge)
	}
	if n := e.srv.Calls("refunds.get"); n != 1 {
		t.Errorf("refunds.get called %d times, want once (for the well-formed ID)", n)
	}
	done, err := e.g.Refund(ctx, refundRequest("r", e.paid("pay_1/1").Reference, 0))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext(http.StatusInternalServerError, 1)
	if _, err := e.g.LookupRefund(ctx, done.Reference); !gateways.IsTransient(err) {
		t.Errorf("LookupRefund answered 500 = %v, want a transient error", err)
	}
}
