package skrill

import (
	"fmt"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// CancelParam marks cancel_url: Skrill sends the payer there when the
// payment is canceled or fails, and to return_url once it is made.
const CancelParam = "billgate_cancel"

// returnTransactionParam is what Skrill adds to return_url, with msid (an
// MD5 signature of it), when Merchant Services enabled the secure return
// URL (Quick Checkout Integration Guide, "Account and integration options",
// "Secure return_url parameter"). Without that option Skrill adds nothing.
const returnTransactionParam = "transaction_id"

// returnURLs are the payment's return_url and cancel_url.
type returnURLs struct{ paid, canceled string }

// returnURLs checks the account's webhook and return URLs, which Quick
// Checkout needs and limits, and makes the payment's return_url (the
// account's return URL with billgate_key) and cancel_url (the same with
// billgate_cancel=1).
func (g *Gateway) returnURLs(key string) (returnURLs, error) {
	if err := checkURL(g.acct, "webhook URL (status_url)", g.acct.WebhookURL, maxStatusURLLen); err != nil {
		return returnURLs{}, err
	}
	if err := checkURL(g.acct, "return URL", g.acct.ReturnURL, maxReturnURLLen); err != nil {
		return returnURLs{}, err
	}
	u, _ := url.Parse(g.acct.ReturnURL)
	q := u.Query()
	q.Del(CancelParam)
	q.Set(gateways.ReturnKeyParam, key)
	u.RawQuery = q.Encode()
	back := returnURLs{paid: u.String()}
	q.Set(CancelParam, "1")
	u.RawQuery = q.Encode()
	back.canceled = u.String()
	for name, v := range map[string]string{"return_url": back.paid, "cancel_url": back.canceled} {
		if len(v) > maxReturnURLLen {
			return returnURLs{}, gateways.Permanent(Kind, fmt.Errorf("account %s: %s with the idempotency key %q is %d characters, and Skrill takes at most %d: shorten the account's return URL", g.acct.ID, name, key, len(v), maxReturnURLLen))
		}
	}
	return back, nil
}

// checkURL checks that value is an absolute http(s) URL of at most max
// characters.
func checkURL(acct gateways.Account, name, value string, max int) error {
	p, err := url.Parse(value)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(value) > max {
		return gateways.Permanent(Kind, fmt.Errorf("account %s: the %s %q is not an absolute http(s) URL of at most %d characters", acct.ID, name, value, max))
	}
	return nil
}

// ReadReturn implements gateways.ReturnReader for the payer's return to
// return_url or cancel_url. The key is billgate_key; the reference is the
// transaction_id Skrill adds with the secure return URL, and otherwise the
// key's transaction ID, which is the charge's Reference (see
// transactionID). A query whose transaction_id and billgate_key name
// different charges names none. msid is not checked: nothing in the query
// is believed before the charge is looked up.
func (g *Gateway) ReadReturn(query url.Values) (reference, key string, ok bool) {
	key, reference = query.Get(gateways.ReturnKeyParam), query.Get(returnTransactionParam)
	switch {
	case key == "" && reference == "":
		return "", "", false
	case reference == "":
		reference = transactionID(key)
	case key == "":
		key, _ = idempotencyKey(reference)
	case transactionID(key) != reference:
		return "", "", false
	}
	if !validReference(reference) {
		return "", "", false
	}
	return reference, key, true
}
