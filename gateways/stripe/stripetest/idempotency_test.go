package stripetest_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// docs.stripe.com/api/idempotent_requests.
func TestIdempotency(t *testing.T) {
	s, c, clk := start(t, stripetest.Options{})
	cus, pm := saved(t, s, stripetest.MethodVisa)
	form := offSession(cus, pm)

	first := c.post("/v1/payment_intents", form, "key_1")
	if first.status != http.StatusOK || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first request = %d %s, replayed %q", first.status, first.raw, first.header.Get("Idempotent-Replayed"))
	}
	t.Run("same key, same parameters: the first answer again", func(t *testing.T) {
		again := c.post("/v1/payment_intents", form, "key_1")
		if again.status != http.StatusOK || !bytes.Equal(again.raw, first.raw) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay = %d %s (replayed %q), want the first answer", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		if n := len(s.PaymentIntents()); n != 1 {
			t.Errorf("%d PaymentIntents, want 1", n)
		}
	})
	t.Run("same key, other parameters", func(t *testing.T) {
		other := offSession(cus, pm)
		other.Set("amount", "2999")
		a := c.post("/v1/payment_intents", other, "key_1")
		if a.status != http.StatusBadRequest || a.errorField("type") != "idempotency_error" || !strings.Contains(a.errorField("message"), "same parameters") {
			t.Errorf("= %d %s, want 400 idempotency_error", a.status, a.raw)
		}
	})
	t.Run("same key, another endpoint", func(t *testing.T) {
		a := c.post("/v1/refunds", url.Values{"payment_intent": {first.str("id")}}, "key_1")
		if a.status != http.StatusBadRequest || a.errorField("type") != "idempotency_error" || !strings.Contains(a.errorField("message"), "same endpoint") {
			t.Errorf("= %d %s, want 400 idempotency_error", a.status, a.raw)
		}
	})
	t.Run("a refusal by validation is not kept", func(t *testing.T) {
		bad := offSession(cus, pm)
		bad.Del("currency")
		if a := c.post("/v1/payment_intents", bad, "key_2"); a.status != http.StatusBadRequest || !strings.Contains(a.errorField("message"), "currency") {
			t.Fatalf("without currency = %d %s, want 400 on currency", a.status, a.raw)
		}
		if a := c.post("/v1/payment_intents", form, "key_2"); a.status != http.StatusOK || a.str("id") == first.str("id") {
			t.Errorf("corrected retry = %d %s, want a new PaymentIntent", a.status, a.raw)
		}
	})
	t.Run("a decline is kept, as it was", func(t *testing.T) {
		declined := offSession(cus, stripetest.MethodDeclined)
		a := c.post("/v1/payment_intents", declined, "key_3")
		b := c.post("/v1/payment_intents", declined, "key_3")
		if a.status != http.StatusPaymentRequired || b.status != a.status || !bytes.Equal(a.raw, b.raw) {
			t.Errorf("decline then replay = %d, %d; want the same 402 twice", a.status, b.status)
		}
	})
	t.Run("a replay answers what the first request did, not the object as it is now", func(t *testing.T) {
		authCus, auth := saved(t, s, stripetest.MethodAuthenticationRequired)
		onSession := url.Values{"amount": {"500"}, "currency": {"usd"}, "customer": {authCus}, "payment_method": {auth}, "confirm": {"true"}, "return_url": {"https://billgate.example/return"}}
		a := c.post("/v1/payment_intents", onSession, "key_4")
		if _, err := s.CompleteAction(a.str("id"), true); err != nil {
			t.Fatal(err)
		}
		b := c.post("/v1/payment_intents", onSession, "key_4")
		if a.str("status") != "requires_action" || !bytes.Equal(a.raw, b.raw) {
			t.Errorf("replay = %s, want the first answer, requires_action", b.raw)
		}
	})
	t.Run("keys are kept 24 hours", func(t *testing.T) {
		clk.Advance(stripetest.IdempotencyKeyTTL)
		if a := c.post("/v1/payment_intents", form, "key_1"); a.status != http.StatusOK || a.str("id") == first.str("id") {
			t.Errorf("after 24 h = %d %s, want a new PaymentIntent", a.status, a.raw)
		}
		clk.Advance(-time.Hour)
	})
	t.Run("keys are at most 255 characters", func(t *testing.T) {
		if a := c.post("/v1/payment_intents", form, strings.Repeat("k", 256)); a.status != http.StatusBadRequest {
			t.Errorf("256-character key = %d %s, want 400", a.status, a.raw)
		}
	})
	t.Run("GET ignores the key", func(t *testing.T) {
		if a := c.do(http.MethodGet, "/v1/payment_intents/"+first.str("id"), nil, "key_1"); a.status != http.StatusOK || a.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("GET with a key = %d %s", a.status, a.raw)
		}
	})
}
