package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// An event as Stripe sends it (docs.stripe.com/api/events/object), of a type
// billgate does not act on.
const customerCreated = `{
  "id": "evt_1QwEbhook",
  "object": "event",
  "api_version": "2026-03-25.dahlia",
  "created": 1772366400,
  "data": {"object": {"id": "cus_Q1", "object": "customer"}},
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": "customer.created"
}`

// docs.stripe.com/webhooks#verify-events: Stripe-Signature is
// t=<timestamp>,v1=<HMAC-SHA256 of "<t>.<payload>"> and more v1 values
// while a secret rolls; a timestamp more than five minutes away is refused.
func TestReadWebhookVerifiesTheSignature(t *testing.T) {
	c := settableclock.At(t0)
	gw, _ := connect(t, "http://127.0.0.1:1", testAccount(), c)
	body := []byte(customerCreated)
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		wantOK bool
	}{
		{"valid", sig(stripetest.Sign(t0, body, webhookSecret)), body, true},
		{"signed 300 s ago", sig(stripetest.Sign(t0.Add(-stripe.Tolerance), body, webhookSecret)), body, true},
		{"secret rolling: old and new signatures, one valid", sig(stripetest.Sign(t0, body, "whsec_old", webhookSecret)), body, true},
		{"another signing scheme alongside", sig(stripetest.Sign(t0, body, webhookSecret) + ",v0=deadbeef"), body, true},
		{"stale: signed 301 s ago", sig(stripetest.Sign(t0.Add(-stripe.Tolerance-time.Second), body, webhookSecret)), body, false},
		{"from the future: 301 s ahead", sig(stripetest.Sign(t0.Add(stripe.Tolerance+time.Second), body, webhookSecret)), body, false},
		{"forged body", sig(stripetest.Sign(t0, body, webhookSecret)), []byte(strings.Replace(customerCreated, "cus_Q1", "cus_Q2", 1)), false},
		{"wrong secret", sig(stripetest.Sign(t0, body, "whsec_other")), body, false},
		{"timestamp changed after signing", sig(strings.Replace(stripetest.Sign(t0, body, webhookSecret), "t=", "t=1", 1)), body, false},
		{"no signature header", http.Header{}, body, false},
		{"no v1 signature", sig("t=1772366400"), body, false},
		{"malformed header", sig("garbage"), body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := gw.ReadWebhook(context.Background(), tt.header, tt.body)
			if tt.wantOK {
				if err != nil || ev.ID != "evt_1QwEbhook" || ev.Type != gateways.EventOther {
					t.Errorf("ReadWebhook() = %+v, %v; want the customer.created event, as EventOther", ev, err)
				}
				return
			}
			if !errors.Is(err, gateways.ErrBadSignature) {
				t.Errorf("ReadWebhook() = %+v, %v; want ErrBadSignature", ev, err)
			}
		})
	}
}

// A verified payload that is not an event is an error, but not a
// signature's.
func TestReadWebhookRefusesWhatIsNotAnEvent(t *testing.T) {
	gw, _ := connect(t, "http://127.0.0.1:1", testAccount(), settableclock.At(t0))
	for _, body := range []string{`{"object":"customer","id":"cus_1"}`, `not json`, `{"object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}`} {
		_, err := gw.ReadWebhook(context.Background(), sig(stripetest.Sign(t0, []byte(body), webhookSecret)), []byte(body))
		if err == nil || errors.Is(err, gateways.ErrBadSignature) {
			t.Errorf("ReadWebhook(%s) = %v, want an error that is not ErrBadSignature", body, err)
		}
	}
}

func sig(v string) http.Header {
	h := http.Header{}
	h.Set(stripe.SignatureHeader, v)
	return h
}
