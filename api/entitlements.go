package api

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
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

var (
	// Purchases being paid for count, as in "paid for or with payment
	// pending"; a subscription keeps its access through dunning.
	entitledPurchases     = []string{"pending", "retrying", "paid"}
	entitledSubscriptions = []string{"pending", "trialing", "active", "past_due"}
)

// listEntitlements is GET /v1/entitlements?customerId=: a customer's own,
// or one customer's for its business or an admin.
func (h *handlers) listEntitlements(c *gin.Context) {
	var named *string
	if s, ok := c.GetQuery("customerId"); ok {
		named = &s
	}
	customer, err := h.buyer(c, named)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	subs, err := h.Billing.Subscriptions(ctx, models.SubscriptionFilter{CustomerID: &customer.ID, Statuses: entitledSubscriptions, Limit: maxPageSize})
	if err != nil {
		fail(c, err)
		return
	}
	purchases, err := h.Billing.Payments(ctx, models.PaymentFilter{CustomerID: &customer.ID, PurchasesOnly: true, Statuses: entitledPurchases, Limit: maxPageSize})
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]entitlementView, 0, len(subs)+len(purchases))
	for _, s := range subs {
		out = append(out, entitlementView{Kind: "subscription", PriceID: s.PriceID, Status: s.Status, SubscriptionID: &s.ID, Quantity: s.Quantity})
	}
	for _, p := range purchases {
		if p.PriceID == nil {
			continue
		}
		out = append(out, entitlementView{Kind: "purchase", PriceID: *p.PriceID, Status: p.Status, PaymentID: &p.ID})
	}
	respondList(c, out, "")
}
