package stripe_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// readReturn is the gateway's ReadReturn.
func readReturn(t *testing.T, gw gateways.ConnectedGateway, query url.Values) (string, string, bool) {
	t.Helper()
	reader, ok := gw.(gateways.ReturnReader)
	if !ok {
		t.Fatal("the gateway is no gateways.ReturnReader")
	}
	return reader.ReadReturn(query)
}

// The payer who authenticates (or fails to) at the page a requires_action
// PaymentIntent redirects to comes back to the return_url with Stripe's
// payment_intent, payment_intent_client_secret and redirect_status
// (docs.stripe.com/payments/3d-secure/authentication-flow, "Handle the
// redirect"), and billgate's own parameters, which the charge sent: the
// gateway reads the charge's reference and key from that.
func TestReturnFromTheAuthenticationPage(t *testing.T) {
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	acct := testAccount()
	acct.ReturnURL = returnURL + "?account=a1"
	tests := []struct {
		decision string
		want     gateways.ChargeResult
	}{
		{"authenticate", gateways.ChargeResult{Status: gateways.Succeeded}},
		{"fail", gateways.ChargeResult{Status: gateways.Declined, DeclineCode: gateways.CodeApprovalDeclined}},
	}
	for _, tt := range tests {
		t.Run(tt.decision, func(t *testing.T) {
			s := newScenario(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects}, acct)
			key := "pay_" + tt.decision + "/1"
			r, err := s.gw.Charge(context.Background(), chargeRequest(key, s.saved(t, stripetest.MethodAuthenticationRequired)))
			if err != nil || r.Status != gateways.Pending || r.NextAction == nil {
				t.Fatalf("Charge() = %+v, %v; want pending, with a redirect", r, err)
			}
			resp, err := noRedirects.PostForm(r.NextAction.URL, url.Values{"decision": {tt.decision}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back.String(), returnURL+"?") || back.Query().Get("account") != "a1" {
				t.Fatalf("the page sent the payer to %d %q, want the account's return URL, its query kept", resp.StatusCode, back)
			}
			ref, gotKey, ok := readReturn(t, s.gw, back.Query())
			if !ok || ref != r.Reference || gotKey != key {
				t.Errorf("ReadReturn(%s) = %q, %q, %t; want %q, %q, true", back.RawQuery, ref, gotKey, ok, r.Reference, key)
			}
			tt.want.Reference = r.Reference
			if got := mustLookup(t, s.gw, ref); got != tt.want {
				t.Errorf("Lookup() of the returned charge = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A query without Stripe's payment_intent or billgate's key names no
// charge; nothing in it is believed, only read.
func TestReadReturn(t *testing.T) {
	gw, _ := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	tests := []struct {
		name    string
		query   string
		wantRef string
		wantKey string
	}{
		{"as Stripe sends it", "billgate_key=pay_1%2F1&payment_intent=pi_3Qabc&payment_intent_client_secret=pi_3Qabc_secret_x&redirect_status=succeeded", "pi_3Qabc", "pay_1/1"},
		{"failed at the bank", "billgate_key=pay_1%2F1&payment_intent=pi_3Qabc&redirect_status=failed", "pi_3Qabc", "pay_1/1"},
		{"no payment_intent", "billgate_key=pay_1%2F1&redirect_status=succeeded", "", ""},
		{"no key", "payment_intent=pi_3Qabc&redirect_status=succeeded", "", ""},
		{"not a PaymentIntent", "billgate_key=pay_1%2F1&payment_intent=ch_3Qabc", "", ""},
		{"a PaymentIntent ID with a path in it", "billgate_key=pay_1%2F1&payment_intent=pi_1%2F..%2Fx", "", ""},
		{"nothing", "", "", ""},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		ref, key, ok := readReturn(t, gw, q)
		if ok != (tt.wantRef != "") || ref != tt.wantRef || key != tt.wantKey {
			t.Errorf("ReadReturn(%s) = %q, %q, %t; want %q, %q", tt.name, ref, key, ok, tt.wantRef, tt.wantKey)
		}
	}
}
