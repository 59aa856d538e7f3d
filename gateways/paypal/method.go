package paypal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// CheckMethod implements gateways.MethodChecker: a saved PayPal wallet,
// given as a vault token ("vault:<id>") or its bare vault ID, is read from
// the vault (payment-tokens.get, GET /v3/vault/payment-tokens/{id}) and
// returned as the vault token to store. TokenApproval is refused: it needs
// the payer, so it cannot be charged later without one.
func (g *Gateway) CheckMethod(ctx context.Context, tok string) (string, error) {
	if tok == TokenApproval {
		return "", permanent(fmt.Errorf("%w: %q charges a payer who is present; it is not a saved wallet", ErrUnknownToken, tok))
	}
	id := strings.TrimPrefix(tok, VaultTokenPrefix)
	if err := checkVaultID(id); err != nil {
		return "", permanent(fmt.Errorf("%w: %w", ErrUnknownToken, err))
	}
	var pt paymentToken
	err := g.api.do(ctx, request{op: "payment-tokens.get", method: http.MethodGet, path: "/v3/vault/payment-tokens/" + id}, &pt)
	if se, ok := asStatusError(err, http.StatusNotFound); ok {
		return "", permanent(fmt.Errorf("%w: the vault has no payment token %s: %w", ErrUnknownToken, id, se))
	}
	if err != nil {
		return "", failure(err)
	}
	if pt.PaymentSource.PayPal == nil {
		return "", permanent(fmt.Errorf("%w: payment token %s is not a PayPal wallet, which is all billgate charges", ErrUnknownToken, id))
	}
	if pt.ID != "" && pt.ID != id {
		return "", transient(errors.New("payment-tokens.get: asked for " + id + ", PayPal answered with " + pt.ID))
	}
	return VaultToken(id), nil
}
