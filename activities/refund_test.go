package activities

import (
	"context"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/workflows/contract"
)

func TestIssueRefund(t *testing.T) {
	a, sb := sandboxActivities(t)
	ctx := context.Background()
	amount := billing.Money{Amount: 2500, Currency: "EUR"}
	c, err := sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: "pay/1", Amount: amount, Token: sandbox.TokenOK, CustomerID: customerID.String()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.IssueRefund(ctx, RefundInput{Gateway: sandbox.Name, Reference: c.Reference, IdempotencyKey: "r1", Amount: billing.Money{Amount: 1, Currency: "EUR"}})
	if typ, nonRetryable := errType(err); typ != ErrTypeGatewayPermanent || !nonRetryable {
		t.Errorf("a partial sandbox refund = %v, want a non-retryable %s", err, ErrTypeGatewayPermanent)
	}
	res, err := a.IssueRefund(ctx, RefundInput{Gateway: sandbox.Name, Reference: c.Reference, IdempotencyKey: "r2"})
	if err != nil || res.Status != contract.RefundSucceeded || res.Reference == "" {
		t.Errorf("a whole refund = %+v, %v; want succeeded with the gateway's reference", res, err)
	}
	again, err := a.IssueRefund(ctx, RefundInput{Gateway: sandbox.Name, Reference: c.Reference, IdempotencyKey: "r2"})
	if err != nil || again != res {
		t.Errorf("the same refund again = %+v, %v; want the first answer", again, err)
	}
	_, err = a.LookupRefund(ctx, LookupRefundInput{Gateway: sandbox.Name, Reference: res.Reference})
	if typ, nonRetryable := errType(err); typ != ErrTypeNoRefundLookup || !nonRetryable {
		t.Errorf("LookupRefund at the sandbox = %v, want a non-retryable %s", err, ErrTypeNoRefundLookup)
	}
}

func TestRefundResultStatuses(t *testing.T) {
	for in, want := range map[gateways.RefundStatus]contract.RefundStatus{
		"": contract.RefundSucceeded, gateways.RefundSucceeded: contract.RefundSucceeded,
		gateways.RefundPending: contract.RefundPending, gateways.RefundFailed: contract.RefundFailed,
	} {
		if got := refundResult(gateways.RefundResult{Status: in}).Status; got != want {
			t.Errorf("refundResult(%q) = %q, want %q", in, got, want)
		}
	}
}
