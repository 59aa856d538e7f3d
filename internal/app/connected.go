package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

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
	g, err := w.connected(ctx, route)
	if err != nil {
		return api.GatewayEvent{}, err
	}
	ev, err := g.ReadWebhook(ctx, header, body)
	switch {
	case errors.Is(err, gateways.ErrBadSignature):
		return api.GatewayEvent{}, fmt.Errorf("%w: %w", api.ErrBadWebhookSignature, err)
	case gateways.IsTransient(err):
		return api.GatewayEvent{}, fmt.Errorf("%w: %w", fault.ErrUnavailable, err)
	case err != nil:
		return api.GatewayEvent{}, fault.Invalid("body", "the webhook verified but could not be read: "+err.Error(), nil)
	}
	out := api.GatewayEvent{Gateway: route, ID: route + "/" + ev.ID, Kind: string(ev.Type), IdempotencyKey: ev.IdempotencyKey, Reference: ev.Reference, DeclineCode: ev.DeclineCode}
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

// ReadReturn reads a payer's return: it settles nothing itself, so it is
// an approval to look up, whatever the query says.
func (w connectedWebhooks) ReadReturn(ctx context.Context, gateway string, account uuid.UUID, query url.Values) (api.GatewayEvent, bool, error) {
	route := contract.GatewayRoute(gateway, account)
	g, err := w.connected(ctx, route)
	if err != nil {
		return api.GatewayEvent{}, false, err
	}
	reader, ok := g.(gateways.ReturnReader)
	if !ok {
		return api.GatewayEvent{}, false, nil
	}
	reference, key, ok := reader.ReadReturn(query)
	return api.GatewayEvent{Gateway: route, Reference: reference, IdempotencyKey: key, Settles: true, Succeeded: true}, ok, nil
}

// connected is the connected account's gateway a route names.
func (w connectedWebhooks) connected(ctx context.Context, route string) (gateways.ConnectedGateway, error) {
	g, err := w.router.Gateway(ctx, route)
	switch {
	case errors.Is(err, gateways.ErrUnknownAccount):
		return nil, fmt.Errorf("%w: %w", api.ErrUnknownGatewayAccount, err)
	case err != nil:
		return nil, err
	}
	cg, ok := g.(gateways.ConnectedGateway)
	if !ok {
		return nil, fmt.Errorf("%w: %s is no connected account", api.ErrUnknownGatewayAccount, route)
	}
	return cg, nil
}
