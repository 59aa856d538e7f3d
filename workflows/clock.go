package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// now is the workflow's time, in UTC like every time billgate stores, and
// in whole seconds like Stripe's, so periods, invoices and the database
// agree to the instant whatever precision each keeps.
func now(ctx workflow.Context) time.Time { return workflow.Now(ctx).UTC().Truncate(time.Second) }

// timerAt is a durable timer that fires at t, or at once when t has passed.
func timerAt(ctx workflow.Context, t time.Time) workflow.Future {
	d := t.Sub(workflow.Now(ctx))
	if d <= 0 {
		f, s := workflow.NewFuture(ctx)
		s.Set(nil, nil)
		return f
	}
	return workflow.NewTimer(ctx, d)
}

// projectOptions run projection writes as local activities: one marker
// event in the history instead of three events and a workflow task, and
// retried until the database takes them (each write is versioned, so a
// retry is harmless).
var projectOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// project writes a projection through the local activity fn.
func project(ctx workflow.Context, fn, in any) {
	ctx = workflow.WithLocalActivityOptions(ctx, projectOptions)
	if err := workflow.ExecuteLocalActivity(ctx, fn, in).Get(ctx, nil); err != nil {
		// Only a canceled workflow gets here; the next projection carries
		// the state anyway.
		workflow.GetLogger(ctx).Warn("projection not written", "error", err)
	}
}
