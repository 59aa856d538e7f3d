package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/billgate/billgate/gateways"
)

// SignatureHeader is the header Stripe signs webhooks in
// (docs.stripe.com/webhooks#verify-events).
const SignatureHeader = "Stripe-Signature"

// Tolerance is how far a webhook's signed timestamp may be from now, either
// way: Stripe's libraries' default, five minutes.
const Tolerance = webhook.DefaultTolerance

// The Stripe events billgate acts on; the README says to subscribe the
// webhook endpoint to them.
const (
	EventPaymentIntentSucceeded = "payment_intent.succeeded"
	EventPaymentIntentFailed    = "payment_intent.payment_failed"
	EventPaymentIntentCanceled  = "payment_intent.canceled"
	EventChargeRefunded         = "charge.refunded"
	EventDisputeCreated         = "charge.dispute.created"
)

// ReadWebhook implements gateways.WebhookReader. stripe-go's webhook package
// checks the Stripe-Signature header (t=<unix>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">, any of several v1 signatures matching the account's
// signing secret, as during a secret roll); the timestamp is then held to
// Tolerance against the Connector's clock. Events of any API version are
// read: billgate reads only fields every version has.
//
// A refund's or a dispute's object names the PaymentIntent but not its
// metadata, so the PaymentIntent is read for billgate's key: the payment
// the event is about. Stripe not answering is a transient error, and Stripe
// delivers again; a PaymentIntent Stripe does not have leaves the key out.
func (a *account) ReadWebhook(ctx context.Context, header http.Header, body []byte) (gateways.Event, error) {
	sig := header.Get(SignatureHeader)
	ev, err := webhook.ConstructEventWithOptions(body, sig, a.webhookSecret, webhook.ConstructEventOptions{
		IgnoreTolerance:          true, // held to a.now below
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
		return gateways.Event{}, fmt.Errorf("%w: %w", gateways.ErrBadSignature, err)
	case err != nil:
		return gateways.Event{}, fmt.Errorf("read stripe event: %w", err)
	}
	if err := a.fresh(sig); err != nil {
		return gateways.Event{}, err
	}
	e, err := event(ev)
	if err != nil || e.IdempotencyKey != "" || e.Reference == "" || e.Type != gateways.EventChargeRefunded && e.Type != gateways.EventChargeDisputed {
		return e, err
	}
	pi, err := a.retrieve(ctx, e.Reference)
	switch {
	case gateways.IsPermanent(err):
		return e, nil // a PaymentIntent of no payment of billgate's
	case err != nil:
		return gateways.Event{}, err
	}
	e.IdempotencyKey = pi.Metadata[MetadataIdempotencyKey]
	return e, nil
}

// fresh checks the signed timestamp of a header whose signature verified.
// Like stripe-go, it takes the last t element.
func (a *account) fresh(sig string) error {
	var t int64
	for item := range strings.SplitSeq(sig, ",") {
		if v, ok := strings.CutPrefix(item, "t="); ok {
			t, _ = strconv.ParseInt(v, 10, 64) // stripe-go parsed it already
		}
	}
	if d := a.now().Unix() - t; d > int64(Tolerance/time.Second) || -d > int64(Tolerance/time.Second) {
		return fmt.Errorf("%w: signed at %s, %ds from now, more than %s", gateways.ErrBadSignature, time.Unix(t, 0).UTC().Format(time.RFC3339), d, Tolerance)
	}
	return nil
}

// event is a verified Stripe event in billgate's terms
// (docs.stripe.com/api/events/types).
func event(ev stripeapi.Event) (gateways.Event, error) {
	e := gateways.Event{ID: ev.ID, Type: gateways.EventOther}
	if ev.ID == "" || ev.Data == nil {
		return gateways.Event{}, errors.New("read stripe event: no id or data")
	}
	var err error
	switch ev.Type {
	case EventPaymentIntentSucceeded, EventPaymentIntentFailed, EventPaymentIntentCanceled:
		err = paymentIntentEvent(&e, ev)
	case EventChargeRefunded:
		err = refundEvent(&e, ev)
	case EventDisputeCreated:
		err = disputeEvent(&e, ev)
	}
	if err != nil {
		return gateways.Event{}, fmt.Errorf("read stripe event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return e, nil
}

// paymentIntentEvent reads a PaymentIntent's outcome. Cancellation is a
// failure of the charge, as billgate's EventChargeFailed has it; a Lookup
// then tells a void from a decline.
func paymentIntentEvent(e *gateways.Event, ev stripeapi.Event) error {
	var pi stripeapi.PaymentIntent
	if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
		return err
	}
	e.Reference, e.IdempotencyKey = pi.ID, pi.Metadata[MetadataIdempotencyKey]
	switch ev.Type {
	case EventPaymentIntentSucceeded:
		e.Type = gateways.EventChargeSucceeded
	case EventPaymentIntentFailed:
		e.Type, e.DeclineCode = gateways.EventChargeFailed, failureCode(pi.LastPaymentError)
	default:
		e.Type, e.DeclineCode = gateways.EventChargeFailed, "canceled"
	}
	return nil
}

// refundEvent reads charge.refunded: the Charge, whose amount_refunded is
// the total so far; what this refund returned is that less the
// amount_refunded in previous_attributes, when Stripe sends it.
func refundEvent(e *gateways.Event, ev stripeapi.Event) error {
	var ch stripeapi.Charge
	if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
		return err
	}
	if ch.PaymentIntent == nil {
		return fmt.Errorf("charge %s has no payment intent", ch.ID)
	}
	refunded := ch.AmountRefunded
	if prev, ok := ev.Data.PreviousAttributes["amount_refunded"].(float64); ok {
		refunded -= int64(prev)
	}
	amount, err := fromStripe(refunded, string(ch.Currency))
	if err != nil {
		return err
	}
	e.Type, e.Reference, e.Amount = gateways.EventChargeRefunded, ch.PaymentIntent.ID, amount
	e.IdempotencyKey = ch.Metadata[MetadataIdempotencyKey]
	return nil
}

// disputeEvent reads charge.dispute.created: the Dispute, its amount and the
// PaymentIntent disputed.
func disputeEvent(e *gateways.Event, ev stripeapi.Event) error {
	var dp stripeapi.Dispute
	if err := json.Unmarshal(ev.Data.Raw, &dp); err != nil {
		return err
	}
	if dp.PaymentIntent == nil {
		return fmt.Errorf("dispute %s has no payment intent", dp.ID)
	}
	amount, err := fromStripe(dp.Amount, string(dp.Currency))
	if err != nil {
		return err
	}
	e.Type, e.Reference, e.Amount = gateways.EventChargeDisputed, dp.PaymentIntent.ID, amount
	return nil
}
