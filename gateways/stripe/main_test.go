package stripe_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
	"github.com/billgate/billgate/internal/stripemock"
)

// stripeMock is the base URL of the stripe-mock every test of the package
// shares.
var stripeMock string

func TestMain(m *testing.M) { stripemock.Main(m, &stripeMock) }

const (
	testKey       = "sk_test_51billgate"
	webhookSecret = "whsec_billgate_test"
	returnURL     = "https://billgate.example/payments/return"
)

var (
	t0  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	usd = billing.Money{Amount: 1999, Currency: "USD"}
)

type clock = settableclock.Clock

// recorded is one request the adapter sent.
type recorded struct {
	Method, Path string
	Header       http.Header
	Form         url.Values
}

// recorder is an http.RoundTripper that keeps every request it sends.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	raw := req.URL.RawQuery
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		if req.Method == http.MethodPost {
			raw = string(b)
		}
	}
	form, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("recorder: %s %s sent a body that is not form-encoded: %w", req.Method, req.URL.Path, err)
	}
	r.mu.Lock()
	r.requests = append(r.requests, recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Form: form})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Requests is every request so far, and forgets them.
func (r *recorder) Requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.requests
	r.requests = nil
	return out
}

func testAccount() gateways.Account {
	return gateways.Account{
		Mode:        gateways.ModeTest,
		Credentials: map[string]string{stripe.CredentialSecretKey: testKey, stripe.CredentialWebhookSecret: webhookSecret},
	}
}

// connect is the account's gateway at baseURL, its requests recorded, its
// clock c.
func connect(t *testing.T, baseURL string, acct gateways.Account, c *clock) (gateways.ConnectedGateway, *recorder) {
	t.Helper()
	rec := &recorder{}
	conn := stripe.Connector{BaseURL: baseURL, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}, Now: c.Now}
	gw, err := conn.Connect(acct)
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	return gw, rec
}

// scenario is a stripetest server, its requests validated by stripe-mock,
// and an account's gateway connected to it.
type scenario struct {
	srv   *stripetest.Server
	gw    gateways.ConnectedGateway
	rec   *recorder
	clock *clock
}

func newScenario(t *testing.T, opts stripetest.Options, acct gateways.Account) *scenario {
	t.Helper()
	c := settableclock.At(t0)
	opts.StripeMock, opts.Clock = stripeMock, c.Now
	srv := stripetest.Start(t, opts)
	gw, rec := connect(t, srv.URL(), acct, c)
	return &scenario{srv: srv, gw: gw, rec: rec, clock: c}
}

// saved is the stored token of a Customer with a test PaymentMethod.
func (s *scenario) saved(t *testing.T, testMethod string) string {
	t.Helper()
	cus, pm, err := s.srv.SaveMethod(testMethod)
	if err != nil {
		t.Fatalf("SaveMethod(%s) = %v", testMethod, err)
	}
	return stripe.Token(cus, pm)
}

func chargeRequest(key, token string) gateways.ChargeRequest {
	return gateways.ChargeRequest{IdempotencyKey: key, Amount: usd, Token: token, CustomerID: "cust_1", Description: "Pro plan, March"}
}

// stripeAnswer is a handler that answers every request with a Stripe error
// body (docs.stripe.com/api/errors).
func stripeAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
