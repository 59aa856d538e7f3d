package contract

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
)

// Names the API and operators use to reach a subscription workflow.
const (
	// SubscriptionStateQuery returns the SubscriptionState.
	SubscriptionStateQuery = "state"
	// UpcomingInvoiceQuery returns the InvoicePreview of the next invoice.
	UpcomingInvoiceQuery = "upcoming-invoice"
	// PriceChangePreviewQuery takes a PriceChangeAt and returns its
	// PriceChangePreview: what the change would invoice, changing nothing.
	PriceChangePreviewQuery = "price-change-preview"
	// CancelUpdate takes a Cancel and returns the SubscriptionState.
	CancelUpdate = "cancel"
	// PauseUpdate (no payload) stops invoicing.
	PauseUpdate = "pause"
	// ResumeUpdate (no payload) starts a new period at once.
	ResumeUpdate = "resume"
	// ReactivateUpdate (no payload) takes back a cancel at period end: the
	// subscription renews again.
	ReactivateUpdate = "reactivate"
	// ChangePriceUpdate takes a PriceChange.
	ChangePriceUpdate = "change-price"
	// ChangePaymentMethodUpdate takes a PaymentMethod: the subscription's
	// payments charge it from now on, and a declined one retries at once.
	ChangePaymentMethodUpdate = "change-payment-method"
	// CancelSignal takes a Cancel, for operators: the same change as
	// CancelUpdate, ignored (and logged) when illegal.
	CancelSignal = "cancel"
)

// DefaultFirstPaymentWindow is how long a new subscription waits for its
// first payment before it expires, as Stripe's incomplete subscriptions do.
const DefaultFirstPaymentWindow = 23 * time.Hour

// SubscriptionWorkflowID is the workflow ID of a subscription.
func SubscriptionWorkflowID(id uuid.UUID) string { return "subscription/" + id.String() }

// SubscriptionStatus is where a subscription stands.
type SubscriptionStatus string

// Subscription statuses, as in Stripe Billing (pending is Stripe's
// incomplete).
const (
	SubscriptionPending  SubscriptionStatus = "pending" // the first payment is not made yet
	SubscriptionTrialing SubscriptionStatus = "trialing"
	SubscriptionActive   SubscriptionStatus = "active"
	SubscriptionPastDue  SubscriptionStatus = "past_due" // a renewal was declined and is being retried
	SubscriptionPaused   SubscriptionStatus = "paused"
	SubscriptionCanceled SubscriptionStatus = "canceled"
	SubscriptionExpired  SubscriptionStatus = "expired" // never paid, or every retry declined
)

// SubscriptionStatuses are every status a subscription may be in.
var SubscriptionStatuses = []SubscriptionStatus{
	SubscriptionPending, SubscriptionTrialing, SubscriptionActive, SubscriptionPastDue,
	SubscriptionPaused, SubscriptionCanceled, SubscriptionExpired,
}

// Strings are statuses as the database and the API spell them.
func Strings[S ~string](statuses ...S) []string {
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = string(s)
	}
	return out
}

// Ended reports whether the subscription is over.
func (s SubscriptionStatus) Ended() bool {
	return s == SubscriptionCanceled || s == SubscriptionExpired
}

// Plan is the recurring price a subscription pays.
type Plan struct {
	PriceID    uuid.UUID
	Amount     billing.Money // per unit and period
	Recurrence billing.Recurrence
	TrialDays  int
	Dunning    billing.DunningSchedule
}

// Validate reports what would keep a plan from being billed: a workflow
// that took it would fail every later task.
func (p Plan) Validate() error {
	switch {
	case p.PriceID == uuid.Nil:
		return errors.New("the plan names no price")
	case p.Amount.Amount < 0:
		return errors.New("the plan's amount is negative")
	case p.TrialDays < 0 || p.TrialDays > billing.MaxTrialDays:
		return fmt.Errorf("the plan's trial of %d days is not within 0-%d", p.TrialDays, billing.MaxTrialDays)
	}
	if err := p.Amount.Validate(); err != nil {
		return err
	}
	return p.Recurrence.Validate()
}

// StartStatus is the status a subscription to the plan starts in: trialing
// until its trial ends, or pending until its first invoice is paid.
func (p Plan) StartStatus() SubscriptionStatus {
	if p.TrialDays > 0 {
		return SubscriptionTrialing
	}
	return SubscriptionPending
}

// StartState is what a subscription of quantity units of the plan is at
// at, before its workflow has set its periods.
func (p Plan) StartState(quantity int64, at time.Time) SubscriptionState {
	return SubscriptionState{Status: p.StartStatus(), Plan: p, Quantity: quantity, CreatedAt: at}
}

// Total is what quantity units cost for a period.
func (p Plan) Total(quantity int64) (billing.Money, error) {
	return p.Amount.MulInt(quantity)
}

// ErrBadSubscription is the type of the error a subscription started with
// input it could never bill fails with.
const ErrBadSubscription = "BadSubscription"

// SubscriptionInput starts a subscription.
type SubscriptionInput struct {
	SubscriptionID  uuid.UUID
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	Plan            Plan
	Quantity        int64
	PaymentMethodID uuid.UUID // uuid.Nil when the method was given inline
	Gateway         string
	Token           string
	// FirstPaymentWindow is how long the first payment may take; zero is
	// DefaultFirstPaymentWindow.
	FirstPaymentWindow time.Duration
	// TestClock, when set, is the clock the subscription lives on.
	TestClock *TestClock
	// Carried is the state a continued run starts from.
	Carried *SubscriptionState
}

// SubscriptionState is the subscription as the query, the updates and the
// projection report it. It is all a continued run needs.
type SubscriptionState struct {
	Status            SubscriptionStatus
	Plan              Plan
	Quantity          int64
	CreatedAt         time.Time
	CurrentPeriod     Period // the trial while trialing
	TrialEnd          time.Time
	CancelAtPeriodEnd bool
	CanceledAt        time.Time
	PausedAt          time.Time
	EndedAt           time.Time
	LatestInvoiceID   uuid.UUID
	NextBillingAt     time.Time // when the upcoming invoice falls due
	ClockTime         time.Time // the test clock time it has caught up with
	// Anchor and Next number the billing periods: period n of the current
	// cycle is [Plan.Recurrence.PeriodEnd(Anchor, n), …PeriodEnd(Anchor, n+1)),
	// and Next is the period the upcoming invoice bills.
	Anchor time.Time
	Next   int
	// Credit is the customer's balance, taken off the next invoices.
	Credit billing.Money
	// PendingLines wait for the next period's invoice (create_prorations).
	PendingLines []billing.Line
	// Minted counts the IDs minted for invoices and payments.
	Minted int64
	// Version is the last projection's. It only grows, across operator
	// resets and continued runs.
	Version int64
}

// SubscriptionRecord is what a subscription's workflow writes to the
// database: who the subscription is, and its state at UpdatedAt.
type SubscriptionRecord struct {
	SubscriptionID  uuid.UUID
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	PaymentMethodID uuid.UUID // uuid.Nil when the method was given inline
	Gateway         string
	TestClockID     uuid.UUID // uuid.Nil: it lives on the server's time
	UpdatedAt       time.Time
	SubscriptionState
}

// Record is the subscription in starts, in state st.
func (in SubscriptionInput) Record(st SubscriptionState) SubscriptionRecord {
	r := SubscriptionRecord{
		SubscriptionID: in.SubscriptionID, TenantID: in.TenantID, CustomerID: in.CustomerID,
		PaymentMethodID: in.PaymentMethodID, Gateway: in.Gateway, SubscriptionState: st,
	}
	if in.TestClock != nil {
		r.TestClockID = in.TestClock.ID
	}
	return r
}

// Period is a billing period [Start, End).
type Period struct {
	Start time.Time
	End   time.Time
}

// Cancel asks a subscription to end now or at the end of its period.
type Cancel struct {
	AtPeriodEnd bool `json:"atPeriodEnd"`
}

// PriceChange moves a subscription to another recurring price.
type PriceChange struct {
	Plan      Plan
	Proration billing.ProrationMode
}

// PriceChangeAt is a price change as if made at At, the caller's time. A
// subscription on a test clock previews it at its clock's time instead.
type PriceChangeAt struct {
	Change PriceChange
	At     time.Time
}

// PriceChangePreview is what a PriceChangeAt would invoice: at once
// (InvoicedNow, for AlwaysInvoice's prorations) and next (Upcoming, nil
// when no invoice is to come). Refused is why the subscription would
// refuse the change, as ChangePriceUpdate's validator says; nothing else
// is set then.
type PriceChangePreview struct {
	At          time.Time
	InvoicedNow *InvoicePreview
	Upcoming    *InvoicePreview
	Refused     string
}

// InvoicePreview is the next invoice as it stands now.
type InvoicePreview struct {
	Lines         []billing.Line
	Total         billing.Money
	CreditApplied billing.Money
	AmountDue     billing.Money
	Period        Period
	DueAt         time.Time
}

// ErrIllegalChange is the type of the error an update's validator returns
// for a change the subscription's state forbids; the API answers 409.
const ErrIllegalChange = "IllegalChange"

// IsIllegalChange reports whether err is an update rejected by its
// validator, and returns the reason.
func IsIllegalChange(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrIllegalChange {
		return appErr.Message(), true
	}
	return "", false
}
