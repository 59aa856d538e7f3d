package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

// Names operators and the API use to reach a payment workflow.
const (
	// PaymentStateQuery returns the PaymentState.
	PaymentStateQuery = "state"
	// GatewayEventSignal carries a GatewayEvent: an async charge's outcome.
	GatewayEventSignal = "gateway-event"
	// RetryNowSignal (no payload) skips the wait before the next attempt.
	RetryNowSignal = "retry-now"
)

// DefaultApprovalWindow is how long a pending charge may wait for its
// approval before the payment expires.
const DefaultApprovalWindow = 23 * time.Hour

// PaymentWorkflowID is the workflow ID of a payment.
func PaymentWorkflowID(paymentID string) string { return "payment/" + paymentID }

// PaymentStatus is where a payment stands.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending  PaymentStatus = "pending"  // an attempt is running or awaits approval
	PaymentRetrying PaymentStatus = "retrying" // declined; the next attempt is scheduled
	PaymentPaid     PaymentStatus = "paid"
	PaymentExpired  PaymentStatus = "expired" // not paid in time, or every retry declined
	PaymentFailed   PaymentStatus = "failed"  // the gateway can never accept this charge
)

// PaymentInput is one invoice's collection.
type PaymentInput struct {
	PaymentID  string
	CustomerID string
	Amount     billing.Money
	Gateway    string
	Token      string
	// Dunning spaces the retries after a decline, counted from the first.
	Dunning billing.DunningSchedule
	// ApprovalWindow bounds the wait for an async approval; zero means
	// DefaultApprovalWindow.
	ApprovalWindow time.Duration
}

// PaymentState is the payment as the query and the result report it.
type PaymentState struct {
	Status        PaymentStatus
	Attempts      int
	Reference     string    // the gateway's charge of the last attempt
	ApprovalURL   string    // where the payer approves a pending charge
	DeclineCode   string    // the last decline
	NextAttemptAt time.Time // when retrying
}

// GatewayEvent is an async charge's outcome, from the gateway's webhook.
type GatewayEvent struct {
	Reference   string
	Succeeded   bool
	DeclineCode string
}

// chargeOptions run charges on the payments queue. Transient gateway
// failures are retried here; declines are not (the dunning schedule is the
// workflow's business), and the gateway's idempotency key makes a retried
// attempt safe.
var chargeOptions = workflow.ActivityOptions{
	TaskQueue:           PaymentsTaskQueue,
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeDeclined, activities.ErrTypeGatewayPermanent},
	},
}

// PaymentWorkflow collects one payment: pending → paid, or retrying on the
// dunning schedule after declines, or expired when every retry is declined
// or an approval never comes.
func PaymentWorkflow(ctx workflow.Context, in PaymentInput) (PaymentState, error) {
	p := &payment{in: in, state: PaymentState{Status: PaymentPending}}
	if err := p.setup(ctx); err != nil {
		return p.state, err
	}
	return p.run(ctx)
}

type payment struct {
	in           PaymentInput
	state        PaymentState
	firstDecline time.Time
	events       workflow.ReceiveChannel
	retryNow     workflow.ReceiveChannel
}

func (p *payment) setup(ctx workflow.Context) error {
	p.events = workflow.GetSignalChannel(ctx, GatewayEventSignal)
	p.retryNow = workflow.GetSignalChannel(ctx, RetryNowSignal)
	return workflow.SetQueryHandler(ctx, PaymentStateQuery, func() (PaymentState, error) { return p.state, nil })
}

func (p *payment) run(ctx workflow.Context) (PaymentState, error) {
	ctx = workflow.WithActivityOptions(ctx, chargeOptions)
	for {
		o, err := p.attempt(ctx)
		switch o {
		case paid:
			p.state.Status = PaymentPaid
			return p.state, nil
		case expired:
			p.state.Status = PaymentExpired
			return p.state, nil
		case failed:
			workflow.GetLogger(ctx).Error("payment cannot be collected", "paymentId", p.in.PaymentID, "error", err)
			p.state.Status = PaymentFailed
			return p.state, nil
		case declined:
			if !p.scheduleRetry(ctx) {
				p.state.Status = PaymentExpired
				return p.state, nil
			}
			p.waitForRetry(ctx)
		}
	}
}

// outcome is how one attempt ended.
type outcome int

const (
	paid outcome = iota
	declined
	expired
	failed
)

// attempt charges once, and waits for the approval when the charge is
// pending.
func (p *payment) attempt(ctx workflow.Context) (outcome, error) {
	var a *activities.Activities
	p.state.Attempts++
	p.state.Status, p.state.NextAttemptAt = PaymentPending, time.Time{}
	req := gateways.ChargeRequest{
		IdempotencyKey: gateways.IdempotencyKey(p.in.PaymentID, p.state.Attempts),
		Amount:         p.in.Amount, Token: p.in.Token, CustomerID: p.in.CustomerID,
	}
	var res activities.ChargeResult
	err := workflow.ExecuteActivity(ctx, a.Charge, activities.ChargeInput{Gateway: p.in.Gateway, Request: req}).Get(ctx, &res)
	if code, ok := declineCode(err); ok {
		p.state.DeclineCode = code
		return declined, nil
	}
	if err != nil {
		return failed, err
	}
	p.state.Reference, p.state.ApprovalURL = res.Reference, res.ApprovalURL
	if !res.Pending {
		return paid, nil
	}
	return p.awaitApproval(ctx), nil
}

// awaitApproval waits for the gateway's event about the pending charge, or
// the end of the approval window. A decline follows the dunning schedule
// like any other.
func (p *payment) awaitApproval(ctx workflow.Context) outcome {
	window := p.in.ApprovalWindow
	if window <= 0 {
		window = DefaultApprovalWindow
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(timerCtx, window)
	for {
		var event GatewayEvent
		timedOut := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(p.events, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &event) })
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		sel.Select(ctx)
		switch {
		case timedOut:
			return expired
		case event.Reference != p.state.Reference:
			continue // about an earlier attempt's charge
		case event.Succeeded:
			return paid
		default:
			p.state.DeclineCode = event.DeclineCode
			return declined
		}
	}
}

// scheduleRetry sets the next attempt's time from the dunning schedule, or
// reports that the schedule is spent.
func (p *payment) scheduleRetry(ctx workflow.Context) bool {
	now := workflow.Now(ctx)
	if p.firstDecline.IsZero() {
		p.firstDecline = now
	}
	declines := p.state.Attempts
	next, ok := p.in.Dunning.NextAttempt(p.firstDecline, declines)
	if !ok {
		return false
	}
	p.state.Status, p.state.NextAttemptAt = PaymentRetrying, next
	return true
}

// waitForRetry sleeps until the next attempt, or until RetryNowSignal.
func (p *payment) waitForRetry(ctx workflow.Context) {
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(workflow.NewTimer(timerCtx, p.state.NextAttemptAt.Sub(workflow.Now(ctx))), func(workflow.Future) {})
	sel.AddReceive(p.retryNow, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	sel.Select(ctx)
}

// declineCode tells a decline from other failures.
func declineCode(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeDeclined {
		return "", false
	}
	var code string
	if appErr.HasDetails() {
		_ = appErr.Details(&code)
	}
	return code, true
}
