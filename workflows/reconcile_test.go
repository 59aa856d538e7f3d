package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/workflows/contract"
)

// One run over one of each: a late success applied, a stale payment whose
// workflow runs (told), one whose workflow is gone (expired) and one whose
// workflow could not be told (looked up and reported), a stale refund run again, a refund report of billgate's own
// refunds (no finding) and one of a refund made at the gateway (recorded);
// the findings are recorded once.
func TestReconcileWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	Register(env)
	tenant, running, gone, unsure, late := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	refund := contract.RefundInput{RefundID: uuid.New(), PaymentID: uuid.New(), Gateway: "sandbox", ChargeReference: "sbx_9",
		Amount: billing.Money{Amount: 100, Currency: "USD"}, Whole: true}
	pending, forgotten := refund, refund
	pending.RefundID, forgotten.RefundID = uuid.New(), uuid.New()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var a *activities.Activities
	env.OnActivity(a.FindReconcilable, mock.Anything, mock.Anything).Return(activities.Reconcilable{
		LateSuccesses: []activities.LateSuccess{{EventID: "stripe/acct/evt_1", Gateway: "stripe/acct", PaymentID: late, Reference: "pi_1"}},
		StalePayments: []activities.StalePayment{{PaymentID: running, TenantID: tenant, Gateway: "sandbox", Reference: "sbx_1"},
			{PaymentID: gone, TenantID: tenant, Gateway: "sandbox", Reference: "sbx_3"},
			{PaymentID: unsure, TenantID: tenant, Gateway: "sandbox", Reference: "sbx_2"}},
		StaleRefunds: []activities.StaleRefund{
			{Input: refund, TenantID: tenant, CreatedAt: start.Add(-2 * time.Hour)},                   // never answered, key fresh: run again
			{Input: pending, TenantID: tenant, Reference: "re_p", CreatedAt: start.AddDate(0, -1, 0)}, // left pending: looked up
			{Input: forgotten, TenantID: tenant, CreatedAt: start.Add(-MaxChargeTime)},                // never answered, key maybe gone: reported
		},
		RefundReports: []activities.RefundReport{{EventID: "stripe/acct/evt_ours", Gateway: "stripe/acct", PaymentID: late},
			{EventID: "stripe/acct/evt_dashboard", Gateway: "stripe/acct", PaymentID: late}},
	}, nil)
	env.OnActivity(a.ApplyRefundReport, mock.Anything, activities.RefundReport{EventID: "stripe/acct/evt_ours", Gateway: "stripe/acct", PaymentID: late}).
		Return(activities.Applied{TenantID: tenant, Action: contract.ActionNone}, nil)
	env.OnActivity(a.ApplyRefundReport, mock.Anything, activities.RefundReport{EventID: "stripe/acct/evt_dashboard", Gateway: "stripe/acct", PaymentID: late}).
		Return(activities.Applied{TenantID: tenant, Action: contract.ActionRecorded, Detail: "refund re_1 recorded"}, nil)
	env.OnActivity(a.ApplyLateSuccess, mock.Anything, mock.Anything).Return(activities.Applied{TenantID: tenant, Action: contract.ActionRefunded, Detail: "refunded"}, nil)
	env.OnSignalExternalWorkflow(mock.Anything, contract.PaymentWorkflowID(running), "", contract.GatewayEventSignal, contract.GatewayEvent{Reference: "sbx_1", Succeeded: true}).Return(nil)
	env.OnSignalExternalWorkflow(mock.Anything, contract.PaymentWorkflowID(gone), "", contract.GatewayEventSignal, mock.Anything).Return(&temporal.UnknownExternalWorkflowExecutionError{})
	env.OnActivity(a.ExpireOrphanedPayment, mock.Anything, activities.StalePayment{PaymentID: gone, TenantID: tenant, Gateway: "sandbox", Reference: "sbx_3"}).
		Return(activities.Applied{TenantID: tenant, Action: contract.ActionExpired, Detail: "charge sbx_3 voided"}, nil)
	env.OnSignalExternalWorkflow(mock.Anything, contract.PaymentWorkflowID(unsure), "", contract.GatewayEventSignal, mock.Anything).Return(errors.New("the server did not answer"))
	env.OnActivity(a.LookupCharge, mock.Anything, activities.LookupInput{Gateway: "sandbox", Reference: "sbx_2"}).Return(activities.LookupResult{Status: gateways.Succeeded}, nil)
	env.OnWorkflow(contract.RefundWorkflowType, mock.Anything, refund).Return(contract.RefundState{Status: contract.RefundSucceeded}, nil)
	env.OnActivity(a.LookupRefund, mock.Anything, activities.LookupRefundInput{Gateway: "sandbox", Reference: "re_p"}).
		Return(activities.RefundResult{Status: contract.RefundSucceeded, Reference: "re_p"}, nil)
	var settled []activities.SettleRefundInput
	env.OnActivity(a.SettleRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SettleRefundInput) error {
		settled = append(settled, in)
		return nil
	})
	var recorded []contract.Finding
	env.OnActivity(a.RecordFindings, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordFindingsInput) error {
		recorded = append(recorded, in.Findings...)
		return nil
	})
	env.ExecuteWorkflow(ReconcileWorkflow, contract.ReconcileInput{})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	want := []struct{ kind, action string }{
		{contract.FindingLateSuccess, contract.ActionRefunded},
		{contract.FindingStalePayment, contract.ActionSignalled},
		{contract.FindingStalePayment, contract.ActionExpired},
		{contract.FindingStalePayment, contract.ActionReported},
		{contract.FindingStaleRefund, contract.ActionRestarted},
		{contract.FindingStaleRefund, contract.ActionSettled},
		{contract.FindingStaleRefund, contract.ActionReported},
		{contract.FindingGatewayRefund, contract.ActionRecorded},
	}
	if len(recorded) != len(want) {
		t.Fatalf("recorded %+v, want %d findings", recorded, len(want))
	}
	ids := map[uuid.UUID]bool{}
	for i, w := range want {
		f := recorded[i]
		if f.Kind != w.kind || f.Action != w.action || f.TenantID == nil || *f.TenantID != tenant || ids[f.ID] {
			t.Errorf("finding %d = %+v, want %s %s of the tenant, its own ID", i, f, w.kind, w.action)
		}
		ids[f.ID] = true
	}
	if recorded[3].Detail != "its workflow could not be told (the server did not answer); charge sbx_2 is succeeded" {
		t.Errorf("the unsure payment's finding says %q", recorded[3].Detail)
	}
	if len(settled) != 1 || settled[0].RefundID != pending.RefundID || settled[0].State.Status != contract.RefundSucceeded {
		t.Errorf("settled %+v, want the pending refund, succeeded", settled)
	}
	var res contract.ReconcileResult
	if f := recorded[7]; f.EventID != "stripe/acct/evt_dashboard" || f.Detail != "refund re_1 recorded" {
		t.Errorf("the gateway refund's finding = %+v", f)
	}
	if err := env.GetWorkflowResult(&res); err != nil || res.Findings != 8 {
		t.Errorf("result = %+v, %v", res, err)
	}
}
