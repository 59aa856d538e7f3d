package contract

import (
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
)

// Names operators and the API use to reach a payment workflow.
const (
	// PaymentStateQuery returns the PaymentState.
	PaymentStateQuery = "state"
	// GatewayEventSignal carries a GatewayEvent: an async charge's outcome.
	GatewayEventSignal = "gateway-event"
	// RetryNowSignal (no payload) skips the wait before the next attempt.
	RetryNowSignal = "retry-now"
	// WithdrawSignal carries a Withdraw: the invoice is no longer wanted.
	WithdrawSignal = "withdraw"
	// PaymentMethodSignal carries a PaymentMethod: later attempts charge it,
	// and a payment waiting to retry tries it at once.
	PaymentMethodSignal = "payment-method"
	// SyncUpdate (no payload) returns the state once the workflow has
	// written it to the database, so the API's answer to a start is
	// readable at once. Both payment and subscription workflows take it.
	SyncUpdate = "sync"
)

// DefaultApprovalWindow is how long a pending charge may wait for its
// approval before the payment expires.
const DefaultApprovalWindow = 23 * time.Hour

// PaymentWorkflowID is the workflow ID of a payment.
func PaymentWorkflowID(paymentID uuid.UUID) string { return "payment/" + paymentID.String() }

// PaymentStatus is where a payment stands.
type PaymentStatus string

// Payment statuses.
const (
	PaymentScheduled PaymentStatus = "scheduled" // the invoice is a draft until it falls due
	PaymentPending   PaymentStatus = "pending"   // an attempt is running or awaits approval
	PaymentRetrying  PaymentStatus = "retrying"  // declined; the next attempt is scheduled
	PaymentPaid      PaymentStatus = "paid"
	PaymentExpired   PaymentStatus = "expired"  // not paid in time, or every retry declined
	PaymentFailed    PaymentStatus = "failed"   // the gateway can never accept this charge
	PaymentCanceled  PaymentStatus = "canceled" // withdrawn before it was paid
)

// PaymentStatuses are every status a payment may be in.
var PaymentStatuses = []PaymentStatus{
	PaymentScheduled, PaymentPending, PaymentRetrying, PaymentPaid,
	PaymentExpired, PaymentFailed, PaymentCanceled,
}

// InvoiceStatus is where a payment's invoice stands.
type InvoiceStatus string

// Invoice statuses.
const (
	DraftInvoice         InvoiceStatus = "draft"
	OpenInvoice          InvoiceStatus = "open"
	PaidInvoice          InvoiceStatus = "paid"
	VoidInvoice          InvoiceStatus = "void"
	UncollectibleInvoice InvoiceStatus = "uncollectible"
)

// InvoiceStatuses are every status an invoice may be in.
var InvoiceStatuses = []InvoiceStatus{DraftInvoice, OpenInvoice, PaidInvoice, VoidInvoice, UncollectibleInvoice}

// Invoice is the status of the invoice of a payment in s; ok is false when
// s is none of PaymentStatuses.
func (s PaymentStatus) Invoice() (status InvoiceStatus, ok bool) {
	switch s {
	case PaymentScheduled:
		return DraftInvoice, true
	case PaymentPending, PaymentRetrying:
		return OpenInvoice, true
	case PaymentPaid:
		return PaidInvoice, true
	case PaymentExpired, PaymentFailed:
		return UncollectibleInvoice, true
	case PaymentCanceled:
		return VoidInvoice, true
	}
	return "", false
}

// PaymentIdentity is who a payment is: its IDs, whose it is, and the
// gateway it is collected through. Embedded, its fields are the input's and
// the record's own, in JSON too.
type PaymentIdentity struct {
	PaymentID       uuid.UUID
	InvoiceID       uuid.UUID
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	SubscriptionID  uuid.UUID // uuid.Nil for a purchase
	PriceID         uuid.UUID // the one-time price of a purchase; uuid.Nil otherwise
	PaymentMethodID uuid.UUID // uuid.Nil when the method was given inline
	Gateway         string
}

// PaymentInput is one invoice's collection.
type PaymentInput struct {
	PaymentIdentity
	Token   string
	Invoice InvoiceDraft
	// Dunning spaces the retries after a decline, counted from the first.
	Dunning billing.DunningSchedule
	// ApprovalWindow bounds the wait for an async approval; zero means
	// DefaultApprovalWindow.
	ApprovalWindow time.Duration
	// DueAt is when the invoice is opened and collected; until then it is a
	// draft. Zero means at once.
	DueAt time.Time
	// Deadline, when set, expires the payment if it is not paid by then,
	// whatever the dunning schedule and approval window say.
	Deadline time.Time
	// TestClock, when set, is the clock the payment lives on.
	TestClock *TestClock
}

// InvoiceDraft is what the payment collects.
type InvoiceDraft struct {
	Lines       []billing.Line
	Credit      billing.Money // customer credit applied; never negative
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// Due is the invoice's total less the credit applied, never negative.
func (d InvoiceDraft) Due() (billing.Money, error) {
	due, _, err := billing.Settle(d.Lines)
	if err != nil {
		return billing.Money{}, err
	}
	if d.Credit.IsZero() {
		return due, nil
	}
	charge, _, err := billing.ApplyCredit(due, d.Credit)
	return charge, err
}

// StartState is the payment of in at at, before any attempt: scheduled
// until its invoice falls due, else pending.
func (in PaymentInput) StartState(at time.Time) (PaymentState, error) {
	amount, err := in.Invoice.Due()
	if err != nil {
		return PaymentState{}, err
	}
	st := PaymentState{Status: PaymentPending, Amount: amount, Invoice: in.Invoice, CreatedAt: at}
	if at.Before(in.DueAt) {
		st.Status = PaymentScheduled
	}
	return st, nil
}

// PaymentState is the payment as the query, the result and the projection
// report it.
type PaymentState struct {
	Status        PaymentStatus
	Amount        billing.Money
	Attempts      int
	Reference     string    // the gateway's charge of the last attempt
	ApprovalURL   string    // where the payer approves a pending charge
	DeclineCode   string    // the last decline
	NextAttemptAt time.Time // when retrying
	PaidAt        time.Time
	// AttemptLog is each attempt's charge as it ended, or stands.
	AttemptLog []Attempt
	Invoice    InvoiceDraft // what the payment collects
	CreatedAt  time.Time
	ClockTime  time.Time // the test clock time a purchase has caught up with
	// SavedMethod is the customer's payment method that the paying charge
	// saved at the gateway, for a subscription to renew with; nil when it
	// saved none.
	SavedMethod *PaymentMethod `json:",omitempty"`
	// Version is the last projection's. It only grows, across operator
	// resets.
	Version int64
}

// Attempt is one charge of a payment, as the payment workflow records it.
// It is the workflow's own type, not the database's: a change to the
// stored row must not change workflow state.
type Attempt struct {
	Number      int
	Status      string // succeeded, pending, declined, failed, voided, refunded
	Reference   string
	DeclineCode string
	At          time.Time
	// RefundReference is the gateway's refund of the charge, when Status
	// is refunded.
	RefundReference string
}

// PaymentRecord is what a payment's workflow writes to the database: who
// the payment is, and its state, with its invoice, at UpdatedAt.
type PaymentRecord struct {
	PaymentIdentity
	TestClockID uuid.UUID // uuid.Nil: it lives on the server's time
	UpdatedAt   time.Time
	PaymentState
}

// Record is the payment in collects, in state st.
func (in PaymentInput) Record(st PaymentState) PaymentRecord {
	r := PaymentRecord{PaymentIdentity: in.PaymentIdentity, PaymentState: st}
	if in.TestClock != nil {
		r.TestClockID = in.TestClock.ID
	}
	return r
}

// PaymentMethod is how a customer pays: a saved method (PaymentMethodID) or
// one given inline (uuid.Nil), as a gateway and its token.
type PaymentMethod struct {
	PaymentMethodID uuid.UUID
	Gateway         string
	Token           string
}

// GatewayRoute is how a payment names the business's connected gateway
// account it is collected through: "<gateway>/<account ID>", e.g.
// "stripe/0190…". A gateway of the process (the sandbox) is named by its
// bare name.
func GatewayRoute(gateway string, account uuid.UUID) string { return gateway + "/" + account.String() }

// ParseGatewayRoute splits a route into the gateway's name and, for a
// connected account, its ID (uuid.Nil for a bare name).
func ParseGatewayRoute(route string) (gateway string, account uuid.UUID, err error) {
	gateway, id, connected := strings.Cut(route, "/")
	if !connected {
		return route, uuid.Nil, nil
	}
	account, err = uuid.Parse(id)
	if err != nil || gateway == "" {
		return "", uuid.Nil, errors.New("gateway route " + route + " is neither a name nor <name>/<account ID>")
	}
	return gateway, account, nil
}

// GatewayEvent is an async charge's outcome, from the gateway's webhook.
type GatewayEvent struct {
	Reference   string
	Succeeded   bool
	DeclineCode string
}

// Withdraw asks a payment to stop. A scheduled payment always stops and its
// draft is voided; an open one stops only when Open is set. A paid payment
// ignores it.
type Withdraw struct {
	Open bool
}

// PaymentDeclinedSignal is sent to a subscription when one of its payments
// is first declined and waits for a retry; it carries a PaymentProgress.
const PaymentDeclinedSignal = "payment-declined"

// PaymentProgress tells a subscription where one of its payments stands.
type PaymentProgress struct {
	PaymentID     uuid.UUID
	DeclineCode   string
	NextAttemptAt time.Time
}
