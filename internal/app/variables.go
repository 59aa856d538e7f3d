package app

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/models"
)

// payloadVariables are the dynamic variables payload templates may use
// (docs/payload-templates.md), computed at each login and token for the
// principal logging in. A list longer than payloadcheck allows makes the
// variable allow nothing rather than something.
func payloadVariables(catalog *models.Catalog, accounts *models.Accounts) map[string]auth.Variable {
	const limit = payloadcheck.MaxResolvedValues + 1
	tenantList := func(list func(ctx context.Context, tenant uuid.UUID, limit int) ([]uuid.UUID, error)) auth.Variable {
		return func(ctx context.Context, p *auth.Principal) (payloadcheck.Value, error) {
			tenant, ok := p.TenantID()
			if !ok {
				return jsonValue([]uuid.UUID{}) // an admin has no tenant: nothing is its own
			}
			ids, err := list(ctx, tenant, limit)
			if err != nil {
				return payloadcheck.Value{}, err
			}
			return jsonValue(ids)
		}
	}
	return map[string]auth.Variable{
		"own_client_id": func(_ context.Context, p *auth.Principal) (payloadcheck.Value, error) { return jsonValue(p.Account.ID) },
		"tenant_id": func(_ context.Context, p *auth.Principal) (payloadcheck.Value, error) {
			tenant, ok := p.TenantID()
			if !ok {
				return jsonValue([]uuid.UUID{})
			}
			return jsonValue(tenant)
		},
		"tenant_price_ids": tenantList(catalog.ActivePriceIDs),
		"own_customer_ids": func(ctx context.Context, p *auth.Principal) (payloadcheck.Value, error) {
			if p.Account.TenantID != nil {
				return jsonValue([]uuid.UUID{p.Account.ID}) // a customer acts for itself
			}
			return tenantList(accounts.CustomerIDs)(ctx, p)
		},
	}
}

func jsonValue(v any) (payloadcheck.Value, error) {
	b, err := json.Marshal(v)
	return payloadcheck.Value{JSON: b}, err
}
