// Package eventrelay moves events from the store to the webhook endpoints'
// delivery workflows. The relay fans each new event out into deliveries
// (one per endpoint that wants it, the payload frozen as the API shows
// the event) and wakes the endpoints' workflows. It runs in every API
// process, which renders events: the store's locks share the work among
// them, and a delivery is made once however many run.
package eventrelay

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// Store is where events wait to be relayed, and deliveries to be sent
// (models.WebhookDeliveries).
type Store interface {
	RelayEvents(ctx context.Context, limit int, payload func(*models.Event) []byte, now time.Time) (int, []uuid.UUID, error)
	EndpointsAwaitingDelivery(ctx context.Context, since, now time.Time, limit int) ([]models.WebhookEndpoint, error)
}

// Waker wakes an endpoint's delivery workflow (Workflows).
type Waker interface {
	Wake(ctx context.Context, endpointID uuid.UUID, now bool) error
}

// Relay fans events out and wakes the endpoints that got deliveries.
type Relay struct {
	Store Store
	// Payload renders an event as the API shows it.
	Payload func(*models.Event) []byte
	Wake    Waker
	// Poll is how often it looks for events without being told of any;
	// Sweep how often it wakes endpoints whose deliveries nobody sends
	// (a wake lost to a crash, an endpoint enabled again).
	Poll, Sweep time.Duration
	Now         func() time.Time
	Log         *slog.Logger

	notify chan struct{}
}

// batch is how many events one transaction relays.
const batch = 100

// New is a relay with its defaults: it looks every second and sweeps
// every minute.
func New(store Store, payload func(*models.Event) []byte, wake Waker, log *slog.Logger) *Relay {
	return &Relay{Store: store, Payload: payload, Wake: wake, Poll: time.Second, Sweep: time.Minute, Now: time.Now, Log: log,
		notify: make(chan struct{}, 1)}
}

// Notify tells the relay new events may be there (models.Store's
// OnEventsRecorded). It never blocks.
func (r *Relay) Notify() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Run relays until ctx is done.
func (r *Relay) Run(ctx context.Context) {
	poll, sweep := time.NewTicker(r.Poll), time.NewTicker(r.Sweep)
	defer poll.Stop()
	defer sweep.Stop()
	for {
		r.relay(ctx)
		select {
		case <-ctx.Done():
			return
		case <-r.notify:
		case <-poll.C:
		case <-sweep.C:
			r.sweep(ctx)
		}
	}
}

// relay fans out every event waiting, a batch at a time, and wakes the
// endpoints given deliveries. A failure is logged and tried again at the
// next look: the events stay where they are.
func (r *Relay) relay(ctx context.Context) {
	for ctx.Err() == nil {
		n, woken, err := r.Store.RelayEvents(ctx, batch, r.Payload, r.Now().UTC())
		if err != nil {
			r.Log.WarnContext(ctx, "events not relayed; trying again", slog.Any("error", err))
			return
		}
		r.wake(ctx, woken)
		if n < batch {
			return
		}
	}
}

// sweep wakes the endpoints whose pending deliveries no workflow has
// touched for a sweep.
func (r *Relay) sweep(ctx context.Context) {
	now := r.Now().UTC()
	endpoints, err := r.Store.EndpointsAwaitingDelivery(ctx, now.Add(-r.Sweep), now, 1000)
	if err != nil {
		r.Log.WarnContext(ctx, "webhook endpoints not swept", slog.Any("error", err))
		return
	}
	ids := make([]uuid.UUID, len(endpoints))
	for i, e := range endpoints {
		ids[i] = e.ID
	}
	r.wake(ctx, ids)
}

func (r *Relay) wake(ctx context.Context, endpoints []uuid.UUID) {
	for _, id := range endpoints {
		if err := r.Wake.Wake(ctx, id, false); err != nil {
			r.Log.WarnContext(ctx, "webhook endpoint not woken; the sweep will", slog.String("endpoint", id.String()), slog.Any("error", err))
		}
	}
}

// Workflows wakes endpoints' workflows through Temporal.
type Workflows struct {
	Client client.Client
}

// Wake signals the endpoint's workflow, starting it if none runs.
func (w Workflows) Wake(ctx context.Context, endpointID uuid.UUID, now bool) error {
	id := contract.WebhookEndpointWorkflowID(endpointID)
	_, err := w.Client.SignalWithStartWorkflow(ctx, id, contract.WakeSignal, contract.Wake{Now: now},
		client.StartWorkflowOptions{ID: id, TaskQueue: contract.EventsTaskQueue},
		contract.WebhookEndpointWorkflowType, contract.WebhookEndpointInput{EndpointID: endpointID})
	return err
}
