package contract

import (
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
)

// RefundWorkflowID is the ID of a refund's workflow.
func RefundWorkflowID(id uuid.UUID) string { return "refund/" + id.String() }

// RefundStatus is where a refund stands.
type RefundStatus string

// The statuses of a refund: pending until the gateway has returned the
// money (succeeded) or refused to (failed).
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// RefundStatuses lists every status, for filters.
var RefundStatuses = []RefundStatus{RefundPending, RefundSucceeded, RefundFailed}

// RefundInput is one refund of a paid payment, already stored pending:
// the workflow asks the gateway and settles it.
type RefundInput struct {
	RefundID  uuid.UUID
	PaymentID uuid.UUID
	// Gateway is the route of the payment's gateway; ChargeReference is
	// the charge that succeeded.
	Gateway         string
	ChargeReference string
	Amount          billing.Money
	// Whole is set when Amount is all that was paid, so a gateway that
	// refunds only whole charges (the sandbox) may take it.
	Whole bool
}

// RefundState is how a refund ended, or stands.
type RefundState struct {
	Status           RefundStatus
	GatewayReference string
	FailureReason    string
	SettledAt        time.Time
}
