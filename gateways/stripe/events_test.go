package stripe_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// webhookEndpoint is billgate's side of a webhook route: it reads each
// delivery with the gateway and keeps the events.
type webhookEndpoint struct {
	mu     sync.Mutex
	gw     gateways.WebhookReader
	events []gateways.Event
}

func (e *webhookEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ev, err := e.gw.ReadWebhook(r.Context(), r.Header, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.events = append(e.events, ev)
	e.mu.Unlock()
}

// acted is the events billgate acts on, in order, and forgets them.
func (e *webhookEndpoint) acted() []gateways.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []gateways.Event
	for _, ev := range e.events {
		if ev.Type != gateways.EventOther {
			out = append(out, ev)
		}
	}
	e.events = nil
	return out
}

// Stripe's events (docs.stripe.com/api/events/types), delivered signed
// through a secret roll, as billgate reads them.
func TestWebhookEvents(t *testing.T) {
	ctx := context.Background()
	endpoint := &webhookEndpoint{}
	url := newHTTPServer(t, endpoint)
	s := newScenario(t, stripetest.Options{
		OffSessionAuthentication: stripetest.AuthenticationRedirects,
		Webhooks:                 []stripetest.Endpoint{{URL: url, Secrets: []string{"whsec_rolled_out", webhookSecret}}},
	}, testAccount())
	endpoint.gw = s.gw
	usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }
	deliver := func(t *testing.T, want ...gateways.Event) {
		t.Helper()
		if err := s.srv.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		got := endpoint.acted()
		if len(got) != len(want) {
			t.Fatalf("events = %+v, want %+v", got, want)
		}
		for i := range want {
			want[i].ID = got[i].ID
			if got[i] != want[i] {
				t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	}

	t.Run("payment_intent.succeeded", func(t *testing.T) {
		r := pending(t, s, "pay_1/1")
		deliver(t)
		if _, err := s.srv.CompleteAction(r.Reference, true); err != nil {
			t.Fatal(err)
		}
		deliver(t, gateways.Event{Type: gateways.EventChargeSucceeded, Reference: r.Reference, IdempotencyKey: "pay_1/1"})
	})
	t.Run("payment_intent.payment_failed after authentication failed", func(t *testing.T) {
		r := pending(t, s, "pay_2/1")
		if _, err := s.srv.CompleteAction(r.Reference, false); err != nil {
			t.Fatal(err)
		}
		deliver(t, gateways.Event{Type: gateways.EventChargeFailed, Reference: r.Reference, IdempotencyKey: "pay_2/1", DeclineCode: gateways.CodeApprovalDeclined})
	})
	t.Run("payment_intent.payment_failed on a decline", func(t *testing.T) {
		r, _ := s.gw.Charge(ctx, chargeRequest("pay_3/1", s.saved(t, stripetest.MethodChargeCustomerFail)))
		deliver(t, gateways.Event{Type: gateways.EventChargeFailed, Reference: r.Reference, IdempotencyKey: "pay_3/1", DeclineCode: gateways.CodeCardDeclined})
	})
	t.Run("payment_intent.canceled", func(t *testing.T) {
		r := pending(t, s, "pay_4/1")
		if _, err := s.gw.Void(ctx, gateways.VoidRequest{IdempotencyKey: "pay_4/1/void", Reference: r.Reference}); err != nil {
			t.Fatal(err)
		}
		deliver(t, gateways.Event{Type: gateways.EventChargeFailed, Reference: r.Reference, IdempotencyKey: "pay_4/1", DeclineCode: "canceled"})
	})
	t.Run("charge.refunded, partly then the rest", func(t *testing.T) {
		r, _ := s.gw.Charge(ctx, chargeRequest("pay_5/1", s.saved(t, stripetest.MethodVisa)))
		deliver(t, gateways.Event{Type: gateways.EventChargeSucceeded, Reference: r.Reference, IdempotencyKey: "pay_5/1"})
		for _, req := range []gateways.RefundRequest{{IdempotencyKey: "re_a", Reference: r.Reference, Amount: usd(500)}, {IdempotencyKey: "re_b", Reference: r.Reference}} {
			if _, err := s.gw.Refund(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		deliver(t, gateways.Event{Type: gateways.EventChargeRefunded, Reference: r.Reference, IdempotencyKey: "pay_5/1", Amount: usd(500)},
			gateways.Event{Type: gateways.EventChargeRefunded, Reference: r.Reference, IdempotencyKey: "pay_5/1", Amount: usd(1499)})
	})
	t.Run("charge.dispute.created", func(t *testing.T) {
		r, _ := s.gw.Charge(ctx, chargeRequest("pay_6/1", s.saved(t, stripetest.MethodVisa)))
		if _, err := s.srv.Dispute(r.Reference); err != nil {
			t.Fatal(err)
		}
		deliver(t, gateways.Event{Type: gateways.EventChargeSucceeded, Reference: r.Reference, IdempotencyKey: "pay_6/1"},
			gateways.Event{Type: gateways.EventChargeDisputed, Reference: r.Reference, IdempotencyKey: "pay_6/1", Amount: usd(1999)})
	})
	t.Run("a redelivery keeps the event's ID", func(t *testing.T) {
		succeeded := s.srv.EventsOfType("payment_intent.succeeded")
		first := succeeded[0]
		if err := s.srv.Redeliver(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		got := endpoint.acted()
		if len(got) != 1 || got[0].ID != first.ID || got[0].Type != gateways.EventChargeSucceeded {
			t.Errorf("redelivered = %+v, want %s again", got, first.ID)
		}
	})
}
