package paypal_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
	"github.com/billgate/billgate/internal/settableclock"
)

// The tests run the adapter against paypaltest, the in-process server
// built from PayPal's OpenAPI documents
// (github.com/paypal/paypal-rest-api-specifications @ ec4d8f36, openapi/):
// checkout_orders_v2.json, payments_payment_v2.json,
// vault_payment_tokens_v3.json and notifications_webhooks_v1.json. Each
// test names the operation IDs and schemas it exercises.

var (
	t0        = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	usd       = billing.Money{Amount: 1999, Currency: "USD"}
	returnURL = "https://billgate.example/pay/return"
)

type clock = settableclock.Clock

// env is a connected account at a fresh server.
type env struct {
	t         *testing.T
	srv       *paypaltest.Server
	clock     *clock
	connector paypal.Connector
	acct      gateways.Account
	g         *paypal.Gateway
	webhookID string
}

// newEnv starts a server and connects an account to it; change adjusts
// the connector and the account before connecting.
func newEnv(t *testing.T, change ...func(*paypal.Connector, *gateways.Account)) *env {
	t.Helper()
	return newEnvAt(t, paypaltest.Options{}, change...)
}

// newEnvAt is newEnv with a server configured by opts (its clock is the
// env's).
func newEnvAt(t *testing.T, opts paypaltest.Options, change ...func(*paypal.Connector, *gateways.Account)) *env {
	t.Helper()
	clk := settableclock.At(t0)
	opts.Now = clk.Now
	srv := paypaltest.New(opts)
	t.Cleanup(srv.Close)
	webhookID := srv.RegisterWebhook("https://billgate.example/webhooks/paypal")
	e := &env{t: t, srv: srv, clock: clk, webhookID: webhookID}
	e.connector = paypal.Connector{
		BaseURL: srv.URL(), HTTPClient: srv.Client(), CertHosts: []string{srv.CertHost()},
		CertRoots: srv.CertPool(), Now: clk.Now,
	}
	e.acct = gateways.Account{
		ID: uuid.New(), Mode: gateways.ModeTest, Credentials: srv.Credentials(webhookID), ReturnURL: returnURL,
	}
	for _, f := range change {
		f(&e.connector, &e.acct)
	}
	e.g = e.connect()
	return e
}

func (e *env) connect() *paypal.Gateway {
	e.t.Helper()
	cg, err := e.connector.Connect(e.acct)
	if err != nil {
		e.t.Fatalf("Connect() = %v", err)
	}
	return cg.(*paypal.Gateway)
}

func chargeRequest(key, token string) gateways.ChargeRequest {
	return gateways.ChargeRequest{IdempotencyKey: key, Amount: usd, Token: token, CustomerID: "cus_1", Description: "Invoice 0190a5b2"}
}

// charge charges and fails the test on an error.
func (e *env) charge(key, token string) gateways.ChargeResult {
	e.t.Helper()
	r, err := e.g.Charge(context.Background(), chargeRequest(key, token))
	if err != nil {
		e.t.Fatalf("Charge(%s, %s) = %v", key, token, err)
	}
	return r
}

// lookup looks up and fails the test on an error.
func (e *env) lookup(ref string) gateways.ChargeResult {
	e.t.Helper()
	r, err := e.g.Lookup(context.Background(), ref)
	if err != nil {
		e.t.Fatalf("Lookup(%s) = %v", ref, err)
	}
	return r
}

// approve has buyer approve the order.
func (e *env) approve(ref string, buyer paypaltest.Buyer) {
	e.t.Helper()
	if _, err := e.srv.Approve(ref, buyer); err != nil {
		e.t.Fatalf("Approve(%s, %s) = %v", ref, buyer, err)
	}
}

// paid is a first payment the payer approved and billgate captured.
func (e *env) paid(key string) gateways.ChargeResult {
	e.t.Helper()
	ref := e.charge(key, paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	r := e.lookup(ref)
	if r.Status != gateways.Succeeded {
		e.t.Fatalf("Lookup of a paid order = %+v, want succeeded", r)
	}
	return r
}

// wantPermanent checks err is a permanent gateway error wrapping each of
// targets.
func wantPermanent(t *testing.T, what string, err error, targets ...error) {
	t.Helper()
	if !gateways.IsPermanent(err) {
		t.Errorf("%s = %v, want a permanent error", what, err)
		return
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Errorf("%s = %v, want it to wrap %v", what, err, target)
		}
	}
}

// interceptor runs before, once, ahead of the first request that match
// selects, then sends every request on to next.
type interceptor struct {
	next   http.RoundTripper
	match  func(*http.Request) bool
	before func()
	once   sync.Once
}

func (i *interceptor) RoundTrip(r *http.Request) (*http.Response, error) {
	if i.match(r) {
		i.once.Do(i.before)
	}
	return i.next.RoundTrip(r)
}

// withTransport gives the connector an HTTP client over rt.
func withTransport(rt func(next http.RoundTripper) http.RoundTripper) func(*paypal.Connector, *gateways.Account) {
	return func(c *paypal.Connector, _ *gateways.Account) {
		client := *c.HTTPClient
		client.Transport = rt(c.HTTPClient.Transport)
		c.HTTPClient = &client
	}
}

// roundTripFunc is an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
