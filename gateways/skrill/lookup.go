package skrill

import (
	"context"
	"errors"
	"fmt"

	"github.com/billgate/billgate/gateways"
)

// Lookup implements gateways.Gateway through the MQI (status_trn). Skrill
// knows a Quick Checkout payment only once the payer submits it: until
// then Lookup answers a permanent error wrapping ErrUnknownCharge. billgate
// looks a charge up after its status post, when Skrill has it.
func (g *Gateway) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	if !validReference(reference) {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: %q is not a transaction ID of this gateway", gateways.ErrUnknownCharge, reference))
	}
	f, err := g.queryTransaction(ctx, reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	return chargeResult(reference, f)
}

// Find implements gateways.Gateway: the charge under a key is the
// transaction with the key's transaction ID.
func (g *Gateway) Find(ctx context.Context, idempotencyKey string) (gateways.ChargeResult, error) {
	if idempotencyKey == "" {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: empty idempotency key", gateways.ErrUnknownCharge))
	}
	return g.Lookup(ctx, transactionID(idempotencyKey))
}

// Void implements gateways.Gateway. Skrill has no call that closes a Quick
// Checkout session, so Void reports what the MQI shows: a charge Skrill
// does not have (the payer never paid) or has pending (0) is answered
// Voided, and a payment that still arrives later is a late success, which
// billgate's workflow refunds. A payment processed (or charged back) is
// Succeeded, one cancelled or failed Declined, each with a permanent error
// wrapping ErrChargeSettled.
func (g *Gateway) Void(ctx context.Context, req gateways.VoidRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, err)
	}
	r, err := g.Lookup(ctx, req.Reference)
	switch {
	case errors.Is(err, errTransactionNotFound):
		return gateways.ChargeResult{Status: gateways.Voided, Reference: req.Reference}, nil
	case err != nil:
		return gateways.ChargeResult{}, err
	case r.Status == gateways.Pending:
		return gateways.ChargeResult{Status: gateways.Voided, Reference: req.Reference}, nil
	}
	return r, gateways.Permanent(Kind, fmt.Errorf("%w: Skrill transaction %s is %s", gateways.ErrChargeSettled, req.Reference, r.Status))
}
