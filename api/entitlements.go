package api

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// entitlementView is something a customer has: a purchase or a
// subscription, paid for or with its payment pending.
type entitlementView struct {
	Kind           string     `json:"kind"` // purchase or subscription
	PriceID        uuid.UUID  `json:"priceId"`
	Status         string     `json:"status"`
	PaymentID      *uuid.UUID `json:"paymentId,omitempty"`
	SubscriptionID *uuid.UUID `json:"subscriptionId,omitempty"`
	Quantity       int64      `json:"quantity,omitempty"` // a subscription's
}

// listEntitlements is GET /v1/entitlements?customerId=: a customer's own,
// or one customer's for its business or an admin.
func (h *handlers) listEntitlements(c *gin.Context) error {
	var named *string
	if s, ok := c.GetQuery("customerId"); ok {
		named = &s
	}
	items, err := h.Sales.Entitlements(c.Request.Context(), caller(c), named, maxPageSize)
	if err != nil {
		return err
	}
	out := make([]entitlementView, len(items))
	for i, e := range items {
		out[i] = entitlementView(e)
	}
	respondList(c, out, "")
	return nil
}
