package sales

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// PaymentMethods keeps customers' saved payment methods.
type PaymentMethods interface {
	AddPaymentMethod(ctx context.Context, pm *models.PaymentMethod) error
	PaymentMethods(ctx context.Context, customerID uuid.UUID) ([]models.PaymentMethod, error)
	DeletePaymentMethod(ctx context.Context, customerID, id uuid.UUID) error
}

// NewMethod is a way to pay to save: a token of a configured gateway, or
// of an account the business connected (the one named, or its only one at
// the gateway).
type NewMethod struct {
	Gateway          string
	GatewayAccountID *uuid.UUID
	Token            string
}

// SavePaymentMethod keeps a way to pay of a customer the caller sees, for
// its sales to name. A connected account's gateway checks the token first.
func (s *Service) SavePaymentMethod(ctx context.Context, caller tenancy.Caller, customerID uuid.UUID, m NewMethod) (*models.PaymentMethod, error) {
	customer, err := s.customer(ctx, caller, customerID)
	if err != nil {
		return nil, err
	}
	pm := &models.PaymentMethod{TenantID: *customer.TenantID, CustomerID: customer.ID, Gateway: m.Gateway, Token: m.Token, CreatedAt: s.Now().UTC()}
	if m.GatewayAccountID != nil || !slices.Contains(s.Gateways, m.Gateway) {
		a, err := s.connectedAccount(ctx, *customer.TenantID, m.Gateway, m.GatewayAccountID, "gateway")
		if err != nil {
			return nil, err
		}
		if pm.Token, err = s.MethodChecker.CheckMethod(ctx, contract.GatewayRoute(a.Gateway, a.ID), m.Token); err != nil {
			return nil, err
		}
		pm.Gateway, pm.GatewayAccountID = a.Gateway, &a.ID
	}
	if err := s.PaymentMethods.AddPaymentMethod(ctx, pm); err != nil {
		return nil, err
	}
	return pm, nil
}

// SavedPaymentMethods are a customer's saved ways to pay.
func (s *Service) SavedPaymentMethods(ctx context.Context, caller tenancy.Caller, customerID uuid.UUID) ([]models.PaymentMethod, error) {
	customer, err := s.customer(ctx, caller, customerID)
	if err != nil {
		return nil, err
	}
	return s.PaymentMethods.PaymentMethods(ctx, customer.ID)
}

// DeletePaymentMethod forgets a customer's saved way to pay.
func (s *Service) DeletePaymentMethod(ctx context.Context, caller tenancy.Caller, customerID, id uuid.UUID) error {
	customer, err := s.customer(ctx, caller, customerID)
	if err != nil {
		return err
	}
	return s.PaymentMethods.DeletePaymentMethod(ctx, customer.ID, id)
}

// customer is a customer account the caller sees: itself, one of its
// business's, or any for an admin. Other accounts are not found.
func (s *Service) customer(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.Client, error) {
	customer, err := s.Accounts.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if customer.TenantID == nil || !caller.Scope().Allows(*customer.TenantID, customer.ID) {
		return nil, models.ErrNotFound
	}
	return customer, nil
}
