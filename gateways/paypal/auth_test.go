package paypal_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// The OAuth 2.0 client credentials grant (the specs' Oauth2
// securitySchemes, tokenUrl /v1/oauth2/token): one token serves every call
// until shortly before it expires.
func TestAccessTokenIsCached(t *testing.T) {
	e := newEnv(t)
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.lookup(ref)
	e.lookup(ref)
	if n := e.srv.Calls("oauth2.token"); n != 1 {
		t.Errorf("oauth2.token called %d times for three calls, want 1", n)
	}
	// Four minutes before expiry: within the margin, a new token first.
	e.clock.Advance(paypaltest.DefaultTokenTTL - 4*time.Minute)
	e.lookup(ref)
	if n := e.srv.Calls("oauth2.token"); n != 2 {
		t.Errorf("oauth2.token called %d times, want a second token near the first's expiry", n)
	}
}

// A token PayPal no longer takes (HTTP 401) is replaced once, and the call
// made again.
func TestAccessTokenRefreshedOn401(t *testing.T) {
	e := newEnv(t)
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.srv.ExpireTokens()
	if r := e.lookup(ref); r.Status != gateways.Pending {
		t.Errorf("Lookup after the token was revoked = %+v", r)
	}
	if n := e.srv.Calls("oauth2.token"); n != 2 {
		t.Errorf("oauth2.token called %d times, want 2", n)
	}
	// Refused twice: once refreshed, then a permanent error.
	e.srv.FailNext(http.StatusUnauthorized, 2)
	before := e.srv.Calls("orders.get")
	_, err := e.g.Lookup(context.Background(), ref)
	wantPermanent(t, "Lookup refused twice", err)
	if n := e.srv.Calls("orders.get") - before; n != 2 {
		t.Errorf("orders.get called %d times, want 2 (one retry)", n)
	}
}

// Wrong client credentials: 401 invalid_client, a permanent error; the
// token endpoint down: transient.
func TestAccessTokenRefused(t *testing.T) {
	e := newEnv(t, func(_ *paypal.Connector, a *gateways.Account) { a.Credentials["clientSecret"] = "wrong" })
	_, err := e.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval))
	wantPermanent(t, "Charge with a wrong secret", err)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Charge with a wrong secret = %v, want PayPal's invalid_client", err)
	}

	down := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Path == "/v1/oauth2/token" {
				return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
			}
			return next.RoundTrip(r)
		})
	}))
	if _, err := down.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval)); !gateways.IsTransient(err) {
		t.Errorf("Charge with the token endpoint down = %v, want a transient error", err)
	}
}
