package sales

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// Connections are the businesses' connected gateway accounts
// (models.GatewayAccounts).
type Connections interface {
	GatewayAccountByID(ctx context.Context, id uuid.UUID) (*models.GatewayAccount, error)
	GatewayAccountsAt(ctx context.Context, tenant uuid.UUID, gateway string, limit int) ([]models.GatewayAccount, error)
}

// MethodChecker asks a connected account's gateway about a payment
// method's token before it is saved, and returns the token to keep. A
// token the gateway refuses is a fault.Invalid of field "token"; a gateway
// that does not answer, a fault.UnavailableError.
type MethodChecker interface {
	CheckMethod(ctx context.Context, route, token string) (string, error)
}

// connectedAccount is the account of tenant at gateway that a payment
// method pays through: the one named, or else the tenant's only one there.
// field names the gateway in refusals.
func (s *Service) connectedAccount(ctx context.Context, tenant uuid.UUID, gateway string, named *uuid.UUID, field string) (*models.GatewayAccount, error) {
	if named != nil {
		a, err := s.Connections.GatewayAccountByID(ctx, *named)
		switch {
		case errors.Is(err, models.ErrNotFound) || err == nil && a.TenantID != tenant:
			return nil, fault.Invalid("gatewayAccountId", "no such gateway account of this business", named.String())
		case err != nil:
			return nil, err
		case gateway != "" && a.Gateway != gateway:
			return nil, fault.Invalid(field, "the account named is at "+a.Gateway, gateway)
		}
		return a, nil
	}
	accounts, err := s.Connections.GatewayAccountsAt(ctx, tenant, gateway, 2) // one is the answer; two, a question
	if err != nil {
		return nil, err
	}
	switch len(accounts) {
	case 0:
		return nil, fault.Invalid(field, "gateway must be one of the configured gateways or one the business connected", gateway)
	case 1:
		return &accounts[0], nil
	}
	return nil, fault.Invalid("gatewayAccountId", "the business connected several "+gateway+" accounts: name one", nil)
}

// through is the payment method of token through a connected account, in
// currency, which the account must take.
func through(a *models.GatewayAccount, methodID uuid.UUID, token string, currency billing.Currency) (contract.PaymentMethod, error) {
	if taken := gatewayaccounts.Currencies(a); len(taken) > 0 && !slices.Contains(taken, currency) {
		return contract.PaymentMethod{}, fault.Invalid("currency", "the "+a.Gateway+" account takes "+joinCodes(taken)+" only", string(currency))
	}
	return contract.PaymentMethod{PaymentMethodID: methodID, Gateway: contract.GatewayRoute(a.Gateway, a.ID), Token: token}, nil
}

func joinCodes(cs []billing.Currency) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += string(c)
	}
	return out
}

// testModeOnly refuses a sale or change on a test clock through a live
// gateway account: simulated time never moves real money.
func (s *Service) testModeOnly(ctx context.Context, m contract.PaymentMethod, field string) error {
	_, account, err := contract.ParseGatewayRoute(m.Gateway)
	if err != nil || account == uuid.Nil {
		return err
	}
	a, err := s.Connections.GatewayAccountByID(ctx, account)
	if err != nil {
		return err
	}
	if a.Mode != gatewayaccounts.ModeTest {
		return fault.Invalid(field, "a test clock runs with test-mode gateway accounts only; this one is "+a.Mode, nil)
	}
	return nil
}
