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
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/workflows/contract"
)

// newPaymentEnv runs PaymentWorkflow with the real sandbox gateway behind
// the Charge activity.
func newPaymentEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *sandbox.MemoryLedger, *projections) {
	t.Helper()
	ledger := sandbox.NewMemoryLedger()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(time.Date(2026, 1, 31, 9, 30, 0, 0, time.UTC))
	Register(env)
	env.RegisterActivity(sandboxActivities(t, ledger))
	return env, ledger, recordProjections(env)
}

// sandboxActivities are the activities over a sandbox gateway that keeps
// its charges in ledger.
func sandboxActivities(t *testing.T, ledger sandbox.Ledger) *activities.Activities {
	t.Helper()
	sb, err := sandbox.New(ledger, sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	var reg gateways.Registry
	if err := reg.Register(sb); err != nil {
		t.Fatal(err)
	}
	return &activities.Activities{Gateways: gateways.Router{Local: &reg}}
}

var testPaymentID = uuid.MustParse("019a0000-0000-7000-8000-000000000001")

func paymentInput(token string) contract.PaymentInput {
	return contract.PaymentInput{
		PaymentIdentity: contract.PaymentIdentity{PaymentID: testPaymentID, InvoiceID: uuid.New(), TenantID: uuid.New(), CustomerID: uuid.New(), Gateway: sandbox.Name},
		Invoice:         contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.OneTime, Description: "Widget", Amount: billing.Money{Amount: 3000, Currency: "USD"}, Quantity: 1}}},
		Token:           token, Dunning: billing.DefaultDunning,
	}
}

func finalState(t *testing.T, env *testsuite.TestWorkflowEnvironment) contract.PaymentState {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("PaymentWorkflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("PaymentWorkflow() error = %v", err)
	}
	var got contract.PaymentState
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPaymentOutcomes(t *testing.T) {
	tests := []struct {
		token        string
		wantStatus   contract.PaymentStatus
		wantAttempts int
		wantDecline  string
	}{
		{sandbox.TokenOK, contract.PaymentPaid, 1, ""},
		{sandbox.TokenFlaky, contract.PaymentPaid, 1, ""}, // transient errors are retried inside the attempt
		{sandbox.TokenInsufficientFunds, contract.PaymentExpired, 4, gateways.CodeInsufficientFunds},
		{sandbox.TokenDecline, contract.PaymentExpired, 4, gateways.CodeCardDeclined},
		{"not_a_sandbox_token", contract.PaymentFailed, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			env, ledger, _ := newPaymentEnv(t)
			env.ExecuteWorkflow(PaymentWorkflow, paymentInput(tt.token))
			got := finalState(t, env)
			if got.Status != tt.wantStatus || got.Attempts != tt.wantAttempts || got.DeclineCode != tt.wantDecline {
				t.Errorf("PaymentWorkflow(%s) = %+v, want %s after %d attempts, decline %q", tt.token, got, tt.wantStatus, tt.wantAttempts, tt.wantDecline)
			}
			charges, _ := ledger.Charges(context.Background())
			seen := map[string]bool{}
			for _, c := range charges {
				if seen[c.Key] {
					t.Errorf("key %s charged twice", c.Key)
				}
				seen[c.Key] = true
			}
		})
	}
}

// Declines follow the dunning schedule (24h, 72h, 120h after the first),
// and a later success pays: a week of retries runs in no time.
func TestPaymentRecoversOnTheDunningSchedule(t *testing.T) {
	env, _, _ := newPaymentEnv(t)
	start := env.Now()
	var a *activities.Activities
	declined := temporal.NewNonRetryableApplicationError("declined", activities.ErrTypeDeclined, nil, gateways.CodeInsufficientFunds)
	var attemptsAt []time.Duration
	var keys []string
	record := func(_ context.Context, in activities.ChargeInput) {
		attemptsAt = append(attemptsAt, env.Now().Sub(start).Round(time.Hour))
		keys = append(keys, in.IdempotencyKey)
	}
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		record(args.Get(0).(context.Context), args.Get(1).(activities.ChargeInput))
	}).Return(activities.ChargeResult{}, declined).Times(2)
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		record(args.Get(0).(context.Context), args.Get(1).(activities.ChargeInput))
	}).Return(activities.ChargeResult{Reference: "ch_3"}, nil).Once()

	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenOK))
	got := finalState(t, env)
	if got.Status != contract.PaymentPaid || got.Attempts != 3 || got.Reference != "ch_3" {
		t.Errorf("PaymentWorkflow() = %+v, want paid on attempt 3", got)
	}
	wantAt := []time.Duration{0, 24 * time.Hour, 72 * time.Hour}
	for i := range wantAt {
		if attemptsAt[i] != wantAt[i] {
			t.Errorf("attempt %d at +%v, want +%v", i+1, attemptsAt[i], wantAt[i])
		}
	}
	id := testPaymentID.String()
	if keys[0] != id+"/1" || keys[1] != id+"/2" || keys[2] != id+"/3" {
		t.Errorf("idempotency keys = %v, want one per attempt", keys)
	}
}

// An operator's retry-now signal skips the wait for the next attempt.
func TestPaymentRetryNow(t *testing.T) {
	env, _, _ := newPaymentEnv(t)
	start := env.Now()
	var a *activities.Activities
	declined := temporal.NewNonRetryableApplicationError("declined", activities.ErrTypeDeclined, nil, gateways.CodeCardDeclined)
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{}, declined).Once()
	var retriedAt time.Duration
	env.OnActivity(a.Charge, mock.Anything, mock.Anything).Run(func(mock.Arguments) {
		retriedAt = env.Now().Sub(start)
	}).Return(activities.ChargeResult{Reference: "ch_2"}, nil).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.RetryNowSignal, nil) }, time.Hour)

	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenOK))
	if got := finalState(t, env); got.Status != contract.PaymentPaid || got.Attempts != 2 {
		t.Errorf("PaymentWorkflow() = %+v, want paid on attempt 2", got)
	}
	if retriedAt.Round(time.Minute) != time.Hour {
		t.Errorf("retried at +%v, want +1h (the signal), not +24h (the schedule)", retriedAt)
	}
}

func TestPaymentAsyncApproval(t *testing.T) {
	for _, approve := range []bool{true, false} {
		env, ledger, _ := newPaymentEnv(t)
		env.RegisterDelayedCallback(func() {
			st := queryPayment(t, env)
			if st.Status != contract.PaymentPending || st.ApprovalURL == "" {
				t.Errorf("while awaiting approval: %+v, want pending with an approval URL", st)
			}
			env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: "someone else's", Succeeded: true})
			decide(t, ledger, st.Reference, approve)
			env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: st.Reference, Succeeded: approve, DeclineCode: gateways.CodeApprovalDeclined})
		}, time.Hour)
		runDecided(t, env, approve)
	}
}

// runDecided runs a sandbox_async payment without retries, and checks that
// it ended as its payer decided: paid, or expired, declined by the payer.
func runDecided(t *testing.T, env *testsuite.TestWorkflowEnvironment, approve bool) {
	t.Helper()
	in := paymentInput(sandbox.TokenAsync)
	in.Dunning = billing.DunningSchedule{}
	env.ExecuteWorkflow(PaymentWorkflow, in)
	got := finalState(t, env)
	want, wantCode := contract.PaymentPaid, ""
	if !approve {
		want, wantCode = contract.PaymentExpired, gateways.CodeApprovalDeclined
	}
	if got.Status != want || got.DeclineCode != wantCode {
		t.Errorf("approve=%v: %+v, want %s with decline %q", approve, got, want, wantCode)
	}
}

// queryPayment is the running payment's state.
func queryPayment(t *testing.T, env *testsuite.TestWorkflowEnvironment) contract.PaymentState {
	t.Helper()
	var st contract.PaymentState
	v, err := env.QueryWorkflow(contract.PaymentStateQuery)
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		t.Error(err)
	}
	return st
}

// decide approves or declines a pending charge at the gateway, as the payer
// would on its approval page.
func decide(t *testing.T, ledger *sandbox.MemoryLedger, reference string, approve bool) {
	t.Helper()
	status, code := gateways.Succeeded, ""
	if !approve {
		status, code = gateways.Declined, gateways.CodeApprovalDeclined
	}
	if _, err := ledger.Resolve(context.Background(), reference, status, code, time.Now()); err != nil {
		t.Error(err)
	}
}

// A gateway event is confirmed with the gateway before it moves the
// payment: a success the gateway never saw (a forged signal, issue 9
// finding 3) leaves it pending, and a decline reported as a success is a
// decline.
func TestPaymentGatewayEventsAreConfirmed(t *testing.T) {
	for _, approve := range []bool{true, false} {
		env, ledger, _ := newPaymentEnv(t)
		var reference string
		env.RegisterDelayedCallback(func() {
			reference = queryPayment(t, env).Reference
			env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: reference, Succeeded: true})
		}, time.Hour)
		env.RegisterDelayedCallback(func() {
			st := queryPayment(t, env)
			if st.Status != contract.PaymentPending {
				t.Errorf("after a success the gateway never saw: %s, want pending", st.Status)
			}
			decide(t, ledger, reference, approve)
			env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: reference, Succeeded: true})
		}, 2*time.Hour)
		runDecided(t, env, approve)
	}
}

func TestPaymentApprovalExpires(t *testing.T) {
	env, _, _ := newPaymentEnv(t)
	start := env.Now()
	in := paymentInput(sandbox.TokenAsync)
	in.ApprovalWindow = 2 * time.Hour
	env.ExecuteWorkflow(PaymentWorkflow, in)
	got := finalState(t, env)
	if got.Status != contract.PaymentExpired || env.Now().Sub(start) < 2*time.Hour {
		t.Errorf("unapproved payment = %+v after %v, want expired after the 2h window", got, env.Now().Sub(start))
	}
}

// An approval that is ready when the approval window closes pays: signals
// are read before the timeout is acted on (issue 10, hole 2). Here the
// window closes and the approval arrives while the payment is busy
// looking up an earlier event, so both are ready at its next select.
func TestPaymentApprovalAtTheDeadlinePays(t *testing.T) {
	env, _, _ := newPaymentEnv(t)
	var a *activities.Activities
	in := paymentInput(sandbox.TokenAsync)
	in.ApprovalWindow = 2 * time.Hour
	in.Dunning = billing.DunningSchedule{}
	var reference string
	lookups := 0 // since the event at the window's last second
	env.OnActivity(a.LookupCharge, mock.Anything, mock.Anything).Return(func(context.Context, activities.LookupInput) (activities.LookupResult, error) {
		if reference == "" {
			return activities.LookupResult{Status: gateways.Pending}, nil // the payment polling meanwhile
		}
		lookups++
		if lookups > 1 {
			return activities.LookupResult{Status: gateways.Succeeded}, nil
		}
		env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: reference, Succeeded: true})
		time.Sleep(1500 * time.Millisecond) // the window's last second passes meanwhile
		return activities.LookupResult{Status: gateways.Pending}, nil
	})
	env.RegisterDelayedCallback(func() {
		reference = queryPayment(t, env).Reference
		env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: reference})
	}, in.ApprovalWindow-time.Second)
	env.ExecuteWorkflow(PaymentWorkflow, in)
	if got := finalState(t, env); got.Status != contract.PaymentPaid || lookups != 2 {
		t.Errorf("approved as the window closed: %+v after %d lookups since, want paid after 2", got, lookups)
	}
}

// Issue 10, hole 4: a charge the gateway never answers is retried for
// MaxChargeTime at most, or until the payment's deadline; then the payment
// asks the gateway what it took under the key instead of charging again.
func TestPaymentChargeWithoutAnAnswerIsReconciled(t *testing.T) {
	unknown := temporal.NewNonRetryableApplicationError("no charge under the key", activities.ErrTypeUnknownCharge, nil)
	tests := []struct {
		name      string
		found     activities.ChargeResult
		findErr   error
		deadline  time.Duration
		want      contract.PaymentStatus
		wantCode  string
		wantAfter time.Duration
	}{
		{"the gateway took it", activities.ChargeResult{Reference: "ch_1"}, nil, 0, contract.PaymentPaid, "", MaxChargeTime},
		{"the gateway took nothing", activities.ChargeResult{}, unknown, 0, contract.PaymentExpired, gateways.CodeProcessingError, MaxChargeTime},
		{"the deadline comes first", activities.ChargeResult{}, unknown, 2 * time.Hour, contract.PaymentExpired, gateways.CodeProcessingError, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := newPaymentEnv(t)
			start := env.Now()
			var a *activities.Activities
			keys := map[string]int{}
			env.OnActivity(a.Charge, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
				keys[args.Get(1).(activities.ChargeInput).IdempotencyKey]++
			}).Return(activities.ChargeResult{}, gateways.Transient(sandbox.Name, errors.New("gateway down")))
			var found []string
			env.OnActivity(a.FindCharge, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
				found = append(found, args.Get(1).(activities.FindInput).IdempotencyKey)
			}).Return(tt.found, tt.findErr)
			in := paymentInput(sandbox.TokenOK)
			in.Dunning = billing.DunningSchedule{}
			if tt.deadline > 0 {
				in.Deadline = start.Add(tt.deadline)
			}
			env.ExecuteWorkflow(PaymentWorkflow, in)
			got := finalState(t, env)
			key := testPaymentID.String() + "/1"
			if got.Status != tt.want || got.DeclineCode != tt.wantCode || got.Attempts != 1 {
				t.Errorf("payment = %+v, want %s after 1 attempt, decline %q", got, tt.want, tt.wantCode)
			}
			if len(keys) != 1 || keys[key] < 2 || len(found) != 1 || found[0] != key {
				t.Errorf("charged under %v, found %v; want retries of %s only, then one find", keys, found, key)
			}
			// Retries stop when the next would start past the bound.
			if took := env.Now().Sub(start); took < tt.wantAfter-2*time.Minute || took > tt.wantAfter {
				t.Errorf("reconciled after %v, want just under %v", took, tt.wantAfter)
			}
		})
	}
}

// lastPayment is the newest payment projection written.
func (p *projections) lastPayment() contract.PaymentRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	var last contract.PaymentRecord
	for _, proj := range p.payments {
		if proj.Version > last.Version {
			last = proj
		}
	}
	return last
}

// A payment canceled (its subscription closed) before it charged again ends
// canceled, in the database too, and never charges again (issue 10, hole 6).
func TestPaymentCanceledBeforeItChargesEndsCanceled(t *testing.T) {
	env, ledger, proj := newPaymentEnv(t)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour) // waiting for the retry a day later
	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenDecline))
	if got := finalState(t, env); got.Status != contract.PaymentCanceled {
		t.Errorf("canceled payment = %+v, want canceled", got)
	}
	if last := proj.lastPayment(); last.Status != contract.PaymentCanceled || len(last.AttemptLog) != 1 {
		t.Errorf("projection = %s after %d attempts, want canceled after the one", last.Status, len(last.AttemptLog))
	}
	if charges, _ := ledger.Charges(context.Background()); len(charges) != 1 {
		t.Errorf("%d charges, want the first only", len(charges))
	}
}

// A payment canceled while its charge awaits the payer's approval cannot
// take the charge back: it leaves the payment pending in the database,
// with the charge's reference and approval URL, for an operator to settle.
func TestPaymentCanceledAwaitingApprovalLeavesItPending(t *testing.T) {
	env, _, proj := newPaymentEnv(t)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(PaymentWorkflow, paymentInput(sandbox.TokenAsync))
	if got := finalState(t, env); got.Status != contract.PaymentPending || got.ApprovalURL == "" {
		t.Errorf("canceled payment = %+v, want pending its approval", got)
	}
	last := proj.lastPayment()
	if last.Status != contract.PaymentPending || last.ApprovalURL == "" || len(last.AttemptLog) != 1 || last.AttemptLog[0].Reference == "" {
		t.Errorf("projection = %+v, want pending with the charge's reference and approval URL", last)
	}
}

// A first payment that saved the payer's method at the gateway (a PayPal
// wallet approved with it) keeps it as the customer's, and names it for the
// subscription; a payment of a saved method keeps nothing, and a method that
// cannot be kept leaves the payment paid.
func TestPaymentKeepsThePayersMethod(t *testing.T) {
	saved := uuid.New()
	for name, tt := range map[string]struct {
		method  uuid.UUID
		keepErr error
		want    *contract.PaymentMethod
	}{
		"inline token":   {want: &contract.PaymentMethod{PaymentMethodID: saved, Gateway: sandbox.Name, Token: "vault:W1"}},
		"saved method":   {method: uuid.New()},
		"cannot be kept": {keepErr: temporal.NewNonRetryableApplicationError("gone", activities.ErrTypeGatewayPermanent, nil)},
	} {
		t.Run(name, func(t *testing.T) {
			env, _, _ := newPaymentEnv(t)
			var a *activities.Activities
			env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Pending: true, Reference: "order_1", ApprovalURL: "https://pay.example/order_1"}, nil)
			env.OnActivity(a.LookupCharge, mock.Anything, mock.Anything).Return(activities.LookupResult{Status: gateways.Succeeded, SavedToken: "vault:W1"}, nil)
			var kept []activities.KeepPayersMethodInput
			env.OnActivity(a.KeepPayersMethod, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.KeepPayersMethodInput) (uuid.UUID, error) {
				kept = append(kept, in)
				return saved, tt.keepErr
			})
			env.RegisterDelayedCallback(func() {
				env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: "order_1", Succeeded: true})
			}, time.Hour)
			in := paymentInput("approval")
			in.PaymentMethodID = tt.method
			env.ExecuteWorkflow(PaymentWorkflow, in)
			got := finalState(t, env)
			if got.Status != contract.PaymentPaid {
				t.Fatalf("status = %s, want paid", got.Status)
			}
			if (got.SavedMethod == nil) != (tt.want == nil) || tt.want != nil && *got.SavedMethod != *tt.want {
				t.Errorf("SavedMethod = %+v, want %+v", got.SavedMethod, tt.want)
			}
			wantKept := tt.method == uuid.Nil
			if wantKept != (len(kept) == 1) {
				t.Fatalf("KeepPayersMethod called %d times, want it called: %v", len(kept), wantKept)
			}
			if wantKept && (kept[0].TenantID != in.TenantID || kept[0].CustomerID != in.CustomerID || kept[0].Gateway != sandbox.Name || kept[0].Token != "vault:W1") {
				t.Errorf("kept %+v", kept[0])
			}
		})
	}
}

// A payer's decision whose gateway event never comes (lost while Temporal
// was down, and not sent again) is found by asking the gateway: the payment
// does not wait for its approval window to close to learn of it.
func TestPaymentDecisionWithoutItsEventIsFound(t *testing.T) {
	for _, approve := range []bool{true, false} {
		env, ledger, _ := newPaymentEnv(t)
		start := env.Now()
		env.RegisterDelayedCallback(func() { decide(t, ledger, queryPayment(t, env).Reference, approve) }, time.Hour)
		runDecided(t, env, approve)
		if took := env.Now().Sub(start); took > time.Hour+maxPollInterval {
			t.Errorf("approve=%v: the payment learnt of the decision %v after it began, want within %v of the decision at +1h", approve, took, maxPollInterval)
		}
	}
}

// A pending charge is looked up for its approval window in real time, and
// no longer: on a test clock that is never advanced the window never
// closes, and hourly lookups would grow the history without end.
func TestPaymentStopsLookingUpAfterTheWindow(t *testing.T) {
	env, _, _ := newPaymentEnv(t)
	var a *activities.Activities
	lookups := 0
	env.OnActivity(a.LookupCharge, mock.Anything, mock.Anything).Return(func(context.Context, activities.LookupInput) (activities.LookupResult, error) {
		lookups++
		return activities.LookupResult{Status: gateways.Pending}, nil
	})
	env.RegisterDelayedCallback(env.CancelWorkflow, 30*24*time.Hour)
	in := paymentInput(sandbox.TokenAsync)
	in.TestClock = &contract.TestClock{ID: uuid.New(), Now: env.Now()}
	env.ExecuteWorkflow(PaymentWorkflow, in)
	if got := finalState(t, env); got.Status != contract.PaymentPending {
		t.Errorf("payment = %+v, want pending its payer", got)
	}
	if lookups == 0 || lookups > 30 {
		t.Errorf("%d lookups in 30 days, want those of the 23 h window alone (about 25)", lookups)
	}
}
