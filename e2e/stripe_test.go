package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

const stripeWebhookSecret = "whsec_e2e_stripe_secret"

// A business's Stripe account, end to end over HTTP against stripetest:
// a card saved (checked at Stripe), a purchase paid, refunded in two parts,
// a subscription declined then recovered by a new card, webhooks verified,
// deduplicated and a dispute marked, forged and stale deliveries refused.
func TestStripeAccountEndToEnd(t *testing.T) {
	t.Parallel()
	srv := stripetest.Start(t, stripetest.Options{})
	s := newConnectedShop(t, connected.Connectors{stripe.Kind: stripe.Connector{BaseURL: srv.URL()}}, "stripe",
		`{"secretKey":"sk_test_e2e","webhookSecret":"`+stripeWebhookSecret+`"}`)

	customer, visa, err := srv.SaveMethod(stripetest.MethodVisa)
	if err != nil {
		t.Fatal(err)
	}
	s.saveToken(t, "stripe", "pm_nope").is(t, "a token Stripe does not know", 400, "INVALID", "")
	saved := s.saveToken(t, "stripe", visa)
	if saved.Status != 201 || saved.Result["token"] != customer+"/"+visa || saved.Result["gatewayAccountId"] != s.account {
		t.Fatalf("save the card = %d %+v %v; want it kept as %s/%s", saved.Status, saved.Errors, saved.Result, customer, visa)
	}
	payment := s.buy(t, saved.Result["id"].(string))
	paid := s.waitStatus(t, payment, "paid")
	if paid.Result["gateway"] != s.route("stripe") {
		t.Errorf("payment gateway = %v, want %s", paid.Result["gateway"], s.route("stripe"))
	}
	if n := len(srv.PaymentIntents()); n != 1 {
		t.Errorf("%d PaymentIntents at Stripe, want 1", n)
	}
	s.refundInParts(t, payment)
	if n := len(srv.Refunds()); n != 2 {
		t.Errorf("%d refunds at Stripe, want 2", n)
	}

	// A subscription's first payment declined, then paid by a new card.
	_, declining, err := srv.SaveMethod(stripetest.MethodDeclined)
	if err != nil {
		t.Fatal(err)
	}
	bad := s.saveToken(t, "stripe", declining)
	sub := call(t, s.env, "POST", "/v1/subscriptions", `{"priceId":"`+s.monthly+`","paymentMethodId":"`+bad.Result["id"].(string)+`"}`, s.bob...)
	if sub.Status != 201 && sub.Status != 202 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	subPath := "/v1/subscriptions/" + sub.Result["id"].(string)
	waitFor(t, "the first payment declined", func() bool {
		l := callList(t, s.env, "/v1/payments?status=retrying&subscriptionId="+sub.Result["id"].(string), s.bob...)
		return len(l.results) == 1 && l.results[0]["declineCode"] == "card_declined"
	})
	if r := call(t, s.env, "POST", subPath+"/payment-method", `{"paymentMethodId":"`+saved.Result["id"].(string)+`"}`, s.bob...); r.Status != 200 {
		t.Fatalf("change payment method = %d %+v", r.Status, r.Errors)
	}
	s.waitStatus(t, subPath, "active")

	// Webhooks: Stripe's own event of the purchase, delivered twice, is
	// kept once; a dispute marks the payment; forged and stale ones are
	// refused.
	succeeded := srv.EventsOfType("payment_intent.succeeded")
	if len(succeeded) == 0 {
		t.Fatal("Stripe sent no payment_intent.succeeded")
	}
	deliver := func(eventID string, at time.Time, secret string) int {
		body, ok := srv.Payload(eventID)
		if !ok {
			t.Fatalf("no payload of %s", eventID)
		}
		return s.postWebhook(t, "stripe", body, "application/json", stripetest.SignatureHeader, stripetest.Sign(at, body, secret))
	}
	now := time.Now()
	for i := range 2 {
		if status := deliver(succeeded[0].ID, now, stripeWebhookSecret); status != 200 {
			t.Errorf("delivery %d of %s = %d, want 200", i+1, succeeded[0].ID, status)
		}
	}
	if status := deliver(succeeded[0].ID, now, "whsec_forged"); status != 400 {
		t.Errorf("a delivery signed with another secret = %d, want 400", status)
	}
	if status := deliver(succeeded[0].ID, now.Add(-10*time.Minute), stripeWebhookSecret); status != 400 {
		t.Errorf("a delivery signed 10 minutes ago = %d, want 400", status)
	}
	var pi struct{ ID string }
	_ = json.Unmarshal(succeeded[0].Data.Object, &pi)
	dispute, err := srv.Dispute(pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	disputes := srv.EventsOfType("charge.dispute.created")
	if len(disputes) != 1 {
		t.Fatalf("dispute %v sent %d events", dispute, len(disputes))
	}
	if status := deliver(disputes[0].ID, now, stripeWebhookSecret); status != 200 {
		t.Errorf("the dispute's delivery = %d", status)
	}
	waitFor(t, "the payment marked disputed", func() bool {
		l := callList(t, s.env, "/v1/payments?customerId="+s.bobID, s.owner...)
		for _, p := range l.results {
			if p["disputedAt"] != nil {
				return true
			}
		}
		return false
	})
}
