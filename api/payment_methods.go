package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/sales"
)

type paymentMethodView struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customerId"`
	Gateway    string    `json:"gateway"`
	// GatewayAccountID is the business's connected account the method
	// pays through; null for the sandbox.
	GatewayAccountID *uuid.UUID `json:"gatewayAccountId"`
	Token            string     `json:"token"`
	CreatedAt        time.Time  `json:"createdAt"`
}

func viewPaymentMethod(pm *models.PaymentMethod) paymentMethodView {
	return paymentMethodView{ID: pm.ID, CustomerID: pm.CustomerID, Gateway: pm.Gateway, GatewayAccountID: pm.GatewayAccountID,
		Token: pm.Token, CreatedAt: pm.CreatedAt.UTC()}
}

func (h *handlers) addPaymentMethod(c *gin.Context) error {
	var req struct {
		Gateway          string     `json:"gateway"`
		GatewayAccountID *uuid.UUID `json:"gatewayAccountId"`
		Token            string     `json:"token"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Token) < 1 || len(req.Token) > 255 || hasControlChar(req.Token) {
		return Invalid("token", "token must be 1-255 printable characters", nil)
	}
	customer, err := pathID(c)
	if err != nil {
		return err
	}
	pm, err := h.Sales.SavePaymentMethod(c.Request.Context(), caller(c), customer,
		sales.NewMethod{Gateway: req.Gateway, GatewayAccountID: req.GatewayAccountID, Token: req.Token})
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewPaymentMethod(pm))
	return nil
}

func (h *handlers) listPaymentMethods(c *gin.Context) error {
	customer, err := pathID(c)
	if err != nil {
		return err
	}
	pms, err := h.Sales.SavedPaymentMethods(c.Request.Context(), caller(c), customer)
	respondViews(c, pms, err, viewPaymentMethod)
	return nil
}

func (h *handlers) deletePaymentMethod(c *gin.Context) error {
	customer, err := pathID(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Param("methodId"))
	if err != nil {
		return errNotFound
	}
	if err := h.Sales.DeletePaymentMethod(c.Request.Context(), caller(c), customer, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
