package stripe

import (
	"context"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// cancellationReason is why billgate cancels: the payer never completed the
// charge (docs.stripe.com/api/payment_intents/cancel).
const cancellationReason = "abandoned"

// Void implements gateways.Gateway. It retrieves the PaymentIntent first, so
// that a declined one, which Stripe would still let be canceled, is reported
// settled rather than turned into a voided one. A pending one is canceled
// (POST /v1/payment_intents/{id}/cancel, with req.IdempotencyKey). Stripe
// refuses to cancel an intent that moved on meanwhile
// (payment_intent_unexpected_state): it is reported as it stands then, and
// one still processing (Stripe cancels few of those) is a transient error,
// since its outcome is due.
func (a *account) Void(ctx context.Context, req gateways.VoidRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, err)
	}
	pi, err := a.retrieve(ctx, req.Reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	if r := result(pi); r.Status != gateways.Pending {
		return settled(r)
	}
	params := &stripeapi.PaymentIntentCancelParams{CancellationReason: stripeapi.String(cancellationReason)}
	params.SetIdempotencyKey(req.IdempotencyKey)
	canceled, err := a.api.V1PaymentIntents.Cancel(ctx, req.Reference, params)
	if err == nil {
		return settled(result(canceled))
	}
	if se := stripeError(err); se == nil || se.Code != stripeapi.ErrorCodePaymentIntentUnexpectedState {
		return gateways.ChargeResult{}, apiError("cancel payment intent "+req.Reference, err)
	}
	if pi, err = a.retrieve(ctx, req.Reference); err != nil {
		return gateways.ChargeResult{}, err
	}
	r := result(pi)
	if r.Status == gateways.Pending {
		return r, gateways.Transient(Kind, fmt.Errorf("payment intent %s is %s and Stripe will not cancel it now; its outcome is due", pi.ID, pi.Status))
	}
	return settled(r)
}

// settled is Void's answer for a charge no longer pending: a voided one as
// it is, a succeeded or declined one with ErrChargeSettled.
func settled(r gateways.ChargeResult) (gateways.ChargeResult, error) {
	if r.Status == gateways.Voided {
		return r, nil
	}
	return r, gateways.Permanent(Kind, fmt.Errorf("%w: payment intent %s is %s", gateways.ErrChargeSettled, r.Reference, r.Status))
}
