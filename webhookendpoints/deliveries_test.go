package webhookendpoints

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

// testPayload is a test message as the API would render it.
func testPayload(e *models.WebhookEndpoint, id uuid.UUID, _ time.Time) []byte {
	return []byte(`{"id":"` + id.String() + `","endpoint":"` + e.ID.String() + `"}`)
}

// A business sends its endpoint a test, reads the endpoint's deliveries
// and sends one again; each send wakes the endpoint's workflow to go at
// once. Another business sees none of it, and a disabled endpoint is sent
// nothing until it is enabled, which wakes it.
func TestDeliveries(t *testing.T) {
	f := newFixture(t, "sqlite::memory:")
	ctx := context.Background()
	w, err := f.svc.Create(ctx, f.shop, basicEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	id := w.Endpoint.ID
	sent, err := f.svc.SendTest(ctx, f.shop, id, testPayload)
	if err != nil {
		t.Fatal(err)
	}
	if sent.EventType != TestEvent || sent.Status != models.DeliveryPending || sent.Payload != string(testPayload(w.Endpoint, sent.EventID, f.now)) {
		t.Errorf("test delivery %+v", sent)
	}
	if want := []wake{{id, true}}; !slices.Equal(f.woken, want) {
		t.Errorf("woken %v, want %v", f.woken, want)
	}

	list, err := f.svc.Deliveries(ctx, f.shop, id, nil, uuid.Nil, 10)
	if err != nil || len(list) != 1 || list[0].ID != sent.ID {
		t.Fatalf("deliveries %+v, %v", list, err)
	}
	if list, err := f.svc.Deliveries(ctx, f.shop, id, []string{models.DeliveryDelivered}, uuid.Nil, 10); err != nil || len(list) != 0 {
		t.Errorf("delivered ones: %+v, %v", list, err)
	}
	delivered := models.AttemptRecord{Status: models.DeliveryDelivered,
		Attempt: models.WebhookAttempt{DeliveryID: sent.ID, Outcome: "delivered", StatusCode: 204, CreatedAt: f.now}}
	if _, err := f.store.RecordWebhookAttempt(ctx, delivered); err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Retry(ctx, f.shop, id, sent.ID)
	if err != nil || again.Status != models.DeliveryPending || len(again.Attempts) != 1 {
		t.Fatalf("retried: %+v, %v", again, err)
	}

	for name, call := range map[string]func() error{
		"list":  func() error { _, err := f.svc.Deliveries(ctx, f.other, id, nil, uuid.Nil, 10); return err },
		"retry": func() error { _, err := f.svc.Retry(ctx, f.other, id, sent.ID); return err },
		"test":  func() error { _, err := f.svc.SendTest(ctx, f.other, id, testPayload); return err },
	} {
		if err := call(); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another business's %s: %v, want not found", name, err)
		}
	}
	other, err := f.svc.Create(ctx, f.shop, basicEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Retry(ctx, f.shop, other.Endpoint.ID, sent.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a retry of another endpoint's delivery: %v", err)
	}

	off, on := false, true
	if _, err := f.svc.Update(ctx, f.shop, id, Changes{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	f.woken = nil
	var conflict *fault.ConflictError
	if _, err := f.svc.SendTest(ctx, f.shop, id, testPayload); !errors.As(err, &conflict) {
		t.Errorf("a test of a disabled endpoint: %v", err)
	}
	if _, err := f.svc.Retry(ctx, f.shop, id, sent.ID); !errors.As(err, &conflict) {
		t.Errorf("a retry at a disabled endpoint: %v", err)
	}
	if _, err := f.svc.Update(ctx, f.shop, id, Changes{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if want := []wake{{id, false}}; !slices.Equal(f.woken, want) {
		t.Errorf("woken %v, want %v: enabling sends what waits", f.woken, want)
	}
}
