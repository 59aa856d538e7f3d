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

// createPurchase is POST /v1/purchases: a one-time price bought by a
// customer, collected by a PaymentWorkflow. It answers with the payment,
// pending until the gateway has answered (GET it for the approval URL of
// an async gateway).
func (h *handlers) createPurchase(c *gin.Context) {
	sale, err := h.readCheckout(c, billing.OneTimePrice)
	if err != nil {
		fail(c, err)
		return
	}
	paymentID := reservedID(c)
	in := contract.PaymentInput{
		PaymentID: paymentID, InvoiceID: contract.PurchaseInvoiceID(paymentID),
		TenantID: *sale.customer.TenantID, CustomerID: sale.customer.ID, PriceID: sale.price.ID,
		PaymentMethodID: sale.paymentMethodID, Gateway: sale.gateway, Token: sale.token, Dunning: dunningOf(sale.price),
		TestClock: sale.clock,
		Invoice:   contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.OneTime, Description: sale.productName, Amount: sale.total, Quantity: sale.quantity}}},
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), workflowTimeout)
	defer cancel()
	var st contract.PaymentState
	workflowID := contract.PaymentWorkflowID(in.PaymentID)
	started, err := h.startAndSync(ctx, workflowID, in.PaymentID.String(), ownerAttributes(in.TenantID, in.CustomerID), contract.PaymentWorkflowType, in, &st)
	if started && in.TestClock != nil {
		if err := h.followClock(ctx, in.TestClock, workflowID, true); err != nil {
			fail(c, err)
			return
		}
	}
	switch {
	case started && err != nil:
		respond(c, http.StatusAccepted, acceptedPayment(in, sale.total))
	case err != nil:
		fail(c, workflowProblem(err, "payment"))
	default:
		p, err := h.Billing.PaymentByID(c.Request.Context(), in.PaymentID)
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, http.StatusCreated, viewPayment(p))
	}
}

// acceptedPayment is what is known of a payment whose workflow started but
// has not stored it yet.
func acceptedPayment(in contract.PaymentInput, amount billing.Money) paymentView {
	now := time.Now().UTC()
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
