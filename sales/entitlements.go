package sales

import (
	"context"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Entitlement is something a customer has: a purchase or a subscription,
// paid for or with its payment pending. A purchase refunded in full is no
// longer had.
type Entitlement struct {
	Kind           string // purchase or subscription
	PriceID        uuid.UUID
	Status         string
	PaymentID      *uuid.UUID
	SubscriptionID *uuid.UUID
	Quantity       int64 // a subscription's
}

var (
	// Purchases being paid for count, as in "paid for or with payment
	// pending"; a subscription keeps its access through dunning.
	entitledPurchases     = contract.Strings(contract.PaymentPending, contract.PaymentRetrying, contract.PaymentPaid)
	entitledSubscriptions = contract.Strings(contract.SubscriptionPending, contract.SubscriptionTrialing, contract.SubscriptionActive, contract.SubscriptionPastDue)
)

// Entitlements is what a customer has: the caller's own for a customer, or
// the customer it names for its business or an admin. At most limit of
// each kind.
func (s *Service) Entitlements(ctx context.Context, caller tenancy.Caller, named *string, limit int) ([]Entitlement, error) {
	customer, err := s.buyer(ctx, caller, named)
	if err != nil {
		return nil, err
	}
	subs, err := s.Billing.Subscriptions(ctx, models.SubscriptionFilter{CustomerID: &customer.ID, Statuses: entitledSubscriptions, Limit: limit})
	if err != nil {
		return nil, err
	}
	purchases, err := s.Billing.Payments(ctx, models.PaymentFilter{CustomerID: &customer.ID, PurchasesOnly: true, Statuses: entitledPurchases, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Entitlement, 0, len(subs)+len(purchases))
	for _, sub := range subs {
		out = append(out, Entitlement{Kind: "subscription", PriceID: sub.PriceID, Status: sub.Status, SubscriptionID: &sub.ID, Quantity: sub.Quantity})
	}
	for _, p := range purchases {
		if p.PriceID == nil || p.AmountRefunded >= p.Amount {
			continue // refunded in full: given back
		}
		out = append(out, Entitlement{Kind: "purchase", PriceID: *p.PriceID, Status: p.Status, PaymentID: &p.ID})
	}
	return out, nil
}
