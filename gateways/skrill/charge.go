package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Limits of Quick Checkout's fields (Quick Checkout Integration Guide,
// "Parameters to be posted to Quick Checkout", and "Skrill 1-Tap").
const (
	maxDetailLen     = 240
	maxOneTapNoteLen = 1000
	maxReturnURLLen  = 240
	maxStatusURLLen  = 400
	// maxSIDLen bounds a session ID: Skrill's are 32 hex digits.
	maxSIDLen = 64
)

const (
	// checkoutSIDQuery follows Quick Checkout's address in the payer's
	// redirect ("Secure redirection method": https://pay.skrill.com/?sid=<SID>).
	checkoutSIDQuery  = "/?sid="
	defaultOneTapNote = "Subscription renewals"
	detailDescription = "Payment for:"
)

// oneTapNote is the ondemand_note the payer agrees to 1-Tap with: the
// charge's description, or a default.
func oneTapNote(description string) string {
	if description == "" {
		return defaultOneTapNote
	}
	return description
}

// Charge implements gateways.Gateway. The charge's Reference is its
// transaction_id, derived from the idempotency key (see transactionID).
//
// Skrill takes no idempotency key, so Charge first asks the MQI for the
// transaction_id: a transaction Skrill has is this key's earlier charge,
// answered as it stands (a different amount is a conflict). Only when
// Skrill has none does Charge start one: a Quick Checkout session for a
// checkout token (Pending, with the redirect to it), a 1-Tap payment for a
// 1-Tap token. A repeated checkout charge whose payer has not paid yet
// prepares a new session under the same transaction_id: either session may
// be paid, and Skrill takes one payment per transaction_id.
func (g *Gateway) Charge(ctx context.Context, req gateways.ChargeRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, err)
	}
	if !g.accepts(req.Amount.Currency) {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: %s (account %s takes %v)", gateways.ErrCurrencyNotAccepted, req.Amount.Currency, g.acct.ID, g.acct.Currencies))
	}
	tok, err := parseToken(req.Token)
	if err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, err)
	}
	trn := transactionID(req.IdempotencyKey)
	if r, found, err := g.earlierCharge(ctx, trn, req); err != nil || found {
		return r, err
	}
	if tok.kind == oneTapToken {
		return g.chargeOneTap(ctx, trn, req, tok)
	}
	return g.startCheckout(ctx, trn, req, tok)
}

// earlierCharge is the charge Skrill already has under trn, if any.
func (g *Gateway) earlierCharge(ctx context.Context, trn string, req gateways.ChargeRequest) (gateways.ChargeResult, bool, error) {
	f, err := g.queryTransaction(ctx, trn)
	if errors.Is(err, errTransactionNotFound) {
		return gateways.ChargeResult{}, false, nil
	}
	if err != nil {
		return gateways.ChargeResult{}, false, err
	}
	if amount, err := parseAmount(f.Get("amount"), billing.Currency(f.Get("currency"))); err != nil || amount != req.Amount {
		return gateways.ChargeResult{}, true, gateways.Permanent(Kind, fmt.Errorf("%w: key %q was charged %s %s at Skrill (transaction %s), not %s",
			gateways.ErrIdempotencyConflict, req.IdempotencyKey, f.Get("amount"), f.Get("currency"), trn, req.Amount))
	}
	r, err := chargeResult(trn, f)
	return r, true, err
}

// startCheckout prepares a Quick Checkout session (prepare_only=1) and
// returns the charge pending, with the redirect to the session. The
// session also sets Skrill 1-Tap up, so that renewals need no payer.
func (g *Gateway) startCheckout(ctx context.Context, trn string, req gateways.ChargeRequest, tok token) (gateways.ChargeResult, error) {
	back, err := g.returnURLs(req.IdempotencyKey)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	ceiling := g.oneTapMax(req.Amount)
	form := url.Values{
		"pay_to_email":          {g.creds.email},
		"prepare_only":          {"1"},
		"transaction_id":        {trn},
		"amount":                {formatAmount(req.Amount)},
		"currency":              {string(req.Amount.Currency)},
		"status_url":            {g.acct.WebhookURL},
		"return_url":            {back.paid},
		"cancel_url":            {back.canceled},
		"ondemand_max_amount":   {formatAmount(ceiling)},
		"ondemand_max_currency": {string(ceiling.Currency)},
		"ondemand_note":         {truncate(oneTapNote(req.Description), maxOneTapNoteLen)},
		"ondemand_status_url":   {g.acct.WebhookURL},
	}
	if tok.email != "" {
		form.Set("pay_from_email", tok.email)
	}
	if req.Description != "" {
		form.Set("detail1_description", detailDescription)
		form.Set("detail1_text", truncate(req.Description, maxDetailLen))
	}
	body, err := g.post(ctx, g.checkoutURL, form)
	if err != nil {
		return gateways.ChargeResult{}, err
	}
	sid := strings.TrimSpace(string(body))
	if sid == "" || len(sid) > maxSIDLen || !alnum(sid) {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("the Quick Checkout answer %q is not a session ID", errorText(body)))
	}
	return gateways.ChargeResult{
		Status:     gateways.Pending,
		Reference:  trn,
		NextAction: &gateways.NextAction{Type: gateways.NextActionRedirect, URL: g.checkoutURL + checkoutSIDQuery + sid},
	}, nil
}

// truncate cuts s to at most limit bytes, between runes.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit]
}
