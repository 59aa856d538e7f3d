package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/sales"
	"github.com/billgate/billgate/workflows/contract"
)

var refundStatuses = contract.Strings(contract.RefundStatuses...)

// refundView is a refund as the API shows it.
type refundView struct {
	ID            uuid.UUID `json:"id"`
	TenantID      uuid.UUID `json:"tenantId"`
	CustomerID    uuid.UUID `json:"customerId"`
	PaymentID     uuid.UUID `json:"paymentId"`
	InvoiceID     uuid.UUID `json:"invoiceId"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	Reason        *string   `json:"reason"`
	Status        string    `json:"status"`
	FailureReason *string   `json:"failureReason"`
	// GatewayReference is the gateway's ID for the refund, once it gave one.
	GatewayReference *string `json:"gatewayReference"`
	// Origin is where the refund was made: "api", or "gateway" for one
	// made at the gateway and recorded by the reconciliation.
	Origin    string    `json:"origin"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func viewRefund(r *models.Refund) refundView {
	return refundView{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, PaymentID: r.PaymentID, InvoiceID: r.InvoiceID,
		Amount: r.Amount, Currency: r.Currency, Reason: optional(r.Reason), Status: r.Status, FailureReason: optional(r.FailureReason),
		GatewayReference: optional(r.GatewayReference), Origin: r.Origin, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// createRefund answers 201 with the refund as the gateway left it within
// a few seconds: succeeded, failed, or still pending.
func (h *handlers) createRefund(c *gin.Context) error {
	var req struct {
		PaymentID *string `json:"paymentId"`
		Amount    *int64  `json:"amount"`
		Reason    string  `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	payment, err := fault.ParseID("paymentId", req.PaymentID)
	if err != nil {
		return err
	}
	r, err := h.Sales.Refund(c.Request.Context(), caller(c), reservedID(c), sales.NewRefund{PaymentID: payment, Amount: req.Amount, Reason: req.Reason})
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewRefund(r))
	return nil
}

func (h *handlers) getRefund(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.Sales.RefundOf(c.Request.Context(), caller(c).Scope(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewRefund(r))
	return nil
}

func (h *handlers) listRefunds(c *gin.Context) error {
	lf, err := readListFilter(c, refundStatuses)
	if err != nil {
		return err
	}
	f := models.RefundFilter{TenantID: lf.tenant, CustomerID: lf.customer, Statuses: lf.statuses, After: lf.after}
	if f.PaymentID, err = idQuery(c, "paymentId"); err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.Refund, error) {
		f.Limit = limit
		return h.Billing.Refunds(c.Request.Context(), f)
	}, func(r models.Refund) uuid.UUID { return r.ID }, viewRefund)
}
