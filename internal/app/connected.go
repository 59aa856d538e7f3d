package app

import (
	"context"
	"errors"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/gateways"
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
