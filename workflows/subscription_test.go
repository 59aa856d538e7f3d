package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/workflows/contract"
)

// subscriptionTest runs a SubscriptionWorkflow, with its PaymentWorkflow
// children, over the real sandbox gateway, on the test environment's
// skipping clock. The subscription runs as the child of subscriptionRuns,
// so that the environment follows it across its continued runs.
type subscriptionTest struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	ledger *sandbox.MemoryLedger
	proj   *projections
	start  time.Time
	in     contract.SubscriptionInput
	// runs are the inputs of the subscription's runs, in order.
	runs []contract.SubscriptionInput
	// payments are when each PaymentWorkflow started and, once it has,
	// ended, by workflow ID.
	payments map[string]*span
}

type span struct{ started, ended time.Time }

// terminateSignal makes subscriptionRuns return, so the test environment
// terminates the subscription as a parent close does.
const terminateSignal = "test-terminate"

// subscriptionRuns runs a subscription as its child, under the
// subscription's workflow ID. The test environment follows a child's
// continued runs, not a root workflow's.
func subscriptionRuns(ctx workflow.Context, in contract.SubscriptionInput) error {
	ctx = workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        contract.SubscriptionWorkflowID(in.SubscriptionID),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE, // the server's default; the test environment has none
	})
	var err error
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(workflow.ExecuteChildWorkflow(ctx, SubscriptionWorkflow, in), func(f workflow.Future) { err = f.Get(ctx, nil) })
	sel.AddReceive(workflow.GetSignalChannel(ctx, terminateSignal), func(workflow.ReceiveChannel, bool) {})
	sel.Select(ctx)
	return err
}

var usd = func(amount int64) billing.Money { return billing.Money{Amount: amount, Currency: "USD"} }

func monthly(amount int64) contract.Plan {
	return contract.Plan{
		PriceID: uuid.New(), Amount: usd(amount), Dunning: billing.DefaultDunning,
		Recurrence: billing.Recurrence{Interval: billing.Month, Count: 1},
	}
}

func newSubscriptionTest(t *testing.T, token string, plan contract.Plan) *subscriptionTest {
	t.Helper()
	env, ledger, proj := newPaymentEnv(t)
	env.RegisterWorkflow(subscriptionRuns)
	st := &subscriptionTest{t: t, env: env, ledger: ledger, proj: proj, start: env.Now().UTC(), payments: map[string]*span{}}
	st.in = contract.SubscriptionInput{
		SubscriptionID: uuid.Must(uuid.NewV7()), TenantID: uuid.New(), CustomerID: uuid.New(),
		Plan: plan, Quantity: 1, Gateway: sandbox.Name, Token: token,
	}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: contract.SubscriptionWorkflowID(st.in.SubscriptionID)})
	env.SetOnChildWorkflowStartedListener(st.childStarted)
	env.SetOnChildWorkflowCompletedListener(func(info *workflow.Info, _ converter.EncodedValue, _ error) {
		if p, ok := st.payments[info.WorkflowExecution.ID]; ok {
			p.ended = env.Now()
		}
	})
	return st
}

func (st *subscriptionTest) childStarted(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
	switch info.WorkflowType.Name {
	case "SubscriptionWorkflow":
		var in contract.SubscriptionInput
		if err := args.Get(&in); err != nil {
			st.t.Fatal(err)
		}
		st.runs = append(st.runs, in)
	case "PaymentWorkflow":
		st.payments[info.WorkflowExecution.ID] = &span{started: st.env.Now()}
	}
}

// paymentsRunning counts the PaymentWorkflows running now.
func (st *subscriptionTest) paymentsRunning() int {
	n := 0
	for _, p := range st.payments {
		if p.ended.IsZero() {
			n++
		}
	}
	return n
}

// paymentStarts are when the PaymentWorkflows started, in order.
func (st *subscriptionTest) paymentStarts() []time.Time {
	var starts []time.Time
	for _, p := range st.payments {
		starts = append(starts, p.started)
	}
	slices.SortFunc(starts, time.Time.Compare)
	return starts
}

// periodEnd is the end of the n-th period from the start.
func (st *subscriptionTest) periodEnd(n int) time.Time {
	return st.in.Plan.Recurrence.PeriodEnd(st.start, n)
}

// at runs fn once the clock is d past the start.
func (st *subscriptionTest) at(d time.Duration, fn func()) { st.env.RegisterDelayedCallback(fn, d) }

func (st *subscriptionTest) run() {
	st.t.Helper()
	st.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "runs/" + st.workflowID()})
	st.env.ExecuteWorkflow(subscriptionRuns, st.in)
	if !st.env.IsWorkflowCompleted() {
		st.t.Fatal("SubscriptionWorkflow did not complete")
	}
	if err := st.env.GetWorkflowError(); err != nil {
		st.t.Fatalf("SubscriptionWorkflow() error = %v", err)
	}
}

func (st *subscriptionTest) workflowID() string {
	return contract.SubscriptionWorkflowID(st.in.SubscriptionID)
}

func (st *subscriptionTest) state() contract.SubscriptionState {
	st.t.Helper()
	v, err := st.env.QueryWorkflowByID(st.workflowID(), contract.SubscriptionStateQuery)
	if err != nil {
		st.t.Fatalf("query state: %v", err)
	}
	var s contract.SubscriptionState
	if err := v.Get(&s); err != nil {
		st.t.Fatal(err)
	}
	return s
}

// previewChange asks what c would invoice now, as the API does.
func (st *subscriptionTest) previewChange(c contract.PriceChange) contract.PriceChangePreview {
	st.t.Helper()
	v, err := st.env.QueryWorkflowByID(st.workflowID(), contract.PriceChangePreviewQuery, contract.PriceChangeAt{Change: c, At: st.env.Now()})
	if err != nil {
		st.t.Fatalf("preview %+v: %v", c, err)
	}
	var p contract.PriceChangePreview
	if err := v.Get(&p); err != nil {
		st.t.Fatal(err)
	}
	return p
}

// update sends an update; then runs once it is rejected or completes.
func (st *subscriptionTest) update(name string, then func(contract.SubscriptionState, error), args ...any) {
	err := st.env.UpdateWorkflowByID(st.workflowID(), name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnReject: func(err error) { then(contract.SubscriptionState{}, err) },
		OnComplete: func(v any, err error) {
			s, _ := v.(contract.SubscriptionState)
			then(s, err)
		},
	}, args...)
	if err != nil {
		st.t.Errorf("update %s: %v", name, err)
	}
}

// mustUpdate sends an update that must succeed, then checks its answer.
func (st *subscriptionTest) mustUpdate(name string, check func(contract.SubscriptionState), args ...any) {
	st.update(name, func(s contract.SubscriptionState, err error) {
		if err != nil {
			st.t.Errorf("update %s: %v", name, err)
			return
		}
		check(s)
	}, args...)
}

// mustReject sends an update its validator must reject.
func (st *subscriptionTest) mustReject(name string, args ...any) {
	st.update(name, func(_ contract.SubscriptionState, err error) {
		if _, ok := contract.IsIllegalChange(err); !ok {
			st.t.Errorf("update %s %v: %v, want an illegal change", name, args, err)
		}
	}, args...)
}

func (st *subscriptionTest) cancelNow() {
	st.mustUpdate(contract.CancelUpdate, func(contract.SubscriptionState) {}, contract.Cancel{})
}

// charges are the ledger's charges, with no key charged twice.
func (st *subscriptionTest) charges() []sandbox.Charge {
	st.t.Helper()
	charges, err := st.ledger.Charges(context.Background())
	if err != nil {
		st.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range charges {
		if seen[c.Key] {
			st.t.Errorf("key %s charged twice", c.Key)
		}
		seen[c.Key] = true
	}
	return charges
}

// invoices are the newest projection of every invoice, in creation order.
func (st *subscriptionTest) invoices() []contract.PaymentRecord {
	st.proj.mu.Lock()
	defer st.proj.mu.Unlock()
	latest := map[uuid.UUID]contract.PaymentRecord{}
	var order []uuid.UUID
	for _, p := range st.proj.payments {
		old, ok := latest[p.InvoiceID]
		if !ok {
			order = append(order, p.InvoiceID)
		}
		if !ok || p.Version > old.Version {
			latest[p.InvoiceID] = p
		}
	}
	out := make([]contract.PaymentRecord, len(order))
	for i, id := range order {
		out[i] = latest[id]
	}
	return out
}

func (st *subscriptionTest) lastSubscription() contract.SubscriptionRecord {
	st.proj.mu.Lock()
	defer st.proj.mu.Unlock()
	var last contract.SubscriptionRecord
	for _, p := range st.proj.subscriptions {
		if p.Version > last.Version {
			last = p
		}
	}
	return last
}

const day = 24 * time.Hour

func TestSubscriptionPaysAndRenewsMonthly(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.at(time.Hour, func() {
		s := st.state()
		if s.Status != contract.SubscriptionActive {
			t.Errorf("after the first payment: %s, want active", s.Status)
		}
		want := contract.Period{Start: st.start, End: st.periodEnd(1)}
		if s.CurrentPeriod != want || !s.NextBillingAt.Equal(want.End) {
			t.Errorf("period %+v, next billing %v; want %+v, next at its end", s.CurrentPeriod, s.NextBillingAt, want)
		}
	})
	st.at(365*day+time.Hour, st.cancelNow)
	st.run()

	charges := st.charges()
	if len(charges) != 13 {
		t.Fatalf("a year of monthly renewals charged %d times, want 13", len(charges))
	}
	invoices := st.invoices()
	var paid int
	for i, inv := range invoices {
		if inv.Status == contract.PaymentPaid {
			paid++
			if !inv.Invoice.PeriodStart.Equal(st.periodEnd(i)) || !inv.Invoice.PeriodEnd.Equal(st.periodEnd(i+1)) {
				t.Errorf("invoice %d covers %v – %v, want %v – %v", i, inv.Invoice.PeriodStart, inv.Invoice.PeriodEnd, st.periodEnd(i), st.periodEnd(i+1))
			}
		}
	}
	if paid != 13 || len(invoices) != 13 {
		t.Errorf("invoices: %d paid of %d; want 13, all paid, and no draft of the next", paid, len(invoices))
	}
	if last := st.lastSubscription(); last.Status != contract.SubscriptionCanceled || last.EndedAt.IsZero() {
		t.Errorf("projection at the end: %+v, want canceled with an end", last)
	}
}

func TestSubscriptionTrialThenFirstPayment(t *testing.T) {
	plan := monthly(1000)
	plan.TrialDays = 14
	st := newSubscriptionTest(t, sandbox.TokenOK, plan)
	trialEnd := st.start.AddDate(0, 0, 14)
	st.at(13*day, func() {
		if s := st.state(); s.Status != contract.SubscriptionTrialing || !s.TrialEnd.Equal(trialEnd) || len(st.charges()) != 0 {
			t.Errorf("during the trial: %s, ends %v, %d charges; want trialing until %v, nothing charged", s.Status, s.TrialEnd, len(st.charges()), trialEnd)
		}
	})
	st.at(15*day, func() {
		s := st.state()
		if s.Status != contract.SubscriptionActive || !s.CurrentPeriod.Start.Equal(trialEnd) || len(st.charges()) != 1 {
			t.Errorf("after the trial: %s from %v, %d charges; want active from the trial's end, charged once", s.Status, s.CurrentPeriod.Start, len(st.charges()))
		}
		st.cancelNow()
	})
	st.run()
}

func TestSubscriptionFirstPaymentDeclinedExpires(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenDecline, monthly(1000))
	st.run()
	if last := st.lastSubscription(); last.Status != contract.SubscriptionExpired {
		t.Errorf("projection = %s, want expired", last.Status)
	}
	if inv := st.invoices(); len(inv) != 1 || inv[0].Status != contract.PaymentExpired {
		t.Errorf("invoices = %+v, want the one first invoice, expired", inv)
	}
}

func TestSubscriptionFirstPaymentNotApprovedInTheWindowExpires(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenAsync, monthly(1000))
	st.in.FirstPaymentWindow = 2 * time.Hour
	st.at(time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionPending {
			t.Errorf("awaiting approval: %s, want pending", s.Status)
		}
	})
	st.run()
	if got := st.env.Now().Sub(st.start); got < 2*time.Hour || got > 3*time.Hour {
		t.Errorf("ended after %v, want at the 2h window", got)
	}
	if last := st.lastSubscription(); last.Status != contract.SubscriptionExpired {
		t.Errorf("projection = %s, want expired", last.Status)
	}
}

// sandbox_decline_after_1 pays the first period and declines every renewal:
// past_due through the dunning schedule, then expired.
func TestSubscriptionRenewalDeclinedGoesPastDueThenExpires(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenDeclineAfter(1), monthly(1000))
	renewal := st.periodEnd(1)
	st.at(renewal.Sub(st.start)+time.Hour, func() {
		s := st.state()
		if s.Status != contract.SubscriptionPastDue || !s.CurrentPeriod.Start.Equal(renewal) {
			t.Errorf("after the declined renewal: %s from %v, want past_due in the new period", s.Status, s.CurrentPeriod.Start)
		}
	})
	st.run()
	if got, want := st.env.Now().Sub(renewal), 120*time.Hour; got != want {
		t.Errorf("expired %v after the renewal, want %v (the last dunning delay)", got, want)
	}
	if last := st.lastSubscription(); last.Status != contract.SubscriptionExpired {
		t.Errorf("projection = %s, want expired", last.Status)
	}
	if n := len(st.charges()); n != 5 {
		t.Errorf("%d charges, want 5: the first period, and the renewal four times", n)
	}
}

func TestSubscriptionCancelAtPeriodEnd(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	end := st.periodEnd(1)
	st.at(10*day, func() {
		st.mustUpdate(contract.CancelUpdate, func(s contract.SubscriptionState) {
			if s.Status != contract.SubscriptionActive || !s.CancelAtPeriodEnd || s.CanceledAt.IsZero() {
				t.Errorf("cancel at period end answered %+v, want still active, set to cancel", s)
			}
			if _, err := st.env.QueryWorkflowByID(st.workflowID(), contract.UpcomingInvoiceQuery); err == nil {
				t.Error("a subscription set to cancel still previews an upcoming invoice")
			}
		}, contract.Cancel{AtPeriodEnd: true})
	})
	st.run()
	if !st.env.Now().Equal(end) {
		t.Errorf("ended at %v, want the period's end %v", st.env.Now(), end)
	}
	if n := len(st.charges()); n != 1 {
		t.Errorf("%d charges, want only the first period's", n)
	}
	if last := st.lastSubscription(); last.Status != contract.SubscriptionCanceled || !last.EndedAt.Equal(end) {
		t.Errorf("projection = %s ended %v, want canceled at %v", last.Status, last.EndedAt, end)
	}
}

// A cancel at period end taken back before the end renews as if it had
// never been: the next period is invoiced when it starts. Only a
// subscription set to cancel can be reactivated.
func TestSubscriptionReactivated(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.at(time.Hour, func() { st.mustReject(contract.ReactivateUpdate) })
	st.at(10*day, func() {
		st.mustUpdate(contract.CancelUpdate, func(contract.SubscriptionState) {}, contract.Cancel{AtPeriodEnd: true})
	})
	st.at(20*day, func() {
		st.mustUpdate(contract.ReactivateUpdate, func(s contract.SubscriptionState) {
			if s.Status != contract.SubscriptionActive || s.CancelAtPeriodEnd || !s.CanceledAt.IsZero() {
				t.Errorf("reactivate answered %+v, want active and no longer set to cancel", s)
			}
			if _, err := st.env.QueryWorkflowByID(st.workflowID(), contract.UpcomingInvoiceQuery); err != nil {
				t.Errorf("a reactivated subscription previews no upcoming invoice: %v", err)
			}
		})
		st.mustReject(contract.ReactivateUpdate)
	})
	st.at(st.periodEnd(1).Sub(st.start)+time.Hour, st.cancelNow)
	st.run()
	if n := len(st.charges()); n != 2 {
		t.Errorf("%d charges, want the first period's and the renewal's", n)
	}
}

// A pause stops invoicing; a resume starts a new period at once, invoiced
// with a credit for the paid time the pause left unused.
func TestSubscriptionPauseAndResume(t *testing.T) {
	plan := monthly(3000)
	plan.Recurrence = billing.Recurrence{Interval: billing.Day, Count: 30}
	st := newSubscriptionTest(t, sandbox.TokenOK, plan)
	st.at(10*day, func() {
		st.mustUpdate(contract.PauseUpdate, func(s contract.SubscriptionState) {
			if s.Status != contract.SubscriptionPaused {
				t.Errorf("pause answered %s", s.Status)
			}
			st.mustReject(contract.PauseUpdate)
		})
	})
	st.at(40*day, func() {
		if n := len(st.charges()); n != 1 {
			t.Errorf("%d charges while paused, want 1", n)
		}
		st.mustUpdate(contract.ResumeUpdate, func(s contract.SubscriptionState) {
			if s.Status != contract.SubscriptionActive {
				t.Errorf("resume answered %s", s.Status)
			}
		})
	})
	st.at(41*day, func() {
		s := st.state()
		if want := st.start.Add(40 * day); !s.CurrentPeriod.Start.Equal(want) {
			t.Errorf("after resuming: period from %v, want %v", s.CurrentPeriod.Start, want)
		}
		st.cancelNow()
		st.mustReject(contract.ResumeUpdate)
	})
	st.run()
	charges := st.charges()
	// 30 days for 3000 paid; paused after 10, so 20 days (2000) are credited.
	if len(charges) != 2 || charges[1].Amount != usd(1000) {
		t.Errorf("charges = %+v, want 3000 then 3000 - 2000 = 1000", charges)
	}
}

func TestSubscriptionIllegalChanges(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.at(time.Hour, func() {
		for _, tc := range []struct {
			name string
			args []any
		}{
			{contract.ResumeUpdate, nil},
			{contract.ChangePriceUpdate, []any{contract.PriceChange{Plan: st.in.Plan}}},
			{contract.ChangePriceUpdate, []any{contract.PriceChange{Plan: contract.Plan{PriceID: uuid.New(), Amount: billing.Money{Amount: 5, Currency: "EUR"}, Recurrence: st.in.Plan.Recurrence}}}},
		} {
			st.mustReject(tc.name, tc.args...)
			if tc.name == contract.ChangePriceUpdate {
				change := tc.args[0].(contract.PriceChange)
				if p := st.previewChange(change); p.Refused == "" || p.Upcoming != nil {
					t.Errorf("the preview of a refused change: %+v, want the refusal alone", p)
				}
			}
		}
		st.cancelNow()
	})
	st.at(2*time.Hour, func() { st.mustReject(contract.CancelUpdate, contract.Cancel{}) })
	st.run()
}

// An update validator refuses a plan the workflow could not bill, or a
// payment method it could not charge: a bad
// recurrence would fail every later workflow task (issue 10, hole 10). A
// plan whose JSON does not decode (an unordered dunning schedule) is
// refused before any validator.
func TestSubscriptionRefusesInvalidPlans(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.at(time.Hour, func() {
		valid := func() contract.Plan { return monthly(2000) }
		badRecurrence, badAmount, badTrial, noPrice := valid(), valid(), valid(), valid()
		badRecurrence.Recurrence = billing.Recurrence{Interval: "fortnight", Count: 1}
		badAmount.Amount.Amount = -1
		badTrial.TrialDays = billing.MaxTrialDays + 1
		noPrice.PriceID = uuid.Nil
		for _, plan := range []contract.Plan{badRecurrence, badAmount, badTrial, noPrice} {
			st.mustReject(contract.ChangePriceUpdate, contract.PriceChange{Plan: plan, Proration: billing.CreateProrations})
		}
		st.mustReject(contract.ChangePaymentMethodUpdate, contract.PaymentMethod{Gateway: sandbox.Name})
		st.mustReject(contract.ChangePaymentMethodUpdate, contract.PaymentMethod{Token: sandbox.TokenOK})
		st.mustUpdate(contract.ChangePriceUpdate, func(s contract.SubscriptionState) {
			if s.Plan.Amount.Amount != 2000 {
				t.Errorf("after a valid change: %+v, want the new plan", s.Plan)
			}
		}, contract.PriceChange{Plan: valid(), Proration: billing.CreateProrations})
		st.cancelNow()
	})
	st.run()
}

// A mid-period change from 3000 to 6000 per 30 days, 10 days in, prorates
// 20 days of each: a credit of 2000 and a debit of 4000.
func TestSubscriptionChangePriceProrates(t *testing.T) {
	every30Days := billing.Recurrence{Interval: billing.Day, Count: 30}
	for _, mode := range []billing.ProrationMode{billing.CreateProrations, billing.AlwaysInvoice, billing.NoProration} {
		t.Run(string(mode), func(t *testing.T) {
			plan := monthly(3000)
			plan.Recurrence = every30Days
			st := newSubscriptionTest(t, sandbox.TokenOK, plan)
			upgrade := monthly(6000)
			upgrade.Recurrence = every30Days
			var preview contract.PriceChangePreview
			st.at(10*day, func() {
				preview = st.previewChange(contract.PriceChange{Plan: upgrade, Proration: mode})
				st.mustUpdate(contract.ChangePriceUpdate, func(s contract.SubscriptionState) {
					if s.Plan.PriceID != upgrade.PriceID {
						t.Errorf("change answered price %s", s.Plan.PriceID)
					}
				}, contract.PriceChange{Plan: upgrade, Proration: mode})
			})
			st.at(29*day, func() {
				v, err := st.env.QueryWorkflowByID(st.workflowID(), contract.UpcomingInvoiceQuery)
				if err != nil {
					t.Fatal(err)
				}
				var p contract.InvoicePreview
				_ = v.Get(&p)
				want := map[billing.ProrationMode]int64{billing.CreateProrations: 6000 - 2000 + 4000, billing.AlwaysInvoice: 6000, billing.NoProration: 6000}[mode]
				if p.AmountDue != usd(want) {
					t.Errorf("upcoming invoice due %v, want %d: %+v", p.AmountDue, want, p.Lines)
				}
			})
			st.at(31*day, st.cancelNow)
			st.run()
			var amounts []int64
			for _, c := range st.charges() {
				amounts = append(amounts, c.Amount.Amount)
			}
			want := map[billing.ProrationMode][]int64{
				billing.CreateProrations: {3000, 8000},
				billing.AlwaysInvoice:    {3000, 2000, 6000},
				billing.NoProration:      {3000, 6000},
			}[mode]
			if !equalInts(amounts, want) {
				t.Errorf("charged %v, want %v", amounts, want)
			}
			// The preview, taken before the change, said what it charged.
			var previewed []int64
			if preview.InvoicedNow != nil {
				previewed = append(previewed, preview.InvoicedNow.AmountDue.Amount)
			}
			if preview.Upcoming != nil {
				previewed = append(previewed, preview.Upcoming.AmountDue.Amount)
			}
			if !equalInts(previewed, want[1:]) || preview.Refused != "" {
				t.Errorf("the preview charges %v (%+v), the change charged %v", previewed, preview, want[1:])
			}
		})
	}
}

func lineAmounts(lines []billing.Line) []int64 {
	var amounts []int64
	for _, l := range lines {
		amounts = append(amounts, l.Amount.Amount)
	}
	return amounts
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A renewal declined once is retried a day later and recovers: past_due,
// then active again in the same period.
func TestSubscriptionRecoversFromPastDue(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	var a *activities.Activities
	declined := temporal.NewNonRetryableApplicationError("declined", activities.ErrTypeDeclined, nil, gateways.CodeInsufficientFunds)
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Reference: "ch_1"}, nil).Once()
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{}, declined).Once()
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Reference: "ch_3"}, nil)
	renewal := st.periodEnd(1)
	st.at(renewal.Sub(st.start)+time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionPastDue {
			t.Errorf("after the decline: %s, want past_due", s.Status)
		}
	})
	st.at(renewal.Sub(st.start)+25*time.Hour, func() {
		s := st.state()
		if s.Status != contract.SubscriptionActive || !s.CurrentPeriod.Start.Equal(renewal) || !s.NextBillingAt.Equal(st.periodEnd(2)) {
			t.Errorf("after the retry: %s, period from %v, next billing %v; want active in the renewed period", s.Status, s.CurrentPeriod.Start, s.NextBillingAt)
		}
		st.cancelNow()
	})
	st.run()
	invoices := st.invoices()
	if len(invoices) != 2 || invoices[1].Status != contract.PaymentPaid || len(invoices[1].AttemptLog) != 2 {
		t.Errorf("invoices = %+v, want the renewal paid on its second attempt, and no draft of the next", invoices)
	}
}

// Two hundred daily renewals continue as new at every period boundary,
// carrying the state with its absolute dates: the periods stay contiguous
// and each is charged once. (Runs begun before paymentsStartWhenDue
// continued only every MaxPeriodsPerRun periods.)
func TestSubscriptionContinuesAsNewAcross200Renewals(t *testing.T) {
	plan := monthly(100)
	plan.Recurrence = billing.Recurrence{Interval: billing.Day, Count: 1}
	st := newSubscriptionTest(t, sandbox.TokenOK, plan)
	st.at(200*day+time.Hour, st.cancelNow)
	st.run()
	if len(st.runs) != 202 {
		t.Fatalf("%d runs, want 202: one per period paid, and the one canceled while it waited", len(st.runs))
	}
	for i, run := range st.runs[1:] {
		if c := run.Carried; c == nil || c.Next != i+1 || !c.Anchor.Equal(st.start) || c.CurrentPeriod != (contract.Period{Start: st.periodEnd(i), End: st.periodEnd(i + 1)}) {
			t.Fatalf("run %d carried %+v, want period %d paid, anchored at the start", i+2, c, i)
		}
	}
	var paid []contract.PaymentRecord
	for _, inv := range st.invoices() {
		if inv.Status == contract.PaymentPaid {
			paid = append(paid, inv)
		}
	}
	if len(paid) != 201 {
		t.Fatalf("%d invoices paid, want 201: the first period and 200 renewals", len(paid))
	}
	seen := map[uuid.UUID]bool{}
	for i, inv := range paid {
		if seen[inv.PaymentID] {
			t.Errorf("payment %s twice", inv.PaymentID)
		}
		seen[inv.PaymentID] = true
		if i > 0 && !inv.Invoice.PeriodStart.Equal(paid[i-1].Invoice.PeriodEnd) {
			t.Errorf("invoice %d starts %v, the previous ended %v", i, inv.Invoice.PeriodStart, paid[i-1].Invoice.PeriodEnd)
		}
	}
}

// Issue 10, hole 6: no payment runs between periods, so none is left to
// charge when the subscription is terminated or reset; each one starts
// when its period does.
func TestSubscriptionStartsEachPaymentWhenItFallsDue(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	for n := range 3 {
		st.at(st.periodEnd(n).Add(15*day).Sub(st.start), func() {
			if running := st.paymentsRunning(); running != 0 {
				t.Errorf("%d payments running in the middle of period %d, want none", running, n)
			}
			if s := st.state(); !s.NextBillingAt.Equal(st.periodEnd(n + 1)) {
				t.Errorf("period %d: next billing at %v, want %v", n, s.NextBillingAt, st.periodEnd(n+1))
			}
		})
	}
	st.at(st.periodEnd(2).Add(16*day).Sub(st.start), st.cancelNow)
	st.run()
	want := []time.Time{st.periodEnd(0), st.periodEnd(1), st.periodEnd(2)}
	if got := st.paymentStarts(); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("payments started at %v, want one at each period's start %v", got, want)
	}
}

// Issue 10, hole 6: a subscription that closes (terminated here; reset and
// timed out alike) cancels its running payment. The renewal, declined and
// waiting for its retry, has not charged again: it ends canceled, and is
// never retried.
func TestSubscriptionClosedCancelsItsPayment(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenDeclineAfter(1), monthly(1000))
	renewal := st.periodEnd(1)
	st.at(renewal.Sub(st.start)+time.Hour, func() { st.env.SignalWorkflow(terminateSignal, nil) })
	st.run()
	if n := len(st.charges()); n != 2 {
		t.Errorf("%d charges, want 2: the first period, and the renewal once", n)
	}
	invoices := st.invoices()
	if last := invoices[len(invoices)-1]; last.Status != contract.PaymentCanceled || !last.Invoice.PeriodStart.Equal(renewal) {
		t.Errorf("the renewal ended %s for %v, want canceled", last.Status, last.Invoice.PeriodStart)
	}
}

// Issue 10, hole 8: a run ends at the period boundary, once its payment is
// paid, and a signal that came in the same workflow task (a test clock's
// advance, sent while the boundary's task writes the paid period) is
// applied and carried, not lost.
func TestSubscriptionContinuesAsNewAtTheBoundaryWithItsSignals(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	start := st.onClock()
	target := st.periodEnd(1).Add(time.Hour)
	sent := false
	st.env.SetOnLocalActivityStartedListener(func(_ *activity.Info, _ context.Context, args []any) {
		if p, ok := args[0].(contract.SubscriptionRecord); ok && p.Status == contract.SubscriptionActive && !sent {
			sent = true
			st.env.SignalWorkflowSkippingWorkflowTask(contract.ClockAdvanceSignal, target)
		}
	})
	st.at(time.Hour, st.cancelNow) // ends a run that goes on
	st.env.ExecuteWorkflow(SubscriptionWorkflow, st.in)

	if !sent {
		t.Fatal("the paid period was never written")
	}
	var can *workflow.ContinueAsNewError
	if err := st.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the run ended with %v, want it continued as new at the first boundary", err)
	}
	var next contract.SubscriptionInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	c := next.Carried
	if c == nil || c.Status != contract.SubscriptionActive || c.Next != 1 || !c.Anchor.Equal(start) || c.CurrentPeriod != (contract.Period{Start: start, End: st.periodEnd(1)}) || !c.NextBillingAt.Equal(st.periodEnd(1)) {
		t.Errorf("carried %+v, want active, period 0 paid, anchored at %v, next billing at %v", c, start, st.periodEnd(1))
	}
	if next.TestClock == nil || !next.TestClock.Now.Equal(start) || !next.TestClock.Target.Equal(target) {
		t.Errorf("carried clock %+v, want at %v advancing to %v", next.TestClock, start, target)
	}
}

// A run begun before paymentsStartWhenDue keeps its draft child, and its
// runs of MaxPeriodsPerRun periods, to the end.
func TestSubscriptionBegunBeforePaymentsStartWhenDueKeepsItsDrafts(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.env.OnGetVersion(mock.Anything, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	st.at(15*day, func() {
		if running := st.paymentsRunning(); running != 1 {
			t.Errorf("%d payments running between periods, want the draft", running)
		}
	})
	st.at(45*day, st.cancelNow)
	st.run()
	var statuses []string
	for _, inv := range st.invoices() {
		statuses = append(statuses, string(inv.Status))
	}
	if want := []string{"paid", "paid", "canceled"}; !slices.Equal(statuses, want) || len(st.runs) != 1 {
		t.Errorf("%d runs, invoices %v; want one run, and %v: two periods paid, the next draft withdrawn", len(st.runs), statuses, want)
	}
}

// A run begun before paymentsStartWhenDue continues as new at its first
// period boundary on a worker that has it, and the next run starts its
// payments when they fall due.
func TestSubscriptionBegunBeforePaymentsStartWhenDueMovesOnAtItsNextBoundary(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	calls := 0
	st.env.OnGetVersion(paymentsStartWhenDue, workflow.DefaultVersion, 1).Return(func(string, workflow.Version, workflow.Version) workflow.Version {
		if calls++; calls == 1 {
			return workflow.DefaultVersion // the run begun before
		}
		return 1
	})
	st.at(15*day, func() {
		if running := st.paymentsRunning(); running != 0 {
			t.Errorf("%d payments running between periods, want none", running)
		}
	})
	st.at(45*day, st.cancelNow)
	st.run()
	if len(st.runs) < 2 || st.runs[1].Carried == nil || st.runs[1].Carried.Next != 1 {
		t.Fatalf("%d runs, want the old one continued at its first boundary with period 0 paid", len(st.runs))
	}
	want := []time.Time{st.periodEnd(0), st.periodEnd(1)}
	if got := st.paymentStarts(); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("payments started at %v, want %v", got, want)
	}
}

// onClock binds the subscription to a test clock at start.
func (st *subscriptionTest) onClock() time.Time {
	at := time.Date(2030, 1, 31, 9, 30, 0, 0, time.UTC)
	st.in.TestClock = &contract.TestClock{ID: uuid.New(), Now: at}
	st.start = at
	return at
}

func (st *subscriptionTest) advance(to time.Time) {
	if err := st.env.SignalWorkflowByID(st.workflowID(), contract.ClockAdvanceSignal, to); err != nil {
		st.t.Error(err)
	}
}

// A year advanced at once on a test clock renews twelve times, in order,
// and the subscription reports it has caught up with the clock.
func TestSubscriptionOnATestClock(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	start := st.onClock()
	target := start.AddDate(1, 0, 0).Add(time.Hour)
	st.at(time.Minute, func() {
		s := st.state()
		if s.Status != contract.SubscriptionActive || !s.ClockTime.Equal(start) || !s.CurrentPeriod.Start.Equal(start) {
			t.Errorf("on the clock: %s, clock time %v, period from %v; want active, caught up at %v", s.Status, s.ClockTime, s.CurrentPeriod.Start, start)
		}
		st.advance(target)
	})
	st.at(2*time.Minute, func() {
		s := st.state()
		if !s.ClockTime.Equal(target) || !s.CurrentPeriod.Start.Equal(st.periodEnd(12)) {
			t.Errorf("after a year: clock time %v, period from %v; want %v and the 13th period", s.ClockTime, s.CurrentPeriod.Start, target)
		}
		if n := len(st.charges()); n != 13 {
			t.Errorf("%d charges, want 13", n)
		}
		st.cancelNow()
	})
	st.run()
	if last := st.lastSubscription(); !last.EndedAt.Equal(target) || last.TestClockID != st.in.TestClock.ID {
		t.Errorf("ended at %v on clock %s, want at the clock's %v", last.EndedAt, last.TestClockID, target)
	}
}

// The TestClockWorkflow tells a lagging subscription the same advance at
// every read: an advance to a time the subscription has reached, or an
// earlier one, changes nothing.
func TestSubscriptionTakesARepeatedAdvanceAsANoOp(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	start := st.onClock()
	target := start.AddDate(0, 2, 0).Add(time.Hour)
	st.at(time.Minute, func() { st.advance(target) })
	var caughtUp contract.SubscriptionState
	st.at(2*time.Minute, func() {
		caughtUp = st.state()
		st.advance(target)
		st.advance(start.AddDate(0, 1, 0))
	})
	st.at(3*time.Minute, func() {
		if s := st.state(); !s.ClockTime.Equal(target) || s.Version != caughtUp.Version || s.CurrentPeriod != caughtUp.CurrentPeriod {
			t.Errorf("after the same advance again: clock time %v, version %d, period %v; want %v, %d, %v unchanged",
				s.ClockTime, s.Version, s.CurrentPeriod, target, caughtUp.Version, caughtUp.CurrentPeriod)
		}
		if n := len(st.charges()); n != 3 {
			t.Errorf("%d charges, want 3", n)
		}
		st.cancelNow()
	})
	st.run()
}

// Advancing past a declined renewal runs each dunning retry at its own
// time on the clock, then expires the subscription at the last one.
func TestTestClockStepsThroughDunning(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenDeclineAfter(1), monthly(1000))
	start := st.onClock()
	renewal := st.periodEnd(1)
	st.at(time.Minute, func() { st.advance(renewal.Add(30 * day)) })
	st.run()
	last := st.lastSubscription()
	if last.Status != contract.SubscriptionExpired || !last.EndedAt.Equal(renewal.Add(120*time.Hour)) {
		t.Errorf("subscription = %s ended %v, want expired at the last retry, %v", last.Status, last.EndedAt, renewal.Add(120*time.Hour))
	}
	// The end is written as of when it happened, which dates its event,
	// and caught up with the clock's target, which nothing follows.
	if !last.UpdatedAt.Equal(last.EndedAt) || !last.ClockTime.Equal(renewal.Add(30*day)) {
		t.Errorf("the end is written at %v, caught up to %v; want at the end, %v, caught up to the target", last.UpdatedAt, last.ClockTime, last.EndedAt)
	}
	charges := st.charges()
	want := []time.Time{start, renewal, renewal.Add(24 * time.Hour), renewal.Add(72 * time.Hour), renewal.Add(120 * time.Hour)}
	if len(charges) != len(want) {
		t.Fatalf("%d charges, want %d", len(charges), len(want))
	}
	invoices := st.invoices()
	attempts := invoices[1].AttemptLog
	for i, a := range attempts {
		if !a.At.Equal(want[i+1]) {
			t.Errorf("renewal attempt %d at %v, want %v", i+1, a.At, want[i+1])
		}
	}
}

// A past_due subscription given a working payment method retries at once
// with it and is active again.
func TestSubscriptionRecoversWithANewPaymentMethod(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenDeclineAfter(1), monthly(1000))
	renewal := st.periodEnd(1)
	st.at(renewal.Sub(st.start)+time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionPastDue {
			t.Errorf("after the declined renewal: %s, want past_due", s.Status)
		}
		st.mustUpdate(contract.ChangePaymentMethodUpdate, func(contract.SubscriptionState) {}, contract.PaymentMethod{Gateway: sandbox.Name, Token: sandbox.TokenOK})
	})
	st.at(renewal.Sub(st.start)+2*time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionActive || !s.CurrentPeriod.Start.Equal(renewal) {
			t.Errorf("after the new payment method: %s from %v, want active in the renewed period", s.Status, s.CurrentPeriod.Start)
		}
		st.cancelNow()
	})
	st.run()
	charges := st.charges()
	if len(charges) != 3 || charges[1].Status != gateways.Declined || charges[2].Token != sandbox.TokenOK {
		t.Errorf("charges = %+v, want the first, the declined renewal, and its retry on the new method", charges)
	}
	if got := st.lastSubscription(); got.Gateway != sandbox.Name {
		t.Errorf("projection gateway = %q", got.Gateway)
	}
}

// A cancel that follows a price change at once reaches the draft the change
// has just started, before it runs: nothing is left waiting.
func TestSubscriptionCancelRightAfterAPriceChange(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	upgrade := monthly(2000)
	st.at(10*day, func() {
		st.mustUpdate(contract.ChangePriceUpdate, func(contract.SubscriptionState) {}, contract.PriceChange{Plan: upgrade, Proration: billing.NoProration})
		st.cancelNow()
	})
	st.run()
	for _, inv := range st.invoices()[1:] {
		if inv.Status != contract.PaymentCanceled {
			t.Errorf("invoice %s for %v is %s, want every later draft withdrawn", inv.InvoiceID, inv.Invoice.PeriodStart, inv.Status)
		}
	}
}

// A downgrade's excess credit is carried to later invoices, and undone when
// the draft that carried it is replaced: credit is never counted twice.
func TestSubscriptionCarriesCreditOnce(t *testing.T) {
	every30Days := billing.Recurrence{Interval: billing.Day, Count: 30}
	plan := func(amount int64) contract.Plan {
		p := monthly(amount)
		p.Recurrence = every30Days
		return p
	}
	st := newSubscriptionTest(t, sandbox.TokenOK, plan(6000))
	st.at(10*day, func() {
		st.mustUpdate(contract.ChangePriceUpdate, func(contract.SubscriptionState) {}, contract.PriceChange{Plan: plan(1000), Proration: billing.CreateProrations})
	})
	st.at(12*day, func() {
		st.mustUpdate(contract.ChangePriceUpdate, func(contract.SubscriptionState) {}, contract.PriceChange{Plan: plan(2000), Proration: billing.NoProration})
	})
	st.at(61*day, st.cancelNow)
	st.run()

	start, end := st.start, st.start.Add(30*day)
	unused, _ := billing.Prorate(usd(6000), start, end, start.Add(10*day))
	remaining, _ := billing.Prorate(usd(1000), start, end, start.Add(10*day))
	credit := unused.Amount - remaining.Amount - 2000 // the period at 30 days costs 2000; the rest is carried
	var amounts []int64
	for _, c := range st.charges() {
		amounts = append(amounts, c.Amount.Amount)
	}
	if want := []int64{6000, 2000 - credit}; !equalInts(amounts, want) {
		t.Errorf("charged %v, want %v: the carried credit of %d taken once", amounts, want, credit)
	}
}

// startingAt moves the test's start, and so its first period, to start.
func (st *subscriptionTest) startingAt(start time.Time) {
	st.env.SetStartTime(start)
	st.start = start
}

// A change of interval restarts the billing cycle at the change, as in
// Stripe: the unused time of the old price is credited (not with proration
// none) and the new price's first full period is invoiced at once, whatever
// the mode; that period is the current one once paid, and renewals follow
// from the change. A credit larger than the new period's price is carried
// to the next renewals (issue 10, hole 5).
func TestSubscriptionIntervalChangeRestartsTheCycle(t *testing.T) {
	jan1 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	jan11 := jan1.AddDate(0, 0, 10)       // 21 of January's 31 days unused
	jul2 := jan1.AddDate(0, 0, 182)       // 183 of 2030's 365 days unused
	jan3 := jan1.Add(2*day + 6*time.Hour) // 410400 of the week's 604800 s unused
	every := func(amount int64, interval billing.Interval) contract.Plan {
		p := monthly(amount)
		p.Recurrence = billing.Recurrence{Interval: interval, Count: 1}
		return p
	}
	tests := []struct {
		name        string
		from, to    contract.Plan
		at          time.Time
		mode        billing.ProrationMode
		newEnd      time.Time // of the new cycle's first period, [at, newEnd)
		wantLines   []int64   // of the invoice for that period
		cancelAt    time.Time
		wantCharges []int64
	}{
		// 30000 - 3000 × 21/31; a year later, the yearly renewal.
		{"monthly to yearly", every(3000, billing.Month), every(30000, billing.Year), jan11, billing.CreateProrations,
			jan11.AddDate(1, 0, 0), []int64{30000, -2032}, jan11.AddDate(1, 0, 0).Add(time.Hour), []int64{3000, 27968, 30000}},
		{"monthly to yearly, always_invoice", every(3000, billing.Month), every(30000, billing.Year), jan11, billing.AlwaysInvoice,
			jan11.AddDate(1, 0, 0), []int64{30000, -2032}, jan11.AddDate(1, 0, 0).Add(time.Hour), []int64{3000, 27968, 30000}},
		{"monthly to yearly, none", every(3000, billing.Month), every(30000, billing.Year), jan11, billing.NoProration,
			jan11.AddDate(1, 0, 0), []int64{30000}, jan11.AddDate(1, 0, 0).Add(time.Hour), []int64{3000, 30000, 30000}},
		// 3000 - 30000 × 183/365 = -12041, carried: Aug to Nov 2 are paid
		// from it, and Dec 2 charges 3000 - 41.
		{"yearly to monthly", every(30000, billing.Year), every(3000, billing.Month), jul2, billing.CreateProrations,
			jul2.AddDate(0, 1, 0), []int64{3000, -15041}, jul2.AddDate(0, 5, 0).Add(time.Hour), []int64{30000, 2959}},
		// 3000 - 1000 × 410400/604800; a month later, the monthly renewal.
		{"weekly to monthly", every(1000, billing.Week), every(3000, billing.Month), jan3, billing.CreateProrations,
			jan3.AddDate(0, 1, 0), []int64{3000, -679}, jan3.AddDate(0, 1, 0).Add(time.Hour), []int64{1000, 2321, 3000}},
		// 1000 - 2032 = -1032, carried: Jan 18 is paid from it, and Jan 25
		// charges 1000 - 32.
		{"monthly to weekly", every(3000, billing.Month), every(1000, billing.Week), jan11, billing.CreateProrations,
			jan11.AddDate(0, 0, 7), []int64{1000, -2032}, jan11.AddDate(0, 0, 14).Add(time.Hour), []int64{3000, 968}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newSubscriptionTest(t, sandbox.TokenOK, tt.from)
			st.startingAt(jan1)
			newPeriod := contract.Period{Start: tt.at, End: tt.newEnd}
			st.at(tt.at.Sub(jan1), func() {
				change := contract.PriceChange{Plan: tt.to, Proration: tt.mode}
				p := st.previewChange(change)
				if p.InvoicedNow != nil || p.Upcoming == nil || p.Upcoming.Period != newPeriod || !p.Upcoming.DueAt.Equal(tt.at) || !equalInts(lineAmounts(p.Upcoming.Lines), tt.wantLines) {
					t.Errorf("the preview: %+v, want only an invoice due now for %+v with lines %v", p, newPeriod, tt.wantLines)
				}
				st.mustUpdate(contract.ChangePriceUpdate, func(contract.SubscriptionState) {}, change)
			})
			st.at(tt.at.Sub(jan1)+time.Hour, func() {
				s := st.state()
				if s.Status != contract.SubscriptionActive || s.CurrentPeriod != newPeriod || !s.Anchor.Equal(tt.at) || !s.NextBillingAt.Equal(tt.newEnd) {
					t.Errorf("an hour after the change: %s in %+v, anchor %v, next billing %v; want active in %+v, anchored at the change, next billing at its end",
						s.Status, s.CurrentPeriod, s.Anchor, s.NextBillingAt, newPeriod)
				}
			})
			st.at(tt.cancelAt.Sub(jan1), st.cancelNow)
			st.run()

			var charged []int64
			for _, c := range st.charges() {
				charged = append(charged, c.Amount.Amount)
			}
			if !equalInts(charged, tt.wantCharges) {
				t.Errorf("charged %v, want %v", charged, tt.wantCharges)
			}
			for _, inv := range st.invoices() {
				if inv.Status != contract.PaymentPaid || !inv.Invoice.PeriodStart.Equal(tt.at) {
					continue
				}
				lines := lineAmounts(inv.Invoice.Lines)
				if !inv.Invoice.PeriodEnd.Equal(tt.newEnd) || !equalInts(lines, tt.wantLines) {
					t.Errorf("the change's invoice covers until %v with lines %v, want until %v with %v", inv.Invoice.PeriodEnd, lines, tt.newEnd, tt.wantLines)
				}
				return
			}
			t.Errorf("no invoice paid for a period from the change at %v", tt.at)
		})
	}
}

// A subscription set to cancel at its period's end has no new period to
// start: a change of interval, which would start one, is refused.
func TestSubscriptionCancelingAtPeriodEndKeepsItsInterval(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(3000))
	yearly := monthly(30000)
	yearly.Recurrence = billing.Recurrence{Interval: billing.Year, Count: 1}
	st.at(10*day, func() {
		st.mustUpdate(contract.CancelUpdate, func(contract.SubscriptionState) {}, contract.Cancel{AtPeriodEnd: true})
		st.mustReject(contract.ChangePriceUpdate, contract.PriceChange{Plan: yearly, Proration: billing.CreateProrations})
	})
	st.run()
	if n := len(st.charges()); n != 1 {
		t.Errorf("%d charges, want only the first period's", n)
	}
}

// While a renewal awaits its approval, the period it pays for is not the
// current one yet: a price change then, which would restart or prorate
// the wrong period, is refused until the renewal is paid.
func TestSubscriptionPriceChangeWaitsForTheRenewalBeingCollected(t *testing.T) {
	st := newSubscriptionTest(t, sandbox.TokenOK, monthly(3000))
	var a *activities.Activities
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Reference: "ch_1"}, nil).Once()
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Pending: true, Reference: "ch_2"}, nil).Once()
	yearly := monthly(30000)
	yearly.Recurrence = billing.Recurrence{Interval: billing.Year, Count: 1}
	renewal := st.periodEnd(1)
	st.at(renewal.Sub(st.start)+time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionActive || !s.CurrentPeriod.End.Equal(renewal) {
			t.Errorf("while the renewal awaits approval: %s in %+v, want active in the first period", s.Status, s.CurrentPeriod)
		}
		st.mustReject(contract.ChangePriceUpdate, contract.PriceChange{Plan: yearly, Proration: billing.CreateProrations})
		st.mustReject(contract.ChangePriceUpdate, contract.PriceChange{Plan: monthly(6000), Proration: billing.CreateProrations})
		st.cancelNow()
	})
	st.run()
}

// A plan whose amount times the quantity does not fit in money is never
// billed as zero: a subscription started on one fails at once, charging
// nothing, and a price change to one is refused (issue 10: errors of money
// arithmetic are never discarded).
func TestSubscriptionRefusesAmountsThatOverflow(t *testing.T) {
	huge := monthly(1 << 53)
	st := newSubscriptionTest(t, sandbox.TokenOK, huge)
	st.in.Quantity = 1 << 20
	st.env.ExecuteWorkflow(SubscriptionWorkflow, st.in)
	var refused *temporal.ApplicationError
	if err := st.env.GetWorkflowError(); !errors.As(err, &refused) || refused.Type() != contract.ErrBadSubscription || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("a subscription to %s × %d ended with %v, want it refused: out of range", huge.Amount, st.in.Quantity, err)
	}
	if charges := st.charges(); len(charges) != 0 {
		t.Errorf("charges = %+v, want none", charges)
	}

	st = newSubscriptionTest(t, sandbox.TokenOK, monthly(1000))
	st.in.Quantity = 1 << 20
	st.at(time.Hour, func() {
		st.mustReject(contract.ChangePriceUpdate, contract.PriceChange{Plan: huge, Proration: billing.CreateProrations})
		st.cancelNow()
	})
	st.run()
}

// A subscription started with a token that needs its payer (PayPal's
// approval) renews with the method its first payment saved at the gateway,
// without the payer, and shows it as its payment method.
func TestSubscriptionRenewsWithTheMethodItsFirstPaymentSaved(t *testing.T) {
	st := newSubscriptionTest(t, "approval", monthly(1000))
	var a *activities.Activities
	var charged []activities.ChargeInput
	st.env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ChargeInput) (activities.ChargeResult, error) {
		charged = append(charged, in)
		if in.Token == "approval" {
			return activities.ChargeResult{Pending: true, Reference: "order_1", ApprovalURL: "https://pay.example/order_1"}, nil
		}
		return activities.ChargeResult{Reference: "order_renewed"}, nil
	})
	approved := false
	st.env.OnActivity(a.LookupCharge, mock.Anything, mock.Anything).Return(func(context.Context, activities.LookupInput) (activities.LookupResult, error) {
		if !approved {
			return activities.LookupResult{Status: gateways.Pending}, nil
		}
		return activities.LookupResult{Status: gateways.Succeeded, SavedToken: "vault:W1"}, nil
	})
	saved := uuid.New()
	st.env.OnActivity(a.KeepPayersMethod, mock.Anything, mock.Anything).Return(saved, nil)
	st.at(time.Hour, func() {
		approved = true
		for id := range st.payments {
			if err := st.env.SignalWorkflowByID(id, contract.GatewayEventSignal, contract.GatewayEvent{Reference: "order_1", Succeeded: true}); err != nil {
				t.Error(err)
			}
		}
	})
	st.at(st.periodEnd(1).Sub(st.start)+time.Hour, func() {
		if s := st.state(); s.Status != contract.SubscriptionActive || !s.CurrentPeriod.Start.Equal(st.periodEnd(1)) {
			t.Errorf("after the renewal: %s from %v, want active in the second period", s.Status, s.CurrentPeriod.Start)
		}
		st.cancelNow()
	})
	st.run()
	if len(charged) != 2 || charged[1].PaymentMethodID != saved || charged[1].Token != "vault:W1" {
		t.Fatalf("charges = %+v; want the approval, then the renewal of the saved wallet", charged)
	}
	if got := st.lastSubscription(); got.PaymentMethodID != saved {
		t.Errorf("the subscription's payment method = %s, want the saved %s", got.PaymentMethodID, saved)
	}
}
