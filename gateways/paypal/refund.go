package paypal

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Refund implements gateways.Gateway: the order's capture is refunded
// (captures.refund, POST /v2/payments/captures/{capture_id}/refund) under
// PayPal-Request-Id req.IdempotencyKey, whole (no amount: PayPal refunds
// what remains) or in part. The refund keeps the key as its custom_id
// ("Used to reconcile API caller-initiated transactions with PayPal
// transactions"), by which ListRefunds tells billgate's refunds from those
// made in PayPal's dashboard. PayPal's refusals (REFUND_AMOUNT_EXCEEDED,
// CAPTURE_FULLY_REFUNDED, ...) are permanent errors wrapping
// ErrNotRefundable.
func (g *Gateway) Refund(ctx context.Context, req gateways.RefundRequest) (gateways.RefundResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.RefundResult{}, permanent(err)
	}
	if req.Amount.IsNegative() {
		return gateways.RefundResult{}, permanent(&billing.FieldError{Field: "amount", Message: "must not be negative"})
	}
	o, err := g.getOrder(ctx, req.Reference)
	if err != nil {
		return gateways.RefundResult{}, err
	}
	c := o.capture()
	if o.Status != orderCompleted || c == nil {
		return gateways.RefundResult{}, permanent(fmt.Errorf("%w: order %s is %s, not captured", gateways.ErrNotRefundable, o.ID, o.Status))
	}
	// A refunded capture is left to PayPal: a repeated refund gets its
	// first answer, a new one CAPTURE_FULLY_REFUNDED.
	if c.Status != captureCompleted && c.Status != capturePartiallyRefunded && c.Status != captureRefunded {
		return gateways.RefundResult{}, permanent(fmt.Errorf("%w: order %s: capture %s is %s", gateways.ErrNotRefundable, o.ID, c.ID, c.Status))
	}
	body := refundRequest{CustomID: wireKey(req.IdempotencyKey)}
	if !req.Amount.IsZero() {
		if c.Amount != nil && c.Amount.CurrencyCode != string(req.Amount.Currency) {
			return gateways.RefundResult{}, permanent(&billing.FieldError{Field: "amount", Message: fmt.Sprintf("is in %s; order %s was paid in %s", req.Amount.Currency, o.ID, c.Amount.CurrencyCode)})
		}
		m, err := toMoney(req.Amount)
		if err != nil {
			return gateways.RefundResult{}, permanent(&billing.FieldError{Field: "amount", Message: err.Error()})
		}
		body.Amount = &m
	}
	var r refund
	err = g.api.do(ctx, request{
		op: "captures.refund", method: http.MethodPost, path: "/v2/payments/captures/" + c.ID + "/refund",
		requestID: wireKey(req.IdempotencyKey), body: body, representation: true,
	}, &r)
	if se, ok := asStatusError(err, http.StatusUnprocessableEntity); ok {
		return gateways.RefundResult{}, refundRefusal(se)
	}
	if err != nil {
		return gateways.RefundResult{}, g.orderError(o.ID, err)
	}
	if id := r.captureID(); id != "" && id != c.ID {
		return gateways.RefundResult{}, permanent(fmt.Errorf("%w: PayPal-Request-Id %q is refund %s of capture %s, not of order %s", gateways.ErrIdempotencyConflict, wireKey(req.IdempotencyKey), r.ID, id, o.ID))
	}
	return refundResult(r)
}

// refundResult maps a refund's status: COMPLETED succeeded, PENDING
// pending, FAILED and CANCELLED failed (with the status and its reason as
// the failure reason).
func refundResult(r refund) (gateways.RefundResult, error) {
	res := gateways.RefundResult{Reference: r.ID}
	switch r.Status {
	case refundCompleted:
		res.Status = gateways.RefundSucceeded
	case refundPending:
		res.Status = gateways.RefundPending
	case refundFailed, refundCancelled:
		res.Status, res.FailureReason = gateways.RefundFailed, strings.ToLower(r.Status)
		if r.StatusDetails != nil && r.StatusDetails.Reason != "" {
			res.FailureReason += ": " + strings.ToLower(r.StatusDetails.Reason)
		}
	default:
		return gateways.RefundResult{}, permanent(fmt.Errorf("refund %s has status %q, which billgate does not know", r.ID, r.Status))
	}
	return res, nil
}
