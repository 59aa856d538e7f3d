package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// maxDescription is purchase_unit_request.description's maxLength.
const maxDescription = 127

// Charge implements gateways.Gateway: one order (orders.create, intent
// CAPTURE) per idempotency key, sent as PayPal-Request-Id and carried in
// the purchase unit's invoice_id and custom_id.
//
// TokenApproval asks the payer to approve at PayPal and to save the wallet
// in the vault (payment_source.paypal.attributes.vault.store_in_vault
// ON_SUCCESS): the charge is Pending, with the approval link, and Lookup
// reports the saved wallet's token once it is paid. A vault token charges
// the saved wallet (payment_source.paypal.vault_id, its purchase unit
// marked savedWalletMarker, so it reports no saved token): PayPal
// completes such an order at once, or leaves it for a capture made here at
// once. A repeated key gets PayPal's order for it as it stands now.
func (g *Gateway) Charge(ctx context.Context, req gateways.ChargeRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	if len(g.currencies) > 0 && !slices.Contains(g.currencies, req.Amount.Currency) {
		return gateways.ChargeResult{}, permanent(fmt.Errorf("%w: %s (the account takes %v)", gateways.ErrCurrencyNotAccepted, req.Amount.Currency, g.currencies))
	}
	tok, err := parseToken(req.Token)
	if err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	amount, err := toMoney(req.Amount)
	if err != nil {
		return gateways.ChargeResult{}, permanent(&billing.FieldError{Field: "amount", Message: err.Error()})
	}
	body, err := g.orderRequest(req, tok, amount)
	if err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	key := wireKey(req.IdempotencyKey)
	o, err := g.createOrder(ctx, key, body)
	if se, ok := asStatusError(err, http.StatusUnprocessableEntity); ok {
		if declineIssues[se.issue()] {
			// No order was made: the decline has no reference.
			return gateways.ChargeResult{Status: gateways.Declined, DeclineCode: declineCode(se.issue())}, nil
		}
		return gateways.ChargeResult{}, chargeRefusal(se)
	}
	if err != nil {
		return gateways.ChargeResult{}, failure(err)
	}
	if err := sameCharge(o, key, amount); err != nil {
		return gateways.ChargeResult{}, permanent(err)
	}
	if !tok.approval() && o.Status == orderCreated && o.unit().CustomID != voidMarker {
		// A saved wallet needs no approval: what PayPal left uncaptured is
		// captured now.
		return g.capture(ctx, o)
	}
	return g.settle(ctx, o)
}

// orderRequest is the order_request of a charge.
func (g *Gateway) orderRequest(req gateways.ChargeRequest, tok token, amount money) (orderRequest, error) {
	key := wireKey(req.IdempotencyKey)
	body := orderRequest{
		Intent: "CAPTURE",
		PurchaseUnits: []purchaseUnitRequest{{
			Amount: amount, Description: truncate(req.Description, maxDescription), CustomID: key, InvoiceID: key,
		}},
	}
	if !tok.approval() {
		body.PurchaseUnits[0].ReferenceID = savedWalletMarker
		body.PaymentSource = &paymentSource{PayPal: &paypalWallet{VaultID: tok.vaultID}}
		return body, nil
	}
	if g.acct.ReturnURL == "" {
		return orderRequest{}, errors.New("the account has no return URL, which an order the payer approves needs (experience_context.return_url)")
	}
	returnURL, cancelURL, err := returnURLs(g.acct.ReturnURL, req.IdempotencyKey)
	if err != nil {
		return orderRequest{}, fmt.Errorf("the account's return URL: %w", err)
	}
	body.PaymentSource = &paymentSource{PayPal: &paypalWallet{
		// MERCHANT: the merchant, not a platform, charges the saved wallet.
		Attributes: &walletAttributes{Vault: &vaultInstruction{StoreInVault: "ON_SUCCESS", UsageType: "MERCHANT"}},
		ExperienceContext: &experienceContext{
			// The payer comes back to billgate either way, with the
			// charge's key; billgate looks the order up to learn how it
			// went.
			ReturnURL: returnURL, CancelURL: cancelURL,
			// The payer pays on PayPal's page: billgate captures at once.
			UserAction: "PAY_NOW",
			// Subscriptions ship nothing.
			ShippingPreference: "NO_SHIPPING",
		},
	}}
	return body, nil
}

// createOrder creates an order (orders.create) under PayPal-Request-Id
// requestID, and returns it whole.
func (g *Gateway) createOrder(ctx context.Context, requestID string, body orderRequest) (order, error) {
	var o order
	err := g.api.do(ctx, request{
		op: "orders.create", method: http.MethodPost, path: "/v2/checkout/orders",
		requestID: requestID, body: body, representation: true,
	}, &o)
	if err != nil {
		return order{}, err
	}
	if !validID(o.ID) {
		return order{}, transient(fmt.Errorf("orders.create: the answer's order ID %q is not one", o.ID))
	}
	if len(o.PurchaseUnits) == 0 {
		// A minimal answer: read the whole order.
		return g.getOrder(ctx, o.ID)
	}
	return o, nil
}

// sameCharge checks that the order PayPal answered with is the one asked
// for: a repeated PayPal-Request-Id returns the first request's order,
// whatever the new request says.
func sameCharge(o order, key string, amount money) error {
	u := o.unit()
	switch {
	case u.CustomID == probeMarker:
		return fmt.Errorf("%w: PayPal-Request-Id %q was taken by Find, which found no charge under it; charge under a new key", gateways.ErrIdempotencyConflict, key)
	case u.InvoiceID != key:
		return fmt.Errorf("%w: PayPal-Request-Id %q is order %s, whose invoice_id is %q", gateways.ErrIdempotencyConflict, key, o.ID, u.InvoiceID)
	case u.Amount == nil || *u.Amount != amount:
		return fmt.Errorf("%w: key %q was used for order %s of %v, not %s %s", gateways.ErrIdempotencyConflict, key, o.ID, u.Amount, amount.Value, amount.CurrencyCode)
	}
	return nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
