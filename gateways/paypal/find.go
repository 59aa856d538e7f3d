package paypal

import (
	"context"
	"fmt"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// probeMarker is the custom_id of the order Find creates to ask PayPal
// what it holds under a PayPal-Request-Id.
const probeMarker = "billgate-find-probe"

// Find implements gateways.Gateway. PayPal has no search of orders by
// PayPal-Request-Id, but repeating a request with a PayPal-Request-Id it
// still holds returns the first request's order, as it stands now. So Find
// repeats orders.create under the key with a probe: an order with no
// payment source, which only a payer's approval followed by billgate's
// capture could ever turn into money, and which nobody is sent to approve.
// The answer is either the charge made under the key (then reported as
// Lookup does) or the probe itself, which means PayPal holds nothing under
// the key: an unknown charge. The probe is left to expire unapproved.
//
// PayPal keeps a PayPal-Request-Id for 6 hours by default (up to 72 on
// request to PayPal): a charge made longer ago is reported unknown. See
// README.md.
func (g *Gateway) Find(ctx context.Context, idempotencyKey string) (gateways.ChargeResult, error) {
	if idempotencyKey == "" {
		return gateways.ChargeResult{}, permanent(&billing.FieldError{Field: "idempotencyKey", Message: "must not be empty"})
	}
	key := wireKey(idempotencyKey)
	cur := g.probeCurrency()
	// The smallest amount PayPal writes in the currency.
	amount, err := toMoney(billing.Money{Amount: pow10(cur.Exponent() - payPalExponent(cur)), Currency: cur})
	if err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	o, err := g.createOrder(ctx, key, orderRequest{
		Intent:        "CAPTURE",
		PurchaseUnits: []purchaseUnitRequest{{Amount: amount, CustomID: probeMarker}},
	})
	if err != nil {
		return gateways.ChargeResult{}, failure(err)
	}
	if o.unit().CustomID == probeMarker {
		return gateways.ChargeResult{}, permanent(fmt.Errorf("%w: PayPal holds no order under PayPal-Request-Id %q (it forgets them after 6 hours by default)", gateways.ErrUnknownCharge, key))
	}
	return g.settle(ctx, o)
}

// probeCurrency is the currency of Find's probe: one the account takes.
func (g *Gateway) probeCurrency() billing.Currency {
	if len(g.currencies) > 0 {
		return g.currencies[0]
	}
	return "USD"
}
