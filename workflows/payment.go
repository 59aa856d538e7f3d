package workflows

import (
	"errors"
	"math"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/workflows/contract"
)

// chargeOptions run charges on the payments queue. Transient gateway
// failures are retried here; declines are not (the dunning schedule is the
// workflow's business), and the gateway's idempotency key makes a retried
// attempt safe. A charge is retried for MaxChargeTime at most (see
// payment.charge); lookups are retried until the gateway answers. Time
// bounds the retries, not a count: MaximumAttempts is set only because
// Temporal's test environment caps an unset one at 10.
var chargeOptions = workflow.ActivityOptions{
	TaskQueue:           contract.PaymentsTaskQueue,
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		MaximumAttempts:        math.MaxInt32,
		NonRetryableErrorTypes: []string{activities.ErrTypeDeclined, activities.ErrTypeGatewayPermanent, activities.ErrTypeUnknownCharge},
	},
}

// MaxChargeTime bounds how long one attempt's charge is retried: half of
// the 24 hours Stripe keeps an idempotency key, the shortest lifetime of
// the planned gateways, so a key is never sent again once the gateway may
// have forgotten it.
const MaxChargeTime = 12 * time.Hour

// PaymentWorkflow collects one invoice: scheduled (a draft) until it falls
// due, then pending → paid, or retrying on the dunning schedule after
// declines, or expired when every retry is declined or an approval never
// comes. Each change is written to the projection.
func PaymentWorkflow(ctx workflow.Context, in contract.PaymentInput) (contract.PaymentState, error) {
	p := &payment{in: in}
	if err := p.setup(ctx); err != nil {
		return p.state, err
	}
	state, err := p.run(ctx)
	if err != nil {
		return state, err
	}
	// A sync update answers before the run ends.
	return state, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

type payment struct {
	in           contract.PaymentInput
	state        contract.PaymentState
	firstDecline time.Time
	clock        *clock
	reported     clockSettled // the last report to the subscription
	written      int64        // the version the database has
	events       workflow.ReceiveChannel
	retryNow     workflow.ReceiveChannel
	withdraw     workflow.ReceiveChannel
	advances     workflow.ReceiveChannel
	methods      workflow.ReceiveChannel
	// chargedGateway holds the pending charge; a new payment method may
	// name another gateway meanwhile.
	chargedGateway string
	// savedToken is the payment method the paying charge saved at the
	// gateway, if any.
	savedToken string
	// records is set in runs that write with RecordPayment
	// (recordPaymentState); runs begun before use ProjectPayment.
	records bool
}

func (p *payment) setup(ctx workflow.Context) error {
	p.clock = newClock(p.in.TestClock)
	state, err := p.in.StartState(p.clock.now(ctx))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("bad invoice: "+err.Error(), "BadInvoice", err)
	}
	p.state = state
	p.records = workflow.GetVersion(ctx, recordPaymentState, workflow.DefaultVersion, 1) == 1
	p.events = workflow.GetSignalChannel(ctx, contract.GatewayEventSignal)
	p.retryNow = workflow.GetSignalChannel(ctx, contract.RetryNowSignal)
	p.withdraw = workflow.GetSignalChannel(ctx, contract.WithdrawSignal)
	p.advances = workflow.GetSignalChannel(ctx, contract.ClockAdvanceSignal)
	p.methods = workflow.GetSignalChannel(ctx, contract.PaymentMethodSignal)
	err = workflow.SetUpdateHandler(ctx, contract.SyncUpdate, func(ctx workflow.Context) (contract.PaymentState, error) {
		err := workflow.Await(ctx, func() bool { return p.written > 0 })
		return p.state, err
	})
	if err != nil {
		return err
	}
	return workflow.SetQueryHandler(ctx, contract.PaymentStateQuery, func() (contract.PaymentState, error) { return p.state, nil })
}

func (p *payment) run(ctx workflow.Context) (contract.PaymentState, error) {
	// A draft is in the database at once, and so is a purchase (the API
	// answers once it is). A subscription's invoice due now appears with
	// its first attempt's outcome, a moment later.
	if p.state.Status == contract.PaymentScheduled || p.in.SubscriptionID == uuid.Nil {
		p.project(ctx)
	}
	if p.state.Status == contract.PaymentScheduled {
		if !p.waitUntilDue(ctx) {
			return p.finish(ctx, contract.PaymentCanceled)
		}
		p.state.Status = contract.PaymentPending
	}
	if !p.state.Amount.IsPositive() {
		return p.finish(ctx, contract.PaymentPaid) // nothing to collect: credit covered it
	}
	ctx = workflow.WithActivityOptions(ctx, chargeOptions)
	for {
		if ctx.Err() != nil {
			return p.finish(ctx, contract.PaymentCanceled) // canceled before this attempt charged
		}
		o, err := p.attempt(ctx)
		switch o {
		case paid:
			p.keepPayersMethod(ctx)
			return p.finish(ctx, contract.PaymentPaid)
		case expired:
			return p.finish(ctx, contract.PaymentExpired)
		case withdrawn:
			return p.finish(ctx, contract.PaymentCanceled)
		case abandoned:
			// The gateway holds a pending charge the payer may still approve:
			// the database keeps it pending, with its reference and approval
			// URL, for an operator to settle (docs/decisions.md).
			return p.state, nil
		case failed:
			workflow.GetLogger(ctx).Error("payment cannot be collected", "paymentId", p.in.PaymentID, "error", err)
			return p.finish(ctx, contract.PaymentFailed)
		case declined:
			if !p.scheduleRetry(ctx) {
				return p.finish(ctx, contract.PaymentExpired)
			}
			p.project(ctx)
			p.tellSubscription(ctx)
			if !p.waitForRetry(ctx) {
				return p.finish(ctx, contract.PaymentCanceled)
			}
		}
	}
}

func (p *payment) finish(ctx workflow.Context, status contract.PaymentStatus) (contract.PaymentState, error) {
	p.state.Status, p.state.NextAttemptAt = status, time.Time{}
	if status == contract.PaymentPaid {
		p.state.PaidAt = p.clock.now(ctx)
	}
	if p.clock.test() && p.in.SubscriptionID == uuid.Nil {
		p.clock.set(p.clock.target) // nothing more falls due: caught up
		p.state.ClockTime = p.clock.frozen
	}
	p.project(ctx)
	return p.state, nil
}

// outcome is how one attempt ended.
type outcome int

const (
	paid outcome = iota
	declined
	expired
	failed
	withdrawn
	abandoned // canceled while a charge awaits its approval
)

// attempt charges once, and waits for the approval when the charge is
// pending.
func (p *payment) attempt(ctx workflow.Context) (outcome, error) {
	p.state.Attempts++
	p.state.Status, p.state.NextAttemptAt = contract.PaymentPending, time.Time{}
	req := activities.ChargeInput{
		Gateway: p.in.Gateway, IdempotencyKey: p.chargeKey(),
		PaymentID: p.in.PaymentID, InvoiceID: p.in.InvoiceID, CustomerID: p.in.CustomerID,
		PaymentMethodID: p.in.PaymentMethodID, Token: p.in.Token, Amount: p.state.Amount,
	}
	// A cancellation never interrupts a charge under way: its outcome is
	// recorded, whatever comes next.
	uncancelable, _ := workflow.NewDisconnectedContext(ctx)
	res, err := p.charge(uncancelable, req)
	if code, ok := declineCode(err); ok {
		p.state.DeclineCode = code
		p.recordAttempt(ctx, "declined", "", code)
		return declined, nil
	}
	if err != nil {
		p.recordAttempt(ctx, "failed", "", "")
		return failed, err
	}
	p.state.Reference, p.state.ApprovalURL, p.chargedGateway = res.Reference, res.ApprovalURL, p.in.Gateway
	if !res.Pending {
		p.recordAttempt(ctx, "succeeded", res.Reference, "")
		if p.withdrawnWhileCharging(ctx) {
			return p.refundWithdrawn(ctx), nil
		}
		return paid, nil
	}
	p.recordAttempt(ctx, "pending", res.Reference, "")
	p.project(ctx)
	return p.awaitApproval(ctx), nil
}

// charge makes one attempt's charge, retried until MaxChargeTime has passed
// or the payment's deadline has come. When the gateway has not answered by
// then, it asks what the gateway took under the key, never charging again
// blindly: nothing taken is a decline with CodeProcessingError, left to the
// dunning schedule.
func (p *payment) charge(ctx workflow.Context, req activities.ChargeInput) (activities.ChargeResult, error) {
	var a *activities.Activities
	var res activities.ChargeResult
	bounded := workflow.WithScheduleToCloseTimeout(ctx, p.chargeTime(ctx))
	err := workflow.ExecuteActivity(bounded, a.Charge, req).Get(ctx, &res)
	if !outcomeUnknown(err) {
		return res, err
	}
	workflow.GetLogger(ctx).Warn("no answer to a charge in time; asking the gateway what it took", "paymentId", p.in.PaymentID, "key", req.IdempotencyKey, "error", err)
	err = workflow.ExecuteActivity(ctx, a.FindCharge, activities.FindInput{Gateway: req.Gateway, IdempotencyKey: req.IdempotencyKey}).Get(ctx, &res)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeUnknownCharge {
		return res, temporal.NewNonRetryableApplicationError("the gateway took no charge", activities.ErrTypeDeclined, nil, gateways.CodeProcessingError)
	}
	return res, err
}

// outcomeUnknown reports whether a charge ended without the gateway's
// answer: its retries ran out, not a decline, a permanent refusal or a
// cancellation.
func outcomeUnknown(err error) bool {
	var appErr *temporal.ApplicationError
	switch {
	case err == nil, temporal.IsCanceledError(err):
		return false
	case errors.As(err, &appErr):
		return appErr.Type() != activities.ErrTypeDeclined && appErr.Type() != activities.ErrTypeGatewayPermanent
	}
	return true
}

// chargeTime is how long the next charge may be retried: MaxChargeTime,
// or less when the payment's deadline comes sooner. A test clock's deadline
// is in its own time, which activities do not keep.
func (p *payment) chargeTime(ctx workflow.Context) time.Duration {
	if p.in.Deadline.IsZero() || p.clock.test() {
		return MaxChargeTime
	}
	return min(MaxChargeTime, max(p.in.Deadline.Sub(p.clock.now(ctx)), time.Second))
}

func (p *payment) recordAttempt(ctx workflow.Context, status, reference, code string) {
	log := p.state.AttemptLog
	if n := len(log); n > 0 && log[n-1].Number == p.state.Attempts {
		log[n-1].Status, log[n-1].DeclineCode = status, code
		return
	}
	p.state.AttemptLog = append(log, contract.Attempt{Number: p.state.Attempts, Status: status, Reference: reference, DeclineCode: code, At: p.clock.now(ctx)})
}

// awaitApproval waits for the gateway's event about the pending charge, or
// the end of the approval window. A decline follows the dunning schedule
// like any other.
func (p *payment) awaitApproval(ctx workflow.Context) outcome {
	window := p.in.ApprovalWindow
	if window <= 0 {
		window = contract.DefaultApprovalWindow
	}
	var o outcome
	poll := p.newPoller(ctx, window)
	defer poll.stop()
	w := p.wait(ctx, p.capped(p.clock.now(ctx).Add(window)), func(sel workflow.Selector) func() bool {
		var event contract.GatewayEvent
		sel.AddReceive(p.events, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &event) })
		poll.addTo(sel)
		return func() bool {
			var charge activities.LookupResult
			var ok bool
			switch {
			case poll.fired:
				charge, ok = p.lookup(ctx, p.state.Reference)
				poll.next(ctx)
			case event.Reference == "" || event.Reference != p.state.Reference:
				return false // about an earlier attempt's charge
			default:
				charge, ok = p.confirm(ctx, event)
			}
			switch {
			case !ok || charge.Status == gateways.Pending:
				return false // the gateway has not decided: the event was early, or forged
			case charge.Status == gateways.Succeeded:
				p.recordAttempt(ctx, "succeeded", p.state.Reference, "")
				p.savedToken, o = charge.SavedToken, paid
			default:
				p.state.DeclineCode = charge.DeclineCode
				p.recordAttempt(ctx, "declined", p.state.Reference, charge.DeclineCode)
				o = declined
			}
			return true
		}
	})
	switch w {
	case stopped:
		return p.closePending(ctx, withdrawn)
	case canceled:
		return abandoned
	case timedOut:
		return p.closePending(ctx, expired)
	}
	return o
}

// closePending voids the pending charge of a payment that ends without it
// (ending is expired or withdrawn), so that the payer can no longer approve
// it and money never arrives for an invoice that is closed. When the payer
// decided first, the decision stands: a decline is recorded; a success pays
// an expired payment (the invoice was still owed), and is refunded for a
// withdrawn one (it is not). Runs begun before settleOpenCharges leave the
// charge open.
func (p *payment) closePending(ctx workflow.Context, ending outcome) outcome {
	if !p.settlesOpenCharges(ctx) {
		return ending
	}
	charge, ok := p.void(ctx)
	switch {
	case !ok:
		return ending
	case charge.Status == gateways.Voided:
		p.state.ApprovalURL = "" // the link is dead
		p.recordAttempt(ctx, "voided", p.state.Reference, "")
	case charge.Status == gateways.Declined:
		p.state.DeclineCode = charge.DeclineCode
		p.recordAttempt(ctx, "declined", p.state.Reference, charge.DeclineCode)
	case charge.Status == gateways.Succeeded:
		p.recordAttempt(ctx, "succeeded", p.state.Reference, "")
		p.savedToken = charge.SavedToken
		if ending == withdrawn {
			return p.refundWithdrawn(ctx)
		}
		return paid
	}
	return ending
}

// withdrawnWhileCharging reports whether the invoice was withdrawn, for
// good, while its charge ran: the withdrawal waits in its channel, unread.
func (p *payment) withdrawnWhileCharging(ctx workflow.Context) bool {
	if p.withdraw.Len() == 0 || !p.settlesOpenCharges(ctx) {
		return false
	}
	open := false
	var w contract.Withdraw
	for p.withdraw.ReceiveAsync(&w) {
		open = open || w.Open
	}
	return open
}

// void asks the gateway to void the attempt's pending charge, and reports
// how the charge then stands. ok is false when the gateway refused: the
// charge stays as it was.
func (p *payment) void(ctx workflow.Context) (charge activities.LookupResult, ok bool) {
	var a *activities.Activities
	settling := settlingContext(ctx)
	in := activities.SettleInput{Gateway: p.chargedGateway, Reference: p.state.Reference, IdempotencyKey: gateways.VoidKey(p.chargeKey())}
	if err := workflow.ExecuteActivity(settling, a.VoidCharge, in).Get(settling, &charge); err != nil {
		workflow.GetLogger(ctx).Error("a pending charge could not be voided; it stays open at the gateway", "paymentId", p.in.PaymentID, "reference", p.state.Reference, "error", err)
		return charge, false
	}
	return charge, true
}

// refundWithdrawn refunds the attempt's charge, which succeeded after its
// invoice was withdrawn: the customer no longer owes it. When the gateway
// refuses the refund, the money stays and so does the invoice: the payment
// is paid.
func (p *payment) refundWithdrawn(ctx workflow.Context) outcome {
	var a *activities.Activities
	var refund string
	settling := settlingContext(ctx)
	in := activities.SettleInput{Gateway: p.chargedGateway, Reference: p.state.Reference, IdempotencyKey: gateways.RefundKey(p.chargeKey())}
	if err := workflow.ExecuteActivity(settling, a.RefundCharge, in).Get(settling, &refund); err != nil {
		workflow.GetLogger(ctx).Error("the charge of a withdrawn invoice could not be refunded; the payment is paid", "paymentId", p.in.PaymentID, "reference", p.state.Reference, "error", err)
		return paid
	}
	last := &p.state.AttemptLog[len(p.state.AttemptLog)-1]
	last.Status, last.RefundReference = "refunded", refund
	return withdrawn
}

// keepPayersMethods versions keeping the payment method a first payment
// saved at the gateway.
const keepPayersMethods = "keep-payers-methods"

// keepPayersMethod stores the payment method the paying charge saved at
// the gateway (a PayPal wallet approved with the first payment, a Skrill
// 1-Tap) as the customer's, and names it in the state: a subscription
// renews with it, without its payer. A payment of a saved method, or of
// the very token the gateway reports, saves nothing. Should the store fail for good, the payment is paid all the
// same: the customer can still save the method through the API.
func (p *payment) keepPayersMethod(ctx workflow.Context) {
	if p.savedToken == "" || p.savedToken == p.in.Token || p.in.PaymentMethodID != uuid.Nil || workflow.GetVersion(ctx, keepPayersMethods, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	var a *activities.Activities
	var id uuid.UUID
	settling := settlingContext(ctx)
	in := activities.KeepPayersMethodInput{TenantID: p.in.TenantID, CustomerID: p.in.CustomerID, Gateway: p.chargedGateway, Token: p.savedToken}
	if err := workflow.ExecuteActivity(settling, a.KeepPayersMethod, in).Get(settling, &id); err != nil {
		workflow.GetLogger(ctx).Error("the payment method the payment saved could not be kept", "paymentId", p.in.PaymentID, "error", err)
		return
	}
	p.state.SavedMethod = &contract.PaymentMethod{PaymentMethodID: id, Gateway: p.chargedGateway, Token: p.savedToken}
}

// settlingContext runs a void or a refund to its end, even when the
// payment is canceled meanwhile: money is never left half settled.
func settlingContext(ctx workflow.Context) workflow.Context {
	settling, _ := workflow.NewDisconnectedContext(ctx)
	return settling
}

// chargeKey is the idempotency key of the current attempt's charge.
func (p *payment) chargeKey() string {
	return gateways.IdempotencyKey(p.in.PaymentID.String(), p.state.Attempts)
}

// settlesOpenCharges reports whether this run voids and refunds (see
// closePending), so that runs begun before replay as they ran.
func (p *payment) settlesOpenCharges(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, settleOpenCharges, workflow.DefaultVersion, 1) == 1
}

// settleOpenCharges versions voiding and refunding charges that would
// otherwise move money without an invoice (issue 10, hole 3).
const settleOpenCharges = "settle-open-charges"

// confirm asks the gateway how the pending charge stands. A gateway event
// only says that something may have changed: anyone who reaches Temporal
// can send one, so its word alone never moves a payment. ok is false when
// the gateway could not tell.
func (p *payment) confirm(ctx workflow.Context, event contract.GatewayEvent) (charge activities.LookupResult, ok bool) {
	if workflow.GetVersion(ctx, confirmGatewayEvents, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// A run that began trusting events ends trusting them, so that its
		// history replays.
		if event.Succeeded {
			return activities.LookupResult{Status: gateways.Succeeded}, true
		}
		return activities.LookupResult{Status: gateways.Declined, DeclineCode: event.DeclineCode}, true
	}
	return p.lookup(ctx, event.Reference)
}

// lookup asks the gateway how the charge stands. ok is false when it could
// not tell.
func (p *payment) lookup(ctx workflow.Context, reference string) (charge activities.LookupResult, ok bool) {
	var a *activities.Activities
	in := activities.LookupInput{Gateway: p.chargedGateway, Reference: reference}
	if err := workflow.ExecuteActivity(ctx, a.LookupCharge, in).Get(ctx, &charge); err != nil {
		workflow.GetLogger(ctx).Warn("the gateway could not tell how a pending charge stands; still waiting", "paymentId", p.in.PaymentID, "reference", reference, "error", err)
		return charge, false
	}
	return charge, true
}

// confirmGatewayEvents versions the lookup that confirms a gateway event.
const confirmGatewayEvents = "confirm-gateway-events"

// A pending charge is looked up at the gateway firstPoll after it was
// made, then at doubling intervals up to maxPollInterval, until the payer
// decides or the approval window closes: an event that never comes (lost,
// or refused while Temporal was down) costs at most an hour. The window is
// also counted in real time: a test clock's may never close.
const (
	firstPoll       = 5 * time.Minute
	maxPollInterval = time.Hour
)

// pollPendingCharges versions looking pending charges up (poller).
const pollPendingCharges = "poll-pending-charges"

// poller times the lookups of a pending charge. Its timers run in real
// time, a test clock's too: the payer decides in real time. A run begun
// before pollPendingCharges has none, and never polls.
type poller struct {
	end      time.Time // no lookup after this
	interval time.Duration
	timer    workflow.Future // nil: no more lookups
	cancel   workflow.CancelFunc
	fired    bool
}

// newPoller times the lookups over window from now.
func (p *payment) newPoller(ctx workflow.Context, window time.Duration) *poller {
	poll := &poller{end: workflow.Now(ctx).Add(window)}
	if workflow.GetVersion(ctx, pollPendingCharges, workflow.DefaultVersion, 1) == 1 {
		poll.next(ctx)
	}
	return poll
}

// addTo adds the next lookup's timer to sel. Once it has fired, the
// caller looks the charge up and calls next.
func (poll *poller) addTo(sel workflow.Selector) {
	if poll.timer != nil {
		sel.AddFuture(poll.timer, func(workflow.Future) { poll.fired = true })
	}
}

// next starts the timer of the lookup after this one, if it comes before
// the end.
func (poll *poller) next(ctx workflow.Context) {
	poll.fired, poll.timer = false, nil
	poll.interval = min(max(2*poll.interval, firstPoll), maxPollInterval)
	if !workflow.Now(ctx).Add(poll.interval).Before(poll.end) {
		return
	}
	var timerCtx workflow.Context
	timerCtx, poll.cancel = workflow.WithCancel(ctx)
	poll.timer = workflow.NewTimer(timerCtx, poll.interval)
}

func (poll *poller) stop() {
	if poll.cancel != nil {
		poll.cancel()
	}
}

// capped bounds t by the payment's deadline.
func (p *payment) capped(t time.Time) time.Time {
	if !p.in.Deadline.IsZero() && p.in.Deadline.Before(t) {
		return p.in.Deadline
	}
	return t
}

// scheduleRetry sets the next attempt's time from the dunning schedule, or
// reports that the schedule (or the deadline) is spent.
func (p *payment) scheduleRetry(ctx workflow.Context) bool {
	t := p.clock.now(ctx)
	if p.firstDecline.IsZero() {
		p.firstDecline = t
	}
	next, ok := p.in.Dunning.NextAttempt(p.firstDecline, p.state.Attempts)
	if !ok || p.capped(next).Before(next) {
		return false
	}
	p.state.Status, p.state.NextAttemptAt = contract.PaymentRetrying, next
	return true
}

// tellSubscription signals the payment's subscription about its first
// decline, so it can turn past_due.
func (p *payment) tellSubscription(ctx workflow.Context) {
	if p.in.SubscriptionID == uuid.Nil || p.state.Attempts != 1 {
		return
	}
	progress := contract.PaymentProgress{PaymentID: p.in.PaymentID, DeclineCode: p.state.DeclineCode, NextAttemptAt: p.state.NextAttemptAt}
	err := workflow.SignalExternalWorkflow(ctx, contract.SubscriptionWorkflowID(p.in.SubscriptionID), "", contract.PaymentDeclinedSignal, progress).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("subscription not told of a decline", "paymentId", p.in.PaymentID, "error", err)
	}
}

// waitForRetry sleeps until the next attempt, or until RetryNowSignal. It
// reports false when the payment was withdrawn or canceled meanwhile.
func (p *payment) waitForRetry(ctx workflow.Context) bool {
	return p.wait(ctx, p.state.NextAttemptAt, func(sel workflow.Selector) func() bool {
		now := false
		sel.AddReceive(p.retryNow, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); now = true })
		return func() bool { return now }
	}) < stopped
}

// waitUntilDue keeps the invoice a draft until it falls due. It reports
// false when the draft was withdrawn or canceled.
func (p *payment) waitUntilDue(ctx workflow.Context) bool {
	return p.wait(ctx, p.in.DueAt, nil) < stopped
}

// woken is why a wait ended.
type woken int

const (
	timedOut woken = iota
	done           // what the caller added said so
	stopped        // a withdrawal that applies
	canceled       // the workflow was canceled (its subscription closed)
)

// wait blocks until until, a withdrawal that applies to the payment as it
// stands, the workflow's cancellation, or whatever also adds to the selector
// reports done; a new payment method ends a wait for the next attempt too.
// Meanwhile it keeps the test clock, if the payment has one.
func (p *payment) wait(ctx workflow.Context, until time.Time, also func(workflow.Selector) (isDone func() bool)) woken {
	timer, stopTimer := p.clock.timer(ctx, until)
	defer stopTimer()
	for {
		p.keepTime(ctx)
		fired, stop := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(workflow.Future) { fired = true })
		sel.AddReceive(p.withdraw, func(c workflow.ReceiveChannel, _ bool) {
			var w contract.Withdraw
			c.Receive(ctx, &w)
			stop = w.Open || p.state.Status == contract.PaymentScheduled
		})
		sel.AddReceive(p.advances, func(c workflow.ReceiveChannel, _ bool) {
			var t time.Time
			c.Receive(ctx, &t)
			p.clock.advanceTo(t)
		})
		retry := false
		sel.AddReceive(p.methods, func(c workflow.ReceiveChannel, _ bool) {
			var m contract.PaymentMethod
			c.Receive(ctx, &m)
			p.in.PaymentMethodID, p.in.Gateway, p.in.Token = m.PaymentMethodID, m.Gateway, m.Token
			retry = p.state.Status == contract.PaymentRetrying
		})
		cancel := false
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { cancel = true })
		isDone := func() bool { return false }
		if also != nil {
			isDone = also(sel)
		}
		sel.Select(ctx)
		for {
			switch {
			case stop:
				return stopped
			case cancel:
				return canceled
			case isDone(), retry:
				return done
			}
			if !fired || !p.readsSignalsFirst(ctx, sel) {
				break
			}
			sel.Select(ctx)
		}
		if fired {
			return timedOut
		}
	}
}

// readsSignalsFirst reports whether a signal came in the workflow task
// that fired the timer: it is read before the timeout is acted on, so an
// approval or a withdrawal that arrived in time is never lost to the
// timer.
func (p *payment) readsSignalsFirst(ctx workflow.Context, sel workflow.Selector) bool {
	return sel.HasPending() && workflow.GetVersion(ctx, signalsBeforeTimeouts, workflow.DefaultVersion, 1) == 1
}

// signalsBeforeTimeouts versions reading signals before a timeout.
const signalsBeforeTimeouts = "signals-before-timeouts"

// keepTime steps a test clock towards its target. Once the payment has
// caught up with nothing left to do, it says so: to its subscription, or,
// for a purchase, to the database.
func (p *payment) keepTime(ctx workflow.Context) {
	if !p.clock.test() || p.clock.step() > 0 || !p.clock.caughtUp() {
		return // a timer fired: the wait returns, and the payment moves on first
	}
	if p.in.SubscriptionID == uuid.Nil {
		if !p.state.ClockTime.Equal(p.clock.frozen) {
			p.state.ClockTime = p.clock.frozen
			p.project(ctx)
		}
		return
	}
	settled := clockSettled{PaymentID: p.in.PaymentID, Now: p.clock.frozen, NextWake: p.clock.nextWake()}
	if settled == p.reported {
		return
	}
	p.reported = settled
	err := workflow.SignalExternalWorkflow(ctx, contract.SubscriptionWorkflowID(p.in.SubscriptionID), "", clockSettledSignal, settled).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("subscription not told the clock settled", "paymentId", p.in.PaymentID, "error", err)
	}
}

// recordPaymentState versions runs that write with RecordPayment, which
// takes the payment's identity and state (contract.PaymentRecord) and maps
// them to its rows in one place (models.PaymentRows). Runs begun before
// write with ProjectPayment and paymentProjection(), and replay that way.
const recordPaymentState = "record-payment-state"

// project writes the payment and its invoice to the database.
func (p *payment) project(ctx workflow.Context) {
	p.state.Version = nextVersion(ctx, p.state.Version)
	rec := p.in.Record(p.state)
	rec.UpdatedAt = p.clock.now(ctx)
	var a *activities.Activities
	if p.records {
		project(ctx, a.RecordPayment, rec)
	} else {
		project(ctx, a.ProjectPayment, paymentProjection(rec))
	}
	p.written = max(p.written, p.state.Version)
}

// paymentProjection is r as ProjectPayment takes it, in runs begun before
// recordPaymentState, and in the invoices raised by subscriptions begun
// before recordSubscriptionState. Delete it with the later of the two
// patches' old branches.
func paymentProjection(r contract.PaymentRecord) activities.PaymentProjection {
	return activities.PaymentProjection{
		Version: r.Version, PaymentID: r.PaymentID, InvoiceID: r.InvoiceID,
		TenantID: r.TenantID, CustomerID: r.CustomerID, SubscriptionID: r.SubscriptionID,
		PriceID: r.PriceID, PaymentMethodID: r.PaymentMethodID, Gateway: r.Gateway,
		Status: string(r.Status), Amount: r.Amount, Attempts: r.AttemptLog,
		ApprovalURL: r.ApprovalURL, DeclineCode: r.DeclineCode, NextAttemptAt: r.NextAttemptAt, PaidAt: r.PaidAt,
		Lines: r.Invoice.Lines, Credit: r.Invoice.Credit,
		PeriodStart: r.Invoice.PeriodStart, PeriodEnd: r.Invoice.PeriodEnd,
		TestClockID: r.TestClockID, ClockTime: r.ClockTime, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
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
