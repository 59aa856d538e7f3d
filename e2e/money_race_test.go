package e2e

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows"
)

// Issue 10, hole 2: a withdrawal that reaches a payment in the same
// workflow task as its retry timer stops it before it charges again. No
// worker runs while the timer fires and the withdrawal arrives, so the
// next workflow task holds both, the timer first.
func TestWithdrawalAtTheRetryTimeIsNotCharged(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Queues: []string{"payments", "events"}})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	workflowWorker := env.StartWorkers("subscriptions")

	in := paymentInput(t, env, sandbox.TokenDecline, billing.DunningSchedule{3 * time.Second})
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.PaymentWorkflowID(in.PaymentID), TaskQueue: workflows.SubscriptionsTaskQueue},
		workflows.PaymentWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	var state workflows.PaymentState
	waitFor(t, "the first decline", func() bool {
		v, err := env.Temporal.QueryWorkflow(ctx, run.GetID(), "", workflows.PaymentStateQuery)
		return err == nil && v.Get(&state) == nil && state.Status == workflows.PaymentRetrying
	})
	workflowWorker.Stop()
	time.Sleep(time.Until(state.NextAttemptAt) + 2*time.Second)
	if err := env.Temporal.SignalWorkflow(ctx, run.GetID(), "", workflows.WithdrawSignal, workflows.Withdraw{Open: true}); err != nil {
		t.Fatal(err)
	}
	env.StartWorkers("subscriptions")

	var result workflows.PaymentState
	if err := run.Get(ctx, &result); err != nil || result.Status != workflows.PaymentCanceled || result.Attempts != 1 {
		t.Errorf("payment withdrawn at its retry time = %+v, %v; want canceled after 1 attempt", result, err)
	}
	ledger := callList(t, env, "/v1/sandbox/ledger", admin...)
	if len(ledger.results) != 1 {
		t.Errorf("ledger = %v, want the first attempt only", ledger.results)
	}
}
