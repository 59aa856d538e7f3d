package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
)

// sandboxRoutes is the sandbox gateway as the API's sandbox routes see it
// (api.SandboxGateway and api.SandboxLedger), so that the API compiles no
// gateway.
type sandboxRoutes struct{ sb *sandbox.Sandbox }

func (r sandboxRoutes) ApprovalPage(ctx context.Context, reference string) ([]byte, string, error) {
	page, err := r.sb.ApprovalPage(ctx, reference)
	return page, sandbox.ApprovalPageCSP, refusal(err)
}

func (r sandboxRoutes) Decide(ctx context.Context, reference string, approve bool) ([]byte, string, error) {
	_, body, signature, err := r.sb.Decide(ctx, reference, approve)
	return body, signature, refusal(err)
}

func (r sandboxRoutes) ReadWebhook(signature string, body []byte) (api.GatewayEvent, error) {
	e, err := r.sb.ReadWebhook(signature, body)
	if err != nil {
		return api.GatewayEvent{}, err
	}
	kind := gateways.EventChargeFailed
	if e.Type == sandbox.EventChargeSucceeded {
		kind = gateways.EventChargeSucceeded
	}
	return api.GatewayEvent{Gateway: sandbox.Name, ID: e.ID, Kind: string(kind), IdempotencyKey: e.IdempotencyKey, Reference: e.Reference,
		Succeeded: kind == gateways.EventChargeSucceeded, DeclineCode: e.DeclineCode}, nil
}

func (r sandboxRoutes) Charges(ctx context.Context) ([]any, error) {
	charges, err := r.sb.Charges(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(charges))
	for i, c := range charges {
		out[i] = c
	}
	return out, nil
}

// refusal names the sandbox's refusals as the API knows them.
func refusal(err error) error {
	switch {
	case errors.Is(err, sandbox.ErrUnknownReference):
		return fmt.Errorf("%w: %w", api.ErrUnknownSandboxCharge, err)
	case errors.Is(err, sandbox.ErrAlreadyDecided):
		return fmt.Errorf("%w: %w", api.ErrSandboxChargeDecided, err)
	}
	return err
}
