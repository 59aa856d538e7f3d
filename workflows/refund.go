package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// refundLookupBackoff spaces the lookups of a refund the gateway left
// pending: from a minute, doubling, to a day at most.
const (
	firstRefundLookup = time.Minute
	lastRefundLookup  = 24 * time.Hour
)

// MaxRefundWait bounds how long a pending refund is looked after; past it
// the refund stays pending for the reconciliation.
const MaxRefundWait = 90 * 24 * time.Hour

// RefundWorkflow returns money of a paid payment: it asks the gateway once
// under the refund's own idempotency key (its ID), then settles the
// refund with the answer, looking a pending one up until the gateway
// decides. A success credits the invoice.
func RefundWorkflow(ctx workflow.Context, in contract.RefundInput) (contract.RefundState, error) {
	opts := chargeOptions
	opts.ScheduleToCloseTimeout = MaxChargeTime
	ctx = workflow.WithActivityOptions(ctx, opts)
	var a *activities.Activities
	amount := in.Amount
	if in.Whole {
		amount = billing.Money{} // the whole charge, which every gateway takes
	}
	var res activities.RefundResult
	err := workflow.ExecuteActivity(ctx, a.IssueRefund, activities.RefundInput{
		Gateway: in.Gateway, Reference: in.ChargeReference, IdempotencyKey: in.RefundID.String(), Amount: amount,
	}).Get(ctx, &res)
	if reason, refused := refusal(err); refused {
		res = activities.RefundResult{Status: contract.RefundFailed, FailureReason: reason}
	} else if err != nil {
		// No answer within the key's lifetime: the refund may have been
		// made. It stays pending for the reconciliation to look up.
		workflow.GetLogger(ctx).Error("the gateway did not answer the refund", "refundId", in.RefundID, "error", err)
		return contract.RefundState{Status: contract.RefundPending}, nil
	}
	storeCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute}})
	if res.Status == contract.RefundPending && res.Reference != "" {
		// Kept, so that the reconciliation looks it up rather than ask
		// again under a key the gateway may have forgotten.
		note := activities.NotePendingRefundInput{RefundID: in.RefundID, Reference: res.Reference}
		if err := workflow.ExecuteActivity(storeCtx, a.NotePendingRefund, note).Get(ctx, nil); err != nil {
			return contract.RefundState{Status: contract.RefundPending}, err
		}
	}
	res = awaitRefund(ctx, in, res)
	st := contract.RefundState{Status: res.Status, GatewayReference: res.Reference, FailureReason: res.FailureReason, SettledAt: workflow.Now(ctx)}
	if st.Status == contract.RefundPending {
		return st, nil // for the reconciliation
	}
	err = workflow.ExecuteActivity(storeCtx, a.SettleRefund, activities.SettleRefundInput{RefundID: in.RefundID, State: st}).Get(ctx, nil)
	return st, err
}

// awaitRefund looks a pending refund up until the gateway decides, the
// gateway cannot be asked, or MaxRefundWait has passed.
func awaitRefund(ctx workflow.Context, in contract.RefundInput, res activities.RefundResult) activities.RefundResult {
	var a *activities.Activities
	deadline := workflow.Now(ctx).Add(MaxRefundWait)
	for wait := firstRefundLookup; res.Status == contract.RefundPending && workflow.Now(ctx).Before(deadline); wait = min(2*wait, lastRefundLookup) {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return res
		}
		var now activities.RefundResult
		err := workflow.ExecuteActivity(ctx, a.LookupRefund, activities.LookupRefundInput{Gateway: in.Gateway, Reference: res.Reference}).Get(ctx, &now)
		var appErr *temporal.ApplicationError
		switch {
		case errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeNoRefundLookup:
			return res
		case err == nil:
			res = now
		}
	}
	return res
}

// refusal reports whether err is the gateway refusing for good, with its
// message, as opposed to a failure the retries gave up on.
func refusal(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeGatewayPermanent {
		return appErr.Message(), true
	}
	return "", false
}
