package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

// purgeLoginThrottlesVersion marks the runs that purge login throttles too,
// so that a run started before it replays without that step.
const purgeLoginThrottlesVersion = "purge-login-throttles"

// purgeSeenSignaturesVersion marks the runs that purge seen signatures too.
const purgeSeenSignaturesVersion = "purge-seen-signatures"

// purgeSessionsActivityOptions run each purge on the subscriptions queue: it
// is database housekeeping, not a gateway call, and that queue's workers
// hold the store. Retries back off to two minutes and ride out about a
// quarter of an hour of database trouble; ScheduleToCloseTimeout also bounds
// time spent waiting for a worker. Either way each purge gives up well
// before the next hourly run, which starts afresh.
var purgeSessionsActivityOptions = workflow.ActivityOptions{
	TaskQueue:              contract.SubscriptionsTaskQueue,
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

// PurgeSessionsWorkflow is the hourly housekeeping: it deletes the sessions
// that died (expired or were revoked) more than the retention ago, then the
// Idempotency-Keys first used more than activities.IdempotencyKeyRetention
// (Stripe's 24 hours) ago, then the failed-login counts of sources quiet for
// activities.LoginThrottleRetention, then the HTTP Signatures remembered
// against replay whose end is activities.SeenSignatureRetention past. The
// schedule PurgeSessionsScheduleID starts it every hour. A purge that fails
// fails the run before the purges after it; the next run does them all.
func PurgeSessionsWorkflow(ctx workflow.Context, in contract.PurgeSessionsWorkflowInput) (contract.PurgeSessionsWorkflowResult, error) {
	ctx = workflow.WithActivityOptions(ctx, purgeSessionsActivityOptions)
	log := workflow.GetLogger(ctx)
	var a *activities.Activities
	var res activities.PurgeSessionsResult
	err := workflow.ExecuteActivity(ctx, a.PurgeSessions, activities.PurgeSessionsInput{Retention: in.Retention}).Get(ctx, &res)
	if err != nil {
		return contract.PurgeSessionsWorkflowResult{}, err
	}
	log.Info("Purged sessions", "purged", res.Purged, "cutoff", res.Cutoff)
	out := contract.PurgeSessionsWorkflowResult{Purged: res.Purged, Cutoff: res.Cutoff}

	var keys activities.PurgeIdempotencyKeysResult
	err = workflow.ExecuteActivity(ctx, a.PurgeIdempotencyKeys, activities.PurgeIdempotencyKeysInput{Retention: activities.IdempotencyKeyRetention}).Get(ctx, &keys)
	if err != nil {
		return contract.PurgeSessionsWorkflowResult{}, err
	}
	log.Info("Purged idempotency keys", "purged", keys.Purged, "cutoff", keys.Cutoff)
	out.IdempotencyKeysPurged, out.IdempotencyKeysCutoff = keys.Purged, keys.Cutoff

	if workflow.GetVersion(ctx, purgeLoginThrottlesVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return out, nil
	}
	var throttles activities.PurgeLoginThrottlesResult
	err = workflow.ExecuteActivity(ctx, a.PurgeLoginThrottles, activities.PurgeLoginThrottlesInput{Retention: activities.LoginThrottleRetention}).Get(ctx, &throttles)
	if err != nil {
		return contract.PurgeSessionsWorkflowResult{}, err
	}
	log.Info("Purged login throttles", "purged", throttles.Purged, "cutoff", throttles.Cutoff)
	out.LoginThrottlesPurged, out.LoginThrottlesCutoff = throttles.Purged, throttles.Cutoff

	if workflow.GetVersion(ctx, purgeSeenSignaturesVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return out, nil
	}
	var signatures activities.PurgeSeenSignaturesResult
	err = workflow.ExecuteActivity(ctx, a.PurgeSeenSignatures, activities.PurgeSeenSignaturesInput{Retention: activities.SeenSignatureRetention}).Get(ctx, &signatures)
	if err != nil {
		return contract.PurgeSessionsWorkflowResult{}, err
	}
	log.Info("Purged seen signatures", "purged", signatures.Purged, "cutoff", signatures.Cutoff)
	out.SeenSignaturesPurged, out.SeenSignaturesCutoff = signatures.Purged, signatures.Cutoff
	return out, nil
}
