package stripe

import (
	"context"
	"fmt"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// MetadataCustomerID is the PaymentIntent metadata key that carries
// billgate's customer ID, for people reading Stripe's dashboard.
const MetadataCustomerID = "billgate_customer_id"

// Charge implements gateways.Gateway with one request: a PaymentIntent for
// the token's customer and payment method, confirmed at once, off-session
// (POST /v1/payment_intents with confirm=true, off_session=true;
// docs.stripe.com/payments/save-and-reuse, "Charge the saved payment method
// later"). req.IdempotencyKey is Stripe's Idempotency-Key: a retry with the
// same request gets Stripe's first answer back, and one with another
// request an idempotency_error, ErrIdempotencyConflict
// (docs.stripe.com/api/idempotent_requests).
func (a *account) Charge(ctx context.Context, req gateways.ChargeRequest) (gateways.ChargeResult, error) {
	params, err := a.chargeParams(req)
	if err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, err)
	}
	pi, err := a.api.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return chargeError(err)
	}
	return result(pi), nil
}

func (a *account) chargeParams(req gateways.ChargeRequest) (*stripeapi.PaymentIntentCreateParams, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if !a.accepts(req.Amount.Currency) {
		return nil, fmt.Errorf("%w: %s", gateways.ErrCurrencyNotAccepted, req.Amount.Currency)
	}
	customer, method, err := parseToken(req.Token)
	if err != nil {
		return nil, err
	}
	amount, currency, err := toStripe(req.Amount)
	if err != nil {
		return nil, err
	}
	p := &stripeapi.PaymentIntentCreateParams{
		Amount:        stripeapi.Int64(amount),
		Currency:      stripeapi.String(currency),
		Customer:      stripeapi.String(customer),
		PaymentMethod: stripeapi.String(method),
		Confirm:       stripeapi.Bool(true),
		OffSession:    stripeapi.Bool(true),
		Metadata:      map[string]string{MetadataIdempotencyKey: req.IdempotencyKey},
	}
	p.SetIdempotencyKey(req.IdempotencyKey)
	if req.CustomerID != "" {
		p.Metadata[MetadataCustomerID] = req.CustomerID
	}
	if req.Description != "" {
		p.Description = stripeapi.String(req.Description)
	}
	// A PaymentIntent confirmed on the server with Stripe's automatic
	// payment methods needs a return_url, in case the method redirects,
	// unless redirects are refused (docs.stripe.com/api/payment_intents/create,
	// return_url and automatic_payment_methods.allow_redirects). The
	// return_url names the charge's key, for ReadReturn.
	if a.returnURL != nil {
		p.ReturnURL = stripeapi.String(a.returnURLFor(req.IdempotencyKey))
	} else {
		p.AutomaticPaymentMethods = &stripeapi.PaymentIntentCreateAutomaticPaymentMethodsParams{
			Enabled:        stripeapi.Bool(true),
			AllowRedirects: stripeapi.String("never"),
		}
	}
	return p, nil
}

// chargeError is a failed confirmation as Charge reports it. A card_error (HTTP
// 402) is the issuer's answer: a decline, with the PaymentIntent Stripe
// created (docs.stripe.com/declines, docs.stripe.com/error-handling). An
// off-session charge that needs the cardholder fails with
// authentication_required and leaves the PaymentIntent in
// requires_payment_method (docs.stripe.com/payments/save-and-reuse, "Charge
// the saved payment method later"): billgate records a decline, and the
// customer must come back to pay. Should Stripe leave the intent in
// requires_action with a URL instead, the charge is Pending, with that URL.
// Every other error is no answer (apiError).
func chargeError(err error) (gateways.ChargeResult, error) {
	se := stripeError(err)
	if se == nil || se.Type != stripeapi.ErrorTypeCard {
		return gateways.ChargeResult{}, apiError("create payment intent", err)
	}
	r := gateways.ChargeResult{Status: gateways.Declined, DeclineCode: failureCode(se)}
	if pi := se.PaymentIntent; pi != nil {
		r.Reference = pi.ID
		if pi.Status == stripeapi.PaymentIntentStatusRequiresAction {
			if pending := result(pi); pending.NextAction != nil {
				return pending, nil
			}
		}
	}
	return r, nil
}
