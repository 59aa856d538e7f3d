package e2e

import (
	"fmt"
	"slices"
	"testing"

	"github.com/billgate/billgate/gateways/sandbox"
)

// Events over HTTP: a subscription paid, a purchase paid then refunded,
// each change an event in order with its object as the API shows it, and
// so are a customer's creation and a test clock's advance; a customer sees
// its own, another business none; filters by type (with a
// wildcard) and object; bad filters are 400 on the field.
func TestEventsOverHTTP(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	sub := s.subscribe(t, s.monthly, sandbox.TokenOK)
	if sub.Status != 201 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	subPath := "/v1/subscriptions/" + sub.Result["id"].(string)
	s.waitStatus(t, subPath, "active")
	buy := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, s.pdf, sandbox.TokenOK), s.bob...)
	if buy.Status != 201 {
		t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
	}
	payment := buy.Result["id"].(string)
	s.waitStatus(t, "/v1/payments/"+payment, "paid")
	if r := call(t, s.env, "POST", "/v1/refunds", fmt.Sprintf(`{"paymentId":%q}`, payment), s.owner...); r.Status != 201 || r.Result["status"] != "succeeded" {
		t.Fatalf("refund = %d %+v %v", r.Status, r.Errors, r.Result)
	}

	typesOf := func(path string, header ...string) []string {
		var out []string
		for _, e := range callList(t, s.env, path, header...).results {
			out = append(out, e["type"].(string))
		}
		return out
	}
	var objectTypes []string
	waitFor(t, "the subscription's events", func() bool {
		objectTypes = typesOf("/v1/events?objectId="+sub.Result["id"].(string), s.owner...)
		return slices.Equal(objectTypes, []string{"subscription.created", "subscription.activated"})
	})
	if got, want := typesOf("/v1/events?objectId="+payment, s.owner...), []string{"payment.pending", "payment.succeeded"}; !slices.Equal(got, want) {
		t.Errorf("the purchase's payment events = %v, want %v", got, want)
	}
	refunds := callList(t, s.env, "/v1/events?type=refund.*", s.bob...).results
	if len(refunds) != 2 || refunds[0]["type"] != "refund.created" || refunds[1]["type"] != "refund.succeeded" {
		t.Fatalf("bob's refund events = %v", refunds)
	}
	object := refunds[1]["data"].(map[string]any)["object"].(map[string]any)
	if object["paymentId"] != payment || object["status"] != "succeeded" || refunds[1]["objectType"] != "refund" || refunds[1]["customerId"] != s.bobID {
		t.Errorf("refund.succeeded = %v; want the refund as the API shows it", refunds[1])
	}
	invoices := typesOf("/v1/events?type=invoice.paid,invoice.finalized", s.owner...)
	if len(invoices) != 4 {
		t.Errorf("invoice.paid and invoice.finalized events = %v, want two of each", invoices)
	}

	customers := callList(t, s.env, "/v1/events?type=customer.*&customerId="+s.bobID, s.owner...).results
	if len(customers) != 1 || customers[0]["type"] != "customer.created" || customers[0]["data"].(map[string]any)["object"].(map[string]any)["login"] != "bob" {
		t.Errorf("bob's customer events = %v, want customer.created showing bob", customers)
	}
	clock := s.newClock(t)
	s.advance(t, clock, clockStart.AddDate(0, 0, 1))
	clocks := callList(t, s.env, "/v1/events?type=test_clock.ready&objectId="+clock, s.owner...).results
	if len(clocks) != 1 || clocks[0]["data"].(map[string]any)["object"].(map[string]any)["status"] != "ready" {
		t.Errorf("the clock's events = %v, want test_clock.ready", clocks)
	}

	one := call(t, s.env, "GET", "/v1/events/"+refunds[0]["id"].(string), "", s.bob...)
	if one.Status != 200 || one.Result["type"] != "refund.created" {
		t.Errorf("GET the event = %d %v", one.Status, one.Result)
	}
	if r := call(t, s.env, "GET", "/v1/events/"+refunds[0]["id"].(string), "", s.other...); r.Status != 404 {
		t.Errorf("another business reads the event: %d", r.Status)
	}
	if l := callList(t, s.env, "/v1/events", s.other...); len(l.results) != 0 {
		t.Errorf("another business lists %d events", len(l.results))
	}
	call(t, s.env, "GET", "/v1/events?type=invoice.eaten", "", s.owner...).
		is(t, "an unknown type", 400, "INVALID", "type must be event types (see docs/events.md), or <object>.* for every event of an object")
	call(t, s.env, "GET", "/v1/events?createdGte=yesterday", "", s.owner...).
		is(t, "a time that is none", 400, "INVALID", "createdGte must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z")
}
