package contract

import (
	"time"

	"github.com/google/uuid"
)

// ReconcileScheduleID names the Temporal Schedule that runs
// ReconcileWorkflow; the workflows it starts have IDs beginning with it.
const ReconcileScheduleID = "billgate-reconcile"

// ReconcileInput configures one reconciliation run; the zero value is the
// usual run.
type ReconcileInput struct{}

// ReconcileResult counts what one run found.
type ReconcileResult struct {
	Findings int
}

// The kinds of reconciliation finding.
const (
	// FindingLateSuccess: a gateway reported a charge succeeded, and no
	// running payment took the report.
	FindingLateSuccess = "late_success"
	// FindingStalePayment: a payment still pending past its approval
	// window.
	FindingStalePayment = "stale_payment"
	// FindingStaleRefund: a refund still pending, its workflow ended.
	FindingStaleRefund = "stale_refund"
)

// What a reconciliation did of a finding.
const (
	ActionRefunded  = "refunded"
	ActionNone      = "none"
	ActionSignalled = "signalled"
	ActionRestarted = "restarted"
	ActionReported  = "reported"
	ActionSettled   = "settled"
)

// Finding is one thing a reconciliation run found, and what it did.
type Finding struct {
	ID        uuid.UUID
	RunID     string
	TenantID  *uuid.UUID
	Kind      string
	PaymentID *uuid.UUID
	RefundID  *uuid.UUID
	EventID   string
	Gateway   string
	Action    string
	Detail    string
	At        time.Time
}
