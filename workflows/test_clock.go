package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

const (
	// clockGiveUp bounds an advance: what has not caught up by then is
	// stuck, and the clock says internal_failure, as Stripe's does.
	clockGiveUp = time.Hour
	// clockPollFirst and clockPollMax pace the reads of what still lags.
	clockPollFirst = 250 * time.Millisecond
	clockPollMax   = 5 * time.Second
)

// clockActivityOptions retry database reads and writes until they succeed:
// a change to a clock must finish, however long the database is away.
var clockActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// TestClockWorkflow carries a change to a test clock to every subscription
// and purchase on it, from the database's projections: it tells each one
// that has not followed yet (the advance; for a deletion, a subscription's
// cancel or a purchase's withdrawal), and again at every read while it
// lags, which the workflows take as a no-op once they have; once none lags
// it moves the clock on (ready at the target, or deleted). It stops,
// changing nothing, when the clock no longer takes this change. A crash
// anywhere resumes: every step is in its history, and every step may be
// repeated.
func TestClockWorkflow(ctx workflow.Context, ch contract.TestClockChange) error {
	ctx = workflow.WithActivityOptions(ctx, clockActivityOptions)
	if ch.GiveUpAt.IsZero() {
		ch.GiveUpAt = workflow.Now(ctx).Add(clockGiveUp)
	}
	change := activities.ClockChange{ClockID: ch.ClockID, To: ch.To, Delete: ch.Delete}
	var a *activities.Activities
	for poll := clockPollFirst; ; poll = min(2*poll, clockPollMax) {
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, TestClockWorkflow, ch)
		}
		var progress activities.ClockProgress
		if err := workflow.ExecuteActivity(ctx, a.TestClockProgress, change).Get(ctx, &progress); err != nil {
			return err
		}
		if !progress.Current {
			return nil
		}
		lagging := tellClocked(ctx, ch, progress)
		gaveUp := !ch.Delete && !workflow.Now(ctx).Before(ch.GiveUpAt)
		if lagging == 0 || gaveUp {
			return workflow.ExecuteActivity(ctx, a.FinishClockChange, change, lagging > 0).Get(ctx, nil)
		}
		if err := workflow.Sleep(ctx, poll); err != nil {
			return err
		}
	}
}

// tellClocked tells everything in progress about the change, all at once,
// and counts those still running: a workflow that is gone can never
// follow, so the change does not wait for it.
func tellClocked(ctx workflow.Context, ch contract.TestClockChange, progress activities.ClockProgress) int {
	var told []workflow.Future
	for _, id := range progress.Subscriptions {
		told = append(told, tellSubscription(ctx, ch, contract.SubscriptionWorkflowID(id)))
	}
	for _, id := range progress.Purchases {
		told = append(told, tellPurchase(ctx, ch, contract.PaymentWorkflowID(id)))
	}
	running := 0
	for _, f := range told {
		var gone *temporal.UnknownExternalWorkflowExecutionError
		if err := f.Get(ctx, nil); !errors.As(err, &gone) {
			running++
		}
	}
	return running
}

func tellSubscription(ctx workflow.Context, ch contract.TestClockChange, workflowID string) workflow.Future {
	if ch.Delete {
		return workflow.SignalExternalWorkflow(ctx, workflowID, "", contract.CancelSignal, contract.Cancel{})
	}
	return workflow.SignalExternalWorkflow(ctx, workflowID, "", contract.ClockAdvanceSignal, ch.To)
}

func tellPurchase(ctx workflow.Context, ch contract.TestClockChange, workflowID string) workflow.Future {
	if ch.Delete {
		return workflow.SignalExternalWorkflow(ctx, workflowID, "", contract.WithdrawSignal, contract.Withdraw{Open: true})
	}
	return workflow.SignalExternalWorkflow(ctx, workflowID, "", contract.ClockAdvanceSignal, ch.To)
}
