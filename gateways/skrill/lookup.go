package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// Lookup implements gateways.Gateway through the MQI (status_trn). Skrill
// knows a Quick Checkout payment only once the payer submits it: until
// then Lookup answers a permanent error wrapping ErrUnknownCharge. billgate
// looks a charge up after its status post, when Skrill has it. A processed
// payment that set Skrill 1-Tap up carries its 1-Tap token (see
// savedToken).
func (g *Gateway) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	if !validReference(reference) {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: %q is not a transaction ID of this gateway", gateways.ErrUnknownCharge, reference))
	}
	f, err := g.queryTransaction(ctx, reference)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	r, err := chargeResult(reference, f)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	r.SavedToken = savedToken(f)
	return r, nil
}

// savedToken is the 1-Tap token of a processed (2) payment whose status
// report carries rec_payment_id, which Skrill sends when the payment set
// 1-Tap up (Quick Checkout Integration Guide, "Skrill 1-Tap Payment"), or
// "". It is read from the MQI's answer, which the account's API/MQI
// password fetched over HTTPS, and not from the status post, whose md5sig
// does not cover rec_payment_id. A rec_payment_id that is not a 1-Tap ID
// parseToken takes is no token: it could not be charged.
//
// The report of a 1-Tap payment carries the rec_payment_id it was taken
// with, and nothing in it tells such a payment from the Quick Checkout one
// that set 1-Tap up (skrilltest reports both so). Lookup of a 1-Tap charge
// therefore gives back the very token it was charged with: nothing new.
func savedToken(f url.Values) string {
	if f.Get("status") != statusProcessed || f.Get("rec_payment_id") == "" {
		return ""
	}
	tok := OneTapTokenFor(f.Get("rec_payment_id"))
	if _, err := parseToken(tok); err != nil {
		return ""
	}
	return tok
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
