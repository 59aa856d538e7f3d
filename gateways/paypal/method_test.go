package paypal_test

import (
	"context"
	"testing"

	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// CheckMethod reads the saved wallet from the vault (payment-tokens.get,
// vault_payment_tokens_v3 payment_token_response); an unknown one is 404
// RESOURCE_NOT_FOUND (vault's error schema).
func TestCheckMethod(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.srv.SaveWallet(paypaltest.BuyerPays)
	for _, tok := range []string{paypal.VaultToken(id), id} {
		if got, err := e.g.CheckMethod(ctx, tok); err != nil || got != paypal.VaultToken(id) {
			t.Errorf("CheckMethod(%q) = %q, %v, want %q", tok, got, err, paypal.VaultToken(id))
		}
	}
	calls := e.srv.Calls("payment-tokens.get")
	for _, tok := range []string{"vault:unknownwallet", paypal.TokenApproval, "vault:x", "vault:has space", ""} {
		_, err := e.g.CheckMethod(ctx, tok)
		wantPermanent(t, "CheckMethod("+tok+")", err, paypal.ErrUnknownToken)
	}
	if n := e.srv.Calls("payment-tokens.get") - calls; n != 1 {
		t.Errorf("payment-tokens.get called %d times, want 1 (only the well-formed unknown token)", n)
	}
}
