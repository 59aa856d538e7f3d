package stripe

import (
	"context"
	"fmt"
	"slices"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// listPageSize is the most refunds Stripe answers a list request with
// (docs.stripe.com/api/refunds/list, limit).
const listPageSize = 100

// ListRefunds implements gateways.RefundLister: every Refund of the
// PaymentIntent, billgate's and those made in the Dashboard, with GET
// /v1/refunds?payment_intent=…&limit=100 (docs.stripe.com/api/refunds/list),
// page after page (starting_after, while has_more;
// docs.stripe.com/api/pagination). Stripe lists newest first; the answer is
// oldest first. A refund billgate made carries its key in its metadata, as
// Refund wrote it.
//
// The PaymentIntent is retrieved first. Stripe documents that listing the
// refunds of a charge it does not have is an error, but not what a filter on
// an unknown PaymentIntent answers; an empty list would pass for a charge
// with no refunds. Retrieving it has a documented answer, resource_missing,
// which is ErrUnknownCharge.
func (a *account) ListRefunds(ctx context.Context, reference string) ([]gateways.ListedRefund, error) {
	pi, err := a.retrieve(ctx, reference)
	if err != nil {
		return nil, err
	}
	params := &stripeapi.RefundListParams{PaymentIntent: stripeapi.String(pi.ID)}
	params.Limit = stripeapi.Int64(listPageSize)
	var listed []gateways.ListedRefund
	for re, err := range a.api.V1Refunds.List(ctx, params).All(ctx) {
		if err != nil {
			return nil, apiError("list refunds of payment intent "+pi.ID, err)
		}
		l, err := listedRefund(re)
		if err != nil {
			return nil, gateways.Permanent(Kind, fmt.Errorf("refund %s of payment intent %s: %w", re.ID, pi.ID, err))
		}
		listed = append(listed, l)
	}
	// Reversed, not sorted by created: refunds of the same second keep
	// Stripe's order.
	slices.Reverse(listed)
	return listed, nil
}

// listedRefund is a Refund as ListRefunds answers it.
func listedRefund(re *stripeapi.Refund) (gateways.ListedRefund, error) {
	amount, err := fromStripe(re.Amount, string(re.Currency))
	if err != nil {
		return gateways.ListedRefund{}, err
	}
	return gateways.ListedRefund{
		RefundResult:   refundResult(re),
		Amount:         amount,
		IdempotencyKey: re.Metadata[MetadataIdempotencyKey],
	}, nil
}
