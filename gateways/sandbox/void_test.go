package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/sandbox/sandboxtest"
)

func TestMemoryLedgerVoidAndRefund(t *testing.T) {
	sandboxtest.VoidAndRefund(t, sandbox.NewMemoryLedger())
}

// The sandbox refunds whole charges: naming the whole amount is taken,
// naming part of it refused.
func TestRefundWholeOnly(t *testing.T) {
	sb, err := sandbox.New(sandbox.NewMemoryLedger(), sandbox.Options{BaseURL: "http://localhost", WebhookSecret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	amount := billing.Money{Amount: 1000, Currency: "USD"}
	c, err := sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: "p/1", Amount: amount, Token: sandbox.TokenOK, CustomerID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	part := gateways.RefundRequest{IdempotencyKey: "r1", Reference: c.Reference, Amount: billing.Money{Amount: 999, Currency: "USD"}}
	if _, err := sb.Refund(ctx, part); !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrNotRefundable) || !errors.Is(err, sandbox.ErrPartialRefund) {
		t.Errorf("Refund(part) = %v, want a permanent ErrNotRefundable", err)
	}
	if r, err := sb.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "r2", Reference: c.Reference, Amount: amount}); err != nil || r.Reference == "" {
		t.Errorf("Refund(the whole amount named) = %+v, %v", r, err)
	}
}
