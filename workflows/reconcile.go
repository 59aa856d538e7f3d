package workflows

import (
	"errors"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

// reconcileActivityOptions: a run's store work and gateway calls are
// retried for a while, and give up well before the next run.
var reconcileActivityOptions = workflow.ActivityOptions{
	TaskQueue:              contract.PaymentsTaskQueue,
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: 5 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        30 * time.Second,
		NonRetryableErrorTypes: []string{activities.ErrTypeGatewayPermanent},
	},
}

// ReconcileWorkflow is the janitor (Kill Bill's model): the schedule
// ReconcileScheduleID runs it every few minutes. It finds where billgate
// and the gateways may disagree and settles it:
//   - a charge success a gateway reported that reached no running payment
//     is given to the payment if it runs again, or else looked up, and
//     refunded when its payment is closed: no money stays moved without an
//     invoice that asks for it;
//   - a payment still pending past its approval window is asked to look
//     its charge up; one whose workflow is gone is expired, its charge
//     voided, or refunded when the payer approved it (no invoice asks for
//     it any more);
//   - a refund the gateway left pending is looked up and settled; one it
//     never answered is run again under its own key while the gateway
//     keeps keys, and reported after;
//   - a refund a gateway reported of a paid payment's charge that billgate
//     did not make (in the gateway's dashboard, say) is recorded with its
//     credit note.
//
// What it found and did is kept, for GET /v1/reconciliation.
func ReconcileWorkflow(ctx workflow.Context, in contract.ReconcileInput) (contract.ReconcileResult, error) {
	ctx = workflow.WithActivityOptions(ctx, reconcileActivityOptions)
	var a *activities.Activities
	var todo activities.Reconcilable
	if err := workflow.ExecuteActivity(ctx, a.FindReconcilable, activities.FindReconcilableInput{Now: workflow.Now(ctx), EventAge: in.EventAge, PendingAge: in.PendingAge}).Get(ctx, &todo); err != nil {
		return contract.ReconcileResult{}, err
	}
	r := &reconciler{run: workflow.GetInfo(ctx).WorkflowExecution.RunID}
	for _, e := range todo.LateSuccesses {
		r.lateSuccess(ctx, e)
	}
	for _, p := range todo.StalePayments {
		r.stalePayment(ctx, p)
	}
	for _, refund := range todo.StaleRefunds {
		r.staleRefund(ctx, refund)
	}
	if workflow.GetVersion(ctx, recordGatewayRefunds, workflow.DefaultVersion, 1) == 1 {
		for _, report := range todo.RefundReports {
			r.refundReport(ctx, report)
		}
	}
	if err := workflow.ExecuteActivity(ctx, a.RecordFindings, activities.RecordFindingsInput{Findings: r.found}).Get(ctx, nil); err != nil {
		return contract.ReconcileResult{}, err
	}
	return contract.ReconcileResult{Findings: len(r.found)}, nil
}

// recordGatewayRefunds is the patch that added the refund reports: runs
// begun before it (minutes long) never act on them.
const recordGatewayRefunds = "record-gateway-refunds"

type reconciler struct {
	run   string
	found []contract.Finding
}

// note keeps a finding under an ID derived from the run, so a retried
// record keeps each once.
func (r *reconciler) note(ctx workflow.Context, f contract.Finding) {
	owner := uuid.NewSHA1(uuid.NameSpaceURL, []byte(contract.ReconcileScheduleID+"/"+r.run))
	f.ID, f.RunID, f.At = contract.DerivedID(workflow.Now(ctx), owner, int64(len(r.found))), r.run, workflow.Now(ctx)
	r.found = append(r.found, f)
}

// tell signals a payment's workflow that its charge may have changed; an
// error when it could not, an UnknownExternalWorkflowExecutionError when
// no such workflow runs.
func tell(ctx workflow.Context, payment uuid.UUID, reference string) error {
	ev := contract.GatewayEvent{Reference: reference, Succeeded: true}
	return workflow.SignalExternalWorkflow(ctx, contract.PaymentWorkflowID(payment), "", contract.GatewayEventSignal, ev).Get(ctx, nil)
}

// expireOrphanedPayments is the patch that settles a stale payment whose
// workflow is gone, instead of only reporting it.
const expireOrphanedPayments = "expire-orphaned-payments"

func (r *reconciler) lateSuccess(ctx workflow.Context, e activities.LateSuccess) {
	f := contract.Finding{Kind: contract.FindingLateSuccess, PaymentID: &e.PaymentID, EventID: e.EventID, Gateway: e.Gateway}
	var a *activities.Activities
	var res activities.Applied
	err := workflow.ExecuteActivity(ctx, a.ApplyLateSuccess, e).Get(ctx, &res)
	switch {
	case err != nil:
		f.Action, f.Detail = contract.ActionReported, "could not be settled this run: "+err.Error()
	default:
		f.TenantID, f.Action, f.Detail = &res.TenantID, res.Action, res.Detail
	}
	r.note(ctx, f)
}

// refundReport records the refunds made at the gateway that a report
// speaks of; a report of billgate's own refunds is no finding.
func (r *reconciler) refundReport(ctx workflow.Context, e activities.RefundReport) {
	f := contract.Finding{Kind: contract.FindingGatewayRefund, PaymentID: &e.PaymentID, EventID: e.EventID, Gateway: e.Gateway}
	var a *activities.Activities
	var res activities.Applied
	switch err := workflow.ExecuteActivity(ctx, a.ApplyRefundReport, e).Get(ctx, &res); {
	case err != nil:
		f.Action, f.Detail = contract.ActionReported, "could not be settled this run: "+err.Error()
	case res.Action == contract.ActionNone:
		return
	default:
		f.TenantID, f.Action, f.Detail = &res.TenantID, res.Action, res.Detail
	}
	r.note(ctx, f)
}

func (r *reconciler) stalePayment(ctx workflow.Context, p activities.StalePayment) {
	f := contract.Finding{Kind: contract.FindingStalePayment, TenantID: &p.TenantID, PaymentID: &p.PaymentID, Gateway: p.Gateway}
	if p.Reference == "" {
		f.Action, f.Detail = contract.ActionReported, "pending with no charge made"
		r.note(ctx, f)
		return
	}
	err := tell(ctx, p.PaymentID, p.Reference)
	var gone *temporal.UnknownExternalWorkflowExecutionError
	var a *activities.Activities
	switch {
	case err == nil:
		f.Action, f.Detail = contract.ActionSignalled, "asked the payment to look charge "+p.Reference+" up"
	case errors.As(err, &gone) && workflow.GetVersion(ctx, expireOrphanedPayments, workflow.DefaultVersion, 1) == 1:
		var res activities.Applied
		if err := workflow.ExecuteActivity(ctx, a.ExpireOrphanedPayment, p).Get(ctx, &res); err != nil {
			f.Action, f.Detail = contract.ActionReported, "its workflow is gone; charge "+p.Reference+" could not be settled this run: "+err.Error()
			break
		}
		f.Action, f.Detail = res.Action, res.Detail
	default:
		// Runs begun before the patch, and a payment that could not be
		// told for another reason: the charge is reported as it stands.
		var charge activities.LookupResult
		lookup := workflow.ExecuteActivity(ctx, a.LookupCharge, activities.LookupInput{Gateway: p.Gateway, Reference: p.Reference}).Get(ctx, &charge)
		f.Action, f.Detail = contract.ActionReported, "its workflow could not be told ("+err.Error()+"); charge "+p.Reference+" is "+string(charge.Status)
		if lookup != nil {
			f.Detail = "its workflow could not be told (" + err.Error() + "); charge " + p.Reference + " could not be looked up: " + lookup.Error()
		}
	}
	r.note(ctx, f)
}

func (r *reconciler) staleRefund(ctx workflow.Context, refund activities.StaleRefund) {
	in := refund.Input
	f := contract.Finding{Kind: contract.FindingStaleRefund, TenantID: &refund.TenantID, RefundID: &in.RefundID, PaymentID: &in.PaymentID, Gateway: in.Gateway}
	switch {
	case refund.Reference != "":
		if settled, detail := settleFromGateway(ctx, in, refund.Reference); settled {
			f.Action, f.Detail = contract.ActionSettled, detail
			r.note(ctx, f)
		}
	case workflow.Now(ctx).Sub(refund.CreatedAt) < MaxChargeTime:
		child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            contract.RefundWorkflowID(in.RefundID),
			TaskQueue:             contract.SubscriptionsTaskQueue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		})
		var started workflow.Execution
		if err := workflow.ExecuteChildWorkflow(child, contract.RefundWorkflowType, in).GetChildWorkflowExecution().Get(ctx, &started); err != nil {
			return // its workflow still runs: nothing to do
		}
		f.Action, f.Detail = contract.ActionRestarted, "its workflow had ended with the refund pending; run again under the same key"
		r.note(ctx, f)
	default:
		// The gateway never answered, and may have forgotten the key: asking
		// again could refund twice.
		f.Action, f.Detail = contract.ActionReported, "the gateway never answered this refund, and its key may be forgotten: check the gateway's refunds"
		r.note(ctx, f)
	}
}

// settleFromGateway looks a pending refund up and settles it when the
// gateway has decided; false while it is still pending or cannot tell.
func settleFromGateway(ctx workflow.Context, in contract.RefundInput, reference string) (bool, string) {
	var a *activities.Activities
	var res activities.RefundResult
	if err := workflow.ExecuteActivity(ctx, a.LookupRefund, activities.LookupRefundInput{Gateway: in.Gateway, Reference: reference}).Get(ctx, &res); err != nil || res.Status == contract.RefundPending {
		return false, ""
	}
	st := contract.RefundState{Status: res.Status, GatewayReference: reference, FailureReason: res.FailureReason, SettledAt: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(ctx, a.SettleRefund, activities.SettleRefundInput{RefundID: in.RefundID, State: st}).Get(ctx, nil); err != nil {
		return false, ""
	}
	return true, "the gateway settled refund " + reference + ": " + string(res.Status)
}
