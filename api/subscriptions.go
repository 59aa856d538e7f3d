package api

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/sales"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

var subscriptionStatuses = contract.Strings(contract.SubscriptionStatuses...)

// subscriptionView is a subscription as the API shows it.
type subscriptionView struct {
	ID                 uuid.UUID  `json:"id"`
	TenantID           uuid.UUID  `json:"tenantId"`
	CustomerID         uuid.UUID  `json:"customerId"`
	PriceID            uuid.UUID  `json:"priceId"`
	Quantity           int64      `json:"quantity"`
	Status             string     `json:"status"`
	Amount             int64      `json:"amount"`
	Currency           string     `json:"currency"`
	PaymentMethodID    *uuid.UUID `json:"paymentMethodId"`
	Gateway            string     `json:"gateway"`
	TestClockID        *uuid.UUID `json:"testClockId"`
	CurrentPeriodStart *time.Time `json:"currentPeriodStart"`
	CurrentPeriodEnd   *time.Time `json:"currentPeriodEnd"`
	TrialEnd           *time.Time `json:"trialEnd"`
	CancelAtPeriodEnd  bool       `json:"cancelAtPeriodEnd"`
	CanceledAt         *time.Time `json:"canceledAt"`
	PausedAt           *time.Time `json:"pausedAt"`
	EndedAt            *time.Time `json:"endedAt"`
	LatestInvoiceID    *uuid.UUID `json:"latestInvoiceId"`
	Version            int64      `json:"version"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
}

func viewSubscription(s *models.Subscription) subscriptionView {
	return subscriptionView{
		ID: s.ID, TenantID: s.TenantID, CustomerID: s.CustomerID, PriceID: s.PriceID, Quantity: s.Quantity,
		Status: s.Status, Amount: s.Amount, Currency: s.Currency, PaymentMethodID: s.PaymentMethodID,
		Gateway: s.Gateway, TestClockID: s.TestClockID,
		CurrentPeriodStart: utc(s.CurrentPeriodStart), CurrentPeriodEnd: utc(s.CurrentPeriodEnd), TrialEnd: utc(s.TrialEnd),
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, CanceledAt: utc(s.CanceledAt), PausedAt: utc(s.PausedAt),
		EndedAt: utc(s.EndedAt), LatestInvoiceID: s.LatestInvoiceID, Version: s.Version,
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(),
	}
}

// saleRequest is a sale's body: who buys what and how many, how they pay,
// and on which test clock.
type saleRequest struct {
	PriceID     *string `json:"priceId"`
	CustomerID  *string `json:"customerId"`
	Quantity    *int64  `json:"quantity"`
	TestClockID *string `json:"testClockId"`
	paymentChoice
}

// paymentChoice is how a request names the way to pay: a saved payment
// method of the customer, or a gateway and token inline.
type paymentChoice struct {
	PaymentMethodID *string `json:"paymentMethodId"`
	PaymentMethod   *struct {
		Gateway string `json:"gateway"`
		Token   string `json:"token"`
	} `json:"paymentMethod"`
}

// readOrder decodes a sale's body.
func readOrder(c *gin.Context) (sales.Order, error) {
	var req saleRequest
	if err := decodeJSON(c, &req); err != nil {
		return sales.Order{}, err
	}
	o := sales.Order{Quantity: req.Quantity, CustomerID: req.CustomerID}
	var err error
	if o.PriceID, err = fault.ParseID("priceId", req.PriceID); err != nil {
		return o, err
	}
	if o.Payment, err = req.paymentChoice.read(); err != nil {
		return o, err
	}
	o.TestClockID, err = optionalID("testClockId", req.TestClockID)
	return o, err
}

func (p paymentChoice) read() (sales.Payment, error) {
	var out sales.Payment
	var err error
	if out.MethodID, err = optionalID("paymentMethodId", p.PaymentMethodID); err != nil {
		return out, err
	}
	if m := p.PaymentMethod; m != nil {
		if len(m.Token) < 1 || len(m.Token) > 255 || hasControlChar(m.Token) {
			return out, Invalid("paymentMethod.token", "token must be 1-255 printable characters", nil)
		}
		out.Inline = &contract.PaymentMethod{Gateway: m.Gateway, Token: m.Token}
	}
	return out, nil
}

// createSubscription is POST /v1/subscriptions: it answers once the
// subscription's workflow has stored it, or 202 with what is known when the
// workflow started but has not.
func (h *handlers) createSubscription(c *gin.Context) error {
	order, err := readOrder(c)
	if err != nil {
		return err
	}
	sub, in, err := h.Sales.Subscribe(c.Request.Context(), caller(c), reservedID(c), order)
	switch {
	case err != nil:
		return err
	case sub == nil:
		respond(c, http.StatusAccepted, viewSubscription(startedSubscription(in, h.Now())))
	default:
		respond(c, http.StatusCreated, viewSubscription(sub))
	}
	return nil
}

// startedSubscription is the row of a subscription whose workflow started
// at now but has not stored it yet: what its input's start state maps to.
func startedSubscription(in contract.SubscriptionInput, now time.Time) *models.Subscription {
	rec := in.Record(in.Plan.StartState(in.Quantity, now))
	rec.UpdatedAt = now
	return models.SubscriptionRow(rec)
}

// getSubscription is GET /v1/subscriptions/{id}: the projection, or with
// ?consistent=true the workflow's own state.
func (h *handlers) getSubscription(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sub, live, err := h.Sales.Subscription(c.Request.Context(), caller(c).Scope(), id, c.Query("consistent") == "true")
	if err != nil {
		return err
	}
	if live != nil {
		sub.SetState(*live)
	}
	respond(c, http.StatusOK, viewSubscription(sub))
	return nil
}

func (h *handlers) listSubscriptions(c *gin.Context) error {
	lf, err := readListFilter(c, subscriptionStatuses)
	if err != nil {
		return err
	}
	price, err := idQuery(c, "priceId")
	if err != nil {
		return err
	}
	f := models.SubscriptionFilter{TenantID: lf.tenant, CustomerID: lf.customer, PriceID: price, Statuses: lf.statuses, After: lf.after}
	return respondPage(c, lf.limit, func(limit int) ([]models.Subscription, error) {
		f.Limit = limit
		return h.Billing.Subscriptions(c.Request.Context(), f)
	}, func(s models.Subscription) uuid.UUID { return s.ID }, viewSubscription)
}

// subscriptionChange is a route that changes the subscription in the path:
// do reads the request and asks the domain under the update ID the
// request's Idempotency-Key reserved.
func (h *handlers) subscriptionChange(do func(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error)) handlerFunc {
	return func(c *gin.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		sub, err := do(c, caller(c).Scope(), id, reservedID(c))
		if err != nil {
			return err
		}
		respond(c, http.StatusOK, viewSubscription(sub))
		return nil
	}
}

func (h *handlers) cancelSubscription(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	var req contract.Cancel
	if err := decodeOptionalJSON(c, &req); err != nil {
		return nil, err
	}
	return h.Sales.Cancel(c.Request.Context(), scope, id, updateID, req)
}

func (h *handlers) reactivateSubscription(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	if err := decodeOptionalJSON(c, &struct{}{}); err != nil {
		return nil, err
	}
	return h.Sales.Reactivate(c.Request.Context(), scope, id, updateID)
}

func (h *handlers) pauseSubscription(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	if err := decodeOptionalJSON(c, &struct{}{}); err != nil {
		return nil, err
	}
	return h.Sales.Pause(c.Request.Context(), scope, id, updateID)
}

func (h *handlers) resumeSubscription(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	if err := decodeOptionalJSON(c, &struct{}{}); err != nil {
		return nil, err
	}
	return h.Sales.Resume(c.Request.Context(), scope, id, updateID)
}

func (h *handlers) changePrice(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	var req struct {
		PriceID   *string `json:"priceId"`
		Proration string  `json:"proration"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	price, err := fault.ParseID("priceId", req.PriceID)
	if err != nil {
		return nil, err
	}
	mode, err := billing.ParseProrationMode(req.Proration)
	if err != nil {
		return nil, Invalid("proration", "proration must be create_prorations, always_invoice or none", req.Proration)
	}
	return h.Sales.ChangePrice(c.Request.Context(), scope, id, updateID, price, mode)
}

func (h *handlers) changePaymentMethod(c *gin.Context, scope tenancy.Scope, id, updateID uuid.UUID) (*models.Subscription, error) {
	var req paymentChoice
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	pay, err := req.read()
	if err != nil {
		return nil, err
	}
	return h.Sales.ChangePaymentMethod(c.Request.Context(), scope, id, updateID, pay)
}

// invoicePreviewView is the upcoming invoice.
type invoicePreviewView struct {
	SubscriptionID uuid.UUID      `json:"subscriptionId"`
	Currency       string         `json:"currency"`
	Total          int64          `json:"total"`
	CreditApplied  int64          `json:"creditApplied"`
	AmountDue      int64          `json:"amountDue"`
	PeriodStart    time.Time      `json:"periodStart"`
	PeriodEnd      time.Time      `json:"periodEnd"`
	DueAt          time.Time      `json:"dueAt"`
	Lines          []billing.Line `json:"lines"`
}

// upcomingInvoice is GET /v1/subscriptions/{id}/upcoming-invoice: it
// changes nothing.
func (h *handlers) upcomingInvoice(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sub, p, err := h.Sales.UpcomingInvoice(c.Request.Context(), caller(c).Scope(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewInvoicePreview(sub, p))
	return nil
}

func viewInvoicePreview(sub *models.Subscription, p *contract.InvoicePreview) *invoicePreviewView {
	if p == nil {
		return nil
	}
	return &invoicePreviewView{
		SubscriptionID: sub.ID, Currency: sub.Currency, Total: p.Total.Amount, CreditApplied: p.CreditApplied.Amount,
		AmountDue: p.AmountDue.Amount, PeriodStart: p.Period.Start.UTC(), PeriodEnd: p.Period.End.UTC(),
		DueAt: p.DueAt.UTC(), Lines: p.Lines,
	}
}

// priceChangePreviewView is what a price change would invoice.
type priceChangePreviewView struct {
	SubscriptionID  uuid.UUID           `json:"subscriptionId"`
	PriceID         uuid.UUID           `json:"priceId"`
	Proration       string              `json:"proration"`
	ProrationDate   time.Time           `json:"prorationDate"`
	InvoicedNow     *invoicePreviewView `json:"invoicedNow"`
	UpcomingInvoice *invoicePreviewView `json:"upcomingInvoice"`
}

// priceChangePreview is GET /v1/subscriptions/{id}/price-change-preview:
// what POST …/change-price with the same priceId and proration would
// invoice if made now. It changes nothing.
func (h *handlers) priceChangePreview(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	price := c.Query("priceId")
	priceID, err := fault.ParseID("priceId", &price)
	if err != nil {
		return err
	}
	mode, err := billing.ParseProrationMode(c.Query("proration"))
	if err != nil {
		return Invalid("proration", "proration must be create_prorations, always_invoice or none", c.Query("proration"))
	}
	sub, p, err := h.Sales.PreviewPriceChange(c.Request.Context(), caller(c).Scope(), id, priceID, mode)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, priceChangePreviewView{
		SubscriptionID: sub.ID, PriceID: priceID, Proration: string(mode), ProrationDate: p.At.UTC(),
		InvoicedNow: viewInvoicePreview(sub, p.InvoicedNow), UpcomingInvoice: viewInvoicePreview(sub, p.Upcoming),
	})
	return nil
}

// workflowView says where a subscription's workflow runs, and its page in
// the Temporal UI when billgate knows the UI's address.
type workflowView struct {
	WorkflowID string  `json:"workflowId"`
	Namespace  string  `json:"namespace"`
	URL        *string `json:"url"`
}

// subscriptionWorkflow is GET /v1/subscriptions/{id}/workflow, for the
// console's link to the Temporal UI: the first of the configured Temporal
// UI origins.
func (h *handlers) subscriptionWorkflow(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sub, _, err := h.Sales.Subscription(c.Request.Context(), caller(c).Scope(), id, false)
	if err != nil {
		return err
	}
	v := workflowView{WorkflowID: contract.SubscriptionWorkflowID(sub.ID), Namespace: h.Namespace}
	if len(h.TemporalUIOrigins) > 0 {
		// The UI's list, narrowed to the workflow, lists each of its runs.
		query := url.Values{"query": {fmt.Sprintf("WorkflowId=%q", v.WorkflowID)}}
		u := h.TemporalUIOrigins[0] + "/namespaces/" + url.PathEscape(v.Namespace) + "/workflows?" + query.Encode()
		v.URL = &u
	}
	respond(c, http.StatusOK, v)
	return nil
}
