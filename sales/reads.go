package sales

import (
	"context"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// Invoice is the invoice, if the scope sees it.
func (s *Service) Invoice(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.Invoice, error) {
	inv, err := s.Billing.InvoiceByID(ctx, id)
	return visible(scope, inv, err, func(inv *models.Invoice) (uuid.UUID, uuid.UUID) { return inv.TenantID, inv.CustomerID })
}

// Payment is the payment, if the scope sees it.
func (s *Service) Payment(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.Payment, error) {
	p, err := s.Billing.PaymentByID(ctx, id)
	return visible(scope, p, err, func(p *models.Payment) (uuid.UUID, uuid.UUID) { return p.TenantID, p.CustomerID })
}

func (s *Service) visibleSubscription(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.Subscription, error) {
	sub, err := s.Billing.SubscriptionByID(ctx, id)
	return visible(scope, sub, err, func(sub *models.Subscription) (uuid.UUID, uuid.UUID) { return sub.TenantID, sub.CustomerID })
}

// visible is what a loaded object's owner says the scope may see: one it
// may not is not found, so that its existence does not leak either.
func visible[T any](scope tenancy.Scope, obj *T, err error, owner func(*T) (tenant, customer uuid.UUID)) (*T, error) {
	if err != nil {
		return nil, err
	}
	if !scope.Allows(owner(obj)) {
		return nil, models.ErrNotFound
	}
	return obj, nil
}
