package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// createPurchase is POST /v1/purchases: a one-time price bought by a
// customer, collected by a PaymentWorkflow. It answers with the payment,
// pending until the gateway has answered (GET it for the approval URL of
// an async gateway), or 202 with what is known when the workflow started
// but has not stored it.
func (h *handlers) createPurchase(c *gin.Context) error {
	order, err := readOrder(c)
	if err != nil {
		return err
	}
	p, in, err := h.Sales.Buy(c.Request.Context(), caller(c), reservedID(c), order)
	switch {
	case err != nil:
		return err
	case p == nil:
		respond(c, http.StatusAccepted, h.acceptedPayment(in))
	default:
		respond(c, http.StatusCreated, viewPayment(p))
	}
	return nil
}

// acceptedPayment is what is known of a payment whose workflow started but
// has not stored it yet.
func (h *handlers) acceptedPayment(in contract.PaymentInput) paymentView {
	now := h.Now().UTC()
	amount := in.Invoice.Lines[0].Amount // a purchase is one line
	v := paymentView{
		ID: in.PaymentID, TenantID: in.TenantID, CustomerID: in.CustomerID, InvoiceID: in.InvoiceID, PriceID: &in.PriceID,
		Amount: amount.Amount, Currency: string(amount.Currency), Gateway: in.Gateway, Status: string(contract.PaymentPending),
		Attempts: []models.PaymentAttempt{}, CreatedAt: now, UpdatedAt: now,
	}
	if in.PaymentMethodID != uuid.Nil {
		v.PaymentMethodID = &in.PaymentMethodID
	}
	if in.TestClock != nil {
		v.TestClockID = &in.TestClock.ID
	}
	return v
}
