// Package sales is what customers buy and how it changes: subscriptions to
// recurring prices and one-time purchases, each run by its workflow. It
// decides whether a sale may happen (the customer, the price, the way to
// pay, the test clock) and what a change asks the workflow; the workflow
// decides whether the subscription's state allows it.
package sales

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// Accounts finds the customer a business sells to.
type Accounts interface {
	ClientByID(ctx context.Context, id uuid.UUID) (*models.Client, error)
}

// Catalog finds the price sold, and its product.
type Catalog interface {
	PriceByID(ctx context.Context, id uuid.UUID) (*models.Price, error)
	ProductByID(ctx context.Context, id uuid.UUID) (*models.Product, error)
}

// Billing is the billing projection: the customers' saved payment methods,
// and what a sale's workflow has stored.
type Billing interface {
	PaymentMethodByID(ctx context.Context, id uuid.UUID) (*models.PaymentMethod, error)
	SubscriptionByID(ctx context.Context, id uuid.UUID) (*models.Subscription, error)
	PaymentByID(ctx context.Context, id uuid.UUID) (*models.Payment, error)
	InvoiceByID(ctx context.Context, id uuid.UUID) (*models.Invoice, error)
	Subscriptions(ctx context.Context, f models.SubscriptionFilter) ([]models.Subscription, error)
	Payments(ctx context.Context, f models.PaymentFilter) ([]models.Payment, error)
}

// Clocks resolves a sale's test clock and keeps the sale on its time
// (testclocks.Service).
type Clocks interface {
	ForSale(ctx context.Context, id *uuid.UUID, tenant uuid.UUID, gateway string) (*contract.TestClock, error)
	Follow(ctx context.Context, bound *contract.TestClock, workflowID string, isPurchase bool) error
}

// Workflows starts, steers and queries the sales' workflows; the Temporal
// client is one.
type Workflows interface {
	NewWithStartWorkflowOperation(options client.StartWorkflowOptions, workflow any, args ...any) client.WithStartWorkflowOperation
	UpdateWithStartWorkflow(ctx context.Context, options client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error)
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// Service is the sales' operations.
type Service struct {
	Accounts       Accounts
	Catalog        Catalog
	Billing        Billing
	Clocks         Clocks
	Workflows      Workflows
	PaymentMethods PaymentMethods
	Refunds        Refunds
	// Gateways are the process's gateways a payment method may name; a
	// method may also pay through an account its business connected
	// (Connections), whose token MethodChecker checks when it is saved.
	Gateways      []string
	Connections   Connections
	MethodChecker MethodChecker
	Now           func() time.Time
}

// workflowTimeout bounds a request's wait for a workflow to take a change.
const workflowTimeout = 15 * time.Second

// MaxQuantity bounds a sale's quantity.
const MaxQuantity = 10000
