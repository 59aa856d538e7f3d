package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

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
		started, err := startedPayment(in, h.Now())
		if err != nil {
			return err
		}
		respond(c, http.StatusAccepted, viewPayment(started))
	default:
		respond(c, http.StatusCreated, viewPayment(p))
	}
	return nil
}

// startedPayment is the payment row of a purchase whose workflow started
// at now but has not stored it yet: what its input's start state maps to.
func startedPayment(in contract.PaymentInput, now time.Time) (*models.Payment, error) {
	st, err := in.StartState(now)
	if err != nil {
		return nil, err
	}
	rec := in.Record(st)
	rec.UpdatedAt = now
	pay, _, err := models.PaymentRows(rec)
	return pay, err
}
