package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/billgate/billgate/auth/payloadcheck"
)

// Variable computes a dynamic payload-template variable for the principal
// logging in: the functions registered in code (tenant_price_ids,
// own_client_id, own_customer_ids, …) that static substitutions cannot
// express. Its context is the principal: its client, tenant and roles.
type Variable func(ctx context.Context, p *Principal) (payloadcheck.Value, error)

// payloadCompiler compiles a principal's payload templates.
type payloadCompiler struct {
	variables map[string]Variable
	log       *slog.Logger
}

// compile compiles the payload templates of the principal's
// policies into variable-free ones: the templates of every policy its
// client holds (an API key narrowed to fewer policies included) pooled per
// action, their variables resolved by the registered
// functions first (so nothing stored can shadow own_client_id), then the
// policies' static substitutions (in policy-name order), its roles'
// payload contexts (in role-name order), and the client's own: the first
// that names a variable gives its value. Admins write the first two and a
// business the last, so a business can give its customers values for
// variables nobody above defined, but never loosen an admin's. A variable
// that cannot be
// resolved allows nothing, and is logged. Stored templates were validated
// when written, so one that does not decode is an error.
func (pc *payloadCompiler) compile(ctx context.Context, p *Principal) (*payloadcheck.Set, error) {
	templates := map[string][]payloadcheck.Template{}
	resolvers := []payloadcheck.Resolver{payloadcheck.ResolverFunc(func(ctx context.Context, name string) (payloadcheck.Value, error) {
		fn, ok := pc.variables[name]
		if !ok {
			return payloadcheck.Value{}, payloadcheck.ErrUnknownVariable
		}
		return fn(ctx, p)
	})}
	for _, pol := range p.granted {
		var payloads map[string][]payloadcheck.Template
		var static payloadcheck.Static
		if err := decodeStored(pol.Payloads, &payloads); err != nil {
			return nil, fmt.Errorf("policy %s: payload templates: %w", pol.Name, err)
		}
		if err := decodeStored(pol.Substitutions, &static); err != nil {
			return nil, fmt.Errorf("policy %s: substitutions: %w", pol.Name, err)
		}
		for action, ts := range payloads {
			templates[action] = append(templates[action], ts...)
		}
		resolvers = append(resolvers, static)
	}
	for i, raw := range append(slices.Clone(p.contexts), p.Account.PayloadContext) {
		var context payloadcheck.Static
		if err := decodeStored(raw, &context); err != nil {
			return nil, fmt.Errorf("payload context %d of client %s: %w", i, p.Account.ID, err)
		}
		resolvers = append(resolvers, context)
	}
	set, err := payloadcheck.Compile(ctx, templates, payloadcheck.Chain(resolvers...))
	if err != nil {
		pc.log.WarnContext(ctx, "payload templates compiled with problems: the fields affected allow nothing",
			slog.String("clientId", p.Account.ID.String()), slog.Any("error", err))
	}
	return set, nil
}

// decodeStored reads a JSON column; empty is nothing.
func decodeStored(raw string, v any) error {
	if raw == "" {
		return nil
	}
	return json.Unmarshal([]byte(raw), v)
}
