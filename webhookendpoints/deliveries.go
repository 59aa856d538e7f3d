package webhookendpoints

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// Deliveries keeps the endpoints' deliveries and their attempts
// (models.WebhookDeliveries).
type Deliveries interface {
	CreateWebhookDelivery(ctx context.Context, d *models.WebhookDelivery) error
	WebhookDeliveryByID(ctx context.Context, id uuid.UUID) (*models.WebhookDelivery, error)
	RetryWebhookDelivery(ctx context.Context, id uuid.UUID, now time.Time) (*models.WebhookDelivery, error)
	WebhookDeliveryList(ctx context.Context, f models.DeliveryFilter) ([]models.WebhookDelivery, error)
	WebhookAttemptsOf(ctx context.Context, deliveries []uuid.UUID) (map[uuid.UUID][]models.WebhookAttempt, error)
}

// Waker wakes an endpoint's delivery workflow, starting it if none runs;
// now asks it to cut short the wait for a planned retry.
type Waker interface {
	Wake(ctx context.Context, endpointID uuid.UUID, now bool) error
}

// TestEvent is the type of the message a test send delivers. It is never
// recorded as an event, and every endpoint takes it when asked.
const TestEvent = "webhook_endpoint.test"

// Delivery is a delivery with its attempts, oldest first.
type Delivery struct {
	models.WebhookDelivery
	Attempts []models.WebhookAttempt
}

// Deliveries pages through the deliveries of an endpoint the caller
// sees, oldest first, in the statuses given (none: every one).
func (s *Service) Deliveries(ctx context.Context, caller tenancy.Caller, endpointID uuid.UUID, statuses []string, after uuid.UUID, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, caller, endpointID); err != nil {
		return nil, err
	}
	list, err := s.Outbox.WebhookDeliveryList(ctx, models.DeliveryFilter{EndpointID: endpointID, Statuses: statuses, After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	attempts, err := s.Outbox.WebhookAttemptsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, len(list))
	for i, d := range list {
		out[i] = Delivery{WebhookDelivery: d, Attempts: attempts[d.ID]}
	}
	return out, nil
}

// Retry sends a delivery of an enabled endpoint the caller sees again, at
// once and from the start of the retry schedule, under its message ID
// (so a receiver that has it drops it). A pending one is only hurried.
func (s *Service) Retry(ctx context.Context, caller tenancy.Caller, endpointID, deliveryID uuid.UUID) (Delivery, error) {
	e, err := s.Get(ctx, caller, endpointID)
	if err != nil {
		return Delivery{}, err
	}
	d, err := s.Outbox.WebhookDeliveryByID(ctx, deliveryID)
	if err != nil {
		return Delivery{}, err
	}
	if d.EndpointID != e.ID {
		return Delivery{}, fmt.Errorf("webhook delivery %s: %w", deliveryID, models.ErrNotFound)
	}
	if !e.Enabled {
		return Delivery{}, fault.IllegalChange("the endpoint is disabled: enable it, and its pending deliveries are sent")
	}
	if d, err = s.Outbox.RetryWebhookDelivery(ctx, deliveryID, s.Now().UTC()); err != nil {
		return Delivery{}, err
	}
	return s.hurry(ctx, d)
}

// SendTest queues a test message to an enabled endpoint the caller sees:
// payload makes it from the endpoint, the message's ID and time.
func (s *Service) SendTest(ctx context.Context, caller tenancy.Caller, endpointID uuid.UUID, payload func(e *models.WebhookEndpoint, id uuid.UUID, at time.Time) []byte) (Delivery, error) {
	e, err := s.Get(ctx, caller, endpointID)
	if err != nil {
		return Delivery{}, err
	}
	if !e.Enabled {
		return Delivery{}, fault.IllegalChange("the endpoint is disabled: enable it to send it a test")
	}
	now := s.Now().UTC()
	id := uuid.Must(uuid.NewV7())
	d := &models.WebhookDelivery{ID: uuid.Must(uuid.NewV7()), EndpointID: e.ID, TenantID: e.TenantID, EventID: id, EventType: TestEvent,
		Payload: string(payload(e, id, now)), Status: models.DeliveryPending, CreatedAt: now, UpdatedAt: now}
	if err := s.Outbox.CreateWebhookDelivery(ctx, d); err != nil {
		return Delivery{}, err
	}
	return s.hurry(ctx, d)
}

// hurry wakes the delivery's endpoint to send it now. A wake that fails
// is left to the relay's sweep, which wakes endpoints with deliveries
// nobody is sending: the delivery is stored, and will go.
func (s *Service) hurry(ctx context.Context, d *models.WebhookDelivery) (Delivery, error) {
	_ = s.Wake.Wake(ctx, d.EndpointID, true)
	attempts, err := s.Outbox.WebhookAttemptsOf(ctx, []uuid.UUID{d.ID})
	if err != nil {
		return Delivery{}, err
	}
	return Delivery{WebhookDelivery: *d, Attempts: attempts[d.ID]}, nil
}
