package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// Issue 10, hole 2: a withdrawal that reaches a payment in the same
// workflow task as its retry timer stops it before it charges again. No
// worker runs while the timer fires and the withdrawal arrives, so the
// next workflow task holds both, the timer first.
func TestWithdrawalAtTheRetryTimeIsNotCharged(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{Queues: []string{"payments", "events"}})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	workflowWorker := env.StartWorkers("subscriptions")

	in := paymentInput(t, env, sandbox.TokenDecline, billing.DunningSchedule{3 * time.Second})
	run := startPayment(ctx, t, env, in)
	state := waitForPayment(ctx, t, env, run, "the first decline", func(st contract.PaymentState) bool { return st.Status == contract.PaymentRetrying })
	workflowWorker.Stop()
	time.Sleep(time.Until(state.NextAttemptAt) + 2*time.Second)
	if err := env.Temporal.SignalWorkflow(ctx, run.GetID(), "", contract.WithdrawSignal, contract.Withdraw{Open: true}); err != nil {
		t.Fatal(err)
	}
	env.StartWorkers("subscriptions")

	var result contract.PaymentState
	if err := run.Get(ctx, &result); err != nil || result.Status != contract.PaymentCanceled || result.Attempts != 1 {
		t.Errorf("payment withdrawn at its retry time = %+v, %v; want canceled after 1 attempt", result, err)
	}
	ledger := callList(t, env, "/v1/sandbox/ledger", admin...)
	if len(ledger.results) != 1 {
		t.Errorf("ledger = %v, want the first attempt only", ledger.results)
	}
}

// Issue 10, hole 9: an operator's Reset replays a workflow from an earlier
// point, and its projection versions with it. They must still outrank what
// the old run wrote, or the database freezes at the old run's last state.
func TestProjectionsGoOnAfterAReset(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in := paymentInput(t, env, sandbox.TokenDecline, billing.DunningSchedule{time.Hour, 2 * time.Hour})
	run := startPayment(ctx, t, env, in)
	projected := func(status string, attempts int) func() bool {
		return func() bool {
			p, err := env.Store().PaymentByID(ctx, in.PaymentID)
			return err == nil && p.Status == status && len(p.Attempts) == attempts
		}
	}
	waitFor(t, "the first decline", projected("retrying", 1))
	resetPoint := lastCompletedTask(t, env, run.GetID())
	if err := env.Temporal.SignalWorkflow(ctx, run.GetID(), "", contract.RetryNowSignal, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second decline", projected("retrying", 2))

	_, err := env.Temporal.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 env.Namespace(),
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: run.GetID()},
		Reason:                    "operator rewinds past the retry",
		WorkflowTaskFinishEventId: resetPoint,
		RequestId:                 uuid.NewString(),
		ResetReapplyExcludeTypes:  []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Temporal.SignalWorkflow(ctx, run.GetID(), "", contract.WithdrawSignal, contract.Withdraw{Open: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reset run's withdrawal in the database", projected("canceled", 1))
}

// lastCompletedTask is the ID of the last WorkflowTaskCompleted event in
// the workflow's history: a point to reset to.
func lastCompletedTask(t *testing.T, env *testenv.Env, workflowID string) int64 {
	t.Helper()
	var last int64
	it := env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			last = e.GetEventId()
		}
	}
	return last
}

// Issue 10, hole 11: the first invoice is in the database when the create
// answers, also while no charge can run (no worker serves the gateways'
// queue here), so the 201's latestInvoiceId is never a 404.
func TestTheFirstInvoiceIsReadableBeforeItsCharge(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{Queues: []string{"subscriptions", "events"}})
	created := s.subscribe(t, s.monthly, "sandbox_ok")
	if created.Status != 201 || created.Result["latestInvoiceId"] == nil {
		t.Fatalf("subscribe = %d %+v %v, want 201 with an invoice", created.Status, created.Errors, created.Result)
	}
	invoice := call(t, s.env, "GET", "/v1/invoices/"+created.Result["latestInvoiceId"].(string), "", s.bob...)
	if invoice.Status != 200 || invoice.Result["status"] != "open" || invoice.Result["amountDue"] != float64(3000) {
		t.Fatalf("the first invoice = %d %+v %v, want it open for 3000", invoice.Status, invoice.Errors, invoice.Result)
	}
	payment := call(t, s.env, "GET", "/v1/payments/"+invoice.Result["paymentId"].(string), "", s.bob...)
	if payment.Status != 200 || payment.Result["status"] != "pending" {
		t.Errorf("its payment = %d %+v %v, want pending", payment.Status, payment.Errors, payment.Result)
	}
}

// Issue 10, hole 1: a create whose answer is lost after its workflow
// started is retried under the same Idempotency-Key, and the retry gets
// that subscription: never a second one, and never a replayed 503. Here
// no worker runs the workflows while the create waits, and the link to
// Temporal is cut, so billgate cannot tell whether it started.
func TestARetriedCreateGetsTheSubscriptionItStarted(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{Queues: []string{"payments", "events"}, Partitionable: true})
	cut := time.AfterFunc(2*time.Second, s.env.CutTemporal)
	defer cut.Stop()
	lost := s.subscribe(t, s.monthly, "sandbox_ok", "Idempotency-Key", "lost-answer")
	lost.is(t, "a create whose outcome is unknown", 503, "OUTCOME_UNKNOWN",
		"a dependency is unavailable and the change may have been applied; retry with the same Idempotency-Key to learn its outcome")
	s.env.RestoreTemporal()
	s.env.StartWorkers("subscriptions")
	waitFor(t, "billgate and its workers to reach Temporal again", func() bool { return s.env.Get("/readyz").StatusCode == 200 })

	again := s.subscribe(t, s.monthly, "sandbox_ok", "Idempotency-Key", "lost-answer")
	if again.Status != 201 || again.Result["id"] == nil {
		t.Fatalf("the retry = %d %+v %v, want 201 with the subscription", again.Status, again.Errors, again.Result)
	}
	subs := callList(t, s.env, "/v1/subscriptions", s.bob...)
	if len(subs.results) != 1 || subs.results[0]["id"] != again.Result["id"] {
		t.Errorf("bob's subscriptions = %v, want the retry's only", subs.results)
	}
	s.waitStatus(t, "/v1/subscriptions/"+again.Result["id"].(string), "active")
	if ledger := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(ledger.results) != 1 {
		t.Errorf("ledger = %v, want one charge", ledger.results)
	}
}
