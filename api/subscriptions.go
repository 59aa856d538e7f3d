package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// maxQuantity bounds a subscription's quantity.
const maxQuantity = 10000

var subscriptionStatuses = []string{"pending", "trialing", "active", "past_due", "paused", "canceled", "expired"}

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

// overlay replaces what the workflow owns in a view with its live state.
func (v subscriptionView) overlay(st contract.SubscriptionState) subscriptionView {
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC()
		return &t
	}
	v.Status, v.PriceID, v.Quantity = string(st.Status), st.Plan.PriceID, st.Quantity
	v.Amount, v.Currency = st.Plan.Amount.Amount, string(st.Plan.Amount.Currency)
	v.CurrentPeriodStart, v.CurrentPeriodEnd = at(st.CurrentPeriod.Start), at(st.CurrentPeriod.End)
	v.TrialEnd, v.CancelAtPeriodEnd = at(st.TrialEnd), st.CancelAtPeriodEnd
	v.CanceledAt, v.PausedAt, v.EndedAt = at(st.CanceledAt), at(st.PausedAt), at(st.EndedAt)
	v.LatestInvoiceID, v.Version = nil, st.Version
	if st.LatestInvoiceID != uuid.Nil {
		id := st.LatestInvoiceID
		v.LatestInvoiceID = &id
	}
	return v
}

// createSubscription is POST /v1/subscriptions: it starts the
// subscription's workflow and answers once the workflow has stored it.
func (h *handlers) createSubscription(c *gin.Context) {
	sale, err := h.readCheckout(c, billing.RecurringPrice)
	if err != nil {
		fail(c, err)
		return
	}
	in := contract.SubscriptionInput{
		SubscriptionID: reservedID(c), TenantID: *sale.customer.TenantID, CustomerID: sale.customer.ID,
		Plan: planOf(sale.price), Quantity: sale.quantity, PaymentMethodID: sale.paymentMethodID,
		Gateway: sale.gateway, Token: sale.token, TestClock: sale.clock,
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), workflowTimeout)
	defer cancel()
	var st contract.SubscriptionState
	attrs := append(ownerAttributes(in.TenantID, in.CustomerID), contract.StatusKey.ValueSet(string(startStatus(in))))
	workflowID := contract.SubscriptionWorkflowID(in.SubscriptionID)
	started, err := h.startAndSync(ctx, workflowID, in.SubscriptionID.String(), attrs, contract.SubscriptionWorkflowType, in, &st)
	if started && in.TestClock != nil {
		if err := h.followClock(ctx, in.TestClock, workflowID, false); err != nil {
			fail(c, err)
			return
		}
	}
	switch {
	case started && err != nil:
		// The workflow runs, but no worker has stored it yet.
		respond(c, http.StatusAccepted, acceptedSubscription(in))
	case err != nil:
		fail(c, workflowProblem(err, "subscription"))
	default:
		h.respondSubscription(c, http.StatusCreated, in.SubscriptionID)
	}
}

// startStatus is the status a subscription starts in.
func startStatus(in contract.SubscriptionInput) contract.SubscriptionStatus {
	if in.Plan.TrialDays > 0 {
		return contract.SubscriptionTrialing
	}
	return contract.SubscriptionPending
}

// acceptedSubscription is what is known of a subscription whose workflow
// started but has not stored it yet.
func acceptedSubscription(in contract.SubscriptionInput) subscriptionView {
	now := time.Now().UTC()
	v := subscriptionView{
		ID: in.SubscriptionID, TenantID: in.TenantID, CustomerID: in.CustomerID, PriceID: in.Plan.PriceID,
		Quantity: in.Quantity, Status: string(startStatus(in)), Amount: in.Plan.Amount.Amount,
		Currency: string(in.Plan.Amount.Currency), Gateway: in.Gateway, CreatedAt: now, UpdatedAt: now,
	}
	if in.PaymentMethodID != uuid.Nil {
		v.PaymentMethodID = &in.PaymentMethodID
	}
	if in.TestClock != nil {
		v.TestClockID = &in.TestClock.ID
	}
	return v
}

// planOf is the plan a recurring price makes.
func planOf(p *models.Price) contract.Plan {
	return contract.Plan{
		PriceID: p.ID, Amount: money(p), TrialDays: p.TrialDays, Dunning: dunningOf(p),
		Recurrence: billing.Recurrence{Interval: billing.Interval(*p.Interval), Count: *p.IntervalCount},
	}
}

func (h *handlers) respondSubscription(c *gin.Context, status int, id uuid.UUID) {
	sub, err := h.Billing.SubscriptionByID(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, viewSubscription(sub))
}

// visibleSubscription loads the subscription in the path, if the caller
// may see it.
func (h *handlers) visibleSubscription(c *gin.Context) (*models.Subscription, error) {
	return visible(c, h.Billing.SubscriptionByID, func(s *models.Subscription) (uuid.UUID, uuid.UUID) { return s.TenantID, s.CustomerID })
}

// getSubscription is GET /v1/subscriptions/{id}: the projection, or with
// ?consistent=true the workflow's own state.
func (h *handlers) getSubscription(c *gin.Context) {
	sub, err := h.visibleSubscription(c)
	if err != nil {
		fail(c, err)
		return
	}
	view := viewSubscription(sub)
	if c.Query("consistent") == "true" {
		var st contract.SubscriptionState
		if err := h.query(c.Request.Context(), contract.SubscriptionWorkflowID(sub.ID), contract.SubscriptionStateQuery, &st); err != nil {
			fail(c, workflowProblem(err, "subscription"))
			return
		}
		view = view.overlay(st)
	}
	respond(c, http.StatusOK, view)
}

func (h *handlers) query(ctx context.Context, workflowID, query string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, workflowTimeout)
	defer cancel()
	v, err := h.Workflows.QueryWorkflow(ctx, workflowID, "", query)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// listSubscriptions is GET /v1/subscriptions.
func (h *handlers) listSubscriptions(c *gin.Context) {
	lf, err := readListFilter(c, subscriptionStatuses)
	if err != nil {
		fail(c, err)
		return
	}
	price, err := idQuery(c, "priceId")
	if err != nil {
		fail(c, err)
		return
	}
	f := models.SubscriptionFilter{TenantID: lf.tenant, CustomerID: lf.customer, PriceID: price, Statuses: lf.statuses, After: lf.after}
	respondPage(c, lf.limit, func(limit int) ([]models.Subscription, error) {
		f.Limit = limit
		return h.Billing.Subscriptions(c.Request.Context(), f)
	}, func(s models.Subscription) uuid.UUID { return s.ID }, viewSubscription)
}

// changeSubscription serves the routes that change a subscription through
// a workflow Update: args reads the request into the update's argument.
// The workflow's validator refuses an illegal change (409 with the reason);
// an accepted one answers with the subscription as stored after it.
func (h *handlers) changeSubscription(update string, args func(*gin.Context, *models.Subscription) ([]any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		sub, err := h.visibleSubscription(c)
		if err != nil {
			fail(c, err)
			return
		}
		in, err := args(c, sub)
		if err != nil {
			fail(c, err)
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), workflowTimeout)
		defer cancel()
		handle, err := h.Workflows.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: contract.SubscriptionWorkflowID(sub.ID), UpdateID: reservedID(c).String(), UpdateName: update, Args: in,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = handle.Get(ctx, nil)
		}
		if err != nil {
			fail(c, workflowProblem(err, "subscription"))
			return
		}
		h.respondSubscription(c, http.StatusOK, sub.ID)
	}
}

func cancelArgs(c *gin.Context, _ *models.Subscription) ([]any, error) {
	var req contract.Cancel
	if err := decodeOptionalJSON(c, &req); err != nil {
		return nil, err
	}
	return []any{req}, nil
}

func noArgs(c *gin.Context, _ *models.Subscription) ([]any, error) {
	var req struct{}
	return nil, decodeOptionalJSON(c, &req)
}

// changePriceArgs reads a price change: an active recurring price of the
// subscription's tenant, and a proration mode.
func (h *handlers) changePriceArgs(c *gin.Context, sub *models.Subscription) ([]any, error) {
	var req struct {
		PriceID   *string `json:"priceId"`
		Proration string  `json:"proration"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	id, err := parseID("priceId", req.PriceID)
	if err != nil {
		return nil, err
	}
	mode, err := billing.ParseProrationMode(req.Proration)
	if err != nil {
		return nil, Invalid("proration", "proration must be create_prorations, always_invoice or none", req.Proration)
	}
	price, _, err := h.salePrice(c.Request.Context(), id, sub.TenantID, billing.RecurringPrice)
	if err != nil {
		return nil, err
	}
	if price.Currency != sub.Currency {
		return nil, Invalid("priceId", "the new price must be in the subscription's currency, "+sub.Currency, id.String())
	}
	if _, err := money(price).MulInt(sub.Quantity); err != nil {
		return nil, Invalid("priceId", "the price times the quantity is too large", id.String())
	}
	return []any{contract.PriceChange{Plan: planOf(price), Proration: mode}}, nil
}

// paymentMethodArgs reads a new payment method for the subscription's
// customer. A subscription on a test clock stays on the sandbox.
func (h *handlers) paymentMethodArgs(c *gin.Context, sub *models.Subscription) ([]any, error) {
	var req paymentChoice
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	m, err := h.paymentMethod(c.Request.Context(), req, sub.CustomerID)
	if err != nil {
		return nil, err
	}
	if sub.TestClockID != nil && m.Gateway != sandbox.Name {
		return nil, Invalid("paymentMethod.gateway", "a subscription on a test clock pays through the sandbox gateway only", m.Gateway)
	}
	return []any{m}, nil
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

// upcomingInvoice is GET /v1/subscriptions/{id}/upcoming-invoice, computed
// by the workflow's query: it changes nothing.
func (h *handlers) upcomingInvoice(c *gin.Context) {
	sub, err := h.visibleSubscription(c)
	if err != nil {
		fail(c, err)
		return
	}
	var p contract.InvoicePreview
	if err := h.query(c.Request.Context(), contract.SubscriptionWorkflowID(sub.ID), contract.UpcomingInvoiceQuery, &p); err != nil {
		var refused *serviceerror.QueryFailed
		if errors.As(err, &refused) { // nothing upcoming: the query says why
			err = &Problem{Status: http.StatusNotFound, Detail: Error{Code: "NOT_FOUND", Message: refused.Error()}}
		} else {
			err = workflowProblem(err, "subscription")
		}
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, invoicePreviewView{
		SubscriptionID: sub.ID, Currency: sub.Currency, Total: p.Total.Amount, CreditApplied: p.CreditApplied.Amount,
		AmountDue: p.AmountDue.Amount, PeriodStart: p.Period.Start.UTC(), PeriodEnd: p.Period.End.UTC(),
		DueAt: p.DueAt.UTC(), Lines: p.Lines,
	})
}
