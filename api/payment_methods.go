package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// PaymentMethods is the payment method store as the HTTP layer uses it.
type PaymentMethods interface {
	AddPaymentMethod(ctx context.Context, pm *models.PaymentMethod) error
	PaymentMethods(ctx context.Context, customerID uuid.UUID) ([]models.PaymentMethod, error)
	DeletePaymentMethod(ctx context.Context, customerID, id uuid.UUID) error
}

type paymentMethodView struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customerId"`
	Gateway    string    `json:"gateway"`
	Token      string    `json:"token"`
	CreatedAt  time.Time `json:"createdAt"`
}

func viewPaymentMethod(pm *models.PaymentMethod) paymentMethodView {
	return paymentMethodView{ID: pm.ID, CustomerID: pm.CustomerID, Gateway: pm.Gateway, Token: pm.Token, CreatedAt: pm.CreatedAt.UTC()}
}

// customerParam loads the customer in the path: one of the caller's own
// customers, or any customer for an admin.
func (h *handlers) customerParam(c *gin.Context) (*models.Client, error) {
	customer, err := h.visibleClient(c)
	if err != nil {
		return nil, err
	}
	if customer.TenantID == nil {
		return nil, errNotFound // not a customer
	}
	return customer, nil
}

// addPaymentMethod is POST /v1/customers/{id}/payment-methods.
func (h *handlers) addPaymentMethod(c *gin.Context) {
	var req struct {
		Gateway string `json:"gateway"`
		Token   string `json:"token"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if !slices.Contains(h.Gateways, req.Gateway) {
		fail(c, Invalid("gateway", "gateway must be one of the configured gateways", req.Gateway))
		return
	}
	if len(req.Token) < 1 || len(req.Token) > 255 || hasControlChar(req.Token) {
		fail(c, Invalid("token", "token must be 1-255 printable characters", nil))
		return
	}
	customer, err := h.customerParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	pm := &models.PaymentMethod{TenantID: *customer.TenantID, CustomerID: customer.ID, Gateway: req.Gateway, Token: req.Token, CreatedAt: time.Now().UTC()}
	if err := h.PaymentMethods.AddPaymentMethod(c.Request.Context(), pm); err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusCreated, viewPaymentMethod(pm))
}

func (h *handlers) listPaymentMethods(c *gin.Context) {
	customer, err := h.customerParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	pms, err := h.PaymentMethods.PaymentMethods(c.Request.Context(), customer.ID)
	respondViews(c, pms, err, viewPaymentMethod)
}

func (h *handlers) deletePaymentMethod(c *gin.Context) {
	customer, err := h.customerParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	id, err := uuid.Parse(c.Param("methodId"))
	if err != nil {
		fail(c, errNotFound)
		return
	}
	if err := h.PaymentMethods.DeletePaymentMethod(c.Request.Context(), customer.ID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
