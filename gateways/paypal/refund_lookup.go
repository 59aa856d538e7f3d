package paypal

import (
	"context"
	"fmt"
	"net/http"

	"github.com/billgate/billgate/gateways"
)

var _ gateways.RefundLooker = (*Gateway)(nil)

// LookupRefund implements gateways.RefundLooker: the refund reference (the
// ID Refund returned) as PayPal has it now (refunds.get, GET
// /v2/payments/refunds/{refund_id}), mapped as Refund maps it. PayPal's 404
// is an unknown refund.
func (g *Gateway) LookupRefund(ctx context.Context, reference string) (gateways.RefundResult, error) {
	if !validID(reference) {
		return gateways.RefundResult{}, permanent(fmt.Errorf("%w: %q is not a PayPal refund ID", gateways.ErrUnknownCharge, reference))
	}
	var r refund
	err := g.api.do(ctx, request{op: "refunds.get", method: http.MethodGet, path: "/v2/payments/refunds/" + reference}, &r)
	if se, ok := asStatusError(err, http.StatusNotFound); ok {
		return gateways.RefundResult{}, permanent(fmt.Errorf("%w: PayPal has no refund %s: %w", gateways.ErrUnknownCharge, reference, se))
	}
	if err != nil {
		return gateways.RefundResult{}, failure(err)
	}
	if r.ID != reference {
		return gateways.RefundResult{}, transient(fmt.Errorf("refunds.get %s: the answer is refund %q", reference, r.ID))
	}
	return refundResult(r)
}
