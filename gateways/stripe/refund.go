package stripe

import (
	"context"
	"fmt"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// Refund implements gateways.Gateway: POST /v1/refunds with the
// PaymentIntent and, for a partial refund, the amount
// (docs.stripe.com/api/refunds/create), under req.IdempotencyKey, so that
// each refund happens once however often it is retried. The PaymentIntent
// is retrieved first: only a succeeded one can be refunded, and a partial
// amount must be in its currency. Stripe itself refuses an amount above
// what remains unrefunded (amount_too_large), a charged-back one
// (charge_disputed) and one refunded in full (charge_already_refunded): all
// are ErrNotRefundable, the last also ErrAlreadyRefunded.
func (a *account) Refund(ctx context.Context, req gateways.RefundRequest) (gateways.RefundResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.RefundResult{}, gateways.Permanent(Kind, err)
	}
	pi, err := a.retrieve(ctx, req.Reference)
	if err != nil {
		return gateways.RefundResult{}, err
	}
	if pi.Status != stripeapi.PaymentIntentStatusSucceeded {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: payment intent %s is %s", gateways.ErrNotRefundable, pi.ID, pi.Status))
	}
	params := &stripeapi.RefundCreateParams{
		PaymentIntent: stripeapi.String(pi.ID),
		Metadata:      map[string]string{MetadataIdempotencyKey: req.IdempotencyKey},
	}
	params.SetIdempotencyKey(req.IdempotencyKey)
	if !req.Amount.IsZero() {
		amount, currency, err := refundAmount(req, pi)
		if err != nil {
			return gateways.RefundResult{}, gateways.Permanent(Kind, err)
		}
		if currency != string(pi.Currency) {
			return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: refund in %s of payment intent %s in %s", gateways.ErrNotRefundable, req.Amount.Currency, pi.ID, strings.ToUpper(string(pi.Currency))))
		}
		params.Amount = stripeapi.Int64(amount)
	}
	re, err := a.api.V1Refunds.Create(ctx, params)
	if err != nil {
		return gateways.RefundResult{}, refundError(pi.ID, err)
	}
	return refundResult(re), nil
}

func refundAmount(req gateways.RefundRequest, pi *stripeapi.PaymentIntent) (int64, string, error) {
	if req.Amount.IsNegative() {
		return 0, "", fmt.Errorf("refund amount %s is negative", req.Amount)
	}
	if err := req.Amount.Validate(); err != nil {
		return 0, "", fmt.Errorf("refund amount: %w", err)
	}
	return toStripe(req.Amount)
}

// refundError maps Stripe's refusals of a refund; anything else is
// apiError's.
func refundError(piID string, err error) error {
	se := stripeError(err)
	if se == nil || se.Type != stripeapi.ErrorTypeInvalidRequest {
		return apiError("refund payment intent "+piID, err)
	}
	switch {
	case se.Code == stripeapi.ErrorCodeChargeAlreadyRefunded:
		return gateways.Permanent(Kind, fmt.Errorf("%w: %w: %s", gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded, describe(se)))
	case se.Code == stripeapi.ErrorCodeAmountTooLarge, se.Code == stripeapi.ErrorCodeChargeDisputed, se.Param == "amount":
		return gateways.Permanent(Kind, fmt.Errorf("%w: %s", gateways.ErrNotRefundable, describe(se)))
	}
	return apiError("refund payment intent "+piID, err)
}

// refundResult maps a Refund's status (docs.stripe.com/api/refunds/object):
// pending and requires_action settle later; failed and canceled are
// failures, with Stripe's failure_reason.
func refundResult(re *stripeapi.Refund) gateways.RefundResult {
	r := gateways.RefundResult{Reference: re.ID}
	switch re.Status {
	case stripeapi.RefundStatusSucceeded:
		r.Status = gateways.RefundSucceeded
	case stripeapi.RefundStatusFailed, stripeapi.RefundStatusCanceled:
		r.Status, r.FailureReason = gateways.RefundFailed, string(re.FailureReason)
		if r.FailureReason == "" {
			r.FailureReason = string(re.Status)
		}
	default:
		r.Status = gateways.RefundPending
	}
	return r
}

// LookupRefund implements gateways.RefundLooker: the Refund as it stands
// (GET /v1/refunds/{id}, docs.stripe.com/api/refunds/retrieve), read as
// Refund reads it. A card refund's ID is re_…; a refund of another payment
// method's charge (py_…) is pyr_….
func (a *account) LookupRefund(ctx context.Context, reference string) (gateways.RefundResult, error) {
	if !validID(reference, "re_") && !validID(reference, "pyr_") {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: %q is not a Refund ID (re_… or pyr_…)", gateways.ErrUnknownCharge, reference))
	}
	re, err := a.api.V1Refunds.Retrieve(ctx, reference, nil)
	if isUnknown(err) {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: retrieve refund %s: %s", gateways.ErrUnknownCharge, reference, describe(stripeError(err))))
	}
	if err != nil {
		return gateways.RefundResult{}, apiError("retrieve refund "+reference, err)
	}
	return refundResult(re), nil
}
