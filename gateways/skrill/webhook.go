package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// ReadWebhook implements gateways.WebhookReader for what Skrill posts to
// the account's webhook URL, form-encoded and without headers of its own:
//
//   - a payment's status (status_url; ondemand_status_url for 1-Tap
//     payments): 2 is EventChargeSucceeded, 0 (pending) EventOther, -1
//     EventChargeFailed "canceled", -2 EventChargeFailed with the
//     failed_reason_code's decline code, -3 EventChargeDisputed;
//   - a refund's status (refund_status_url, recognised by RefundKeyField):
//     2 is EventChargeRefunded, 0 and -2 EventOther;
//   - the notice that the payer canceled 1-Tap (ondemand_status_url, with
//     rec_payment_id and no mb_transaction_id): EventOther.
//
// The post must be for the account's merchant_id, and carry md5sig (and
// sha2sig when the account's signature credential is "sha2") computed with
// the account's secret word; a post that also carries sha2sig must match
// it. Skrill's signature has no timestamp, so a replayed post verifies:
// the event's ID, mb_transaction_id + ":" + status, lets billgate drop it,
// while a change of status is a new event.
func (g *Gateway) ReadWebhook(_ context.Context, _ http.Header, body []byte) (gateways.Event, error) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return gateways.Event{}, fmt.Errorf("%w: the body is not a form-encoded Skrill status post: %w", gateways.ErrBadSignature, err)
	}
	for _, name := range []string{"merchant_id", "transaction_id", "mb_transaction_id", "mb_amount", "mb_currency", "status", "rec_payment_id", "md5sig", "sha2sig"} {
		if len(f[name]) > 1 {
			return gateways.Event{}, fmt.Errorf("%w: the post repeats %s", gateways.ErrBadSignature, name)
		}
	}
	if got := f.Get("merchant_id"); got != g.creds.merchantID {
		return gateways.Event{}, fmt.Errorf("%w: merchant_id %q is not this account's", gateways.ErrBadSignature, got)
	}
	if f.Get("mb_transaction_id") == "" && f.Get("rec_payment_id") != "" {
		return g.oneTapCanceledEvent(f)
	}
	if err := g.verifyPayment(f); err != nil {
		return gateways.Event{}, err
	}
	return paymentEvent(f)
}

// verifyPayment checks md5sig, and sha2sig when posted or required.
func (g *Gateway) verifyPayment(f url.Values) error {
	signed := paymentSigned(f.Get("merchant_id"), f.Get("transaction_id"), g.creds.secretHash, f.Get("mb_amount"), f.Get("mb_currency"), f.Get("status"))
	md5Posted, sha2Posted := f.Get("md5sig"), f.Get("sha2sig")
	md5OK := sameDigest(md5Posted, md5sig(signed))
	sha2OK := sameDigest(sha2Posted, sha2sig(signed))
	switch {
	case md5Posted == "":
		return fmt.Errorf("%w: no md5sig", gateways.ErrBadSignature)
	case sha2Posted == "" && g.creds.requireSHA2:
		return fmt.Errorf("%w: no sha2sig, which this account requires", gateways.ErrBadSignature)
	case !md5OK:
		return fmt.Errorf("%w: md5sig does not match the post", gateways.ErrBadSignature)
	case sha2Posted != "" && !sha2OK:
		return fmt.Errorf("%w: sha2sig does not match the post", gateways.ErrBadSignature)
	}
	return nil
}

// paymentEvent reads a verified payment or refund status post.
func paymentEvent(f url.Values) (gateways.Event, error) {
	mbID, status, trn := f.Get("mb_transaction_id"), f.Get("status"), f.Get("transaction_id")
	if mbID == "" || trn == "" {
		return gateways.Event{}, errors.New("skrill status post: no mb_transaction_id or transaction_id")
	}
	e := gateways.Event{ID: mbID + ":" + status, Type: gateways.EventOther, Reference: trn}
	e.IdempotencyKey, _ = idempotencyKey(trn)
	amount := func() error {
		m, err := parseAmount(f.Get("mb_amount"), billing.Currency(f.Get("mb_currency")))
		if err != nil {
			return fmt.Errorf("skrill status post %s: mb_amount: %w", e.ID, err)
		}
		e.Amount = m
		return nil
	}
	if f.Get(RefundKeyField) != "" {
		if status == statusProcessed {
			e.Type = gateways.EventChargeRefunded
			return e, amount()
		}
		return e, nil
	}
	switch status {
	case statusProcessed:
		e.Type = gateways.EventChargeSucceeded
	case statusPending:
	case statusCancelled:
		e.Type, e.DeclineCode = gateways.EventChargeFailed, DeclineCanceled
	case statusFailed:
		e.Type, e.DeclineCode = gateways.EventChargeFailed, failedDeclineCode(f.Get("failed_reason_code"))
	case statusChargeback:
		e.Type = gateways.EventChargeDisputed
		return e, amount()
	default:
		return gateways.Event{}, fmt.Errorf("skrill status post %s: status %q is none the guide lists", e.ID, status)
	}
	return e, nil
}

// oneTapCanceledEvent verifies and reads the notice that a payer canceled
// 1-Tap, signed as Appendix "MD5 signature", "Cancelled Payment" says.
func (g *Gateway) oneTapCanceledEvent(f url.Values) (gateways.Event, error) {
	rec, trn, status := f.Get("rec_payment_id"), f.Get("transaction_id"), f.Get("status")
	posted := f.Get("md5sig")
	if posted == "" {
		return gateways.Event{}, fmt.Errorf("%w: no md5sig", gateways.ErrBadSignature)
	}
	if !sameDigest(posted, md5sig(mandateSigned(f.Get("merchant_id"), trn, g.creds.secretHash, status, rec))) {
		return gateways.Event{}, fmt.Errorf("%w: md5sig does not match the 1-Tap notice", gateways.ErrBadSignature)
	}
	e := gateways.Event{ID: OneTapTokenPrefix + rec + ":" + status, Type: gateways.EventOther, Reference: trn}
	e.IdempotencyKey, _ = idempotencyKey(trn)
	return e, nil
}
