package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
)

// Error types the payment workflow branches on.
const (
	// ErrTypeDeclined: the gateway refused the charge (details: the
	// decline code). Retried only on the dunning schedule.
	ErrTypeDeclined = "PaymentDeclined"
	// ErrTypeGatewayPermanent: the request can never succeed as it is.
	ErrTypeGatewayPermanent = "GatewayPermanent"
	// ErrTypeUnknownCharge: the gateway took no charge under the key.
	ErrTypeUnknownCharge = "UnknownCharge"
)

// ChargeInput asks one gateway for one charge attempt, in billgate's terms:
// the activity builds the gateway's request, so a gateway that needs more
// of the invoice changes the activity, never the workflow's history.
type ChargeInput struct {
	Gateway string
	// IdempotencyKey identifies the attempt; see gateways.IdempotencyKey.
	IdempotencyKey string
	PaymentID      uuid.UUID
	InvoiceID      uuid.UUID
	CustomerID     uuid.UUID
	// PaymentMethodID is the saved payment method charged; uuid.Nil for one
	// given inline.
	PaymentMethodID uuid.UUID
	Token           string
	Amount          billing.Money
	// Request is set only in attempts scheduled by workflow code from
	// before the activity built its own request; such an attempt is
	// charged as it was asked.
	Request *gateways.ChargeRequest `json:",omitempty"`
}

// request is the gateway request of the attempt.
func (in ChargeInput) request() gateways.ChargeRequest {
	if in.Request != nil {
		return *in.Request
	}
	return gateways.ChargeRequest{
		IdempotencyKey: in.IdempotencyKey,
		Amount:         in.Amount,
		Token:          in.Token,
		CustomerID:     in.CustomerID.String(),
		Description:    "Invoice " + in.InvoiceID.String(),
	}
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
//
// A saved payment method is charged only while it is saved: once deleted,
// the attempt is declined with CodePaymentMethodRemoved (see
// chargeRemovedMethod). The check and the charge are not one transaction: a
// delete committed after the check does not stop the charge already under
// way.
func (a *Activities) Charge(ctx context.Context, in ChargeInput) (ChargeResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return ChargeResult{}, err
	}
	removed, err := a.methodRemoved(ctx, in.PaymentMethodID)
	if err != nil {
		return ChargeResult{}, err
	}
	if removed {
		return a.chargeRemovedMethod(ctx, in)
	}
	req := in.request()
	res, err := g.Charge(ctx, req)
	if err != nil {
		return ChargeResult{}, gatewayError("charge "+req.IdempotencyKey, err)
	}
	return chargeResult(in.Gateway, res)
}

// methodRemoved reports whether the saved payment method id was deleted.
// A method given inline (uuid.Nil) is never removed.
func (a *Activities) methodRemoved(ctx context.Context, id uuid.UUID) (bool, error) {
	if id == uuid.Nil {
		return false, nil
	}
	_, err := a.Store.PaymentMethodByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// chargeRemovedMethod answers an attempt on a deleted payment method
// without charging it: a decline with CodePaymentMethodRemoved. Only an
// earlier try of this same attempt, one that reached the gateway before the
// delete, may have taken a charge under the key; that charge stands, and
// the answer is the gateway's.
func (a *Activities) chargeRemovedMethod(ctx context.Context, in ChargeInput) (ChargeResult, error) {
	res, err := a.FindCharge(ctx, FindInput{Gateway: in.Gateway, IdempotencyKey: in.request().IdempotencyKey})
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrTypeUnknownCharge {
		return ChargeResult{}, declined(gateways.CodePaymentMethodRemoved)
	}
	return res, err
}

// declined is the non-retryable ErrTypeDeclined error of a decline code.
func declined(code string) error {
	return temporal.NewNonRetryableApplicationError("declined: "+code, ErrTypeDeclined, nil, code)
}

// FindInput names the charge made under an idempotency key at one gateway.
type FindInput struct {
	Gateway        string
	IdempotencyKey string
}

// FindCharge asks the gateway for the charge made under the key, and
// answers as Charge did or would have: a decline is an ErrTypeDeclined
// error. A key the gateway never took is a non-retryable
// ErrTypeUnknownCharge error.
func (a *Activities) FindCharge(ctx context.Context, in FindInput) (ChargeResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return ChargeResult{}, err
	}
	res, err := g.Find(ctx, in.IdempotencyKey)
	switch {
	case errors.Is(err, gateways.ErrUnknownCharge):
		return ChargeResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnknownCharge, err)
	case err != nil:
		return ChargeResult{}, gatewayError("find "+in.IdempotencyKey, err)
	}
	return chargeResult(in.Gateway, res)
}

// chargeResult is a gateway's answer as the workflow reads it.
func chargeResult(gateway string, res gateways.ChargeResult) (ChargeResult, error) {
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
		return ChargeResult{}, declined(res.DeclineCode)
	}
	return ChargeResult{}, errors.New("gateway " + gateway + " answered an unknown status " + string(res.Status))
}

// LookupInput names a charge at one gateway.
type LookupInput struct {
	Gateway   string
	Reference string
}

// LookupResult is a charge as its gateway has it now.
type LookupResult struct {
	Status      gateways.Status
	DeclineCode string
	// SavedToken is the payment method a succeeded first payment saved at
	// the gateway (gateways.ChargeResult.SavedToken).
	SavedToken string `json:",omitempty"`
}

func lookupResult(res gateways.ChargeResult) LookupResult {
	return LookupResult{Status: res.Status, DeclineCode: res.DeclineCode, SavedToken: res.SavedToken}
}

// LookupCharge asks the gateway how the charge with the reference stands.
// A reference the gateway does not know is a non-retryable
// ErrTypeGatewayPermanent error.
func (a *Activities) LookupCharge(ctx context.Context, in LookupInput) (LookupResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return LookupResult{}, err
	}
	res, err := g.Lookup(ctx, in.Reference)
	if err != nil {
		return LookupResult{}, gatewayError("look up "+in.Reference, err)
	}
	return lookupResult(res), nil
}

// SettleInput names the charge a void or a refund settles, and the
// idempotency key of that void or refund.
type SettleInput struct {
	Gateway        string
	Reference      string
	IdempotencyKey string
}

// VoidCharge cancels a pending charge so that the payer can no longer
// approve it, and reports the charge as it then stands: Voided, or, when
// the payer decided first, Succeeded or Declined (an answer, not an
// error). An unknown charge is a non-retryable ErrTypeGatewayPermanent
// error.
func (a *Activities) VoidCharge(ctx context.Context, in SettleInput) (LookupResult, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return LookupResult{}, err
	}
	res, err := g.Void(ctx, gateways.VoidRequest{IdempotencyKey: in.IdempotencyKey, Reference: in.Reference})
	if err != nil && !errors.Is(err, gateways.ErrChargeSettled) {
		return LookupResult{}, gatewayError("void "+in.Reference, err)
	}
	return lookupResult(res), nil
}

// RefundCharge refunds a succeeded charge whole, and returns the refund's
// reference. A charge that cannot be refunded is a non-retryable
// ErrTypeGatewayPermanent error.
func (a *Activities) RefundCharge(ctx context.Context, in SettleInput) (string, error) {
	g, err := a.gateway(ctx, in.Gateway)
	if err != nil {
		return "", err
	}
	res, err := g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: in.IdempotencyKey, Reference: in.Reference})
	if err != nil {
		return "", gatewayError("refund "+in.Reference, err)
	}
	return res.Reference, nil
}

// gateway is the registered gateway of that name; an unknown one is a
// permanent failure.
func (a *Activities) gateway(ctx context.Context, route string) (gateways.Gateway, error) {
	g, err := a.Gateways.Gateway(ctx, route)
	if err != nil {
		return nil, gatewayError("gateway "+route, err)
	}
	return g, nil
}

// gatewayError is a gateway's failure as the retry policy reads it: a
// permanent one is non-retryable, anything else is retried.
func gatewayError(what string, err error) error {
	if gateways.IsPermanent(err) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeGatewayPermanent, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
