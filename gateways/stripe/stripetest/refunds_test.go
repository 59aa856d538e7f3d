package stripetest_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// paid is a succeeded PaymentIntent of a saved test method, and its
// Charge's ID.
func paid(t *testing.T, s *stripetest.Server, c client, method string) (pi, charge string) {
	t.Helper()
	cus, pm := saved(t, s, method)
	a := c.post("/v1/payment_intents", offSession(cus, pm), "")
	if a.str("status") != "succeeded" {
		t.Fatalf("pay with %s = %s, want succeeded", method, a.raw)
	}
	return a.str("id"), a.str("latest_charge")
}

// eventTypesOf is the types of the events about one object, in order.
func eventTypesOf(s *stripetest.Server, id string) []string {
	var out []string
	for _, ev := range s.Events() {
		var obj struct{ ID string }
		if json.Unmarshal(ev.Data.Object, &obj) == nil && obj.ID == id {
			out = append(out, ev.Type)
		}
	}
	return out
}

// docs.stripe.com/testing, "Refunds": pm_card_pendingRefund's refunds are
// pending, then succeed (refund.updated); docs.stripe.com/api/refunds/object:
// pending_reason while pending, balance_transaction once it moved money.
func TestPendingRefundSucceeds(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	pi, _ := paid(t, s, c, stripetest.MethodPendingRefund)
	re := c.post("/v1/refunds", url.Values{"payment_intent": {pi}}, "")
	if re.str("status") != "pending" || re.str("pending_reason") != "processing" || re.body["balance_transaction"] != nil || !strings.HasPrefix(re.str("id"), "re_") {
		t.Fatalf("refund = %s, want a pending re_…, processing, no balance transaction", re.raw)
	}
	if err := s.Settle(re.str("id")); err != nil {
		t.Fatal(err)
	}
	now := c.get("/v1/refunds/" + re.str("id"))
	if now.str("status") != "succeeded" || now.body["pending_reason"] != nil || now.str("balance_transaction") == "" {
		t.Errorf("refund after Settle = %s, want succeeded with a balance transaction", now.raw)
	}
	if got, want := eventTypesOf(s, re.str("id")), []string{"refund.created", "refund.updated"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events of the refund = %v, want %v", got, want)
	}
}

// A refund fails with one of Stripe's failure_reason values
// (docs.stripe.com/api/refunds/object): pm_card_pendingRefund's from
// pending, pm_card_refundFail's after it succeeded (docs.stripe.com/testing,
// "Refunds"), a bank debit's (py_…, refunded as pyr_…) from pending. The
// amount can then be refunded again.
func TestRefundFails(t *testing.T) {
	tests := []struct {
		method                 string
		processing             bool // until Settle
		wantBefore, wantPrefix string
		wantFailureTransaction bool
	}{
		{stripetest.MethodPendingRefund, false, "pending", "re_", false},
		{stripetest.MethodRefundFail, false, "succeeded", "re_", true},
		{stripetest.MethodUSBankAccount, true, "pending", "pyr_", false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			s, c, _ := start(t, stripetest.Options{})
			cus, pm := saved(t, s, tt.method)
			pi := c.post("/v1/payment_intents", offSession(cus, pm), "").str("id")
			if tt.processing {
				if err := s.Settle(pi); err != nil {
					t.Fatal(err)
				}
			}
			re := c.post("/v1/refunds", url.Values{"payment_intent": {pi}, "amount": {"500"}}, "")
			id := re.str("id")
			if re.str("status") != tt.wantBefore || !strings.HasPrefix(id, tt.wantPrefix) {
				t.Fatalf("refund = %s, want %s, %s…", re.raw, tt.wantBefore, tt.wantPrefix)
			}
			got, err := s.FailRefund(id, "expired_or_canceled_card")
			if err != nil || *got.Status != "failed" || got.FailureReason != "expired_or_canceled_card" {
				t.Fatalf("FailRefund() = %+v, %v; want failed, expired_or_canceled_card", got, err)
			}
			now := c.get("/v1/refunds/" + id)
			if now.str("status") != "failed" || now.str("failure_reason") != "expired_or_canceled_card" || (now.str("failure_balance_transaction") != "") != tt.wantFailureTransaction {
				t.Errorf("refund = %s, want failed, its balance reversed: %t", now.raw, tt.wantFailureTransaction)
			}
			if ch := c.get("/v1/charges/" + now.str("charge")); ch.body["amount_refunded"] != float64(0) || ch.body["refunded"] != false {
				t.Errorf("charge after the failed refund = %s, want nothing refunded", ch.raw)
			}
			if again := c.post("/v1/refunds", url.Values{"payment_intent": {pi}}, ""); again.status != 200 || again.body["amount"] != float64(1999) {
				t.Errorf("refund the whole after the failure = %d %s, want 1999 refunded", again.status, again.raw)
			}
			if types := strings.Join(eventTypesOf(s, id), ","); types != "refund.created,refund.updated,refund.failed" {
				t.Errorf("events of the refund = %s, want created, updated, failed", types)
			}
		})
	}
}

func TestFailRefundRefusesWhatCannotHappen(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	visa, _ := paid(t, s, c, stripetest.MethodVisa)
	pending, _ := paid(t, s, c, stripetest.MethodPendingRefund)
	succeeded := c.post("/v1/refunds", url.Values{"payment_intent": {visa}, "amount": {"100"}}, "").str("id")
	waiting := c.post("/v1/refunds", url.Values{"payment_intent": {pending}, "amount": {"100"}}, "").str("id")
	failed := c.post("/v1/refunds", url.Values{"payment_intent": {pending}, "amount": {"100"}}, "").str("id")
	if _, err := s.FailRefund(failed, "declined"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, id, reason string }{
		{"a card refund that succeeded", succeeded, "declined"},
		{"one failed already", failed, "declined"},
		{"no such refund", "re_unknown", "declined"},
		{"a reason Stripe does not give", waiting, "bank_closed"},
	}
	for _, tt := range tests {
		if re, err := s.FailRefund(tt.id, tt.reason); err == nil {
			t.Errorf("FailRefund(%s) = %+v, want an error", tt.name, re)
		}
	}
	if err := s.Settle(failed); err == nil {
		t.Error("Settle(a failed refund) succeeded")
	}
}
