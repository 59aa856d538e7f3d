package workflows

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/workflows/contract"
)

// Issue 10, hole 3: a payment that ends without its pending charge voids
// it, so that the payer can no longer approve it and no money arrives for
// a closed invoice; a charge that succeeded first is applied (an expired
// payment) or refunded (a withdrawn invoice).

// asyncPayment is a sandbox_async payment with a two-hour approval window
// and no retries.
func asyncPayment() contract.PaymentInput {
	in := paymentInput(sandbox.TokenAsync)
	in.ApprovalWindow, in.Dunning = 2*time.Hour, billing.DunningSchedule{}
	return in
}

// theCharge is the one charge in the ledger.
func theCharge(t *testing.T, ledger *sandbox.MemoryLedger) sandbox.Charge {
	t.Helper()
	charges, _ := ledger.Charges(context.Background())
	if len(charges) != 1 {
		t.Fatalf("ledger = %+v, want one charge", charges)
	}
	return charges[0]
}

// lastAttempt is the last attempt the database has.
func (p *projections) lastAttempt(t *testing.T) contract.Attempt {
	t.Helper()
	last := p.lastPayment()
	if len(last.AttemptLog) == 0 {
		t.Fatalf("projection %+v has no attempt", last)
	}
	return last.AttemptLog[len(last.AttemptLog)-1]
}

// An approval window that passes voids the charge: the payer can no longer
// approve it.
func TestPaymentExpiryVoidsThePendingCharge(t *testing.T) {
	env, ledger, proj := newPaymentEnv(t)
	env.ExecuteWorkflow(PaymentWorkflow, asyncPayment())
	if got := finalState(t, env); got.Status != contract.PaymentExpired {
		t.Errorf("payment = %+v, want expired", got)
	}
	key := testPaymentID.String() + "/1"
	if c := theCharge(t, ledger); c.Status != gateways.Voided || c.VoidKey != gateways.VoidKey(key) {
		t.Errorf("charge = %+v, want voided under %s", c, gateways.VoidKey(key))
	}
	if _, err := ledger.Resolve(context.Background(), theCharge(t, ledger).Reference, gateways.Succeeded, "", time.Now()); !errors.Is(err, sandbox.ErrAlreadyDecided) {
		t.Errorf("approving after the window = %v, want ErrAlreadyDecided", err)
	}
	if a, last := proj.lastAttempt(t), proj.lastPayment(); a.Status != "voided" || last.Status != contract.PaymentExpired || last.ApprovalURL != "" {
		t.Errorf("projection = %s, attempt %+v, approval URL %q; want expired, the attempt voided, no approval URL", last.Status, a, last.ApprovalURL)
	}
}

// An approval whose webhook has not come when the window closes pays: the
// void finds the charge succeeded, and the invoice is still owed.
func TestPaymentApprovedAsItExpiresIsPaid(t *testing.T) {
	env, ledger, proj := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() { decide(t, ledger, queryPayment(t, env).Reference, true) }, time.Hour)
	env.ExecuteWorkflow(PaymentWorkflow, asyncPayment())
	if got := finalState(t, env); got.Status != contract.PaymentPaid || got.PaidAt.IsZero() {
		t.Errorf("payment = %+v, want paid", got)
	}
	if c := theCharge(t, ledger); c.Status != gateways.Succeeded || c.VoidKey != "" || c.RefundKey != "" {
		t.Errorf("charge = %+v, want succeeded, neither voided nor refunded", c)
	}
	if a := proj.lastAttempt(t); a.Status != "succeeded" {
		t.Errorf("attempt = %+v, want succeeded", a)
	}
}

// A decline whose webhook has not come when the window closes is recorded.
func TestPaymentDeclinedAsItExpiresRecordsTheDecline(t *testing.T) {
	env, ledger, proj := newPaymentEnv(t)
	env.RegisterDelayedCallback(func() { decide(t, ledger, queryPayment(t, env).Reference, false) }, time.Hour)
	env.ExecuteWorkflow(PaymentWorkflow, asyncPayment())
	if got := finalState(t, env); got.Status != contract.PaymentExpired || got.DeclineCode != gateways.CodeApprovalDeclined {
		t.Errorf("payment = %+v, want expired, declined by the payer", got)
	}
	if a := proj.lastAttempt(t); a.Status != "declined" || a.DeclineCode != gateways.CodeApprovalDeclined {
		t.Errorf("attempt = %+v, want declined", a)
	}
}

// A payment withdrawn while its charge awaits approval voids the charge;
// one the payer approved first is refunded, once, even when the answer to
// the refund is lost and the refund is retried.
func TestPaymentWithdrawnAwaitingApprovalSettlesTheCharge(t *testing.T) {
	for _, approvedFirst := range []bool{false, true} {
		env, ledger, proj := newPaymentEnv(t)
		calls := loseFirstAnswer(t, env, ledger)
		env.RegisterDelayedCallback(func() {
			if approvedFirst {
				decide(t, ledger, queryPayment(t, env).Reference, true)
			}
			env.SignalWorkflow(contract.WithdrawSignal, contract.Withdraw{Open: true})
		}, time.Hour)
		env.ExecuteWorkflow(PaymentWorkflow, asyncPayment())
		if got := finalState(t, env); got.Status != contract.PaymentCanceled {
			t.Errorf("approved first %v: payment = %+v, want canceled", approvedFirst, got)
		}
		c, a := theCharge(t, ledger), proj.lastAttempt(t)
		key := testPaymentID.String() + "/1"
		switch {
		case !approvedFirst && (c.Status != gateways.Voided || c.VoidKey != gateways.VoidKey(key) || a.Status != "voided"):
			t.Errorf("withdrawn: charge %+v, attempt %+v; want both voided", c, a)
		case approvedFirst && (c.RefundKey != gateways.RefundKey(key) || a.Status != "refunded" || a.RefundReference != c.RefundReference):
			t.Errorf("approved, then withdrawn: charge %+v, attempt %+v; want both refunded", c, a)
		}
		if voids, refunds := calls(); voids != 2 || refunds != map[bool]int32{false: 0, true: 2}[approvedFirst] {
			t.Errorf("approved first %v: %d voids, %d refunds; want each retried once after its lost answer", approvedFirst, voids, refunds)
		}
	}
}

// A cancel that comes while the charge runs, and the charge succeeds:
// the invoice was withdrawn, so the charge is refunded, once.
func TestPaymentWithdrawnWhileChargingIsRefunded(t *testing.T) {
	env, ledger, proj := newPaymentEnv(t)
	real := sandboxActivities(t, ledger)
	var a *activities.Activities
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.ChargeInput) (activities.ChargeResult, error) {
		env.SignalWorkflow(contract.WithdrawSignal, contract.Withdraw{Open: true})
		return real.Charge(ctx, in)
	})
	calls := loseFirstAnswer(t, env, ledger)
	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenOK))
	if got := finalState(t, env); got.Status != contract.PaymentCanceled {
		t.Errorf("payment = %+v, want canceled", got)
	}
	if _, refunds := calls(); refunds != 2 {
		t.Errorf("%d refund calls, want the lost one and its retry", refunds)
	}
	c, attempt := theCharge(t, ledger), proj.lastAttempt(t)
	if c.Status != gateways.Succeeded || c.RefundKey != gateways.RefundKey(testPaymentID.String()+"/1") || attempt.Status != "refunded" || attempt.RefundReference != c.RefundReference {
		t.Errorf("charge %+v, attempt %+v; want the charge refunded, once, and the attempt saying so", c, attempt)
	}
}

// A withdrawal that only stops drafts (a cancel at period end) does not
// refund a charge that ran meanwhile: the period is paid.
func TestPaymentWithdrawnForDraftsWhileChargingIsPaid(t *testing.T) {
	env, ledger, _ := newPaymentEnv(t)
	real := sandboxActivities(t, ledger)
	var a *activities.Activities
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.ChargeInput) (activities.ChargeResult, error) {
		env.SignalWorkflow(contract.WithdrawSignal, contract.Withdraw{})
		return real.Charge(ctx, in)
	})
	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenOK))
	if got := finalState(t, env); got.Status != contract.PaymentPaid {
		t.Errorf("payment = %+v, want paid", got)
	}
	if c := theCharge(t, ledger); c.RefundKey != "" {
		t.Errorf("charge = %+v, want it kept", c)
	}
}

// loseFirstAnswer makes the first void and the first refund reach the
// sandbox but lose their answer (a timeout), so the activity is retried
// with the same key; later calls are the real ones. calls counts them.
func loseFirstAnswer(t *testing.T, env *testsuite.TestWorkflowEnvironment, ledger *sandbox.MemoryLedger) (calls func() (voids, refunds int32)) {
	t.Helper()
	real := sandboxActivities(t, ledger)
	lost := gateways.Transient(sandbox.Name, errors.New("timeout: the answer was lost"))
	var voids, refunds atomic.Int32 // activities run on their own goroutines
	var a *activities.Activities
	env.OnActivity(a.VoidCharge, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.SettleInput) (activities.LookupResult, error) {
		res, err := real.VoidCharge(ctx, in)
		if voids.Add(1) == 1 {
			return activities.LookupResult{}, lost
		}
		return res, err
	}).Maybe()
	env.OnActivity(a.RefundCharge, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.SettleInput) (string, error) {
		res, err := real.RefundCharge(ctx, in)
		if refunds.Add(1) == 1 {
			return "", lost
		}
		return res, err
	}).Maybe()
	return func() (int32, int32) { return voids.Load(), refunds.Load() }
}
