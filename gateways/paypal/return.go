package paypal

import (
	"net/url"
	"slices"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// returnCancelParam marks the cancel URL, so that a payer who refused at
// PayPal can be told from one who approved.
const returnCancelParam = "billgate_cancel"

var _ gateways.ReturnReader = (*Gateway)(nil)

// ReadReturn implements gateways.ReturnReader. PayPal sends the payer back
// to the order's return_url (or cancel_url) with token=<order ID> and, on
// approval, PayerID; billgate_key is the charge's key, which Charge added
// to both URLs. The reference is the token, as Charge returned it. A query
// without a token of an order's shape, or without billgate_key, names no
// charge of billgate's.
func (g *Gateway) ReadReturn(query url.Values) (reference, key string, ok bool) {
	reference, key = query.Get("token"), query.Get(gateways.ReturnKeyParam)
	if !validID(reference) || key == "" {
		return "", "", false
	}
	return reference, key, true
}

// returnURLs are the order's experience_context return_url and cancel_url:
// the account's return URL with billgate_key=key (and billgate_cancel=1 on
// the cancel URL), its other query parameters kept as they are.
func returnURLs(base, key string) (returnURL, cancelURL string, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", "", err
	}
	query := withoutParams(u.RawQuery, gateways.ReturnKeyParam, returnCancelParam)
	keyParam := url.Values{gateways.ReturnKeyParam: {key}}.Encode()
	u.RawQuery = joinQuery(query, keyParam)
	returnURL = u.String()
	u.RawQuery = joinQuery(query, keyParam, returnCancelParam+"=1")
	return returnURL, u.String(), nil
}

// withoutParams is the raw query without the parameters named, every other
// one kept byte for byte: a key the account's URL already carried would
// otherwise be read before the charge's.
func withoutParams(raw string, names ...string) string {
	var kept []string
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		name, _, _ := strings.Cut(pair, "=")
		if unescaped, err := url.QueryUnescape(name); err == nil && slices.Contains(names, unescaped) {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(kept, "&")
}

func joinQuery(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, "&")
}
