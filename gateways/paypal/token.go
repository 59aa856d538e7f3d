package paypal

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The payment method tokens Charge takes.
const (
	// TokenApproval charges a payer who is present: the order waits for the
	// payer's approval at PayPal (Charge answers Pending with the link), and
	// the payer's PayPal wallet is saved in PayPal's vault when the payment
	// succeeds (Lookup's ChargeResult.SavedToken is then its vault token).
	TokenApproval = "approval"
	// VaultTokenPrefix + a vault ID is a saved PayPal wallet, charged with no
	// approval: "vault:8kk8451t".
	VaultTokenPrefix = "vault:"
)

// ErrUnknownToken is wrapped (as a permanent error) when a token is neither
// TokenApproval nor a vault token PayPal knows.
var ErrUnknownToken = errors.New("unknown paypal payment method token")

// VaultToken is the token of the saved PayPal wallet vaultID.
func VaultToken(vaultID string) string { return VaultTokenPrefix + vaultID }

// token is a parsed payment method token: vaultID is empty for
// TokenApproval.
type token struct {
	vaultID string
}

func (t token) approval() bool { return t.vaultID == "" }

func parseToken(s string) (token, error) {
	if s == TokenApproval {
		return token{}, nil
	}
	id, ok := strings.CutPrefix(s, VaultTokenPrefix)
	if !ok {
		return token{}, fmt.Errorf("%w %q: want %q or %q followed by a vault ID", ErrUnknownToken, s, TokenApproval, VaultTokenPrefix)
	}
	if err := checkVaultID(id); err != nil {
		return token{}, fmt.Errorf("%w %q: %w", ErrUnknownToken, s, err)
	}
	return token{vaultID: id}, nil
}

// checkVaultID checks a vault ID's shape: the id of payment-tokens.get is
// ^[0-9a-zA-Z_-]+$, 7 to 36 characters (vault_payment_tokens_v3.json,
// components.parameters.id), which also fits the orders API's vault_id.
func checkVaultID(id string) error {
	if len(id) < 7 || len(id) > 36 {
		return fmt.Errorf("vault ID %q is not 7 to 36 characters", id)
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("vault ID %q has a character other than letters, digits, _ and -", id)
		}
	}
	return nil
}

// maxRequestIDLen is the longest PayPal-Request-Id the orders API takes
// (checkout_orders_v2.json, components.parameters.paypal_request_id); the
// purchase unit's invoice_id and custom_id take 127.
const maxRequestIDLen = 108

// wireKey is how an idempotency key travels to PayPal, as PayPal-Request-Id
// and in invoice_id and custom_id: the key itself when it fits (billgate's
// "<payment ID>/<attempt>" always does), otherwise "sha256-" and the
// unpadded base64url SHA-256 of the key, which fits and is as unique.
func wireKey(key string) string {
	if len(key) <= maxRequestIDLen && printableASCII(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256-" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// captureRequestID is the PayPal-Request-Id of an order's capture: derived
// from the order, so that every Lookup of one order asks for the same
// capture.
func captureRequestID(orderID string) string { return "capture-" + orderID }
