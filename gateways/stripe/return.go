package stripe

import (
	"fmt"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// ReturnPaymentIntentParam is the query parameter Stripe adds to the
// return_url when it sends the payer back after a redirect: the
// PaymentIntent's ID, beside payment_intent_client_secret and
// redirect_status (docs.stripe.com/payments/3d-secure/authentication-flow,
// "Handle the redirect").
const ReturnPaymentIntentParam = "payment_intent"

// parseReturnURL is the account's return URL, or nil when it has none.
func parseReturnURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("stripe: the account's return URL: %w", err)
	}
	return u, nil
}

// returnURLFor is the account's return URL with the charge's key added as
// gateways.ReturnKeyParam, its other query parameters kept. Stripe adds its
// own parameters to it and keeps ours (docs.stripe.com/api/payment_intents/create,
// return_url).
func (a *account) returnURLFor(key string) string {
	u := *a.returnURL
	q := u.Query()
	q.Set(gateways.ReturnKeyParam, key)
	u.RawQuery = q.Encode()
	return u.String()
}

// ReadReturn implements gateways.ReturnReader: the PaymentIntent Stripe
// names (payment_intent) and the key returnURLFor added. A query without
// both, or whose payment_intent is no PaymentIntent ID, names no charge of
// billgate's. redirect_status is not read: billgate looks the PaymentIntent
// up.
func (a *account) ReadReturn(query url.Values) (reference, key string, ok bool) {
	reference, key = query.Get(ReturnPaymentIntentParam), query.Get(gateways.ReturnKeyParam)
	if !validID(reference, "pi_") || key == "" {
		return "", "", false
	}
	return reference, key, true
}
