package activities

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/workflows/contract"
)

// RefundInput asks a gateway to return money of a succeeded charge.
type RefundInput struct {
	Gateway        string
	Reference      string // the charge's
	IdempotencyKey string
	// Amount is what to return; zero is the whole charge.
	Amount billing.Money
}

// RefundResult is where a refund stands at the gateway.
type RefundResult struct {
	Status        contract.RefundStatus
	Reference     string // the gateway's ID for the refund
	FailureReason string
}

// IssueRefund asks the gateway for a refund, idempotently by its key. A
// refund the gateway refuses outright is a non-retryable
// ErrTypeGatewayPermanent error, whose message says why.
func (a *Activities) IssueRefund(ctx context.Context, in RefundInput) (RefundResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return RefundResult{}, err
	}
	res, err := g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: in.IdempotencyKey, Reference: in.Reference, Amount: in.Amount})
	if err != nil {
		return RefundResult{}, gatewayError("refund "+in.Reference, err)
	}
	return refundResult(res), nil
}

// LookupRefundInput names a refund at one gateway.
type LookupRefundInput struct {
	Gateway   string
	Reference string // the refund's
}

// ErrTypeNoRefundLookup: the gateway cannot be asked about a refund; only
// its webhook or the reconciliation settles it.
const ErrTypeNoRefundLookup = "NoRefundLookup"

// LookupRefund asks the gateway how a refund stands.
func (a *Activities) LookupRefund(ctx context.Context, in LookupRefundInput) (RefundResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return RefundResult{}, err
	}
	looker, ok := g.(gateways.RefundLooker)
	if !ok {
		return RefundResult{}, temporal.NewNonRetryableApplicationError("gateway "+in.Gateway+" cannot look up refunds", ErrTypeNoRefundLookup, nil)
	}
	res, err := looker.LookupRefund(ctx, in.Reference)
	if err != nil {
		return RefundResult{}, gatewayError("look up refund "+in.Reference, err)
	}
	return refundResult(res), nil
}

func refundResult(res gateways.RefundResult) RefundResult {
	out := RefundResult{Status: contract.RefundSucceeded, Reference: res.Reference, FailureReason: res.FailureReason}
	switch res.Status {
	case gateways.RefundPending:
		out.Status = contract.RefundPending
	case gateways.RefundFailed:
		out.Status = contract.RefundFailed
	}
	return out
}

// NotePendingRefundInput names the gateway's reference of a pending refund.
type NotePendingRefundInput struct {
	RefundID  uuid.UUID
	Reference string
}

// NotePendingRefund keeps the gateway's reference of a refund it left
// pending, for the reconciliation to look up.
func (a *Activities) NotePendingRefund(ctx context.Context, in NotePendingRefundInput) error {
	return a.Store.NotePendingRefund(ctx, in.RefundID, in.Reference, a.now())
}

// SettleRefundInput ends a pending refund.
type SettleRefundInput struct {
	RefundID uuid.UUID
	State    contract.RefundState
}

// SettleRefund writes how a refund ended: a success credits its invoice.
// A refund already settled is left as it is.
func (a *Activities) SettleRefund(ctx context.Context, in SettleRefundInput) error {
	_, err := a.Store.SettleRefund(ctx, in.RefundID, in.State)
	return err
}
