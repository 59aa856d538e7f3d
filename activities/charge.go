package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/gateways"
)

// Error types the payment workflow branches on.
const (
	// ErrTypeDeclined: the gateway refused the charge (details: the
	// decline code). Retried only on the dunning schedule.
	ErrTypeDeclined = "PaymentDeclined"
	// ErrTypeGatewayPermanent: the request can never succeed as it is.
	ErrTypeGatewayPermanent = "GatewayPermanent"
)

// ChargeInput asks one gateway for one charge attempt.
type ChargeInput struct {
	Gateway string
	Request gateways.ChargeRequest
}

// ChargeResult is a charge the gateway accepted, at once or pending an
// approval.
type ChargeResult struct {
	Pending     bool
	Reference   string
	ApprovalURL string
}

// Charge asks the gateway named in the input. A decline is a
// non-retryable ErrTypeDeclined error carrying the decline code; a
// transient gateway failure is returned as is, for the retry policy; a
// permanent one is non-retryable. The gateway's idempotency makes a retried
// attempt safe: it never charges twice.
func (a *Activities) Charge(ctx context.Context, in ChargeInput) (ChargeResult, error) {
	g, ok := a.Gateways.Get(in.Gateway)
	if !ok {
		return ChargeResult{}, temporal.NewNonRetryableApplicationError("unknown gateway "+in.Gateway, ErrTypeGatewayPermanent, nil)
	}
	res, err := g.Charge(ctx, in.Request)
	switch {
	case gateways.IsPermanent(err):
		return ChargeResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeGatewayPermanent, err)
	case err != nil:
		return ChargeResult{}, fmt.Errorf("charge %s: %w", in.Request.IdempotencyKey, err)
	}
	switch res.Status {
	case gateways.Succeeded:
		return ChargeResult{Reference: res.Reference}, nil
	case gateways.Pending:
		out := ChargeResult{Pending: true, Reference: res.Reference}
		if res.NextAction != nil {
			out.ApprovalURL = res.NextAction.URL
		}
		return out, nil
	case gateways.Declined:
		return ChargeResult{}, temporal.NewNonRetryableApplicationError("declined: "+res.DeclineCode, ErrTypeDeclined, nil, res.DeclineCode)
	}
	return ChargeResult{}, errors.New("gateway " + in.Gateway + " answered an unknown status " + string(res.Status))
}
