package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
)

// PurgeSessionsScheduleID names the Temporal Schedule that runs
// PurgeSessionsWorkflow; the workflows it starts have IDs beginning with it.
const PurgeSessionsScheduleID = "billgate-purge-sessions"

// PurgeSessionsWorkflowInput configures one purge.
type PurgeSessionsWorkflowInput struct {
	// Retention keeps dead sessions this long; zero means the activity's
	// default (activities.DefaultSessionRetention).
	Retention time.Duration
}

// PurgeSessionsWorkflowResult reports what one purge deleted.
type PurgeSessionsWorkflowResult struct {
	// Purged counts the sessions deleted.
	Purged int64
	// Cutoff is the time before which dead sessions were deleted.
	Cutoff time.Time
}

// purgeSessionsActivityOptions run the purge on the subscriptions queue: it
// is database housekeeping, not a gateway call, and that queue's workers
// hold the store. Retries back off to two minutes and ride out about a
// quarter of an hour of database trouble; ScheduleToCloseTimeout also bounds
// time spent waiting for a worker. Either way the run gives up well before
// the next hourly one, which starts afresh.
var purgeSessionsActivityOptions = workflow.ActivityOptions{
	TaskQueue:              SubscriptionsTaskQueue,
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: 30 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    5 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    2 * time.Minute,
		MaximumAttempts:    purgeSessionsMaxAttempts,
	},
}

const purgeSessionsMaxAttempts = 12

// PurgeSessionsWorkflow deletes the sessions that died (expired or were
// revoked) more than the retention ago. The schedule
// PurgeSessionsScheduleID starts it every hour.
func PurgeSessionsWorkflow(ctx workflow.Context, in PurgeSessionsWorkflowInput) (PurgeSessionsWorkflowResult, error) {
	ctx = workflow.WithActivityOptions(ctx, purgeSessionsActivityOptions)
	var a *activities.Activities
	var res activities.PurgeSessionsResult
	err := workflow.ExecuteActivity(ctx, a.PurgeSessions, activities.PurgeSessionsInput{Retention: in.Retention}).Get(ctx, &res)
	if err != nil {
		return PurgeSessionsWorkflowResult{}, err
	}
	workflow.GetLogger(ctx).Info("Purged sessions", "purged", res.Purged, "cutoff", res.Cutoff)
	return PurgeSessionsWorkflowResult{Purged: res.Purged, Cutoff: res.Cutoff}, nil
}
