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
	"github.com/billgate/billgate/workflows/contract"
)

// refundGateway answers IssueRefund with issued (or refuses with
// refusal), and each LookupRefund with the next of lookups.
type refundGateway struct {
	issued  activities.RefundResult
	refusal string
	lookups []activities.RefundResult
	noLook  bool

	asked   []activities.RefundInput
	looked  []time.Time
	noted   []activities.NotePendingRefundInput
	settled []activities.SettleRefundInput
}

func (g *refundGateway) register(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	env.OnActivity(a.IssueRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RefundInput) (activities.RefundResult, error) {
		g.asked = append(g.asked, in)
		if g.refusal != "" {
			return activities.RefundResult{}, temporal.NewNonRetryableApplicationError(g.refusal, activities.ErrTypeGatewayPermanent, nil)
		}
		return g.issued, nil
	})
	env.OnActivity(a.LookupRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.LookupRefundInput) (activities.RefundResult, error) {
		g.looked = append(g.looked, env.Now())
		if g.noLook {
			return activities.RefundResult{}, temporal.NewNonRetryableApplicationError("no lookup", activities.ErrTypeNoRefundLookup, nil)
		}
		if in.Reference != g.issued.Reference {
			return activities.RefundResult{}, errors.New("looked up " + in.Reference)
		}
		next := g.lookups[0]
		g.lookups = g.lookups[1:]
		return next, nil
	})
	env.OnActivity(a.NotePendingRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotePendingRefundInput) error {
		g.noted = append(g.noted, in)
		return nil
	})
	env.OnActivity(a.SettleRefund, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SettleRefundInput) error {
		g.settled = append(g.settled, in)
		return nil
	})
}

var testRefund = contract.RefundInput{RefundID: uuid.MustParse("019a0000-0000-7000-8000-0000000000f1"), PaymentID: testPaymentID,
	Gateway: "stripe/019a0000-0000-7000-8000-0000000000a1", ChargeReference: "pi_1", Amount: billing.Money{Amount: 1500, Currency: "USD"}}

func runRefund(t *testing.T, g *refundGateway, in contract.RefundInput) contract.RefundState {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	Register(env)
	g.register(env)
	env.ExecuteWorkflow(RefundWorkflow, in)
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("RefundWorkflow did not complete: %v", env.GetWorkflowError())
	}
	var st contract.RefundState
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRefundOutcomes(t *testing.T) {
	t.Run("succeeded at once", func(t *testing.T) {
		g := &refundGateway{issued: activities.RefundResult{Status: contract.RefundSucceeded, Reference: "re_1"}}
		st := runRefund(t, g, testRefund)
		want := activities.RefundInput{Gateway: testRefund.Gateway, Reference: "pi_1", IdempotencyKey: testRefund.RefundID.String(), Amount: testRefund.Amount}
		if len(g.asked) != 1 || g.asked[0] != want {
			t.Errorf("asked %+v, want once %+v: the refund's own key, its amount", g.asked, want)
		}
		if st.Status != contract.RefundSucceeded || len(g.settled) != 1 || g.settled[0].State.GatewayReference != "re_1" || g.settled[0].RefundID != testRefund.RefundID {
			t.Errorf("state %+v, settled %+v; want succeeded once with re_1", st, g.settled)
		}
	})
	t.Run("a whole refund names no amount", func(t *testing.T) {
		g := &refundGateway{issued: activities.RefundResult{Status: contract.RefundSucceeded, Reference: "re_1"}}
		whole := testRefund
		whole.Whole = true
		runRefund(t, g, whole)
		if g.asked[0].Amount != (billing.Money{}) {
			t.Errorf("a whole refund asked for %v, want no amount", g.asked[0].Amount)
		}
	})
	t.Run("refused", func(t *testing.T) {
		g := &refundGateway{refusal: "stripe gateway: permanent error: charge_already_refunded"}
		st := runRefund(t, g, testRefund)
		if st.Status != contract.RefundFailed || len(g.settled) != 1 || g.settled[0].State.FailureReason != g.refusal {
			t.Errorf("state %+v, settled %+v; want failed with the gateway's reason", st, g.settled)
		}
	})
	t.Run("pending, then looked up until decided", func(t *testing.T) {
		g := &refundGateway{issued: activities.RefundResult{Status: contract.RefundPending, Reference: "re_2"},
			lookups: []activities.RefundResult{{Status: contract.RefundPending, Reference: "re_2"}, {Status: contract.RefundSucceeded, Reference: "re_2"}}}
		st := runRefund(t, g, testRefund)
		if st.Status != contract.RefundSucceeded || len(g.looked) != 2 || len(g.settled) != 1 {
			t.Errorf("state %+v after %d lookups, settled %+v; want succeeded after 2", st, len(g.looked), g.settled)
		}
		if len(g.noted) != 1 || g.noted[0] != (activities.NotePendingRefundInput{RefundID: testRefund.RefundID, Reference: "re_2"}) {
			t.Errorf("noted %+v, want the pending refund's reference kept", g.noted)
		}
		if gap := g.looked[1].Sub(g.looked[0]); gap != 2*firstRefundLookup {
			t.Errorf("lookups %v apart, want the wait doubled to %v", gap, 2*firstRefundLookup)
		}
	})
	t.Run("pending at a gateway that cannot be asked", func(t *testing.T) {
		g := &refundGateway{issued: activities.RefundResult{Status: contract.RefundPending, Reference: "re_3"}, noLook: true}
		st := runRefund(t, g, testRefund)
		if st.Status != contract.RefundPending || len(g.settled) != 0 {
			t.Errorf("state %+v, settled %+v; want it left pending for the reconciliation", st, g.settled)
		}
	})
	t.Run("pending past the wait", func(t *testing.T) {
		g := &refundGateway{issued: activities.RefundResult{Status: contract.RefundPending, Reference: "re_4"}}
		for range 200 {
			g.lookups = append(g.lookups, activities.RefundResult{Status: contract.RefundPending, Reference: "re_4"})
		}
		st := runRefund(t, g, testRefund)
		if st.Status != contract.RefundPending || len(g.settled) != 0 || len(g.looked) > 100 {
			t.Errorf("state %+v after %d lookups; want pending, left after about %v", st, len(g.looked), MaxRefundWait)
		}
	})
}
