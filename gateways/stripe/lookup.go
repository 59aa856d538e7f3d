package stripe

import (
	"context"
	"fmt"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// Lookup implements gateways.Gateway: the PaymentIntent as it stands (GET
// /v1/payment_intents/{id}).
func (a *account) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	pi, err := a.retrieve(ctx, reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	return result(pi), nil
}

// retrieve gets a PaymentIntent; one Stripe does not have is
// ErrUnknownCharge.
func (a *account) retrieve(ctx context.Context, reference string) (*stripeapi.PaymentIntent, error) {
	if !validID(reference, "pi_") {
		return nil, gateways.Permanent(Kind, fmt.Errorf("%w: %q is not a PaymentIntent ID (pi_…)", gateways.ErrUnknownCharge, reference))
	}
	pi, err := a.api.V1PaymentIntents.Retrieve(ctx, reference, nil)
	if isUnknown(err) {
		return nil, gateways.Permanent(Kind, fmt.Errorf("%w: retrieve payment intent %s: %s", gateways.ErrUnknownCharge, reference, describe(stripeError(err))))
	}
	if err != nil {
		return nil, apiError("retrieve payment intent "+reference, err)
	}
	return pi, nil
}

// Find implements gateways.Gateway with Stripe's search
// (GET /v1/payment_intents/search, docs.stripe.com/search): the
// PaymentIntent whose metadata carries the key. Search is eventually
// consistent: a PaymentIntent is usually searchable within a minute of its
// creation, and up to an hour late during an outage, so a key charged a
// moment ago may be reported unknown. Retrying the Charge itself with the
// key is the safe reconciliation then: Stripe answers it from its
// idempotency store for at least 24 hours.
//
// Two intents share a key only if a key was reused after Stripe pruned it;
// then the one that succeeded, else the newest, is the answer.
func (a *account) Find(ctx context.Context, idempotencyKey string) (gateways.ChargeResult, error) {
	if idempotencyKey == "" {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: empty idempotency key", gateways.ErrUnknownCharge))
	}
	params := &stripeapi.PaymentIntentSearchParams{}
	params.Query = searchQuery(MetadataIdempotencyKey, idempotencyKey)
	params.Limit = stripeapi.Int64(100)
	params.Single = true
	var best *stripeapi.PaymentIntent
	for pi, err := range a.api.V1PaymentIntents.Search(ctx, params).All(ctx) {
		if err != nil {
			return gateways.ChargeResult{}, apiError("search payment intents", err)
		}
		if better(pi, best) {
			best = pi
		}
	}
	if best == nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: no PaymentIntent has metadata %s %q (or Stripe's search has not indexed it yet)", gateways.ErrUnknownCharge, MetadataIdempotencyKey, idempotencyKey))
	}
	return result(best), nil
}

// better reports whether pi is a better answer to Find than best.
func better(pi, best *stripeapi.PaymentIntent) bool {
	if best == nil {
		return true
	}
	piOK, bestOK := pi.Status == stripeapi.PaymentIntentStatusSucceeded, best.Status == stripeapi.PaymentIntentStatusSucceeded
	if piOK != bestOK {
		return piOK
	}
	return pi.Created > best.Created
}

// searchQuery is the search clause metadata['key']:'value', with quotes and
// backslashes in value escaped (docs.stripe.com/search#search-query-language).
func searchQuery(key, value string) string {
	esc := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "metadata['" + esc.Replace(key) + "']:'" + esc.Replace(value) + "'"
}
