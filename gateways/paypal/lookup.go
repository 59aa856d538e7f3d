package paypal

import (
	"context"
	"fmt"
	"net/http"

	"github.com/billgate/billgate/gateways"
)

// voidMarker replaces an order's custom_id when billgate voids it: an order
// marked so is never captured, whoever approves it, so a void holds at
// PayPal itself and not only in billgate's memory.
const voidMarker = "billgate-voided"

// savedWalletMarker is the reference_id of the purchase unit of an order
// that charges a saved wallet: PayPal reports the charged wallet in the
// order's vault attributes as it reports a newly saved one, and the mark
// tells them apart. reference_id is "the API caller-provided external ID
// for the purchase unit" (purchase_unit_request); PayPal sets "default"
// when it is omitted, as it is for a first payment.
const savedWalletMarker = "billgate-saved-wallet"

// codeCaptureFailed is the decline code of a capture whose status is
// FAILED (a DECLINED capture is gateways.CodeCardDeclined).
const codeCaptureFailed = "capture_failed"

// Lookup implements gateways.Gateway: the order reference (orders.get), as
// it stands now. An order the payer approved is captured here, exactly
// once (see capture). A paid first payment carries the vault token of the
// wallet it saved (see savedToken).
func (g *Gateway) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	o, err := g.getOrder(ctx, reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	return g.settle(ctx, o)
}

// settle reads an order as billgate's charge, capturing it when the payer
// approved it:
//
//	CREATED, SAVED, PAYER_ACTION_REQUIRED  pending, with the approval link
//	APPROVED                               captured, then by the capture
//	COMPLETED                              by the capture's own status
//	VOIDED, or marked by Void              voided
func (g *Gateway) settle(ctx context.Context, o order) (gateways.ChargeResult, error) {
	switch {
	case o.Status == orderCompleted:
		return completed(o)
	case o.Status == orderVoided || o.unit().CustomID == voidMarker:
		return gateways.ChargeResult{Status: gateways.Voided, Reference: o.ID}, nil
	case o.Status == orderApproved:
		return g.capture(ctx, o)
	case o.Status == orderCreated || o.Status == orderSaved || o.Status == orderPayerActionRequired:
		return pending(o), nil
	}
	return gateways.ChargeResult{}, permanent(fmt.Errorf("order %s has status %q, which billgate does not know", o.ID, o.Status))
}

// capture captures an order (orders.capture). Its PayPal-Request-Id is
// derived from the order, so a repeated Lookup asks for the same capture,
// and an order with intent CAPTURE takes one capture only: PayPal answers
// a second with 422 ORDER_ALREADY_CAPTURED, and the order, read again,
// tells how the first went.
func (g *Gateway) capture(ctx context.Context, o order) (gateways.ChargeResult, error) {
	var captured order
	err := g.api.do(ctx, request{
		op: "orders.capture", method: http.MethodPost, path: "/v2/checkout/orders/" + o.ID + "/capture",
		requestID: captureRequestID(o.ID), body: struct{}{}, representation: true,
	}, &captured)
	if se, ok := asStatusError(err, http.StatusUnprocessableEntity); ok {
		switch issue := se.issue(); {
		case issue == issueAlreadyCaptured:
			return g.readCompleted(ctx, o.ID)
		case issue == issueNotApproved || issue == issueCompletionPending || issue == issuePayerActionNeeded:
			return pending(o), nil
		case declineIssues[issue]:
			return gateways.ChargeResult{Status: gateways.Declined, Reference: o.ID, DeclineCode: declineCode(issue)}, nil
		}
		return gateways.ChargeResult{}, chargeRefusal(se)
	}
	if err != nil {
		return gateways.ChargeResult{}, g.orderError(o.ID, err)
	}
	if captured.capture() == nil {
		return g.readCompleted(ctx, o.ID)
	}
	return completed(captured)
}

// readCompleted reads an order PayPal says is captured.
func (g *Gateway) readCompleted(ctx context.Context, id string) (gateways.ChargeResult, error) {
	o, err := g.getOrder(ctx, id)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	if o.Status != orderCompleted {
		return gateways.ChargeResult{}, transient(fmt.Errorf("order %s: PayPal says it is captured, but its status is still %s", id, o.Status))
	}
	return completed(o)
}

// completed reads a COMPLETED order by its capture: a completed order is
// not money received until the capture's own status is COMPLETED.
func completed(o order) (gateways.ChargeResult, error) {
	c := o.capture()
	if c == nil {
		return gateways.ChargeResult{}, permanent(fmt.Errorf("order %s is COMPLETED without a capture (billgate's orders have intent CAPTURE)", o.ID))
	}
	r := gateways.ChargeResult{Reference: o.ID}
	switch c.Status {
	case captureCompleted, capturePartiallyRefunded, captureRefunded:
		r.Status = gateways.Succeeded // refunds are told apart by Refund, not here
		r.SavedToken = savedToken(o)
	case capturePending:
		r.Status = gateways.Pending // e.g. PENDING_REVIEW: PayPal settles it, and says so by webhook
	case captureDeclined:
		r.Status, r.DeclineCode = gateways.Declined, gateways.CodeCardDeclined
	case captureFailed:
		r.Status, r.DeclineCode = gateways.Declined, codeCaptureFailed
	default:
		return gateways.ChargeResult{}, permanent(fmt.Errorf("order %s: capture %s has status %q, which billgate does not know", o.ID, c.ID, c.Status))
	}
	return r, nil
}

// savedToken is the vault token of the wallet a paid order saved: a first
// payment's order asks for store_in_vault ON_SUCCESS, and PayPal vaults the
// wallet once the capture succeeds and names it in
// payment_source.paypal.attributes.vault.id (see vaultID). An order that
// charged a saved wallet names that wallet in the same place, but saved
// nothing new: Charge marks such orders (savedWalletMarker), and they
// report none. A vault ID billgate could not charge (see checkVaultID) is
// no saved token either.
func savedToken(o order) string {
	if o.unit().ReferenceID == savedWalletMarker {
		return ""
	}
	id := o.vaultID()
	if checkVaultID(id) != nil {
		return ""
	}
	return VaultToken(id)
}

// pending is an order that waits for the payer, with the link to send the
// payer to: payer-action for orders made with a payment source's
// experience context, approve for the others.
func pending(o order) gateways.ChargeResult {
	r := gateways.ChargeResult{Status: gateways.Pending, Reference: o.ID}
	href := linkHref(o.Links, "payer-action")
	if href == "" {
		href = linkHref(o.Links, "approve")
	}
	if href != "" {
		r.NextAction = &gateways.NextAction{Type: gateways.NextActionRedirect, URL: href}
	}
	return r
}

// getOrder reads an order (orders.get, GET /v2/checkout/orders/{id}).
func (g *Gateway) getOrder(ctx context.Context, id string) (order, error) {
	if !validID(id) {
		return order{}, permanent(fmt.Errorf("%w: %q is not a PayPal order ID", gateways.ErrUnknownCharge, id))
	}
	var o order
	err := g.api.do(ctx, request{op: "orders.get", method: http.MethodGet, path: "/v2/checkout/orders/" + id}, &o)
	if err != nil {
		return order{}, g.orderError(id, err)
	}
	return o, nil
}

// orderError is a failed call about order id: 404 RESOURCE_NOT_FOUND is an
// unknown charge.
func (g *Gateway) orderError(id string, err error) error {
	if se, ok := asStatusError(err, http.StatusNotFound); ok {
		return permanent(fmt.Errorf("%w: PayPal has no order %s: %w", gateways.ErrUnknownCharge, id, se))
	}
	return failure(err)
}

// validID checks the shape of a PayPal resource ID: the orders API's id
// parameter is ^[A-Z0-9]+$, 1 to 36 characters, and the captures and
// refunds PayPal makes have the same shape (17 of them). Anything else
// never reaches a URL path.
func validID(id string) bool {
	if id == "" || len(id) > 36 {
		return false
	}
	for _, r := range id {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}
