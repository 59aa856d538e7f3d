package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/workflows/contract"
)

// methodChecks asks a connected account's gateway about a payment
// method's token before sales saves it (sales.MethodChecker): a refusal
// is the token's fault, no answer a 503 to retry.
type methodChecks struct{ router gateways.Router }

func (m methodChecks) CheckMethod(ctx context.Context, route, token string) (string, error) {
	g, err := m.router.Gateway(ctx, route)
	if err != nil {
		return "", err
	}
	checker, ok := g.(gateways.MethodChecker)
	if !ok {
		return "", errors.New("gateway " + route + " checks no payment methods")
	}
	kept, err := checker.CheckMethod(ctx, token)
	switch {
	case gateways.IsPermanent(err):
		return "", fault.Invalid("token", "the gateway refused the token: "+err.Error(), nil)
	case err != nil:
		return "", &fault.UnavailableError{Message: "the gateway did not answer; nothing was saved, try again"}
	}
	return kept, nil
}

// connectedWebhooks reads the webhooks of connected accounts for the API
// (api.ConnectedWebhooks). An event is kept under its account's route, so
// one business's events can never shadow another's by reusing an ID.
type connectedWebhooks struct{ router gateways.Router }

func (w connectedWebhooks) ReadWebhook(ctx context.Context, gateway string, account uuid.UUID, header http.Header, body []byte) (api.GatewayEvent, error) {
	route := contract.GatewayRoute(gateway, account)
	g, err := w.router.Gateway(ctx, route)
	switch {
	case errors.Is(err, gateways.ErrUnknownAccount):
		return api.GatewayEvent{}, fmt.Errorf("%w: %w", api.ErrUnknownGatewayAccount, err)
	case err != nil:
		return api.GatewayEvent{}, err
	}
	reader, ok := g.(gateways.WebhookReader)
	if !ok {
		return api.GatewayEvent{}, fmt.Errorf("%w: %s reads no webhooks", api.ErrUnknownGatewayAccount, route)
	}
	ev, err := reader.ReadWebhook(ctx, header, body)
	switch {
	case errors.Is(err, gateways.ErrBadSignature):
		return api.GatewayEvent{}, fmt.Errorf("%w: %w", api.ErrBadWebhookSignature, err)
	case gateways.IsTransient(err):
		return api.GatewayEvent{}, fmt.Errorf("%w: %w", fault.ErrUnavailable, err)
	case err != nil:
		return api.GatewayEvent{}, fault.Invalid("body", "the webhook verified but could not be read: "+err.Error(), nil)
	}
	out := api.GatewayEvent{Gateway: route, ID: route + "/" + ev.ID, IdempotencyKey: ev.IdempotencyKey, Reference: ev.Reference, DeclineCode: ev.DeclineCode}
	switch ev.Type {
	case gateways.EventChargeSucceeded, gateways.EventChargeApproved:
		out.Settles, out.Succeeded = true, true
	case gateways.EventChargeFailed:
		out.Settles = true
	case gateways.EventChargeDisputed:
		out.Disputed = true
	}
	return out, nil
}
