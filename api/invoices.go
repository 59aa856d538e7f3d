package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	invoiceStatuses = contract.Strings(contract.InvoiceStatuses...)
	paymentStatuses = contract.Strings(models.PaymentRowStatuses...)
)

// invoiceView is an invoice as the API shows it.
type invoiceView struct {
	ID             uuid.UUID      `json:"id"`
	TenantID       uuid.UUID      `json:"tenantId"`
	CustomerID     uuid.UUID      `json:"customerId"`
	SubscriptionID *uuid.UUID     `json:"subscriptionId"`
	PaymentID      *uuid.UUID     `json:"paymentId"`
	Status         string         `json:"status"`
	Currency       string         `json:"currency"`
	Total          int64          `json:"total"`
	CreditApplied  int64          `json:"creditApplied"`
	AmountDue      int64          `json:"amountDue"`
	Lines          []billing.Line `json:"lines"`
	PeriodStart    *time.Time     `json:"periodStart"`
	PeriodEnd      *time.Time     `json:"periodEnd"`
	PaidAt         *time.Time     `json:"paidAt"`
	AmountCredited int64          `json:"amountCredited"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

func viewInvoice(inv *models.Invoice) invoiceView {
	lines := inv.Lines
	if lines == nil {
		lines = []billing.Line{}
	}
	for i := range lines {
		lines[i].PeriodStart, lines[i].PeriodEnd = lines[i].PeriodStart.UTC(), lines[i].PeriodEnd.UTC()
	}
	return invoiceView{
		ID: inv.ID, TenantID: inv.TenantID, CustomerID: inv.CustomerID, SubscriptionID: inv.SubscriptionID,
		PaymentID: inv.PaymentID, Status: inv.Status, Currency: inv.Currency, Total: inv.Total,
		CreditApplied: inv.CreditApplied, AmountDue: inv.AmountDue, Lines: lines,
		PeriodStart: utc(inv.PeriodStart), PeriodEnd: utc(inv.PeriodEnd), PaidAt: utc(inv.PaidAt),
		AmountCredited: inv.AmountCredited, CreatedAt: inv.CreatedAt.UTC(), UpdatedAt: inv.UpdatedAt.UTC(),
	}
}

// paymentView is a payment as the API shows it, with its attempts.
type paymentView struct {
	ID              uuid.UUID               `json:"id"`
	TenantID        uuid.UUID               `json:"tenantId"`
	CustomerID      uuid.UUID               `json:"customerId"`
	InvoiceID       uuid.UUID               `json:"invoiceId"`
	SubscriptionID  *uuid.UUID              `json:"subscriptionId"`
	PriceID         *uuid.UUID              `json:"priceId"`
	Amount          int64                   `json:"amount"`
	Currency        string                  `json:"currency"`
	Gateway         string                  `json:"gateway"`
	PaymentMethodID *uuid.UUID              `json:"paymentMethodId"`
	Status          string                  `json:"status"`
	Attempts        []models.PaymentAttempt `json:"attempts"`
	ApprovalURL     *string                 `json:"approvalUrl"`
	DeclineCode     *string                 `json:"declineCode"`
	NextAttemptAt   *time.Time              `json:"nextAttemptAt"`
	TestClockID     *uuid.UUID              `json:"testClockId"`
	PaidAt          *time.Time              `json:"paidAt"`
	AmountRefunded  int64                   `json:"amountRefunded"`
	DisputedAt      *time.Time              `json:"disputedAt"`
	CreatedAt       time.Time               `json:"createdAt"`
	UpdatedAt       time.Time               `json:"updatedAt"`
}

func viewPayment(p *models.Payment) paymentView {
	attempts := p.Attempts
	if attempts == nil {
		attempts = []models.PaymentAttempt{}
	}
	for i := range attempts {
		attempts[i].At = attempts[i].At.UTC()
	}
	v := paymentView{
		ID: p.ID, TenantID: p.TenantID, CustomerID: p.CustomerID, InvoiceID: p.InvoiceID, SubscriptionID: p.SubscriptionID,
		PriceID: p.PriceID, Amount: p.Amount, Currency: p.Currency, Gateway: p.Gateway, PaymentMethodID: p.PaymentMethodID,
		Status: p.Status, Attempts: attempts, NextAttemptAt: utc(p.NextAttemptAt), PaidAt: utc(p.PaidAt), TestClockID: p.TestClockID,
		AmountRefunded: p.AmountRefunded, DisputedAt: utc(p.DisputedAt), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if p.ApprovalURL != "" && p.Status == string(contract.PaymentPending) {
		v.ApprovalURL = &p.ApprovalURL
	}
	v.DeclineCode = optional(p.DeclineCode)
	return v
}

// BillingStore is the billing projection as the HTTP layer reads it.
type BillingStore interface {
	SubscriptionByID(ctx context.Context, id uuid.UUID) (*models.Subscription, error)
	Subscriptions(ctx context.Context, f models.SubscriptionFilter) ([]models.Subscription, error)
	Invoices(ctx context.Context, f models.InvoiceFilter) ([]models.Invoice, error)
	Payments(ctx context.Context, f models.PaymentFilter) ([]models.Payment, error)
	Refunds(ctx context.Context, f models.RefundFilter) ([]models.Refund, error)
}

func (h *handlers) getInvoice(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, err := h.Sales.Invoice(c.Request.Context(), caller(c).Scope(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewInvoice(inv))
	return nil
}

func (h *handlers) listInvoices(c *gin.Context) error {
	lf, err := readListFilter(c, invoiceStatuses)
	if err != nil {
		return err
	}
	f := models.InvoiceFilter{TenantID: lf.tenant, CustomerID: lf.customer, Statuses: lf.statuses, After: lf.after}
	if f.SubscriptionID, err = idQuery(c, "subscriptionId"); err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.Invoice, error) {
		f.Limit = limit
		return h.Billing.Invoices(c.Request.Context(), f)
	}, func(inv models.Invoice) uuid.UUID { return inv.ID }, viewInvoice)
}

func (h *handlers) getPayment(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.Sales.Payment(c.Request.Context(), caller(c).Scope(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewPayment(p))
	return nil
}

func (h *handlers) listPayments(c *gin.Context) error {
	lf, err := readListFilter(c, paymentStatuses)
	if err != nil {
		return err
	}
	f := models.PaymentFilter{TenantID: lf.tenant, CustomerID: lf.customer, Statuses: lf.statuses, After: lf.after}
	if f.SubscriptionID, err = idQuery(c, "subscriptionId"); err != nil {
		return err
	}
	if f.InvoiceID, err = idQuery(c, "invoiceId"); err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.Payment, error) {
		f.Limit = limit
		return h.Billing.Payments(c.Request.Context(), f)
	}, func(p models.Payment) uuid.UUID { return p.ID }, viewPayment)
}
