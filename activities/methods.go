package activities

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// KeepPayersMethodInput is a payment method a customer's first payment
// saved at its gateway.
type KeepPayersMethodInput struct {
	TenantID   uuid.UUID
	CustomerID uuid.UUID
	// Gateway is the payment's route.
	Gateway string
	Token   string
}

// KeepPayersMethod stores the payment method a first payment saved at the
// gateway (a PayPal wallet, a Skrill 1-Tap) as its customer's, once however
// often it runs, and returns its ID: the customer sees it, and renewals
// charge it without the payer, as Stripe's setup_future_usage does.
func (a *Activities) KeepPayersMethod(ctx context.Context, in KeepPayersMethodInput) (uuid.UUID, error) {
	kind, account, err := contract.ParseGatewayRoute(in.Gateway)
	if err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeGatewayPermanent, err)
	}
	pm := &models.PaymentMethod{TenantID: in.TenantID, CustomerID: in.CustomerID, Gateway: kind, Token: in.Token, CreatedAt: a.now()}
	if account != uuid.Nil {
		pm.GatewayAccountID = &account
	}
	if err := a.Store.KeepPaymentMethod(ctx, pm); err != nil {
		return uuid.Nil, err
	}
	return pm.ID, nil
}
