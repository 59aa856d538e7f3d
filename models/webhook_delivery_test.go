package models

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestWants(t *testing.T) {
	e := &WebhookEndpoint{EventTypes: "invoice.*,payment.failed"}
	for typ, want := range map[string]bool{"invoice.paid": true, "invoice.created": true, "payment.failed": true, "payment.succeeded": false, "invoices.paid": false} {
		if got := e.Wants(typ); got != want {
			t.Errorf("Wants(%s) = %v, want %v", typ, got, want)
		}
	}
	if !(&WebhookEndpoint{EventTypes: "*"}).Wants("test_clock.ready") {
		t.Error("* does not take every event")
	}
}

// deliveryFixture is a shop with endpoints, and events to relay to them.
type deliveryFixture struct {
	s    *Store
	shop *Client
}

func (f deliveryFixture) endpoint(t *testing.T, tenant uuid.UUID, types string, enabled bool) *WebhookEndpoint {
	t.Helper()
	e := &WebhookEndpoint{ID: uuid.Must(uuid.NewV7()), TenantID: tenant, URL: "https://example.com/hook", EventTypes: types,
		Enabled: enabled, Auth: "{}", SealedSecrets: "sealed", CreatedAt: at(1), UpdatedAt: at(1)}
	if err := f.s.CreateWebhookEndpoint(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f deliveryFixture) event(t *testing.T, tenant uuid.UUID, typ string) uuid.UUID {
	t.Helper()
	object := uuid.Must(uuid.NewV7())
	if err := insertEvents(f.s.db, subject{ObjectInvoice, object, tenant, uuid.Nil, at(2)}, []byte(`{}`), []change{{typ: typ}}); err != nil {
		t.Fatal(err)
	}
	events, err := f.s.Events(context.Background(), EventFilter{ObjectID: &object, Limit: 1})
	if err != nil || len(events) != 1 {
		t.Fatalf("event of %s: %v %v", object, events, err)
	}
	return events[0].ID
}

func payloadOf(e *Event) []byte { return []byte(`{"id":"` + e.ID.String() + `"}`) }

// Each new event is fanned out once, to the enabled endpoints of its
// tenant that want its type, with the payload frozen at relay time.
func TestRelayEvents(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := deliveryFixture{s: s, shop: newClient(t, s, nil, "shop", "business")}
		other := newClient(t, s, nil, "other", "business")
		invoices := f.endpoint(t, f.shop.ID, "invoice.*", true)
		every := f.endpoint(t, f.shop.ID, "*", true)
		f.endpoint(t, f.shop.ID, "*", false)
		theirs := f.endpoint(t, other.ID, "*", true)
		later := f.endpoint(t, f.shop.ID, "*", true) // made after the events below were recorded
		later.CreatedAt = time.Now().Add(time.Hour)
		if err := s.db.Model(later).Update("created_at", later.CreatedAt).Error; err != nil {
			t.Fatal(err)
		}

		paid := f.event(t, f.shop.ID, EventInvoicePaid)
		failed := f.event(t, f.shop.ID, EventPaymentFailed)
		elsewhere := f.event(t, other.ID, EventInvoicePaid)

		relayed, woken, err := s.RelayEvents(ctx, 2, payloadOf, at(3))
		if err != nil || relayed != 2 {
			t.Fatalf("first batch: %d relayed, %v", relayed, err)
		}
		sameIDs(t, "woken by the first batch", sortedIDs(woken...), sortedIDs(invoices.ID, every.ID)...)
		relayed, woken, err = s.RelayEvents(ctx, 2, payloadOf, at(3))
		if err != nil || relayed != 1 {
			t.Fatalf("second batch: %d relayed, %v", relayed, err)
		}
		sameIDs(t, "woken by the second batch", woken, theirs.ID)
		if relayed, _, err := s.RelayEvents(ctx, 2, payloadOf, at(3)); err != nil || relayed != 0 {
			t.Fatalf("nothing left to relay, but %d relayed, %v", relayed, err)
		}

		eventsOf := func(e *WebhookEndpoint) []uuid.UUID {
			list, err := s.WebhookDeliveryList(ctx, DeliveryFilter{EndpointID: e.ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var out []uuid.UUID
			for _, d := range list {
				if d.Status != DeliveryPending || d.Payload != `{"id":"`+d.EventID.String()+`"}` || d.TenantID != e.TenantID {
					t.Errorf("delivery %+v", d)
				}
				out = append(out, d.EventID)
			}
			return out
		}
		sameIDs(t, "invoice endpoint", eventsOf(invoices), paid)
		sameIDs(t, "every-event endpoint", eventsOf(every), paid, failed)
		sameIDs(t, "the other tenant's", eventsOf(theirs), elsewhere)
		sameIDs(t, "the endpoint made after the events", eventsOf(later))
	})
}

// An endpoint's deliveries go oldest event first; each attempt is logged
// and numbered, a success ends the delivery and clears the endpoint's
// failing streak, a failure starts it.
func TestRecordWebhookAttempt(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := deliveryFixture{s: s, shop: newClient(t, s, nil, "shop", "business")}
		ep := f.endpoint(t, f.shop.ID, "*", true)
		first := f.event(t, f.shop.ID, EventInvoiceCreated)
		second := f.event(t, f.shop.ID, EventInvoicePaid)
		if _, _, err := s.RelayEvents(ctx, 10, payloadOf, at(3)); err != nil {
			t.Fatal(err)
		}
		next := func() *WebhookDelivery {
			t.Helper()
			d, err := s.NextWebhookDelivery(ctx, ep.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		d := next()
		if d == nil || d.EventID != first {
			t.Fatalf("next = %+v, want the delivery of %s", d, first)
		}
		retryAt := at(4).Add(5 * time.Second)
		since, err := s.RecordWebhookAttempt(ctx, AttemptRecord{Status: DeliveryPending, NextAttemptAt: &retryAt,
			Attempt: WebhookAttempt{DeliveryID: d.ID, Outcome: "retry", StatusCode: 500, LatencyMS: 12, ResponseBody: "down", CreatedAt: at(4)}})
		if err != nil || since == nil || !since.Equal(at(4)) {
			t.Fatalf("after a failure: failing since %v, %v", since, err)
		}
		since, err = s.RecordWebhookAttempt(ctx, AttemptRecord{Status: DeliveryPending,
			Attempt: WebhookAttempt{DeliveryID: d.ID, Outcome: "retry", Error: "connection refused", CreatedAt: at(5)}})
		if err != nil || since == nil || !since.Equal(at(4)) {
			t.Fatalf("a second failure moved the streak's start: %v, %v", since, err)
		}
		if since, err = s.RecordWebhookAttempt(ctx, AttemptRecord{Status: DeliveryDelivered,
			Attempt: WebhookAttempt{DeliveryID: d.ID, Outcome: "delivered", StatusCode: 204, CreatedAt: at(6)}}); err != nil || since != nil {
			t.Fatalf("after a success: failing since %v, %v", since, err)
		}
		_, err = s.RecordWebhookAttempt(ctx, AttemptRecord{Status: DeliveryDelivered, Attempt: WebhookAttempt{DeliveryID: d.ID, Outcome: "delivered", CreatedAt: at(7)}})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("an attempt of a delivered delivery: %v, want ErrConflict", err)
		}
		if n := next(); n == nil || n.EventID != second {
			t.Fatalf("next after the first is delivered = %+v, want %s", n, second)
		}

		stored, err := s.WebhookDeliveryByID(ctx, d.ID)
		if err != nil || stored.Status != DeliveryDelivered || stored.Attempts != 3 || stored.NextAttemptAt != nil {
			t.Fatalf("stored delivery %+v, %v", stored, err)
		}
		attempts, err := s.WebhookAttemptsOf(ctx, []uuid.UUID{d.ID})
		if err != nil {
			t.Fatal(err)
		}
		var numbers []int
		for _, a := range attempts[d.ID] {
			numbers = append(numbers, a.Number)
		}
		if !slices.Equal(numbers, []int{1, 2, 3}) || attempts[d.ID][0].ResponseBody != "down" || attempts[d.ID][1].Error != "connection refused" {
			t.Errorf("attempts %+v", attempts[d.ID])
		}

		again, err := s.RetryWebhookDelivery(ctx, d.ID, at(8))
		if err != nil || again.Status != DeliveryPending || again.Attempts != 3 {
			t.Fatalf("retried: %+v, %v", again, err)
		}
		if n := next(); n == nil || n.ID != d.ID {
			t.Errorf("a retried delivery of an older event goes first; next = %+v", n)
		}
		if _, err := s.RetryWebhookDelivery(ctx, uuid.New(), at(8)); !errors.Is(err, ErrNotFound) {
			t.Errorf("retry of no delivery: %v", err)
		}
	})
}

// The sweep finds endpoints whose pending deliveries nobody works on:
// not those waiting for a planned retry, nor disabled ones.
func TestEndpointsAwaitingDelivery(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := deliveryFixture{s: s, shop: newClient(t, s, nil, "shop", "business")}
		stuck := f.endpoint(t, f.shop.ID, "*", true)
		waiting := f.endpoint(t, f.shop.ID, "*", true)
		f.event(t, f.shop.ID, EventInvoiceCreated)
		if _, _, err := s.RelayEvents(ctx, 10, payloadOf, at(3)); err != nil {
			t.Fatal(err)
		}
		d, err := s.NextWebhookDelivery(ctx, waiting.ID)
		if err != nil {
			t.Fatal(err)
		}
		retryAt := at(9)
		if _, err := s.RecordWebhookAttempt(ctx, AttemptRecord{Status: DeliveryPending, NextAttemptAt: &retryAt,
			Attempt: WebhookAttempt{DeliveryID: d.ID, Outcome: "retry", CreatedAt: at(3)}}); err != nil {
			t.Fatal(err)
		}
		found := func(since, now time.Time) []uuid.UUID {
			list, err := s.EndpointsAwaitingDelivery(ctx, since, now, 10)
			if err != nil {
				t.Fatal(err)
			}
			return ids(list, func(e WebhookEndpoint) uuid.UUID { return e.ID })
		}
		sameIDs(t, "fresh deliveries", found(at(3), at(4)))
		sameIDs(t, "a day later", found(at(4), at(5)), stuck.ID)
		sameIDs(t, "once the planned retry is overdue", found(at(10), at(11)), sortedIDs(stuck.ID, waiting.ID)...)
		if _, err := s.DisableWebhookEndpoint(ctx, stuck.ID, "test", at(5)); err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "after disabling one", found(at(10), at(11)), waiting.ID)
	})
}

// Disabling an endpoint records one event for its business, with the
// endpoint as it was left and no secret.
func TestDisableWebhookEndpoint(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := deliveryFixture{s: s, shop: newClient(t, s, nil, "shop", "business")}
		ep := f.endpoint(t, f.shop.ID, "*", true)
		for i, want := range []bool{true, false} {
			disabled, err := s.DisableWebhookEndpoint(ctx, ep.ID, "the endpoint answered 410 Gone", at(5+i))
			if err != nil || disabled != want {
				t.Fatalf("call %d: disabled %v, %v; want %v", i, disabled, err, want)
			}
		}
		stored, err := s.WebhookEndpointByID(ctx, ep.ID)
		if err != nil || stored.Enabled || stored.DisabledReason != "the endpoint answered 410 Gone" {
			t.Fatalf("stored %+v, %v", stored, err)
		}
		events, err := s.Events(ctx, EventFilter{ObjectID: &ep.ID, Limit: 10})
		if err != nil || len(events) != 1 {
			t.Fatalf("events %+v, %v", events, err)
		}
		e := events[0]
		if e.Type != EventWebhookEndpointDisabled || e.ObjectType != ObjectWebhookEndpoint || e.TenantID != f.shop.ID || e.CustomerID != nil {
			t.Errorf("event %+v", e)
		}
		if !strings.Contains(e.Data, `"SealedSecrets":""`) {
			t.Errorf("the event keeps the sealed secrets: %s", e.Data)
		}
	})
}
