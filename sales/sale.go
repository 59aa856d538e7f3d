package sales

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Subscribe starts the subscription id to a recurring price, and answers
// once its workflow has stored it. When the workflow started but has not
// stored it yet (no worker is running, or its task keeps failing), sub is
// nil and in is what it started with: the caller must not answer as if
// nothing happened.
func (s *Service) Subscribe(ctx context.Context, caller tenancy.Caller, id uuid.UUID, o Order) (sub *models.Subscription, in contract.SubscriptionInput, err error) {
	sale, err := s.checkout(ctx, caller, o, billing.RecurringPrice)
	if err != nil {
		return nil, in, err
	}
	in = contract.SubscriptionInput{
		SubscriptionID: id, TenantID: sale.customer.TenantID, CustomerID: sale.customer.ID,
		Plan: planOf(sale.price), Quantity: sale.quantity, PaymentMethodID: sale.method.PaymentMethodID,
		Gateway: sale.method.Gateway, Token: sale.method.Token, TestClock: sale.clock,
	}
	attrs := append(ownerAttributes(in.TenantID, in.CustomerID), contract.StatusKey.ValueSet(string(in.Plan.StartStatus())))
	workflowID := contract.SubscriptionWorkflowID(id)
	if stored, err := s.startAndSync(ctx, workflowID, id.String(), attrs, contract.SubscriptionWorkflowType, in, in.TestClock, false); !stored {
		return nil, in, err
	}
	sub, err = s.Billing.SubscriptionByID(ctx, id)
	return sub, in, err
}

// Buy starts the PaymentWorkflow that collects a one-time price, and
// answers with the payment once the workflow has stored it, pending until
// the gateway has answered. As with Subscribe, a payment whose workflow
// started but has not stored it is nil, with the input it started with.
func (s *Service) Buy(ctx context.Context, caller tenancy.Caller, paymentID uuid.UUID, o Order) (pay *models.Payment, in contract.PaymentInput, err error) {
	sale, err := s.checkout(ctx, caller, o, billing.OneTimePrice)
	if err != nil {
		return nil, in, err
	}
	in = contract.PaymentInput{
		PaymentIdentity: contract.PaymentIdentity{
			PaymentID: paymentID, InvoiceID: contract.PurchaseInvoiceID(paymentID),
			TenantID: sale.customer.TenantID, CustomerID: sale.customer.ID, PriceID: sale.price.ID,
			PaymentMethodID: sale.method.PaymentMethodID, Gateway: sale.method.Gateway,
		},
		Token:   sale.method.Token,
		Dunning: dunningOf(sale.price), TestClock: sale.clock,
		Invoice: contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.OneTime, Description: sale.productName, Amount: sale.total, Quantity: sale.quantity}}},
	}
	workflowID := contract.PaymentWorkflowID(paymentID)
	attrs := ownerAttributes(in.TenantID, in.CustomerID)
	if stored, err := s.startAndSync(ctx, workflowID, paymentID.String(), attrs, contract.PaymentWorkflowType, in, in.TestClock, true); !stored {
		return nil, in, err
	}
	pay, err = s.Billing.PaymentByID(ctx, paymentID)
	return pay, in, err
}

// startAndSync starts a sale's workflow and waits, in the same round trip,
// until it has written itself to the database (contract.SyncUpdate), so the
// answer is readable at once; a sale on a test clock is then told what its
// clock did meanwhile. The workflow is findable in the Temporal UI by attrs
// from its start.
//
// A workflow already running under the ID is joined, not started again: a
// retried sale (the ID comes from its Idempotency-Key) gets the workflow
// its first try started, and the sync under the same updateID answers as
// it did. One that has ended counts as stored: the database has it. Not
// stored without an error is a workflow that started but did not store
// itself in time.
func (s *Service) startAndSync(ctx context.Context, workflowID, updateID string, attrs []temporal.SearchAttributeUpdate, workflow, input any, clock *contract.TestClock, isPurchase bool) (stored bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, workflowTimeout)
	defer cancel()
	started, err := s.startWorkflow(ctx, workflowID, updateID, attrs, workflow, input)
	if started && clock != nil {
		if err := s.Clocks.Follow(ctx, clock, workflowID, isPurchase); err != nil {
			return false, err
		}
	}
	switch {
	case started && err != nil:
		return false, nil
	case err != nil && isPurchase:
		return false, refusal(err, "payment")
	case err != nil:
		return false, refusal(err, "subscription")
	}
	return true, nil
}

// startWorkflow is startAndSync's start. When the start happened but the
// wait did not end it reports started with the error; when whether it
// started cannot be told, the error is fault.ErrOutcomeUnknown.
func (s *Service) startWorkflow(ctx context.Context, workflowID, updateID string, attrs []temporal.SearchAttributeUpdate, workflow, input any) (started bool, err error) {
	opts := client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                contract.SubscriptionsTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
	}
	start := s.Workflows.NewWithStartWorkflowOperation(opts, workflow, input)
	handle, err := s.Workflows.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: updateID, UpdateName: contract.SyncUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	var ended *serviceerror.WorkflowExecutionAlreadyStarted
	if err == nil || errors.As(err, &ended) {
		return true, nil
	}
	probe, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	_, startErr := start.Get(probe)
	cancel()
	if startErr == nil {
		return true, err
	}
	// The start's own answer was lost with the update's: ask Temporal.
	probe, cancel = context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	var notFound *serviceerror.NotFound
	switch _, describeErr := s.Workflows.DescribeWorkflowExecution(probe, workflowID, ""); {
	case describeErr == nil:
		return true, err
	case errors.As(describeErr, &notFound):
		return false, err
	}
	return false, fault.ErrOutcomeUnknown
}

// ownerAttributes are the search attributes of a customer's workflow.
func ownerAttributes(tenant, customer uuid.UUID) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		contract.TenantIDKey.ValueSet(tenant.String()), contract.CustomerIDKey.ValueSet(customer.String()),
	}
}
