package workflows

import (
	"encoding/binary"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/workflows/contract"
)

// DeliverySchedule is the Standard Webhooks retry schedule: the wait
// before each try of a delivery, the first at once. A delivery whose last
// try fails is failed, and the endpoint's next one is sent.
var DeliverySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// FailingEndpointLimit is how long an endpoint's deliveries may fail,
// none succeeding, before billgate disables it.
const FailingEndpointLimit = 5 * 24 * time.Hour

// endpointIdle is how long an endpoint's workflow waits for a wake with
// nothing to send before it ends; the next wake starts another.
const endpointIdle = 10 * time.Minute

// deliveriesPerRun bounds a run's history: past it, or when Temporal
// suggests it, the workflow continues as new between two deliveries.
const deliveriesPerRun = 500

// webhookActivity is how a delivery's activities run: a store that does
// not answer is waited for, since nothing is lost meanwhile.
var webhookActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

// attemptActivity is how a try runs: bounded by the send's 15 s timeout
// and the store's writes, and heartbeating, so that the try of a worker
// that died is given to another within seconds.
var attemptActivity = func() workflow.ActivityOptions {
	o := webhookActivity
	o.StartToCloseTimeout, o.HeartbeatTimeout = 45*time.Second, 5*time.Second
	return o
}()

// WebhookEndpointWorkflow delivers one endpoint's events, one at a time
// in the order they happened, each on DeliverySchedule. It waits for a
// wake when it has nothing to send, and ends when it has waited
// endpointIdle, or when its endpoint is deleted or disabled. A 410, a
// send refused (an internal address), or FailingEndpointLimit of failures
// disables the endpoint.
func WebhookEndpointWorkflow(ctx workflow.Context, in contract.WebhookEndpointInput) error {
	ctx = workflow.WithActivityOptions(ctx, webhookActivity)
	wake := workflow.GetSignalChannel(ctx, contract.WakeSignal)
	var a *activities.Activities
	for sent := 0; ; {
		for wake.ReceiveAsync(nil) { // a wake says to look again, which this does
		}
		var next activities.NextDelivery
		if err := workflow.ExecuteActivity(ctx, a.NextWebhookDelivery, in.EndpointID).Get(ctx, &next); err != nil {
			return err
		}
		switch {
		case next.Stop:
			return nil
		case next.DeliveryID == uuid.Nil:
			if !awaitWake(ctx, wake, endpointIdle) {
				return nil
			}
			continue
		}
		if stop, err := deliver(ctx, in.EndpointID, next.DeliveryID, wake); stop || err != nil {
			return err
		}
		if sent++; sent >= deliveriesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, contract.WebhookEndpointWorkflowType, in)
		}
	}
}

// deliver tries a delivery on DeliverySchedule until it is settled. It
// reports stop when the endpoint was disabled.
func deliver(ctx workflow.Context, endpointID, deliveryID uuid.UUID, wake workflow.ReceiveChannel) (stop bool, err error) {
	var a *activities.Activities
	for try := range DeliverySchedule {
		in := activities.AttemptInput{DeliveryID: deliveryID, Last: try == len(DeliverySchedule)-1}
		if !in.Last {
			in.RetryIn = retryDelay(deliveryID, try+1)
		}
		var res activities.AttemptResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, attemptActivity), a.AttemptWebhookDelivery, in).Get(ctx, &res); err != nil {
			return false, err
		}
		if res.Skipped || res.Outcome == delivery.Delivered {
			return false, nil
		}
		switch {
		case res.Outcome == delivery.Gone:
			return true, disable(ctx, endpointID, "the endpoint answered 410 Gone")
		case res.Outcome == delivery.Refused:
			return true, disable(ctx, endpointID, "billgate refused to send: "+res.Error)
		case res.FailingSince != nil && workflow.Now(ctx).Sub(*res.FailingSince) >= FailingEndpointLimit:
			return true, disable(ctx, endpointID, "every delivery failed for 5 days")
		case in.Last:
			return false, nil
		}
		sleepUnlessHurried(ctx, wake, res.Wait)
	}
	return false, nil
}

func disable(ctx workflow.Context, endpointID uuid.UUID, reason string) error {
	var a *activities.Activities
	return workflow.ExecuteActivity(ctx, a.DisableWebhookEndpoint, activities.DisableEndpointInput{EndpointID: endpointID, Reason: reason}).Get(ctx, nil)
}

// retryDelay is the schedule's wait before try, plus up to a tenth of it
// in jitter, so that the retries of many deliveries failing at once do
// not arrive at once. The jitter is drawn from the delivery and the try,
// which replays the same.
func retryDelay(deliveryID uuid.UUID, try int) time.Duration {
	h := fnv.New64a()
	_, _ = h.Write(binary.BigEndian.AppendUint64(deliveryID[:], uint64(try)))
	base := DeliverySchedule[try]
	return base + time.Duration(h.Sum64()%1000)*base/10000
}

// awaitWake waits up to idle for a wake; it reports whether one came.
func awaitWake(ctx workflow.Context, wake workflow.ReceiveChannel, idle time.Duration) bool {
	woken, _ := wake.ReceiveWithTimeout(ctx, idle, nil)
	return woken
}

// sleepUnlessHurried waits d, or less if a wake asks for a send now.
func sleepUnlessHurried(ctx workflow.Context, wake workflow.ReceiveChannel, d time.Duration) {
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(timerCtx, d)
	for done := false; !done; {
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(workflow.Future) { done = true })
		sel.AddReceive(wake, func(c workflow.ReceiveChannel, _ bool) {
			var w contract.Wake
			c.Receive(ctx, &w)
			done = w.Now
		})
		sel.Select(ctx)
	}
}
