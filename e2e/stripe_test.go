package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

const (
	stripeWebhookSecret = "whsec_e2e_stripe_secret"
	stripeCredentials   = `{"secretKey":"sk_test_e2e","webhookSecret":"` + stripeWebhookSecret + `"}`
)

// A business's Stripe account, end to end over HTTP against stripetest:
// a card saved (checked at Stripe), a purchase paid, refunded in two parts,
// a subscription declined then recovered by a new card, webhooks verified,
// deduplicated and a dispute marked, forged and stale deliveries refused.
func TestStripeAccountEndToEnd(t *testing.T) {
	t.Parallel()
	srv := stripetest.Start(t, stripetest.Options{})
	s := newConnectedShop(t, connected.Connectors{stripe.Kind: stripe.Connector{BaseURL: srv.URL()}}, "stripe", stripeCredentials)

	customer, visa, err := srv.SaveMethod(stripetest.MethodVisa)
	if err != nil {
		t.Fatal(err)
	}
	// Bad input writes nothing: a token Stripe does not know, one of
	// another gateway, a gateway the shop did not connect, a currency the
	// account does not take.
	for name, tt := range map[string]struct{ gateway, token, field string }{
		"a token Stripe does not know":       {"stripe", "pm_nope", "token"},
		"a PayPal wallet given to Stripe":    {"stripe", "vault:8XJ13456AB", "token"},
		"a gateway the shop did not connect": {"paypal", "vault:8XJ13456AB", "gateway"},
	} {
		if r := s.saveToken(t, tt.gateway, tt.token); r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Field != tt.field {
			t.Errorf("%s = %d %+v, want 400 on %s", name, r.Status, r.Errors, tt.field)
		}
	}
	if l := callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.owner...); len(l.results) != 0 {
		t.Errorf("refused methods were saved: %v", l.results)
	}
	if r := call(t, s.env, "PATCH", "/v1/gateway-accounts/"+s.account, `{"currencies":["EUR"]}`, s.owner...); r.Status != 200 {
		t.Fatalf("limit the account to EUR = %d %+v", r.Status, r.Errors)
	}
	call(t, s.env, "POST", "/v1/purchases", `{"priceId":"`+s.pdf+`","paymentMethod":{"gateway":"stripe","token":"cus_x/pm_x"}}`, s.bob...).
		is(t, "a USD purchase through an EUR account", 400, "INVALID", "the stripe account takes EUR only")
	if r := call(t, s.env, "PATCH", "/v1/gateway-accounts/"+s.account, `{"currencies":[]}`, s.owner...); r.Status != 200 {
		t.Fatalf("take every currency again = %d %+v", r.Status, r.Errors)
	}
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

	// A renewal declined, then recovered by a new card, on a test clock
	// (the account is in test mode).
	_, failing, err := srv.SaveMethod(stripetest.MethodChargeCustomerFail)
	if err != nil {
		t.Fatal(err)
	}
	bad := s.saveToken(t, "stripe", failing)
	s.renewalDeclinedThenRecovered(t, s.monthly, saved.Result["id"].(string), bad.Result["id"].(string), nil)
	succeeded := 0
	for _, pi := range srv.PaymentIntents() {
		if pi.Status == "succeeded" {
			succeeded++
		}
	}
	if succeeded != 3 {
		t.Errorf("%d PaymentIntents succeeded at Stripe, want 3: the purchase, the first period and the renewal's recovery", succeeded)
	}

	// Webhooks: Stripe's own event of the purchase, delivered twice, is
	// kept once; a dispute marks the payment; forged and stale ones are
	// refused.
	succeededEvents := srv.EventsOfType("payment_intent.succeeded")
	if len(succeededEvents) == 0 {
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
		if status := deliver(succeededEvents[0].ID, now, stripeWebhookSecret); status != 200 {
			t.Errorf("delivery %d of %s = %d, want 200", i+1, succeededEvents[0].ID, status)
		}
	}
	if status := deliver(succeededEvents[0].ID, now, "whsec_forged"); status != 400 {
		t.Errorf("a delivery signed with another secret = %d, want 400", status)
	}
	if status := deliver(succeededEvents[0].ID, now.Add(-10*time.Minute), stripeWebhookSecret); status != 400 {
		t.Errorf("a delivery signed 10 minutes ago = %d, want 400", status)
	}
	var pi struct{ ID string }
	_ = json.Unmarshal(succeededEvents[0].Data.Object, &pi)
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

	// A refund made in Stripe's Dashboard is recorded by the reconciliation.
	again := s.buy(t, saved.Result["id"].(string))
	s.waitStatus(t, again, "paid")
	s.refundedAtGateway(t, again, s.refundInStripeDashboard(t, srv))
}

// refundInStripeDashboard refunds 400 of a PaymentIntent in Stripe's
// Dashboard, then delivers every charge.refunded Stripe sent so far,
// billgate's refunds' included.
func (s *connectedShop) refundInStripeDashboard(t *testing.T, srv *stripetest.Server) func(paymentIntent string) {
	return func(paymentIntent string) {
		t.Helper()
		if _, err := srv.RefundInDashboard(paymentIntent, 400); err != nil {
			t.Fatal(err)
		}
		for _, e := range srv.EventsOfType("charge.refunded") {
			body, _ := srv.Payload(e.ID)
			if status := s.postWebhook(t, "stripe", body, "application/json", stripetest.SignatureHeader, stripetest.Sign(time.Now(), body, stripeWebhookSecret)); status != 200 {
				t.Errorf("the delivery of %s = %d, want 200", e.ID, status)
			}
		}
	}
}

// A worker process killed after Stripe took a charge and before the payment
// was recorded as paid loses nothing (crashBetweenChargeAndProjection): the
// charge waits for 3-D Secure, the payer authenticates and Stripe's webhook
// reaches the API while no worker runs.
func TestStripeWorkerKilledBetweenChargeAndProjection(t *testing.T) {
	t.Parallel()
	srv := stripetest.Start(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects})
	crashBetweenChargeAndProjection(t, crashCase{
		env:     []string{"BILLGATE_STRIPE_API_URL=" + srv.URL()},
		connect: `{"gateway":"stripe","mode":"test","credentials":{"secretKey":"sk_test_crash","webhookSecret":"` + stripeWebhookSecret + `"}}`,
		method: func(k *cluster, customer string, auth []string) string {
			_, card, err := srv.SaveMethod(stripetest.MethodAuthenticationRequired)
			if err != nil {
				t.Fatal(err)
			}
			id := k.do("POST", "/v1/customers/"+customer+"/payment-methods", `{"gateway":"stripe","token":"`+card+`"}`, auth...)["id"].(string)
			return `"paymentMethodId":"` + id + `"`
		},
		settle: func(k *cluster, account, reference, _ string) {
			if _, err := srv.CompleteAction(reference, true); err != nil {
				t.Fatal(err)
			}
			events := srv.EventsOfType("payment_intent.succeeded")
			if len(events) != 1 {
				t.Fatalf("Stripe sent %d payment_intent.succeeded, want 1", len(events))
			}
			body, _ := srv.Payload(events[0].ID)
			req, _ := http.NewRequest("POST", k.base+"/webhooks/stripe/"+account, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(stripetest.SignatureHeader, stripetest.Sign(time.Now(), body, stripeWebhookSecret))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("the webhook with no worker running = %d, want 200", resp.StatusCode)
			}
		},
		charges: func() int { return len(srv.PaymentIntents()) },
	})
}
