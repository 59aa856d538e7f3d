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
type ReconcileInput struct {
	// EventAge is how long ago an undelivered gateway event must have been
	// received to be acted on; zero means a few minutes, time enough for
	// the running workflows to take it first. An operator (or a test)
	// starting a run by hand may shorten it.
	EventAge time.Duration `json:",omitempty"`
	// PendingAge is how long ago a pending payment or refund must have been
	// last written to be looked at; zero means past what its workflow
	// would settle on its own (the approval window and an hour for a
	// payment, an hour for a refund). Likewise for runs by hand.
	PendingAge time.Duration `json:",omitempty"`
}

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
	// FindingGatewayRefund: a gateway reported a refund of a payment's
	// charge that billgate did not make.
	FindingGatewayRefund = "gateway_refund"
)

// What a reconciliation did of a finding.
const (
	ActionRefunded  = "refunded"
	ActionNone      = "none"
	ActionSignalled = "signalled"
	ActionRestarted = "restarted"
	ActionReported  = "reported"
	ActionSettled   = "settled"
	// ActionRecorded: a refund made at the gateway was recorded, with its
	// credit note.
	ActionRecorded = "recorded"
	// ActionExpired: a payment whose workflow is gone was expired, its
	// charge voided, or refunded when the payer had approved it.
	ActionExpired = "expired"
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
