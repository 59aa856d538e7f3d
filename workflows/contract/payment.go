package contract

import (
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

// PaymentInput is one invoice's collection.
type PaymentInput struct {
	PaymentID       uuid.UUID
	InvoiceID       uuid.UUID
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	SubscriptionID  uuid.UUID // uuid.Nil for a purchase
	PriceID         uuid.UUID // the one-time price of a purchase; uuid.Nil otherwise
	PaymentMethodID uuid.UUID // uuid.Nil when the method was given inline
	Gateway         string
	Token           string
	Invoice         InvoiceDraft
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

// PaymentState is the payment as the query and the result report it.
type PaymentState struct {
	Status        PaymentStatus
	Amount        billing.Money
	Attempts      int
	Reference     string    // the gateway's charge of the last attempt
	ApprovalURL   string    // where the payer approves a pending charge
	DeclineCode   string    // the last decline
	NextAttemptAt time.Time // when retrying
	PaidAt        time.Time
}

// PaymentMethod is how a customer pays: a saved method (PaymentMethodID) or
// one given inline (uuid.Nil), as a gateway and its token.
type PaymentMethod struct {
	PaymentMethodID uuid.UUID
	Gateway         string
	Token           string
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
