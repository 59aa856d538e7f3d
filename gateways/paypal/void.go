package paypal

import (
	"context"
	"fmt"
	"net/http"

	"github.com/billgate/billgate/gateways"
)

// Void implements gateways.Gateway. Orders v2 has no cancel for an order
// with intent CAPTURE (authorizations.void voids authorizations only), and
// a payer can still approve an order billgate gave up on. But approval
// moves no money: only the capture does, and billgate makes it. So Void
// marks the order, replacing its custom_id with voidMarker (orders.patch,
// which takes orders that are CREATED or APPROVED), and a marked order is
// never captured: Lookup, Find and Charge report it Voided. An order
// already captured (COMPLETED) is reported as it stands, with
// ErrChargeSettled; one PayPal voided is Voided.
func (g *Gateway) Void(ctx context.Context, req gateways.VoidRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	o, err := g.getOrder(ctx, req.Reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	switch {
	case o.Status == orderCompleted:
		return settled(o)
	case o.Status == orderVoided || o.unit().CustomID == voidMarker:
		return gateways.ChargeResult{Status: gateways.Voided, Reference: o.ID}, nil
	}
	err = g.markVoided(ctx, o)
	if se, ok := asStatusError(err, http.StatusUnprocessableEntity); ok && se.issue() == issueOrderCompleted {
		// Captured since it was read.
		if o, err = g.getOrder(ctx, o.ID); err != nil {
			return gateways.ChargeResult{}, err
		}
		return settled(o)
	}
	if err != nil {
		return gateways.ChargeResult{}, g.orderError(o.ID, err)
	}
	return gateways.ChargeResult{Status: gateways.Voided, Reference: o.ID}, nil
}

// settled is a completed order that a void came too late for.
func settled(o order) (gateways.ChargeResult, error) {
	r, err := completed(o)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	// A capture PayPal holds PENDING is past voiding too: it stands as
	// pending until PayPal decides it.
	return r, permanent(fmt.Errorf("%w: order %s is captured", gateways.ErrChargeSettled, o.ID))
}

// markVoided replaces the order's custom_id with voidMarker. PayPal's JSON
// Patch refuses to add a member that exists or to replace one that does
// not (INVALID_PATCH_OPERATION), hence the choice of op.
func (g *Gateway) markVoided(ctx context.Context, o order) error {
	u := o.unit()
	ref := u.ReferenceID
	if ref == "" {
		ref = "default" // PayPal's reference_id of an order's only purchase unit
	}
	op := "replace"
	if u.CustomID == "" {
		op = "add"
	}
	return g.api.do(ctx, request{
		op: "orders.patch", method: http.MethodPatch, path: "/v2/checkout/orders/" + o.ID,
		body: []patchOp{{Op: op, Path: "/purchase_units/@reference_id=='" + ref + "'/custom_id", Value: voidMarker}},
	}, nil)
}
