package paypal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/billgate/billgate/gateways"
)

var _ gateways.RefundLister = (*Gateway)(nil)

// ListRefunds implements gateways.RefundLister: the refunds of the order
// reference (orders.get, GET /v2/checkout/orders/{id}), billgate's and
// those made in PayPal's dashboard alike, from
// purchase_units[0].payments.refunds (checkout_orders_v2 purchase_unit
// payments, "The comprehensive history of payments for the purchase unit";
// payment_collection.refunds, "An array of refunds for a purchase unit"),
// oldest first by create_time. The spec does not say in which order PayPal
// lists them; between equal times its order is kept.
//
// Each refund is mapped as Refund maps it. Its IdempotencyKey is its
// custom_id, which Refund sets to the key as sent (wireKey): billgate's
// keys, UUIDs, come back unchanged, a key wireKey hashed comes back
// hashed, and a refund made elsewhere has none. An order without a capture
// has no refunds; an unknown order is a permanent error wrapping
// ErrUnknownCharge.
func (g *Gateway) ListRefunds(ctx context.Context, reference string) ([]gateways.ListedRefund, error) {
	o, err := g.getOrder(ctx, reference)
	if err != nil {
		return nil, err
	}
	type dated struct {
		gateways.ListedRefund
		created time.Time
	}
	refunds := make([]dated, 0, len(o.refunds()))
	for _, r := range o.refunds() {
		l, created, err := listedRefund(r)
		if err != nil {
			return nil, err
		}
		refunds = append(refunds, dated{l, created})
	}
	slices.SortStableFunc(refunds, func(a, b dated) int { return a.created.Compare(b.created) })
	out := make([]gateways.ListedRefund, len(refunds))
	for i, r := range refunds {
		out[i] = r.ListedRefund
	}
	return out, nil
}

// listedRefund reads one refund of an order, and when it was made. A
// refund without its amount or create_time cannot be listed: a permanent
// error, as a status billgate does not know is.
func listedRefund(r refund) (gateways.ListedRefund, time.Time, error) {
	res, err := refundResult(r)
	if err != nil {
		return gateways.ListedRefund{}, time.Time{}, err
	}
	if r.Amount == nil {
		return gateways.ListedRefund{}, time.Time{}, permanent(fmt.Errorf("refund %s has no amount", r.ID))
	}
	amount, err := fromMoney(*r.Amount)
	if err != nil {
		return gateways.ListedRefund{}, time.Time{}, permanent(fmt.Errorf("refund %s: %w", r.ID, err))
	}
	// date_time is RFC 3339, whose "T" and "Z" may be lower case.
	created, err := time.Parse(time.RFC3339, strings.ToUpper(r.CreateTime))
	if err != nil {
		return gateways.ListedRefund{}, time.Time{}, permanent(fmt.Errorf("refund %s: create_time %q is not a date_time", r.ID, r.CreateTime))
	}
	return gateways.ListedRefund{RefundResult: res, Amount: amount, IdempotencyKey: r.CustomID}, created, nil
}
