package stripetest_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// docs.stripe.com/api/authentication: the secret key as Bearer, or as
// Basic's user name.
func TestAuthentication(t *testing.T) {
	s := stripetest.Start(t, stripetest.Options{SecretKey: testKey})
	get := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v1/events/evt_1", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		auth string
		want int
	}{
		{"Bearer " + testKey, http.StatusNotFound}, // authenticated: no such event
		{"Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":")), http.StatusNotFound},
		{"", http.StatusUnauthorized},
		{"Bearer sk_test_someoneelse", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got := get(tt.auth); got != tt.want {
			t.Errorf("GET with Authorization %q = %d, want %d", tt.auth, got, tt.want)
		}
	}
	open := stripetest.Start(t, stripetest.Options{})
	for key, want := range map[string]int{"sk_test_1": http.StatusOK, "rk_test_1": http.StatusOK, "sk_live_1": http.StatusUnauthorized, "pk_test_1": http.StatusUnauthorized} {
		c := client{t: t, base: open.URL(), key: key}
		if a := c.do(http.MethodGet, "/v1/payment_intents/search", url.Values{"query": {"status:'succeeded'"}}, ""); a.status != want {
			t.Errorf("key %s: %d %s, want %d", key, a.status, a.raw, want)
		}
	}
}

// stripe-mock refuses what Stripe's specification does, and its refusal is
// the answer; stripetest refuses, on its own, the parameters it does not
// know.
func TestRequestsAreValidated(t *testing.T) {
	_, validated, _ := start(t, stripetest.Options{})
	own := stripetest.Start(t, stripetest.Options{})
	alone := client{t: t, base: own.URL(), key: testKey}
	tests := []struct {
		name    string
		c       client
		form    url.Values
		wantMsg string
	}{
		{"a type stripe-mock refuses", validated, url.Values{"amount": {"ten"}, "currency": {"usd"}}, "Request validation error"},
		{"a parameter stripe-mock does not know", validated, url.Values{"amount": {"100"}, "currency": {"usd"}, "colour": {"red"}}, "Request validation error"},
		{"a parameter stripetest does not know", alone, url.Values{"amount": {"100"}, "currency": {"usd"}, "statement_descriptor": {"BILLGATE"}}, "Received unknown parameter: statement_descriptor"},
		{"a missing parameter", alone, url.Values{"currency": {"usd"}}, "Missing required param: amount"},
		{"an invalid integer", alone, url.Values{"amount": {"ten"}, "currency": {"usd"}}, "Invalid integer: ten"},
		{"a currency in upper case", alone, url.Values{"amount": {"100"}, "currency": {"USD"}}, "Invalid currency: USD"},
		{"confirmed without return_url while redirects are allowed", alone, url.Values{"amount": {"100"}, "currency": {"usd"}, "payment_method": {stripetest.MethodVisa}, "confirm": {"true"}}, "A `return_url` must be specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.c.post("/v1/payment_intents", tt.form, "")
			if a.status != http.StatusBadRequest || a.errorField("type") != "invalid_request_error" || !strings.Contains(a.errorField("message"), tt.wantMsg) {
				t.Errorf("= %d %s, want 400 saying %q", a.status, a.raw, tt.wantMsg)
			}
		})
	}
}

func TestUnknownRoute(t *testing.T) {
	_, c, _ := start(t, stripetest.Options{})
	for _, path := range []string{"/v1/subscriptions", "/v2/core/events"} {
		a := c.get(path)
		if a.status != http.StatusNotFound || a.errorField("type") != "invalid_request_error" {
			t.Errorf("GET %s = %d %s, want a Stripe 404", path, a.status, a.raw)
		}
	}
}

func TestUnknownObjects(t *testing.T) {
	_, c, _ := start(t, stripetest.Options{})
	for _, path := range []string{"/v1/payment_intents/pi_nope", "/v1/charges/ch_nope", "/v1/refunds/re_nope", "/v1/disputes/dp_nope", "/v1/customers/cus_nope", "/v1/payment_methods/pm_nope"} {
		a := c.get(path)
		if a.status != http.StatusNotFound || a.errorField("code") != "resource_missing" {
			t.Errorf("GET %s = %d %s, want 404 resource_missing", path, a.status, a.raw)
		}
	}
	a := c.post("/v1/payment_intents", url.Values{"amount": {"100"}, "currency": {"usd"}, "customer": {"cus_nope"}}, "")
	if a.status != http.StatusBadRequest || a.errorField("code") != "resource_missing" || a.errorField("param") != "customer" {
		t.Errorf("a PaymentIntent for an unknown customer = %d %s, want 400 resource_missing on customer", a.status, a.raw)
	}
}

func TestPostMustBeFormEncoded(t *testing.T) {
	_, c, _ := start(t, stripetest.Options{})
	req, _ := http.NewRequest(http.MethodPost, c.base+"/v1/customers", strings.NewReader(`{"email":"a@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a JSON body = %d %s, want 400", resp.StatusCode, body)
	}
}
