package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/internal/settableclock"
)

// The wire tests send every request of the gateway to stripe-mock, which
// refuses any that Stripe's OpenAPI specification would (path, parameter
// names and types, the key's shape) and answers the others with fixtures.
// They check what the gateway sends (docs.stripe.com/api: authentication,
// idempotent requests, form-encoded bodies, API version) and that it reads
// Stripe's answers. stripe-mock keeps no state: its PaymentIntent fixture
// is always requires_payment_method with a last_payment_error, which is
// what the results below reflect. The cancel and refund requests, which
// the gateway only sends for a PaymentIntent in another state, are checked
// by stripe-mock in the scenario tests (stripetest forwards every request
// to it first).

// wantRequest checks one recorded request.
func wantRequest(t *testing.T, got recorded, method, path string, idempotencyKey string, form url.Values) {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("request = %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	if auth := got.Header.Get("Authorization"); auth != "Bearer "+testKey {
		t.Errorf("%s %s: Authorization = %q, want Bearer and the account's secret key", method, path, auth)
	}
	if v := got.Header.Get("Stripe-Version"); v != stripeapi.APIVersion {
		t.Errorf("%s %s: Stripe-Version = %q, want %q", method, path, v, stripeapi.APIVersion)
	}
	if k := got.Header.Get("Idempotency-Key"); k != idempotencyKey {
		t.Errorf("%s %s: Idempotency-Key = %q, want %q", method, path, k, idempotencyKey)
	}
	if method == http.MethodPost {
		if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("%s %s: Content-Type = %q, want form encoding", method, path, ct)
		}
	}
	if form != nil && !reflect.DeepEqual(got.Form, form) {
		t.Errorf("%s %s: parameters\n%v\nwant\n%v", method, path, got.Form, form)
	}
}

func oneRequest(t *testing.T, rec *recorder) recorded {
	t.Helper()
	reqs := rec.Requests()
	if len(reqs) != 1 {
		t.Fatalf("sent %d requests, want 1: %+v", len(reqs), reqs)
	}
	return reqs[0]
}

func TestWireCharge(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		returnURL string
		extra     url.Values
	}{
		{"redirects refused", "", url.Values{"automatic_payment_methods[enabled]": {"true"}, "automatic_payment_methods[allow_redirects]": {"never"}}},
		// The return URL names the charge's key (gateways.ReturnKeyParam),
		// keeping the account's own query parameters.
		{"with the account's return URL", returnURL, url.Values{"return_url": {returnURL + "?billgate_key=pay_1%2F1"}}},
		{"with a return URL that has a query", returnURL + "?account=a1", url.Values{"return_url": {returnURL + "?account=a1&billgate_key=pay_1%2F1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := testAccount()
			acct.ReturnURL = tt.returnURL
			gw, rec := connect(t, stripeMock, acct, settableclock.At(t0))
			r, err := gw.Charge(ctx, chargeRequest("pay_1/1", "cus_Q1/pm_1Q"))
			if err != nil || !strings.HasPrefix(r.Reference, "pi_") || r.Status != gateways.Declined {
				t.Errorf("Charge() = %+v, %v; want stripe-mock's PaymentIntent, declined as its fixture says", r, err)
			}
			form := url.Values{
				"amount": {"1999"}, "currency": {"usd"}, "customer": {"cus_Q1"}, "payment_method": {"pm_1Q"},
				"confirm": {"true"}, "off_session": {"true"}, "description": {"Pro plan, March"},
				"metadata[billgate_idempotency_key]": {"pay_1/1"}, "metadata[billgate_customer_id]": {"cust_1"},
			}
			for k, v := range tt.extra {
				form[k] = v
			}
			wantRequest(t, oneRequest(t, rec), http.MethodPost, "/v1/payment_intents", "pay_1/1", form)
		})
	}
}

func TestWireLookup(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	r, err := gw.Lookup(context.Background(), "pi_3Qabc")
	if err != nil || r.Reference != "pi_3Qabc" || r.Status != gateways.Declined {
		t.Errorf("Lookup() = %+v, %v; want pi_3Qabc as stripe-mock's fixture has it", r, err)
	}
	wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/payment_intents/pi_3Qabc", "", url.Values{})
}

func TestWireFind(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	r, err := gw.Find(context.Background(), "pay_1/1")
	if err != nil || !strings.HasPrefix(r.Reference, "pi_") {
		t.Errorf("Find() = %+v, %v; want the PaymentIntent of stripe-mock's search fixture", r, err)
	}
	wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/payment_intents/search", "",
		url.Values{"query": {"metadata['billgate_idempotency_key']:'pay_1/1'"}, "limit": {"100"}})
}

// Void reads the PaymentIntent first; stripe-mock's is declined, so it is
// settled and no cancellation is sent.
func TestWireVoid(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	r, err := gw.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "pay_1/1/void", Reference: "pi_3Qabc"})
	if !errors.Is(err, gateways.ErrChargeSettled) || !gateways.IsPermanent(err) || r.Reference != "pi_3Qabc" || r.Status != gateways.Declined {
		t.Errorf("Void() = %+v, %v; want the declined charge and ErrChargeSettled", r, err)
	}
	wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/payment_intents/pi_3Qabc", "", url.Values{})
}

// Refund reads the PaymentIntent first; stripe-mock's did not succeed, so
// nothing is refunded.
func TestWireRefund(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	_, err := gw.Refund(context.Background(), gateways.RefundRequest{IdempotencyKey: "ref_1", Reference: "pi_3Qabc", Amount: billing.Money{Amount: 500, Currency: "USD"}})
	if !errors.Is(err, gateways.ErrNotRefundable) || !gateways.IsPermanent(err) {
		t.Errorf("Refund() = %v, want ErrNotRefundable", err)
	}
	wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/payment_intents/pi_3Qabc", "", url.Values{})
}

// docs.stripe.com/api/refunds/retrieve: stripe-mock's Refund fixture has
// succeeded. A refund of a non-card payment is pyr_….
func TestWireLookupRefund(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	for _, id := range []string{"re_3Qabc", "pyr_3Qabc"} {
		r, err := gw.(gateways.RefundLooker).LookupRefund(context.Background(), id)
		if want := (gateways.RefundResult{Reference: id, Status: gateways.RefundSucceeded}); err != nil || r != want {
			t.Errorf("LookupRefund(%s) = %+v, %v; want %+v", id, r, err, want)
		}
		wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/refunds/"+id, "", url.Values{})
	}
}

// stripe-mock's PaymentMethod is attached to no customer, so it cannot be
// stored for off-session charges.
func TestWireCheckMethod(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	_, err := gw.CheckMethod(context.Background(), "pm_1Qabc")
	if !gateways.IsPermanent(err) || !strings.Contains(err.Error(), "not attached to a customer") {
		t.Errorf("CheckMethod() = %v, want a permanent error: not attached", err)
	}
	wantRequest(t, oneRequest(t, rec), http.MethodGet, "/v1/payment_methods/pm_1Qabc", "", url.Values{})
}

// stripe-mock refuses a live key, as Stripe refuses a revoked one: HTTP 401,
// which no retry fixes.
func TestWireRefusedKey(t *testing.T) {
	acct := testAccount()
	acct.Mode, acct.Credentials[stripe.CredentialSecretKey] = gateways.ModeLive, "sk_live_51billgate"
	gw, _ := connect(t, stripeMock, acct, settableclock.At(t0))
	_, err := gw.Lookup(context.Background(), "pi_3Qabc")
	if !gateways.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("Lookup() with a refused key = %v, want a permanent HTTP 401 error", err)
	}
}

// docs.stripe.com/api/refunds/list: the PaymentIntent, then its refunds, a
// page of 100; stripe-mock's list holds one refund of 1.00 USD, succeeded,
// without metadata.
func TestWireListRefunds(t *testing.T) {
	gw, rec := connect(t, stripeMock, testAccount(), settableclock.At(t0))
	got, err := gw.(gateways.RefundLister).ListRefunds(context.Background(), "pi_3Qabc")
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0].Reference, "re_") || got[0].Status != gateways.RefundSucceeded ||
		got[0].Amount != (billing.Money{Amount: 100, Currency: "USD"}) || got[0].IdempotencyKey != "" {
		t.Errorf("ListRefunds() = %+v, %v; want stripe-mock's refund", got, err)
	}
	reqs := rec.Requests()
	if len(reqs) != 2 {
		t.Fatalf("sent %d requests, want 2: %+v", len(reqs), reqs)
	}
	wantRequest(t, reqs[0], http.MethodGet, "/v1/payment_intents/pi_3Qabc", "", url.Values{})
	wantRequest(t, reqs[1], http.MethodGet, "/v1/refunds", "", url.Values{"payment_intent": {"pi_3Qabc"}, "limit": {"100"}})
}
