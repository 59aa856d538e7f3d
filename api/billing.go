package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// BillingStore is the billing projection as the HTTP layer reads it.
type BillingStore interface {
	SubscriptionByID(ctx context.Context, id uuid.UUID) (*models.Subscription, error)
	Subscriptions(ctx context.Context, f models.SubscriptionFilter) ([]models.Subscription, error)
	InvoiceByID(ctx context.Context, id uuid.UUID) (*models.Invoice, error)
	Invoices(ctx context.Context, f models.InvoiceFilter) ([]models.Invoice, error)
	PaymentByID(ctx context.Context, id uuid.UUID) (*models.Payment, error)
	Payments(ctx context.Context, f models.PaymentFilter) ([]models.Payment, error)
	PaymentMethodByID(ctx context.Context, id uuid.UUID) (*models.PaymentMethod, error)
}

// Workflows starts, steers and queries the billing workflows; the Temporal
// client is one.
type Workflows interface {
	NewWithStartWorkflowOperation(options client.StartWorkflowOptions, workflow any, args ...any) client.WithStartWorkflowOperation
	UpdateWithStartWorkflow(ctx context.Context, options client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error)
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// workflowTimeout bounds a request's wait for a workflow to take a change.
const workflowTimeout = 15 * time.Second

// billingScope is the part of the billing data a caller may see: an admin
// everything, a business its tenant, a customer its own.
type billingScope struct {
	tenant, customer *uuid.UUID
}

func scopeOf(c *gin.Context) billingScope {
	p := principal(c)
	switch {
	case p.Level >= models.LevelAdmin:
		return billingScope{}
	case p.Client.TenantID != nil:
		return billingScope{customer: &p.Client.ID}
	default:
		return billingScope{tenant: &p.Client.ID}
	}
}

func (s billingScope) allows(tenant, customer uuid.UUID) bool {
	return (s.tenant == nil || *s.tenant == tenant) && (s.customer == nil || *s.customer == customer)
}

// listFilter reads the filters every billing list takes: tenantId (admins),
// customerId, status, and the page.
type listFilter struct {
	tenant, customer *uuid.UUID
	statuses         []string
	after            uuid.UUID
	limit            int
}

func readListFilter(c *gin.Context, statuses []string) (listFilter, error) {
	scope := scopeOf(c)
	f := listFilter{tenant: scope.tenant, customer: scope.customer, limit: defaultPageSize}
	if err := pageParams(c, &f.limit, &f.after); err != nil {
		return f, err
	}
	if scope == (billingScope{}) {
		id, err := idQuery(c, "tenantId")
		if err != nil {
			return f, err
		}
		f.tenant = id
	}
	if scope.customer == nil {
		id, err := idQuery(c, "customerId")
		if err != nil {
			return f, err
		}
		f.customer = id
	}
	if s := c.Query("status"); s != "" {
		for _, status := range strings.Split(s, ",") {
			if !slices.Contains(statuses, status) {
				return f, Invalid("status", "status must be one or more of "+strings.Join(statuses, ", "), s)
			}
			f.statuses = append(f.statuses, status)
		}
	}
	return f, nil
}

// idQuery reads an optional UUID query parameter.
func idQuery(c *gin.Context, name string) (*uuid.UUID, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return nil, Invalid(name, name+" must be a UUID", s)
	}
	return &id, nil
}

// parseID reads a UUID from a request body's field.
func parseID(field string, s *string) (uuid.UUID, error) {
	if s == nil || *s == "" {
		return uuid.Nil, Invalid(field, field+" is required", nil)
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		return uuid.Nil, Invalid(field, field+" must be a UUID", *s)
	}
	return id, nil
}

// pathID reads the {id} of the path; anything else is not found.
func pathID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}

// workflowProblem maps an error from Temporal: a change the workflow
// refused is 409 with its reason, a finished workflow is 409, and anything
// else means Temporal is out of reach.
func workflowProblem(err error, what string) error {
	var notFound *serviceerror.NotFound
	switch reason, illegal := contract.IsIllegalChange(err); {
	case errors.Is(err, errOutcomeUnknown):
		return err
	case illegal:
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: "ILLEGAL_STATE_CHANGE", Message: reason}}
	case errors.As(err, &notFound):
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: "ILLEGAL_STATE_CHANGE", Message: "the " + what + " has ended"}}
	}
	return errUnavailable
}

// checkout is what a sale needs, resolved and checked: the customer, the
// price, and how the customer pays.
type checkout struct {
	customer        *models.Client
	price           *models.Price
	productName     string
	quantity        int64
	total           billing.Money // the price times the quantity
	paymentMethodID uuid.UUID
	gateway, token  string
	clock           *contract.TestClock // nil: real time
}

// checkoutRequest is a sale's body: who buys what and how many, how they
// pay, and on which test clock.
type checkoutRequest struct {
	PriceID     *string `json:"priceId"`
	CustomerID  *string `json:"customerId"`
	Quantity    *int64  `json:"quantity"`
	TestClockID *string `json:"testClockId"`
	paymentChoice
}

type paymentMethodInput struct {
	Gateway string `json:"gateway"`
	Token   string `json:"token"`
}

// readCheckout decodes and checks a sale: a quantity, a customer the caller
// may sell to (itself for a customer), an active price of that customer's
// tenant of the type wanted, one way to pay, and a test clock if named.
// Anything wrong is a 400 naming the field; other tenants' objects are "no
// such", never revealed.
func (h *handlers) readCheckout(c *gin.Context, want billing.PriceType) (*checkout, error) {
	var req checkoutRequest
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	quantity, err := readQuantity(req.Quantity)
	if err != nil {
		return nil, err
	}
	customer, err := h.buyer(c, req.CustomerID)
	if err != nil {
		return nil, err
	}
	priceID, err := parseID("priceId", req.PriceID)
	if err != nil {
		return nil, err
	}
	out := &checkout{customer: customer, quantity: quantity}
	out.price, out.productName, err = h.salePrice(ctx, priceID, *customer.TenantID, want)
	if err != nil {
		return nil, err
	}
	method, err := h.paymentMethod(ctx, req.paymentChoice, customer.ID)
	if err != nil {
		return nil, err
	}
	out.paymentMethodID, out.gateway, out.token = method.PaymentMethodID, method.Gateway, method.Token
	if req.TestClockID != nil && principal(c).Level < models.LevelBusiness {
		return nil, permissionDenied("testClockId") // a customer's own sale runs on real time
	}
	if out.clock, err = h.saleClock(ctx, req.TestClockID, *customer.TenantID, out.gateway); err != nil {
		return nil, err
	}
	if out.total, err = money(out.price).MulInt(quantity); err != nil {
		return nil, Invalid("quantity", "the price times the quantity is too large", quantity)
	}
	return out, nil
}

// paymentChoice is how a request names the way to pay: a saved payment
// method of the customer, or a gateway and token inline.
type paymentChoice struct {
	PaymentMethodID *string             `json:"paymentMethodId"`
	PaymentMethod   *paymentMethodInput `json:"paymentMethod"`
}

// paymentMethod resolves a payment choice for customer: exactly one way,
// a saved one of that customer's, or an inline one on a configured gateway.
func (h *handlers) paymentMethod(ctx context.Context, req paymentChoice, customer uuid.UUID) (contract.PaymentMethod, error) {
	switch {
	case req.PaymentMethodID != nil && req.PaymentMethod != nil:
		return contract.PaymentMethod{}, Invalid("paymentMethod", "give paymentMethodId or paymentMethod, not both", nil)
	case req.PaymentMethodID != nil:
		id, err := parseID("paymentMethodId", req.PaymentMethodID)
		if err != nil {
			return contract.PaymentMethod{}, err
		}
		pm, err := h.Billing.PaymentMethodByID(ctx, id)
		if errors.Is(err, models.ErrNotFound) || (err == nil && pm.CustomerID != customer) {
			return contract.PaymentMethod{}, Invalid("paymentMethodId", "no such payment method for this customer", id.String())
		}
		if err != nil {
			return contract.PaymentMethod{}, err
		}
		return contract.PaymentMethod{PaymentMethodID: pm.ID, Gateway: pm.Gateway, Token: pm.Token}, nil
	case req.PaymentMethod != nil:
		if !slices.Contains(h.Gateways, req.PaymentMethod.Gateway) {
			return contract.PaymentMethod{}, Invalid("paymentMethod.gateway", "gateway must be one of the configured gateways", req.PaymentMethod.Gateway)
		}
		if t := req.PaymentMethod.Token; len(t) < 1 || len(t) > 255 || hasControlChar(t) {
			return contract.PaymentMethod{}, Invalid("paymentMethod.token", "token must be 1-255 printable characters", nil)
		}
		return contract.PaymentMethod{Gateway: req.PaymentMethod.Gateway, Token: req.PaymentMethod.Token}, nil
	}
	return contract.PaymentMethod{}, Invalid("paymentMethodId", "paymentMethodId or paymentMethod is required", nil)
}

// buyer is the customer a sale is for: the caller itself when it is a
// customer, else the customer it names (of its own tenant, for a business).
func (h *handlers) buyer(c *gin.Context, named *string) (*models.Client, error) {
	p := principal(c)
	if p.Client.TenantID != nil {
		if named != nil && *named != p.Client.ID.String() {
			return nil, Invalid("customerId", "a customer buys for itself", *named)
		}
		return p.Client, nil
	}
	id, err := parseID("customerId", named)
	if err != nil {
		return nil, err
	}
	customer, err := h.Clients.ClientByID(c.Request.Context(), id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, Invalid("customerId", "no such customer", id.String())
	case err != nil:
		return nil, err
	case customer.TenantID == nil || (p.Level < models.LevelAdmin && *customer.TenantID != p.Client.ID):
		return nil, Invalid("customerId", "no such customer", id.String())
	case customer.Disabled:
		return nil, Invalid("customerId", "the customer is disabled", id.String())
	}
	return customer, nil
}

// salePrice loads a price the tenant sells now, of the type wanted.
func (h *handlers) salePrice(ctx context.Context, id, tenant uuid.UUID, want billing.PriceType) (*models.Price, string, error) {
	price, err := h.Catalog.PriceByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && price.TenantID != tenant) {
		return nil, "", Invalid("priceId", "no such price", id.String())
	}
	if err != nil {
		return nil, "", err
	}
	if !price.Active {
		return nil, "", Invalid("priceId", "the price is no longer sold", id.String())
	}
	if billing.PriceType(price.Type) != want {
		if want == billing.RecurringPrice {
			return nil, "", Invalid("priceId", "a one-time price is bought with POST /v1/purchases", id.String())
		}
		return nil, "", Invalid("priceId", "a recurring price is subscribed to with POST /v1/subscriptions", id.String())
	}
	product, err := h.Catalog.ProductByID(ctx, price.ProductID)
	if err != nil {
		return nil, "", err
	}
	if !product.Active {
		return nil, "", Invalid("priceId", "the price's product is archived", id.String())
	}
	return price, product.Name, nil
}

// money is a price's amount.
func money(p *models.Price) billing.Money {
	return billing.Money{Amount: p.Amount, Currency: billing.Currency(p.Currency)}
}

// dunningOf is a price's dunning schedule, the default unless it has one.
func dunningOf(p *models.Price) billing.DunningSchedule {
	if p.Dunning == nil {
		return billing.DefaultDunning
	}
	var d billing.DunningSchedule
	if err := d.UnmarshalJSON([]byte(*p.Dunning)); err != nil || d.Validate() != nil {
		return billing.DefaultDunning // made before today's rules (MinDunningDelay)
	}
	return d
}

// startAndSync starts a workflow and waits, in the same round trip, until
// it has written itself to the database (contract.SyncUpdate), so the
// answer to a create is readable at once. The workflow is findable in the
// Temporal UI by attrs from its start. When the start happened but the
// wait did not end (no worker is running, or its task keeps failing), it
// reports started with the error: the caller must not answer as if nothing
// happened. When whether it started cannot be told, the error is
// errOutcomeUnknown.
//
// A workflow already running under the ID is joined, not started again: a
// retried create (the ID comes from its Idempotency-Key) gets the workflow
// its first try started, and the sync under the same updateID answers as
// it did. One that has ended is reported started: the database has it.
func (h *handlers) startAndSync(ctx context.Context, workflowID, updateID string, attrs []temporal.SearchAttributeUpdate, workflow, input, state any) (started bool, err error) {
	opts := client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                contract.SubscriptionsTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
	}
	start := h.Workflows.NewWithStartWorkflowOperation(opts, workflow, input)
	handle, err := h.Workflows.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: updateID, UpdateName: contract.SyncUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err == nil {
		err = handle.Get(ctx, state)
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
	switch _, describeErr := h.Workflows.DescribeWorkflowExecution(probe, workflowID, ""); {
	case describeErr == nil:
		return true, err
	case errors.As(describeErr, &notFound):
		return false, err
	}
	return false, errOutcomeUnknown
}

// readQuantity is a sale's quantity: 1 unless given, at most maxQuantity.
func readQuantity(q *int64) (int64, error) {
	if q == nil {
		return 1, nil
	}
	if *q < 1 || *q > maxQuantity {
		return 0, Invalid("quantity", "quantity must be 1-"+strconv.Itoa(maxQuantity), *q)
	}
	return *q, nil
}

// visible loads the billing object in the path, if the caller may see it;
// owner says whose it is.
func visible[T any](c *gin.Context, load func(context.Context, uuid.UUID) (*T, error), owner func(*T) (tenant, customer uuid.UUID)) (*T, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	obj, err := load(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if !scopeOf(c).allows(owner(obj)) {
		return nil, errNotFound
	}
	return obj, nil
}

// respondPage answers with a page of billing objects: fetch reads up to
// limit rows, id gives a row's cursor, view its JSON.
func respondPage[T, V any](c *gin.Context, limit int, fetch func(limit int) ([]T, error), id func(T) uuid.UUID, view func(*T) V) {
	rows, next, err := page(limit, fetch, id)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]V, len(rows))
	for i := range rows {
		out[i] = view(&rows[i])
	}
	respondList(c, out, next)
}

// ownerAttributes are the search attributes of a customer's workflow.
func ownerAttributes(tenant, customer uuid.UUID) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		contract.TenantIDKey.ValueSet(tenant.String()), contract.CustomerIDKey.ValueSet(customer.String()),
	}
}
