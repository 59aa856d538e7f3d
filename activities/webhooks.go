package activities

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/webhookendpoints"
)

// Endpoints opens a webhook endpoint's secrets for its deliveries
// (*webhookendpoints.Service).
type Endpoints interface {
	Open(ctx context.Context, id uuid.UUID) (webhookendpoints.Opened, error)
}

// NextDelivery is what an endpoint's workflow does next: send DeliveryID,
// wait for a wake when it is uuid.Nil, or end when Stop.
type NextDelivery struct {
	DeliveryID uuid.UUID
	// Stop is set when the endpoint was deleted or disabled: its
	// workflow ends, and a wake starts another once it is enabled.
	Stop bool
}

// NextWebhookDelivery finds an endpoint's pending delivery of the oldest
// event.
func (a *Activities) NextWebhookDelivery(ctx context.Context, endpointID uuid.UUID) (NextDelivery, error) {
	e, err := a.Store.WebhookEndpointByID(ctx, endpointID)
	if errors.Is(err, models.ErrNotFound) {
		return NextDelivery{Stop: true}, nil
	}
	if err != nil {
		return NextDelivery{}, err
	}
	if !e.Enabled {
		return NextDelivery{Stop: true}, nil
	}
	d, err := a.Store.NextWebhookDelivery(ctx, endpointID)
	if err != nil || d == nil {
		return NextDelivery{}, err
	}
	return NextDelivery{DeliveryID: d.ID}, nil
}

// AttemptInput is one try at a delivery. Last says the schedule has no
// try after it; otherwise RetryIn is when the schedule tries again should
// this one fail.
type AttemptInput struct {
	DeliveryID uuid.UUID
	Last       bool
	RetryIn    time.Duration
}

// AttemptResult is what came of a try.
type AttemptResult struct {
	Outcome delivery.Outcome
	// Skipped says nothing was sent: the delivery was settled already,
	// or its endpoint is gone or disabled.
	Skipped bool
	// Wait is how long to wait before the next try: RetryIn, or what
	// the receiver asked for with Retry-After.
	Wait time.Duration
	// FailingSince is when the endpoint's failures began, none
	// succeeding since; nil once a delivery succeeds.
	FailingSince *time.Time
	// Error says why the receiver gave no answer, or the send was refused.
	Error string
}

// AttemptWebhookDelivery sends a pending delivery once, logs the attempt
// and settles the delivery: delivered on a 2xx, failed when the last try
// fails. A 410 or a refused send leaves it pending, for when its endpoint
// is enabled again. A delivery already settled (delivered by a try whose
// result was lost to a crash) is not sent again.
func (a *Activities) AttemptWebhookDelivery(ctx context.Context, in AttemptInput) (AttemptResult, error) {
	skipped := AttemptResult{Skipped: true}
	d, err := a.Store.WebhookDeliveryByID(ctx, in.DeliveryID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return skipped, nil // deleted with its endpoint
	case err != nil:
		return AttemptResult{}, err
	case d.Status != models.DeliveryPending:
		return skipped, nil
	}
	e, err := a.Endpoints.Open(ctx, d.EndpointID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return skipped, nil
	case err != nil:
		return AttemptResult{}, err
	case !e.Endpoint.Enabled:
		return skipped, nil
	}
	stop := heartbeat(ctx)
	sent := a.Sender.Send(ctx, delivery.Target{URL: e.Endpoint.URL, Signing: e.Signing, Auth: e.Auth},
		delivery.Message{ID: d.EventID.String(), Payload: []byte(d.Payload)})
	stop()
	res := AttemptResult{Outcome: sent.Outcome, Error: sent.Error, Wait: cmp.Or(sent.RetryAfter, in.RetryIn)}
	now := a.now()
	rec := models.AttemptRecord{Status: models.DeliveryPending, Attempt: models.WebhookAttempt{DeliveryID: d.ID, Outcome: string(sent.Outcome),
		StatusCode: sent.StatusCode, LatencyMS: sent.Latency.Milliseconds(), ResponseBody: sent.Body, Truncated: sent.Truncated,
		Error: sent.Error, CreatedAt: now}}
	switch {
	case sent.Outcome == delivery.Delivered:
		rec.Status = models.DeliveryDelivered
	case sent.Outcome == delivery.Retry && in.Last:
		rec.Status = models.DeliveryFailed
	case sent.Outcome == delivery.Retry:
		next := now.Add(res.Wait)
		rec.NextAttemptAt = &next
	}
	res.FailingSince, err = a.Store.RecordWebhookAttempt(ctx, rec)
	if errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrNotFound) {
		return skipped, nil // settled, or deleted, while this try was out
	}
	return res, err
}

// heartbeat tells Temporal every second that the activity of ctx is
// alive, until stop is called: a worker that dies during a send is seen
// within the heartbeat timeout, not the send's. Outside an activity it
// does nothing.
func heartbeat(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

// DisableEndpointInput names an endpoint to disable, and why.
type DisableEndpointInput struct {
	EndpointID uuid.UUID
	Reason     string
}

// DisableWebhookEndpoint disables an endpoint billgate gave up on and
// records the event that tells its business.
func (a *Activities) DisableWebhookEndpoint(ctx context.Context, in DisableEndpointInput) error {
	_, err := a.Store.DisableWebhookEndpoint(ctx, in.EndpointID, in.Reason, a.now())
	return err
}
