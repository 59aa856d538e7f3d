package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// RefundKeyField is the merchant field that carries a refund's idempotency
// key to its status post (refund_status_url), which ReadWebhook reads as
// EventChargeRefunded.
const RefundKeyField = "billgate_refund_key"

// errRefundOutcomeUnknown is wrapped (as a permanent error) when a refund
// under the key was sent and its answer never came.
var errRefundOutcomeUnknown = errors.New("a refund under this key was sent to Skrill and no answer came back, so it may have been made: check the account's history at Skrill before refunding under another key")

// Refund implements gateways.Gateway through the Automated Payment
// Interface (Automated Payments and Merchant Query Interfaces Guide,
// "Refunds"): refund.pl with action=prepare names the payment and, for a
// partial refund, the amount, in the account's currency; action=refund
// with the session ID makes it and answers its status (2 processed, 0
// pending, -2 failed).
//
// Skrill takes no idempotency key. The gateway's RefundLog records each
// refund under its key, and refunds of one charge run one at a time: a
// repeated key returns the recorded refund, and what remains refundable is
// the MQI's mb_amount less the refunds recorded. A refund sent whose
// answer was lost stays recorded as in flight, and its key answers a
// permanent error from then on rather than risk refunding twice.
func (g *Gateway) Refund(ctx context.Context, req gateways.RefundRequest) (gateways.RefundResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.RefundResult{}, gateways.Permanent(Kind, err)
	}
	if req.Amount.IsNegative() {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund amount %s is negative", req.Amount))
	}
	if !validReference(req.Reference) {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: %q is not a transaction ID of this gateway", gateways.ErrUnknownCharge, req.Reference))
	}
	key, charge := g.scoped(req.IdempotencyKey), g.scoped(req.Reference)
	unlock, err := g.refunds.Lock(ctx, charge)
	if err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("hold the refunds of %s: %w", req.Reference, err))
	}
	defer unlock()
	rec, found, err := g.refunds.Get(ctx, key)
	if err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("read refund %q: %w", req.IdempotencyKey, err))
	}
	if found {
		return replayRefund(rec, charge, req)
	}
	amount, paid, err := g.refundable(ctx, charge, req)
	if err != nil {
		return gateways.RefundResult{}, err
	}
	return g.makeRefund(ctx, RefundRecord{Key: key, Charge: charge, Requested: req.Amount, Amount: amount, InFlight: true}, req, amount != paid)
}

// scoped is s within the gateway's account, as the RefundLog keeps it.
func (g *Gateway) scoped(s string) string { return g.acct.ID.String() + "/" + s }

// replayRefund answers a key already recorded.
func replayRefund(rec RefundRecord, charge string, req gateways.RefundRequest) (gateways.RefundResult, error) {
	if rec.Charge != charge || !sameRequested(rec.Requested, req.Amount) {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("%w: refund key %q was used for %s of %s",
			gateways.ErrIdempotencyConflict, req.IdempotencyKey, requestedText(rec.Requested), rec.Charge))
	}
	if rec.InFlight {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund %q: %w", req.IdempotencyKey, errRefundOutcomeUnknown))
	}
	return rec.Result, nil
}

func sameRequested(a, b billing.Money) bool { return a == b || a.IsZero() && b.IsZero() }

func requestedText(m billing.Money) string {
	if m.IsZero() {
		return "what remained"
	}
	return m.String()
}

// refundable checks that the charge succeeded and returns the amount to
// refund and what the charge took, both in the account's currency.
func (g *Gateway) refundable(ctx context.Context, charge string, req gateways.RefundRequest) (amount, paid billing.Money, err error) {
	f, err := g.queryTransaction(ctx, req.Reference)
	if err != nil {
		return amount, paid, err
	}
	if s := f.Get("status"); s != statusProcessed {
		return amount, paid, gateways.Permanent(Kind, fmt.Errorf("%w: Skrill transaction %s has status %s, not processed (2)", gateways.ErrNotRefundable, req.Reference, s))
	}
	paid, err = parseAmount(f.Get("mb_amount"), billing.Currency(f.Get("mb_currency")))
	if err != nil {
		return amount, paid, gateways.Permanent(Kind, fmt.Errorf("MQI status_trn %s: mb_amount: %w", req.Reference, err))
	}
	records, err := g.refunds.List(ctx, charge)
	if err != nil {
		return amount, paid, gateways.Transient(Kind, fmt.Errorf("list the refunds of %s: %w", req.Reference, err))
	}
	remaining := paid
	for _, r := range records {
		if r.Result.Status != gateways.RefundFailed && r.Amount.Currency == paid.Currency {
			remaining.Amount -= r.Amount.Amount
		}
	}
	switch {
	case remaining.Amount <= 0:
		return amount, paid, gateways.Permanent(Kind, fmt.Errorf("%w: %w: Skrill transaction %s (%s) is refunded in full", gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded, req.Reference, paid))
	case req.Amount.IsZero():
		return remaining, paid, nil
	case req.Amount.Currency != paid.Currency:
		return amount, paid, gateways.Permanent(Kind, fmt.Errorf("%w: Skrill refunds in the account's currency, and transaction %s was settled as %s, not in %s", gateways.ErrNotRefundable, req.Reference, paid, req.Amount.Currency))
	case req.Amount.Amount > remaining.Amount:
		return amount, paid, gateways.Permanent(Kind, fmt.Errorf("%w: %s asked, %s of transaction %s remains refundable", gateways.ErrNotRefundable, req.Amount, remaining, req.Reference))
	}
	return req.Amount, paid, nil
}

// makeRefund prepares and makes the refund rec describes, naming the
// amount when it is less than the whole payment.
func (g *Gateway) makeRefund(ctx context.Context, rec RefundRecord, req gateways.RefundRequest, partial bool) (gateways.RefundResult, error) {
	endpoint := g.apiURL + "/refund.pl"
	form := url.Values{
		"action":          {"prepare"},
		"email":           {g.creds.email},
		"password":        {g.creds.passwordHash},
		"transaction_id":  {req.Reference},
		"merchant_fields": {RefundKeyField},
		RefundKeyField:    {req.IdempotencyKey},
	}
	if partial {
		form.Set("amount", formatAmount(rec.Amount))
	}
	if g.acct.WebhookURL != "" {
		form.Set("refund_status_url", g.acct.WebhookURL)
	}
	prepared, err := g.apiCall(ctx, endpoint, form, "refund prepare")
	if err != nil {
		return gateways.RefundResult{}, refundFailure(err)
	}
	if prepared.SID == "" {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund prepare for %s answered no session ID", req.Reference))
	}
	rec.At = g.now()
	if err := g.refunds.Put(ctx, rec); err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("record refund %q: %w", req.IdempotencyKey, err))
	}
	done, err := g.apiCall(ctx, endpoint, url.Values{"action": {"refund"}, "sid": {prepared.SID}}, "refund")
	ae, answered := errors.AsType[*answerError](err)
	switch {
	case answered && done.Status == statusFailed:
		rec.Result = gateways.RefundResult{Reference: done.MBTransactionID, Status: gateways.RefundFailed, FailureReason: ae.code}
	case err != nil && (errors.Is(err, errNoAnswer) || errors.Is(err, errUnreadableAnswer)):
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund %q: %w (%w)", req.IdempotencyKey, errRefundOutcomeUnknown, err))
	case err != nil:
		if derr := g.refunds.Delete(ctx, rec.Key); derr != nil {
			return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("forget refund %q that Skrill refused (%w): %w", req.IdempotencyKey, err, derr))
		}
		return gateways.RefundResult{}, refundFailure(err)
	default:
		if rec.Result, err = refundResult(done); err != nil {
			return gateways.RefundResult{}, err
		}
		if amount, err := parseAmount(done.MBAmount, billing.Currency(done.MBCurrency)); err == nil {
			rec.Amount = amount
		}
	}
	rec.InFlight, rec.At = false, g.now()
	if rec.Result.Reference != "" {
		rec.Reference = g.scoped(rec.Result.Reference)
	}
	if err := g.refunds.Put(ctx, rec); err != nil {
		return gateways.RefundResult{}, gateways.Transient(Kind, fmt.Errorf("record refund %q: %w", req.IdempotencyKey, err))
	}
	return rec.Result, nil
}

// refundResult reads the refund's answer.
func refundResult(a apiAnswer) (gateways.RefundResult, error) {
	r := gateways.RefundResult{Reference: a.MBTransactionID}
	switch a.Status {
	case statusProcessed:
		r.Status = gateways.RefundSucceeded
	case statusPending:
		r.Status = gateways.RefundPending
	case statusFailed:
		r.Status, r.FailureReason = gateways.RefundFailed, DeclineFailed
	default:
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund answered status %q, which the guide does not list", a.Status))
	}
	if r.Reference == "" && r.Status != gateways.RefundFailed {
		return gateways.RefundResult{}, gateways.Permanent(Kind, fmt.Errorf("refund answered status %s without mb_transaction_id", a.Status))
	}
	return r, nil
}

// refundFailure is the error of a refund Skrill refused.
func refundFailure(err error) error {
	ae, ok := errors.AsType[*answerError](err)
	if !ok {
		return err
	}
	if ae.code == errAlreadyRefunded {
		return gateways.Permanent(Kind, fmt.Errorf("%w: %w: %s: Skrill answered %s", gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded, ae.what, ae.code))
	}
	return apiFailure(ae.what, ae.code)
}
