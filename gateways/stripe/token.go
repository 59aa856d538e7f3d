package stripe

import (
	"errors"
	"fmt"
	"strings"
)

// A stored token is "<customer>/<payment method>", e.g. "cus_Q1/pm_1Q": an
// off-session PaymentIntent needs both (docs.stripe.com/payments/save-and-reuse,
// "Charge the saved payment method later"). CheckMethod makes it from the
// PaymentMethod's ID.

// ErrMalformedToken is wrapped (as a permanent error) when a token is not
// "cus_…/pm_…" (or, for CheckMethod, "pm_…").
var ErrMalformedToken = errors.New("malformed Stripe payment method token")

// Token is the stored token of a PaymentMethod attached to a Customer.
func Token(customerID, paymentMethodID string) string {
	return customerID + "/" + paymentMethodID
}

// parseToken splits a stored token into its customer and payment method.
func parseToken(token string) (customerID, paymentMethodID string, err error) {
	cus, pm, ok := strings.Cut(token, "/")
	if !ok || !validID(cus, "cus_") || !validID(pm, "pm_") {
		return "", "", fmt.Errorf("%w %q: want cus_…/pm_…, the customer and the payment method attached to it", ErrMalformedToken, token)
	}
	return cus, pm, nil
}

// validID reports whether id is prefix followed by letters, digits and
// underscores, as Stripe's IDs are; anything else could not be put in a
// request path safely.
func validID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || rest == "" {
		return false
	}
	for _, c := range []byte(rest) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
