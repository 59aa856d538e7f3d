package sales

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Refunds keeps refunds (models.Billing).
type Refunds interface {
	CreateRefund(ctx context.Context, r *models.Refund) (bool, error)
	RefundByID(ctx context.Context, id uuid.UUID) (*models.Refund, error)
	Refunds(ctx context.Context, f models.RefundFilter) ([]models.Refund, error)
	Refundable(ctx context.Context, p *models.Payment) (int64, error)
}

// RefundReasons are the reasons a refund may give (Stripe's).
var RefundReasons = []string{"duplicate", "fraudulent", "requested_by_customer"}

// NewRefund is money to return of a paid payment: Amount (nil for all
// that is left) for Reason.
type NewRefund struct {
	PaymentID uuid.UUID
	Amount    *int64
	Reason    string
}

// refundWait bounds how long Refund waits for the gateway's answer before
// answering with the refund pending.
const refundWait = 10 * time.Second

// Refund returns money of a payment the caller sees (a business its
// customers', an admin any; never a customer). The refund id is stored
// pending, then its workflow asks the gateway; the answer is the refund as
// it stands after refundWait at most. The same id again is the same
// refund: its workflow is started if the first try could not.
func (s *Service) Refund(ctx context.Context, caller tenancy.Caller, id uuid.UUID, n NewRefund) (*models.Refund, error) {
	if caller.IsCustomer() {
		return nil, fault.Denied("refunds")
	}
	if n.Reason != "" && !slices.Contains(RefundReasons, n.Reason) {
		return nil, fault.Invalid("reason", "reason must be one of "+strings.Join(RefundReasons, ", "), n.Reason)
	}
	pay, err := s.Payment(ctx, caller.Scope(), n.PaymentID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, fault.Invalid("paymentId", "no such payment", n.PaymentID.String())
	case err != nil:
		return nil, err
	case pay.Status != string(contract.PaymentPaid):
		return nil, fault.Invalid("paymentId", "only a paid payment can be refunded; this one is "+pay.Status, n.PaymentID.String())
	}
	if pay.PaidBy() == "" {
		return nil, fault.Invalid("paymentId", "the payment's charge is not known", n.PaymentID.String())
	}
	r, err := s.Refunds.RefundByID(ctx, id)
	switch {
	case err == nil && r.PaymentID != pay.ID:
		return nil, fault.IllegalChange("this refund ID is another refund's")
	case errors.Is(err, models.ErrNotFound):
		if r, err = s.newRefund(ctx, id, pay, n); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case r.Status != string(contract.RefundPending):
		return r, nil // settled: its workflow never runs again
	}
	// A refund stored by an earlier try of the same request, still
	// pending, is run again: its workflow is found, or started if the
	// first try could not.
	if err := s.runRefund(ctx, r.Input(pay)); err != nil {
		return nil, err
	}
	return s.Refunds.RefundByID(ctx, r.ID)
}

// newRefund stores the refund id of n pending, if what is left of the
// payment covers it.
func (s *Service) newRefund(ctx context.Context, id uuid.UUID, pay *models.Payment, n NewRefund) (*models.Refund, error) {
	left, err := s.Refunds.Refundable(ctx, pay)
	if err != nil {
		return nil, err
	}
	amount := left
	if n.Amount != nil {
		amount = *n.Amount
	}
	switch {
	case amount <= 0 && n.Amount != nil:
		return nil, fault.Invalid("amount", "amount must be positive", amount)
	case amount <= 0:
		return nil, fault.Invalid("paymentId", "the payment is refunded in full already", n.PaymentID.String())
	case amount > left:
		rest := billing.Money{Amount: left, Currency: billing.Currency(pay.Currency)}
		return nil, fault.Invalid("amount", fmt.Sprintf("at most %s is left to refund: amounts are in minor units, %d here", rest, left), amount)
	}
	now := s.Now().UTC()
	r := &models.Refund{ID: id, PaymentID: pay.ID, Amount: amount, Currency: pay.Currency, Reason: n.Reason, Origin: models.RefundOriginAPI, CreatedAt: now, UpdatedAt: now}
	switch _, err := s.Refunds.CreateRefund(ctx, r); {
	case errors.Is(err, models.ErrOverRefund):
		return nil, fault.Invalid("amount", "more than is left to refund", amount) // another refund took it meanwhile
	case errors.Is(err, models.ErrConflict):
		return nil, fault.IllegalChange("this refund ID is another refund's")
	case err != nil:
		return nil, err
	}
	return r, nil
}

// runRefund starts the refund's workflow, or finds it started, and waits
// a while for its end. Temporal not answering the start is a 503: the
// refund is stored, and the same request again starts it.
func (s *Service) runRefund(ctx context.Context, in contract.RefundInput) error {
	run, err := s.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       contract.RefundWorkflowID(in.RefundID),
		TaskQueue:                contract.SubscriptionsTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, contract.RefundWorkflowType, in)
	var ended *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &ended):
		return nil // it ran to its end already: the stored refund says how
	case err != nil:
		return refusal(err, "refund")
	}
	wait, cancel := context.WithTimeout(ctx, refundWait)
	defer cancel()
	_ = run.Get(wait, nil) // not ended yet: the refund is answered pending
	return nil
}

// RefundOf is a refund the caller sees.
func (s *Service) RefundOf(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.Refund, error) {
	r, err := s.Refunds.RefundByID(ctx, id)
	return visible(scope, r, err, func(r *models.Refund) (uuid.UUID, uuid.UUID) { return r.TenantID, r.CustomerID })
}
