package workflows

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// MaxPeriodsPerRun bounds the history of a run begun before
// paymentsStartWhenDue: it continues as new at the first period boundary
// after this many renewals, or sooner when Temporal suggests it. Later runs
// continue as new at every period boundary.
const MaxPeriodsPerRun = 50

// validateStart refuses what the API refuses too, for starts that do not
// come through it (an operator's, from the Temporal UI or CLI).
func validateStart(in contract.SubscriptionInput) error {
	err := in.Plan.Validate()
	if err == nil && in.Quantity < 1 {
		err = fmt.Errorf("the quantity %d is not positive", in.Quantity)
	}
	if err == nil {
		_, err = in.Plan.Total(in.Quantity)
	}
	if err != nil {
		return temporal.NewNonRetryableApplicationError("the subscription cannot be billed: "+err.Error(), contract.ErrBadSubscription, err)
	}
	return nil
}

// must is the result of money arithmetic on amounts that were validated
// when they were taken, so a failure is a bug. It panics: the workflow task
// fails and is retried until a fixed worker replays it, rather than bill
// a wrong amount.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("money arithmetic failed: %v", err))
	}
	return v
}

// must2 is must for results in pairs.
func must2[T, U any](a T, b U, err error) (T, U) {
	if err != nil {
		panic(fmt.Sprintf("money arithmetic failed: %v", err))
	}
	return a, b
}

// illegal is the error a validator returns for a change the lifecycle
// refuses, or nil.
func illegal(refused error) error {
	if refused == nil {
		return nil
	}
	return temporal.NewApplicationError(refused.Error(), contract.ErrIllegalChange)
}

// SubscriptionWorkflow drives a subscription: the trial, the first payment,
// each period's invoice (a PaymentWorkflow child started when the period
// starts), dunning, pause, resume, price changes and cancellation. A run
// lasts one period: it continues as new at the next period boundary.
func SubscriptionWorkflow(ctx workflow.Context, in contract.SubscriptionInput) error {
	s := &subscription{in: in, wake: workflow.NewBufferedChannel(ctx, 1)}
	if err := s.setup(ctx); err != nil {
		return err
	}
	return s.run(ctx)
}

type subscription struct {
	in    contract.SubscriptionInput
	state contract.SubscriptionState
	// upcoming collects the next period's invoice; others are invoices
	// raised at once (always_invoice price changes).
	upcoming *child
	others   []*child
	renewals int // periods paid in this run
	wake     workflow.Channel
	clock    *clock
	settled  map[uuid.UUID]clockSettled // each payment's last report
	// raised are the invoices started since the last sync, which writes
	// them with the subscription.
	raised   []contract.PaymentRecord
	endTimer *clockAlarm
	// whenDue is set in runs that start each period's payment when it
	// falls due (paymentsStartWhenDue); runs begun before hold it as a
	// draft child from the previous payment on.
	whenDue  bool
	dueTimer *clockAlarm
	// records is set in runs that write their row with RecordSubscription
	// (recordSubscriptionState); runs begun before use ProjectSubscription.
	records bool
	synced  struct {
		projection activities.SubscriptionProjection // before recordSubscriptionState
		row        rowKey                            // the key of the record last written
		written    int64                             // the version the database has
		status     contract.SubscriptionStatus
		next       time.Time
	}
}

// child is a running PaymentWorkflow.
type child struct {
	paymentID uuid.UUID
	future    workflow.ChildWorkflowFuture
	period    contract.Period
	next      int           // the period it bills, for the upcoming invoice
	pending   int           // how many PendingLines it carries
	credit    billing.Money // what it changed the customer's credit by
	preview   contract.InvoicePreview
	withdrawn bool
}

// clockAlarm is a timer kept across loop iterations.
type clockAlarm struct {
	at     time.Time
	future workflow.Future
	stop   func()
}

func (s *subscription) setup(ctx workflow.Context) error {
	s.clock, s.settled = newClock(s.in.TestClock), map[uuid.UUID]clockSettled{}
	// The API sets the status a new subscription starts with; what is set
	// already is not upserted again.
	if status, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(contract.StatusKey); ok {
		s.synced.status = contract.SubscriptionStatus(status)
	}
	if s.in.Carried != nil {
		s.state = *s.in.Carried
		s.in.Carried = nil
	} else {
		if err := validateStart(s.in); err != nil {
			return err
		}
		s.state = subscriptionStarted(s.in.Plan, s.in.Quantity, s.clock.now(ctx))
	}
	s.whenDue = workflow.GetVersion(ctx, paymentsStartWhenDue, workflow.DefaultVersion, 1) == 1
	s.records = workflow.GetVersion(ctx, recordSubscriptionState, workflow.DefaultVersion, 1) == 1
	if next, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(contract.NextBillingAtKey); ok && s.whenDue {
		s.synced.next = next // carried from the previous run
	}
	if err := workflow.SetQueryHandler(ctx, contract.SubscriptionStateQuery, func() (contract.SubscriptionState, error) { return s.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, contract.UpcomingInvoiceQuery, s.preview); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, contract.PriceChangePreviewQuery, s.previewPriceChange); err != nil {
		return err
	}
	return s.setUpdateHandlers(ctx)
}

// life is the subscription's state under its lifecycle's rules.
func (s *subscription) life() *lifecycle {
	return (*lifecycle)(&s.state)
}

// paymentsStartWhenDue versions runs that start each period's payment when
// the period starts, with children canceled when the subscription closes,
// and continue as new at every period boundary. Runs begun before keep
// their draft child (abandoned on close) and their 50-period runs, and
// replay that way, until they continue as new (continueAsNewAtBoundary).
const paymentsStartWhenDue = "payments-start-when-due"

// recordSubscriptionState versions runs that write their row with
// RecordSubscription, which takes the subscription's identity and state
// (contract.SubscriptionRecord) and maps them to the row in one place
// (models.SubscriptionRow). Runs begun before write with
// ProjectSubscription and projection(), and replay that way, until they
// continue as new.
const recordSubscriptionState = "record-subscription-state"

// continueAsNewAtBoundary versions, per boundary (its changeID names the
// boundary by the IDs minted so far), the continue-as-new that moves a run
// begun before paymentsStartWhenDue onto it at its next period boundary.
// A changeID's version is fixed by its first call in a run, so one
// changeID would keep replaying such a run on the old path forever.
const continueAsNewAtBoundary = "continue-as-new-at-boundary"

// signals are the subscription's signal channels.
type signals struct {
	declines, cancels, advances, settles workflow.ReceiveChannel
}

func (s *subscription) run(ctx workflow.Context) error {
	in := signals{
		declines: workflow.GetSignalChannel(ctx, contract.PaymentDeclinedSignal),
		cancels:  workflow.GetSignalChannel(ctx, contract.CancelSignal),
		advances: workflow.GetSignalChannel(ctx, contract.ClockAdvanceSignal),
		settles:  workflow.GetSignalChannel(ctx, clockSettledSignal),
	}
	for {
		if s.whenDue {
			s.drain(ctx, in) // signals first: a boundary decides on all that came
		}
		if s.atBoundary() && s.continuesAsNew(ctx) {
			if err, ok := s.continueAsNew(ctx, in); ok {
				return err
			}
		}
		if s.upcoming == nil && s.life().invoicesNext() {
			s.openUpcoming(ctx)
		}
		s.endIfDue(ctx)
		if s.state.Status.Ended() && s.upcoming == nil && len(s.others) == 0 {
			endedAt := s.clock.now(ctx)
			s.catchUp()
			s.syncAt(ctx, endedAt)
			// An update that ended the subscription answers before the run does.
			return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
		}
		if s.whenDue {
			s.state.NextBillingAt = s.billingAt(ctx)
			s.armAlarms(ctx) // before a test clock can step past them
		}
		s.keepTime(ctx)
		s.sync(ctx)
		sel := workflow.NewSelector(ctx)
		for _, c := range s.children() {
			sel.AddFuture(c.future, func(f workflow.Future) { s.paymentDone(ctx, c, f) })
		}
		s.listen(ctx, sel, in)
		for _, alarm := range s.armAlarms(ctx) {
			sel.AddFuture(alarm, func(workflow.Future) {})
		}
		sel.Select(ctx)
	}
}

// armAlarms keeps the subscription's timers: its end, when set to cancel
// at period end, and the next period's start, while it waits for it.
func (s *subscription) armAlarms(ctx workflow.Context) []workflow.Future {
	end, ending := s.life().endsAt()
	due, waiting := s.nextStart()
	var armed []workflow.Future
	for _, alarm := range []*clockAlarm{s.rearm(ctx, &s.endTimer, end, ending), s.rearm(ctx, &s.dueTimer, due, waiting)} {
		if alarm != nil {
			armed = append(armed, alarm.future)
		}
	}
	return armed
}

// listen adds the subscription's signals to sel.
func (s *subscription) listen(ctx workflow.Context, sel workflow.Selector, in signals) {
	sel.AddReceive(in.declines, func(ch workflow.ReceiveChannel, _ bool) {
		var p contract.PaymentProgress
		ch.Receive(ctx, &p)
		s.paymentDeclined(p)
	})
	sel.AddReceive(in.cancels, func(ch workflow.ReceiveChannel, _ bool) { s.receiveCancel(ctx, ch) })
	sel.AddReceive(s.wake, func(ch workflow.ReceiveChannel, _ bool) { ch.Receive(ctx, nil) })
	sel.AddReceive(in.advances, func(ch workflow.ReceiveChannel, _ bool) {
		var t time.Time
		ch.Receive(ctx, &t)
		s.clock.advanceTo(t)
	})
	sel.AddReceive(in.settles, func(ch workflow.ReceiveChannel, _ bool) {
		var st clockSettled
		ch.Receive(ctx, &st)
		if _, running := s.settled[st.PaymentID]; running {
			s.settled[st.PaymentID] = st
		}
	})
}

// drain applies every signal received and not yet read.
func (s *subscription) drain(ctx workflow.Context, in signals) {
	sel := workflow.NewSelector(ctx)
	s.listen(ctx, sel, in)
	for sel.HasPending() {
		sel.Select(ctx)
	}
}

// rearm keeps *alarm a timer at at while want holds, and stops it
// otherwise; it returns the timer, or nil.
func (s *subscription) rearm(ctx workflow.Context, alarm **clockAlarm, at time.Time, want bool) *clockAlarm {
	if *alarm != nil && (!want || !(*alarm).at.Equal(at)) {
		(*alarm).stop()
		*alarm = nil
	}
	if want && *alarm == nil {
		f, stop := s.clock.timer(ctx, at)
		*alarm = &clockAlarm{at: at, future: f, stop: stop}
	}
	return *alarm
}

// waitsForNext reports whether the subscription starts the next period's
// payment when it falls due, and has not started it yet.
func (s *subscription) waitsForNext() bool {
	return s.whenDue && s.upcoming == nil
}

// nextStart is the start of the period whose payment the subscription
// waits to start.
func (s *subscription) nextStart() (time.Time, bool) {
	if !s.waitsForNext() {
		return time.Time{}, false
	}
	p, ok := s.life().nextPeriod()
	return p.Start, ok
}

// billingAt is when the next payment starts, or zero when none is to come:
// one is running, the subscription is not renewing, or it is due now.
func (s *subscription) billingAt(ctx workflow.Context) time.Time {
	if !s.waitsForNext() {
		return time.Time{}
	}
	return s.life().billingAt(s.clock.now(ctx))
}

// keepTime steps a test clock towards its target, one due time at a time:
// it moves only once every payment has done what fell due at the current
// time, and tells them where it moved. Caught up, it records the time.
func (s *subscription) keepTime(ctx workflow.Context) {
	if !s.clock.test() {
		return
	}
	var wakes []time.Time
	for _, c := range s.children() {
		st := s.settled[c.paymentID]
		if !st.Now.Equal(s.clock.frozen) {
			return // a payment is still busy at this time
		}
		wakes = append(wakes, st.NextWake)
	}
	before := s.clock.frozen
	if fired := s.clock.step(wakes...); fired > 0 {
		return // the period's end: the subscription moves on first
	}
	if s.clock.frozen.After(before) && len(s.children()) > 0 {
		for _, c := range s.children() {
			s.tell(ctx, c, contract.ClockAdvanceSignal, s.clock.frozen)
		}
		return
	}
	if s.clock.caughtUp() {
		s.state.ClockTime = s.clock.frozen
	}
}

// catchUp moves an ended subscription's test clock to its target: nothing
// more falls due.
func (s *subscription) catchUp() {
	if s.clock.test() {
		s.clock.set(s.clock.target)
		s.state.ClockTime = s.clock.frozen
	}
}

func (s *subscription) children() []*child {
	if s.upcoming == nil {
		return s.others
	}
	return append([]*child{s.upcoming}, s.others...)
}

func (s *subscription) endIfDue(ctx workflow.Context) {
	if s.life().endIfDue(s.clock.now(ctx)) {
		s.withdrawAll(ctx)
	}
}

// withdrawAll withdraws every invoice of an ended subscription not yet
// paid.
func (s *subscription) withdrawAll(ctx workflow.Context) {
	for _, c := range s.children() {
		s.withdraw(ctx, c, true)
	}
}

// openUpcoming starts the child that collects the next period's invoice
// when the period starts; until then the subscription waits (dueAt), and
// the invoice is only a preview. A run begun before paymentsStartWhenDue
// starts the child at once, holding the invoice as a draft until then.
func (s *subscription) openUpcoming(ctx workflow.Context) {
	n := s.state.Next
	p := s.life().period(n)
	if !s.billingAt(ctx).IsZero() {
		return
	}
	lines := []billing.Line{periodLine(s.state, p)}
	lines = append(lines, s.state.PendingLines...)
	in, credit := s.paymentInput(ctx, lines, p)
	in.DueAt = p.Start
	if s.state.Status == contract.SubscriptionPending {
		window := s.in.FirstPaymentWindow
		if window <= 0 {
			window = contract.DefaultFirstPaymentWindow
		}
		in.Deadline = s.state.CreatedAt.Add(window)
	}
	c := s.startPayment(ctx, in, credit)
	c.next, c.pending = n, len(s.state.PendingLines)
	s.upcoming = c
	s.life().upcomingOpened(p, s.clock.now(ctx))
}

// periodLine is the line that charges st's plan for period p.
func periodLine(st contract.SubscriptionState, p contract.Period) billing.Line {
	return billing.Line{
		Kind: billing.PeriodCharge, Description: st.Plan.Recurrence.String(),
		Amount: must(st.Plan.Total(st.Quantity)), Quantity: st.Quantity, PeriodStart: p.Start, PeriodEnd: p.End,
	}
}

// paymentInput makes an invoice of lines, taking what it can from the
// customer's credit and carrying any excess credit forward. It returns how
// much the customer's credit changed, to undo if the invoice is withdrawn.
func (s *subscription) paymentInput(ctx workflow.Context, lines []billing.Line, p contract.Period) (contract.PaymentInput, billing.Money) {
	due, carried := must2(billing.Settle(lines))
	charge, left := must2(billing.ApplyCredit(due, s.state.Credit))
	used := must(due.Sub(charge))
	before := s.state.Credit
	s.state.Credit = must(left.Add(carried))
	change := must(s.state.Credit.Sub(before))
	paymentID, invoiceID := s.mint(ctx), s.mint(ctx)
	return contract.PaymentInput{
		PaymentIdentity: contract.PaymentIdentity{
			PaymentID: paymentID, InvoiceID: invoiceID, TenantID: s.in.TenantID, CustomerID: s.in.CustomerID,
			SubscriptionID: s.in.SubscriptionID, PaymentMethodID: s.in.PaymentMethodID, Gateway: s.in.Gateway,
		},
		Token: s.in.Token, Dunning: s.state.Plan.Dunning,
		Invoice: contract.InvoiceDraft{Lines: lines, Credit: used, PeriodStart: p.Start, PeriodEnd: p.End},
	}, change
}

func (s *subscription) mint(ctx workflow.Context) uuid.UUID {
	s.state.Minted++
	return contract.DerivedID(workflow.Now(ctx), s.in.SubscriptionID, s.state.Minted)
}

// startPayment starts a PaymentWorkflow child; credit is how much its
// invoice changed the customer's credit.
func (s *subscription) startPayment(ctx workflow.Context, in contract.PaymentInput, credit billing.Money) *child {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            contract.PaymentWorkflowID(in.PaymentID),
		TaskQueue:             contract.SubscriptionsTaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     s.parentClosePolicy(),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.TenantIDKey.ValueSet(in.TenantID.String()), contract.CustomerIDKey.ValueSet(in.CustomerID.String()),
		),
	}
	s.state.LatestInvoiceID = in.InvoiceID
	if s.clock.test() {
		in.TestClock = &contract.TestClock{ID: s.clock.id, Now: s.clock.frozen}
		s.settled[in.PaymentID] = clockSettled{} // busy until it reports
	}
	f := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), contract.PaymentWorkflowType, in)
	now := s.clock.now(ctx)
	raised := in.Record(must(in.StartState(now)))
	raised.UpdatedAt = now
	s.raised = append(s.raised, raised)
	return &child{paymentID: in.PaymentID, future: f, period: contract.Period{Start: in.Invoice.PeriodStart, End: in.Invoice.PeriodEnd}, credit: credit, preview: s.previewOf(in)}
}

// parentClosePolicy cancels a subscription's payments when it closes
// (terminated, reset, timed out): a payment that has not charged ends
// canceled. Runs begun before paymentsStartWhenDue abandon theirs.
func (s *subscription) parentClosePolicy() enumspb.ParentClosePolicy {
	if s.whenDue {
		return enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL
	}
	return enumspb.PARENT_CLOSE_POLICY_ABANDON
}

func (s *subscription) previewOf(in contract.PaymentInput) contract.InvoicePreview {
	total := must(billing.Total(in.Invoice.Lines))
	due := must(in.Invoice.Due())
	return contract.InvoicePreview{
		Lines: in.Invoice.Lines, Total: total, CreditApplied: in.Invoice.Credit, AmountDue: due,
		Period: contract.Period{Start: in.Invoice.PeriodStart, End: in.Invoice.PeriodEnd}, DueAt: in.DueAt,
	}
}

// paymentDone moves the subscription on when one of its payments ends.
func (s *subscription) paymentDone(ctx workflow.Context, c *child, f workflow.Future) {
	var res contract.PaymentState
	if err := f.Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("payment workflow failed", "paymentId", c.paymentID, "error", err)
		res.Status = contract.PaymentFailed
	}
	isUpcoming := c == s.upcoming
	s.drop(c)
	switch res.Status {
	case contract.PaymentCanceled:
		if c.withdrawn {
			s.state.Credit = must(s.state.Credit.Sub(c.credit)) // the invoice never happened
		}
		if isUpcoming {
			s.life().upcomingCanceled()
		}
	case contract.PaymentPaid:
		if isUpcoming {
			s.renewed(c)
		}
		s.renewWith(res.SavedMethod)
		s.life().paid()
	default: // expired or failed: the customer did not pay
		if s.life().expired(s.clock.now(ctx)) {
			s.withdrawAll(ctx)
		}
	}
}

// renewWith makes the payment method a payment saved at the gateway the
// subscription's, in place of the token given inline that needed its payer
// (PayPal's approval, Skrill's checkout): later periods are charged
// without them.
func (s *subscription) renewWith(saved *contract.PaymentMethod) {
	if saved == nil || s.in.PaymentMethodID != uuid.Nil || saved.Gateway != s.in.Gateway {
		return
	}
	s.in.PaymentMethodID, s.in.Token = saved.PaymentMethodID, saved.Token
}

// renewed starts the period its upcoming invoice paid for.
func (s *subscription) renewed(c *child) {
	s.state.PendingLines = s.state.PendingLines[c.pending:]
	s.life().renewed(c.period, c.next)
	s.renewals++
}

func (s *subscription) drop(c *child) {
	delete(s.settled, c.paymentID)
	if c == s.upcoming {
		s.upcoming = nil
		return
	}
	for i, o := range s.others {
		if o == c {
			s.others = append(s.others[:i], s.others[i+1:]...)
			return
		}
	}
}

// paymentDeclined tells the lifecycle which of its payments was declined.
func (s *subscription) paymentDeclined(p contract.PaymentProgress) {
	if c := s.upcoming; c != nil && c.paymentID == p.PaymentID {
		s.life().renewalDeclined(c.period)
		return
	}
	s.life().declined()
}

// withdraw asks a payment to stop: only a draft, or an open one too.
func (s *subscription) withdraw(ctx workflow.Context, c *child, open bool) {
	c.withdrawn = true
	s.tell(ctx, c, contract.WithdrawSignal, contract.Withdraw{Open: open})
}

// tell signals one of the subscription's payments, once it has started: a
// signal sent before would find no workflow and be lost.
func (s *subscription) tell(ctx workflow.Context, c *child, signal string, arg any) {
	if err := c.future.SignalChildWorkflow(ctx, signal, arg).Get(ctx, nil); err != nil {
		// The payment has ended meanwhile; its result tells the rest.
		workflow.GetLogger(ctx).Warn("payment not signalled", "signal", signal, "paymentId", c.paymentID, "error", err)
	}
}

// sync writes the state to the projection and the search attributes when
// it changed since the last sync.
func (s *subscription) sync(ctx workflow.Context) {
	s.syncAt(ctx, s.clock.now(ctx))
}

// syncAt is sync for a change made at: the row's update time, which dates
// its events. An ended subscription's clock has moved on to its target
// since it ended.
func (s *subscription) syncAt(ctx workflow.Context, at time.Time) {
	if s.state.Status != s.synced.status || !s.state.NextBillingAt.Equal(s.synced.next) {
		updates := []temporal.SearchAttributeUpdate{contract.StatusKey.ValueSet(string(s.state.Status))}
		if s.state.NextBillingAt.IsZero() {
			updates = append(updates, contract.NextBillingAtKey.ValueUnset())
		} else {
			updates = append(updates, contract.NextBillingAtKey.ValueSet(s.state.NextBillingAt))
		}
		if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
			workflow.GetLogger(ctx).Warn("search attributes not upserted", "error", err)
		}
		s.synced.status, s.synced.next = s.state.Status, s.state.NextBillingAt
	}
	var a *activities.Activities
	if s.records {
		key := keyOf(s.in.Record(s.state))
		if key == s.synced.row {
			return
		}
		s.synced.row = key
		s.state.Version = nextVersion(ctx, s.state.Version)
		rec := s.in.Record(s.state)
		rec.UpdatedAt = at
		project(ctx, a.RecordSubscription, rec, s.raised)
	} else {
		proj := s.projection()
		if proj == s.synced.projection {
			return
		}
		s.synced.projection = proj
		s.state.Version = nextVersion(ctx, s.state.Version)
		proj.Version, proj.UpdatedAt = s.state.Version, at
		raised := make([]activities.PaymentProjection, len(s.raised))
		for i, r := range s.raised {
			raised[i] = paymentProjection(r)
		}
		project(ctx, a.ProjectSubscription, proj, raised)
	}
	s.raised = nil
	s.synced.written = max(s.synced.written, s.state.Version)
}

// rowKey is what the subscription's row shows of a record, less its
// version and update time: the workflow writes when it changes. It lists
// what it keeps, so a field added to the state changes no write;
// TestRowKeyIsWhatTheRowShows keeps it to what models.SubscriptionRow reads.
type rowKey struct {
	id, tenant, customer, paymentMethod, testClock, price, latestInvoice uuid.UUID
	gateway                                                              string
	status                                                               contract.SubscriptionStatus
	amount                                                               billing.Money
	quantity                                                             int64
	period                                                               contract.Period
	created, trialEnd, canceled, paused, ended, clockTime                time.Time
	cancelAtPeriodEnd                                                    bool
}

func keyOf(r contract.SubscriptionRecord) rowKey {
	return rowKey{
		id: r.SubscriptionID, tenant: r.TenantID, customer: r.CustomerID, paymentMethod: r.PaymentMethodID,
		testClock: r.TestClockID, price: r.Plan.PriceID, latestInvoice: r.LatestInvoiceID, gateway: r.Gateway,
		status: r.Status, amount: r.Plan.Amount, quantity: r.Quantity, period: r.CurrentPeriod, created: r.CreatedAt,
		trialEnd: r.TrialEnd, canceled: r.CanceledAt, paused: r.PausedAt, ended: r.EndedAt, clockTime: r.ClockTime,
		cancelAtPeriodEnd: r.CancelAtPeriodEnd,
	}
}

// projection is the subscription's row, less its version and update time,
// in runs begun before recordSubscriptionState. Delete it with that patch's
// old branch.
func (s *subscription) projection() activities.SubscriptionProjection {
	st := s.state
	return activities.SubscriptionProjection{
		ID: s.in.SubscriptionID, TenantID: s.in.TenantID, CustomerID: s.in.CustomerID,
		PriceID: st.Plan.PriceID, Quantity: st.Quantity, Status: string(st.Status), Amount: st.Plan.Amount,
		PaymentMethodID: s.in.PaymentMethodID, Gateway: s.in.Gateway,
		CurrentPeriodStart: st.CurrentPeriod.Start, CurrentPeriodEnd: st.CurrentPeriod.End,
		TrialEnd: st.TrialEnd, CancelAtPeriodEnd: st.CancelAtPeriodEnd, CanceledAt: st.CanceledAt,
		PausedAt: st.PausedAt, EndedAt: st.EndedAt, LatestInvoiceID: st.LatestInvoiceID,
		TestClockID: s.clock.id, ClockTime: st.ClockTime,
		CreatedAt: st.CreatedAt,
	}
}

// preview is the upcoming invoice: the draft if one is open, else what the
// next period's invoice would be. It changes nothing.
func (s *subscription) preview() (contract.InvoicePreview, error) {
	if err := s.life().canPreview(); err != nil {
		return contract.InvoicePreview{}, illegal(err)
	}
	if s.upcoming != nil {
		return s.upcoming.preview, nil
	}
	p := s.life().period(s.state.Next)
	credit := s.state.Credit
	return invoicePreview(append([]billing.Line{periodLine(s.state, p)}, s.state.PendingLines...), &credit, p, p.Start), nil
}

// invoicePreview is an invoice of lines for p, due at due, less what the
// credit balance covers; it spends that from *credit.
func invoicePreview(lines []billing.Line, credit *billing.Money, p contract.Period, due time.Time) contract.InvoicePreview {
	total := must(billing.Total(lines))
	owed, carried := must2(billing.Settle(lines))
	charge, left := must2(billing.ApplyCredit(owed, *credit))
	*credit = must(left.Add(carried))
	return contract.InvoicePreview{Lines: lines, Total: total, CreditApplied: must(owed.Sub(charge)), AmountDue: charge, Period: p, DueAt: due}
}

func (s *subscription) setUpdateHandlers(ctx workflow.Context) error {
	state := func(ctx workflow.Context) (contract.SubscriptionState, error) {
		s.sync(ctx)
		s.wake.SendAsync(nil)
		return s.state, nil
	}
	handlers := []struct {
		name string
		opts workflow.UpdateHandlerOptions
		fn   any
	}{
		{contract.CancelUpdate, workflow.UpdateHandlerOptions{Validator: s.validateCancel}, func(ctx workflow.Context, c contract.Cancel) (contract.SubscriptionState, error) {
			s.cancel(ctx, c)
			return state(ctx)
		}},
		{contract.ReactivateUpdate, workflow.UpdateHandlerOptions{Validator: s.validateReactivate}, func(ctx workflow.Context) (contract.SubscriptionState, error) {
			s.life().reactivate()
			return state(ctx)
		}},
		{contract.PauseUpdate, workflow.UpdateHandlerOptions{Validator: s.validatePause}, func(ctx workflow.Context) (contract.SubscriptionState, error) {
			s.pause(ctx)
			return state(ctx)
		}},
		{contract.ResumeUpdate, workflow.UpdateHandlerOptions{Validator: s.validateResume}, func(ctx workflow.Context) (contract.SubscriptionState, error) {
			s.resume(ctx)
			return state(ctx)
		}},
		{contract.ChangePriceUpdate, workflow.UpdateHandlerOptions{Validator: s.validateChangePrice}, func(ctx workflow.Context, c contract.PriceChange) (contract.SubscriptionState, error) {
			s.changePrice(ctx, c)
			return state(ctx)
		}},
		{contract.ChangePaymentMethodUpdate, workflow.UpdateHandlerOptions{Validator: s.validateChangePaymentMethod}, func(ctx workflow.Context, m contract.PaymentMethod) (contract.SubscriptionState, error) {
			s.changePaymentMethod(ctx, m)
			return state(ctx)
		}},
	}
	err := workflow.SetUpdateHandler(ctx, contract.SyncUpdate, func(ctx workflow.Context) (contract.SubscriptionState, error) {
		err := workflow.Await(ctx, func() bool { return s.synced.written > 0 })
		return s.state, err
	})
	if err != nil {
		return err
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, h.opts); err != nil {
			return err
		}
	}
	return nil
}

func (s *subscription) validateCancel(c contract.Cancel) error {
	return illegal(s.life().canCancel(c))
}

func (s *subscription) cancel(ctx workflow.Context, c contract.Cancel) {
	s.life().cancel(c, s.clock.now(ctx))
	if !c.AtPeriodEnd {
		s.withdrawAll(ctx)
		return
	}
	if s.upcoming != nil {
		s.withdraw(ctx, s.upcoming, false)
	}
}

// receiveCancel applies an operator's cancel signal, or logs why not.
func (s *subscription) receiveCancel(ctx workflow.Context, ch workflow.ReceiveChannel) {
	var c contract.Cancel
	ch.Receive(ctx, &c)
	if err := s.validateCancel(c); err != nil {
		workflow.GetLogger(ctx).Warn("cancel signal ignored", "reason", err)
		return
	}
	s.cancel(ctx, c)
}

func (s *subscription) validateReactivate() error {
	return illegal(s.life().canReactivate())
}

func (s *subscription) validatePause() error {
	return illegal(s.life().canPause())
}

// pause stops invoicing at once. The unused time of the paid period is
// credited when the subscription resumes.
func (s *subscription) pause(ctx workflow.Context) {
	s.life().pause(s.clock.now(ctx))
	if s.upcoming != nil {
		s.withdraw(ctx, s.upcoming, false)
	}
}

func (s *subscription) validateResume() error {
	return illegal(s.life().canResume())
}

// resume starts a new period at once, invoiced now, with a credit for the
// time the paid period had left when it was paused.
func (s *subscription) resume(ctx workflow.Context) {
	t := s.clock.now(ctx)
	cur := s.state.CurrentPeriod
	full := must(s.state.Plan.Total(s.state.Quantity))
	if unused, err := billing.Prorate(full, cur.Start, cur.End, s.state.PausedAt); err == nil && unused.IsPositive() {
		s.state.PendingLines = append(s.state.PendingLines, billing.Line{
			Kind:        billing.ProrationCredit,
			Description: "Unused time after pausing on " + s.state.PausedAt.Format(time.DateOnly),
			Amount:      billing.Money{Amount: -unused.Amount, Currency: unused.Currency},
			Quantity:    s.state.Quantity, PeriodStart: s.state.PausedAt, PeriodEnd: cur.End,
		})
	}
	s.life().resume(t)
}

func (s *subscription) validateChangePrice(ctx workflow.Context, c contract.PriceChange) error {
	return illegal(s.life().canChangePrice(c, s.collectingNextPeriod(ctx)))
}

// collectingNextPeriod reports whether the upcoming invoice has fallen due
// and has not ended.
func (s *subscription) collectingNextPeriod(ctx workflow.Context) bool {
	return s.upcoming != nil && !s.upcoming.preview.DueAt.After(s.clock.now(ctx))
}

// changePrice moves to the new plan now. An active subscription that keeps
// its interval is prorated as asked; one that changes it restarts its
// billing cycle. A trial has nothing to prorate, and its first period on
// the new plan starts at the trial's end. The upcoming draft is replaced
// by one on the new price.
func (s *subscription) changePrice(ctx workflow.Context, c contract.PriceChange) {
	now := s.clock.now(ctx)
	restarts := s.life().restartsCycle(c.Plan) &&
		workflow.GetVersion(ctx, intervalChangeRestartsCycle, workflow.DefaultVersion, 1) != workflow.DefaultVersion
	e, err := s.priceChangeEffect(c, now, restarts)
	if err != nil {
		workflow.GetLogger(ctx).Error("price change not prorated", "error", err)
	}
	if len(e.invoicedNow) > 0 {
		in, credit := s.paymentInput(ctx, e.invoicedNow, e.invoicedNowPeriod)
		s.others = append(s.others, s.startPayment(ctx, in, credit))
	}
	s.state.PendingLines = append(s.state.PendingLines, e.pending...)
	if !e.restartAt.IsZero() {
		s.life().restartCycle(e.restartAt)
	}
	s.state.Plan = c.Plan
	if s.upcoming != nil {
		s.withdraw(ctx, s.upcoming, false)
	}
}

// intervalChangeRestartsCycle versions the restart of the billing cycle:
// runs that changed interval before it prorated over the old period and
// started the new cycle at its end, and replay that way.
const intervalChangeRestartsCycle = "interval-change-restarts-cycle"

// priceChangeEffect is what moving to another plan does to the invoices,
// computed without doing it, for changePrice and its preview alike.
type priceChangeEffect struct {
	pending           []billing.Line  // lines added to the next invoice
	invoicedNow       []billing.Line  // lines invoiced at once
	invoicedNowPeriod contract.Period // the period they bill
	restartAt         time.Time       // the new cycle's anchor; zero: it keeps its own
}

// priceChangeEffect is c's effect at at. When restarts, the new plan's
// cycle starts at at, as Stripe does when the interval changes: the unused
// time of the old plan is credited, and the new plan's first period is the
// upcoming invoice, due at once, with the credit among its pending lines.
// Otherwise an active subscription's change is prorated over the rest of
// its period (a change of interval, only in runs begun before the restart,
// starts the new cycle at the period's end). An error says why nothing
// was prorated; the rest of the effect holds.
func (s *subscription) priceChangeEffect(c contract.PriceChange, at time.Time, restarts bool) (priceChangeEffect, error) {
	cur := s.state.CurrentPeriod
	from, to := s.priceTerms(s.state.Plan), s.priceTerms(c.Plan)
	if restarts {
		plan, err := billing.PlanIntervalChange(from, to, cur.Start, cur.End, at, c.Proration)
		return priceChangeEffect{pending: plan.Lines, restartAt: at}, err
	}
	if !s.life().prorates() {
		return priceChangeEffect{}, nil
	}
	var e priceChangeEffect
	if c.Plan.Recurrence != s.state.Plan.Recurrence {
		e.restartAt = cur.End
	}
	plan, err := billing.PlanPriceChange(from, to, cur.Start, cur.End, at, c.Proration)
	if plan.InvoiceNow {
		e.invoicedNow, e.invoicedNowPeriod = plan.Lines, contract.Period{Start: at, End: cur.End}
	} else {
		e.pending = plan.Lines
	}
	return e, err
}

// previewPriceChange answers PriceChangePreviewQuery: the invoices c
// would make at q.At (a test clock's subscription: at its clock's time),
// less the customer's credit as changePrice would spend it. It changes
// nothing.
func (s *subscription) previewPriceChange(q contract.PriceChangeAt) (contract.PriceChangePreview, error) {
	at := q.At.UTC().Truncate(time.Second)
	if s.clock.test() {
		at = s.clock.frozen
	}
	collecting := s.upcoming != nil && !s.upcoming.preview.DueAt.After(at)
	if err := s.life().canChangePrice(q.Change, collecting); err != nil {
		return contract.PriceChangePreview{Refused: err.Error()}, nil
	}
	e, err := s.priceChangeEffect(q.Change, at, s.life().restartsCycle(q.Change.Plan))
	if err != nil {
		return contract.PriceChangePreview{}, err
	}
	after := s.state
	credit := after.Credit
	out := contract.PriceChangePreview{At: at}
	if len(e.invoicedNow) > 0 {
		now := invoicePreview(e.invoicedNow, &credit, e.invoicedNowPeriod, at)
		out.InvoicedNow = &now
	}
	after.Plan = q.Change.Plan
	after.PendingLines = append(slices.Clone(after.PendingLines), e.pending...)
	if !e.restartAt.IsZero() {
		(*lifecycle)(&after).restartCycle(e.restartAt)
	}
	if p, ok := (*lifecycle)(&after).nextPeriod(); ok {
		next := invoicePreview(append([]billing.Line{periodLine(after, p)}, after.PendingLines...), &credit, p, p.Start)
		out.Upcoming = &next
	}
	return out, nil
}

func (s *subscription) priceTerms(p contract.Plan) billing.PriceTerms {
	return billing.PriceTerms{Amount: p.Amount, Quantity: s.state.Quantity}
}

func (s *subscription) validateChangePaymentMethod(m contract.PaymentMethod) error {
	return illegal(s.life().canChangePaymentMethod(m))
}

// changePaymentMethod charges m from now on: the payments being collected
// switch to it, and one waiting to retry after a decline tries it at once.
func (s *subscription) changePaymentMethod(ctx workflow.Context, m contract.PaymentMethod) {
	s.in.PaymentMethodID, s.in.Gateway, s.in.Token = m.PaymentMethodID, m.Gateway, m.Token
	for _, c := range s.children() {
		s.tell(ctx, c, contract.PaymentMethodSignal, m)
	}
}

// atBoundary reports whether the subscription is between periods: the
// next one is to be invoiced and no payment is running.
func (s *subscription) atBoundary() bool {
	return s.upcoming == nil && len(s.others) == 0 && s.life().invoicesNext()
}

// continuesAsNew reports whether this run should end at this boundary: at
// every one once it has paid a period (a carried run starts at one), or,
// for a run begun before paymentsStartWhenDue, after MaxPeriodsPerRun or
// when Temporal suggests it, or at the first one past a period it paid
// that this worker runs.
func (s *subscription) continuesAsNew(ctx workflow.Context) bool {
	if s.whenDue {
		return s.renewals > 0
	}
	if s.renewals >= MaxPeriodsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
		return true
	}
	if s.renewals == 0 {
		return false
	}
	boundary := fmt.Sprintf("%s/%d", continueAsNewAtBoundary, s.state.Minted)
	return workflow.GetVersion(ctx, boundary, workflow.DefaultVersion, 1) == 1
}

// continueAsNew starts a fresh run at a period boundary, carrying the
// state, whose dates are all absolute. Every signal already received is
// applied, running update handlers finish, and the state is written
// first, until none of it is left, so nothing is lost between runs; if
// what they did leaves nothing to renew, it reports false and the run goes
// on.
func (s *subscription) continueAsNew(ctx workflow.Context, in signals) (error, bool) {
	for {
		s.drain(ctx, in)
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err, true
		}
		if !s.atBoundary() {
			return nil, false
		}
		if s.whenDue {
			s.state.NextBillingAt = s.billingAt(ctx) // the search attributes carry it over
		}
		s.sync(ctx)
		if !s.pending(in) && workflow.AllHandlersFinished(ctx) {
			break
		}
	}
	next := s.in
	carried := s.state
	next.Carried = &carried
	if s.clock.test() {
		next.TestClock = &contract.TestClock{ID: s.clock.id, Now: s.clock.frozen, Target: s.clock.target}
	}
	return workflow.NewContinueAsNewError(ctx, SubscriptionWorkflow, next), true
}

// pending reports whether a signal waits to be read.
func (s *subscription) pending(in signals) bool {
	for _, ch := range []workflow.ReceiveChannel{in.declines, in.cancels, in.advances, in.settles, s.wake} {
		if ch.Len() > 0 {
			return true
		}
	}
	return false
}
