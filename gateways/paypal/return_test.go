package paypal_test

import (
	"net/url"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// The order's experience_context return_url and cancel_url
// (paypal_wallet_experience_context) are the account's return URL with the
// charge's key; PayPal sends the payer back to one of them with
// token=<order ID> (and PayerID on approval), which ReadReturn reads. The
// URL's own parameters stay, and a billgate_key it already had is replaced.
func TestChargeReturnURLs(t *testing.T) {
	e := newEnv(t, func(_ *paypal.Connector, a *gateways.Account) {
		a.ReturnURL = "https://billgate.example/gateways/paypal/acct/return?shop=a%2Fb&billgate_key=stale&billgate_cancel=1"
	})
	tests := []struct {
		name      string
		leave     func(orderID string) (string, error)
		cancelled bool
	}{
		{"approved", func(id string) (string, error) { return e.srv.Approve(id, paypaltest.BuyerPays) }, false},
		{"cancelled", e.srv.Cancel, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "pay_01J/2 & " + tt.name // escaped in the URLs
			ref := e.charge(key, paypal.TokenApproval).Reference
			back, err := tt.leave(ref)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(back)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if u.Path != "/gateways/paypal/acct/return" || q.Get("shop") != "a/b" || q.Get("token") != ref {
				t.Errorf("the payer returns to %q, want the account's URL with its shop parameter and token=%s", back, ref)
			}
			if got := q[gateways.ReturnKeyParam]; len(got) != 1 || got[0] != key {
				t.Errorf("%s = %q, want only the charge's key %q", gateways.ReturnKeyParam, got, key)
			}
			if cancelled := q.Get("billgate_cancel") == "1"; cancelled != tt.cancelled || len(q["billgate_cancel"]) > 1 {
				t.Errorf("billgate_cancel = %q, want it (once) only on the cancel URL", q["billgate_cancel"])
			}
			reference, gotKey, ok := e.g.ReadReturn(q)
			if !ok || reference != ref || gotKey != key {
				t.Errorf("ReadReturn(%v) = %q, %q, %v, want %q, %q", q, reference, gotKey, ok, ref, key)
			}
		})
	}
}

// ReadReturn takes the order ID from token and the key from billgate_key;
// without either, or with a token that is no order ID, the query names no
// charge of billgate's.
func TestReadReturn(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		query    string
		ref, key string
		ok       bool
	}{
		{"token=5O190127TN364715T&PayerID=QYR5Z8XDVJNXQ&billgate_key=pay_1%2F1", "5O190127TN364715T", "pay_1/1", true},
		{"token=5O190127TN364715T&billgate_key=pay_1%2F1&billgate_cancel=1", "5O190127TN364715T", "pay_1/1", true},
		{"token=5O190127TN364715T", "", "", false},
		{"billgate_key=pay_1%2F1", "", "", false},
		{"token=not-an-order&billgate_key=pay_1%2F1", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		ref, key, ok := e.g.ReadReturn(q)
		if ref != tt.ref || key != tt.key || ok != tt.ok {
			t.Errorf("ReadReturn(%q) = %q, %q, %v, want %q, %q, %v", tt.query, ref, key, ok, tt.ref, tt.key, tt.ok)
		}
	}
}
