package skrill

import (
	"context"
	"fmt"

	"github.com/billgate/billgate/gateways"
)

// CheckMethod implements gateways.MethodChecker. Only a 1-Tap token is
// charged without the payer: a checkout token is a permanent error (it is
// charged as it is, with the payer, and Lookup of its first payment gives
// the 1-Tap token as SavedToken). Skrill documents no look-up of a 1-Tap
// payment by its rec_payment_id alone, so the token's form is what is
// checked; a 1-Tap that the payer canceled or that Skrill does not know
// shows at the first renewal, as the decline "one_tap_canceled" or a
// permanent error wrapping ErrUnknownToken.
func (g *Gateway) CheckMethod(_ context.Context, tok string) (string, error) {
	t, err := parseToken(tok)
	if err != nil {
		return "", gateways.Permanent(Kind, err)
	}
	if t.kind != oneTapToken {
		return "", gateways.Permanent(Kind, fmt.Errorf("%w %q: a checkout token needs the payer at each payment; store the 1-Tap token Lookup gives for its first payment (SavedToken) instead", ErrUnknownToken, tok))
	}
	return tok, nil
}
