package skrill

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

var eur = billing.Money{Amount: 1990, Currency: "EUR"}

// fixture is a gateway connected to an in-process Skrill, with billgate's
// webhook endpoint played by a server that reads each post through the
// gateway's ReadWebhook.
type fixture struct {
	t        *testing.T
	srv      *skrilltest.Server
	g        *Gateway
	acct     gateways.Account
	requests atomic.Int64 // requests the gateway made

	// refuse is how many posts the webhook endpoint answers 500 before
	// reading them.
	refuse atomic.Int64

	mu    sync.Mutex
	hooks []hook
}

// hook is one post billgate's webhook endpoint received.
type hook struct {
	body  []byte
	event gateways.Event
	err   error
}

type setup struct {
	server  skrilltest.Options
	creds   map[string]string
	account func(*gateways.Account)
	conn    func(*Connector)
}

func newFixture(t *testing.T, opts ...func(*setup)) *fixture {
	t.Helper()
	s := setup{creds: map[string]string{
		CredMerchantID:  "100005",
		CredEmail:       "merchant@example.com",
		CredSecretWord:  "secret",
		CredAPIPassword: "mqi-pass1",
	}}
	for _, o := range opts {
		o(&s)
	}
	f := &fixture{t: t, srv: skrilltest.New(s.server)}
	t.Cleanup(f.srv.Close)
	webhook := httptest.NewServer(http.HandlerFunc(f.receive))
	t.Cleanup(webhook.Close)
	f.acct = gateways.Account{
		ID:          uuid.MustParse("0190f3a2-7b1c-7d4e-8f00-123456789abc"),
		Mode:        gateways.ModeTest,
		Credentials: s.creds,
		WebhookURL:  webhook.URL + "/webhooks/skrill/0190f3a2-7b1c-7d4e-8f00-123456789abc",
		ReturnURL:   "https://billgate.example/return",
	}
	if s.account != nil {
		s.account(&f.acct)
	}
	c := Connector{
		CheckoutURL: f.srv.CheckoutURL(),
		APIURL:      f.srv.APIURL(),
		HTTPClient:  &http.Client{Transport: countingTransport{&f.requests}},
	}
	if s.conn != nil {
		s.conn(&c)
	}
	cg, err := c.Connect(f.acct)
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	f.g = cg.(*Gateway)
	return f
}

type countingTransport struct{ n *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func (f *fixture) receive(w http.ResponseWriter, r *http.Request) {
	if f.refuse.Add(-1) >= 0 {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	f.refuse.Store(0)
	body, _ := io.ReadAll(r.Body)
	e, err := f.g.ReadWebhook(r.Context(), r.Header, body)
	f.mu.Lock()
	f.hooks = append(f.hooks, hook{body: body, event: e, err: err})
	f.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// events are the webhook posts received so far.
func (f *fixture) received() []hook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hook(nil), f.hooks...)
}

// lastEvent is the last webhook event, which must have verified.
func (f *fixture) lastEvent() hook {
	f.t.Helper()
	hs := f.received()
	if len(hs) == 0 {
		f.t.Fatal("no webhook received")
	}
	h := hs[len(hs)-1]
	if h.err != nil {
		f.t.Fatalf("last webhook did not verify: %v", h.err)
	}
	return h
}

func chargeReq(key, tok string, m billing.Money) gateways.ChargeRequest {
	return gateways.ChargeRequest{IdempotencyKey: key, Amount: m, Token: tok, CustomerID: "cus_1", Description: "Pro plan, January"}
}

// charge charges and fails the test on an error.
func (f *fixture) charge(key, tok string, m billing.Money) gateways.ChargeResult {
	f.t.Helper()
	r, err := f.g.Charge(context.Background(), chargeReq(key, tok, m))
	if err != nil {
		f.t.Fatalf("Charge(%s, %s) = %v", key, tok, err)
	}
	return r
}

// checkout starts a Quick Checkout charge and returns it and its SID.
func (f *fixture) checkout(key string, m billing.Money) (gateways.ChargeResult, string) {
	f.t.Helper()
	r := f.charge(key, TokenCheckout, m)
	if r.Status != gateways.Pending || r.NextAction == nil {
		f.t.Fatalf("checkout Charge(%s) = %+v, want pending with a redirect", key, r)
	}
	return r, sidOf(f.t, r)
}

// paidCheckout is a first payment the payer paid, and the 1-Tap token
// Lookup gives for it.
func (f *fixture) paidCheckout(key string, m billing.Money) (gateways.ChargeResult, string) {
	f.t.Helper()
	r, sid := f.checkout(key, m)
	if _, err := f.srv.Pay(sid); err != nil {
		f.t.Fatalf("Pay(%s) = %v", sid, err)
	}
	paid := f.lookup(r.Reference)
	if paid.Status != gateways.Succeeded || paid.SavedToken == "" {
		f.t.Fatalf("Lookup of the paid first payment = %+v, want succeeded with a 1-Tap token", paid)
	}
	return r, paid.SavedToken
}

// lookup looks the charge up and fails the test on an error.
func (f *fixture) lookup(reference string) gateways.ChargeResult {
	f.t.Helper()
	r, err := f.g.Lookup(context.Background(), reference)
	if err != nil {
		f.t.Fatalf("Lookup(%s) = %v", reference, err)
	}
	return r
}

func sidOf(t *testing.T, r gateways.ChargeResult) string {
	t.Helper()
	u, err := url.Parse(r.NextAction.URL)
	if err != nil || u.Query().Get("sid") == "" {
		t.Fatalf("redirect %q has no sid", r.NextAction.URL)
	}
	return u.Query().Get("sid")
}

// wantErr checks that err is a gateway error of kind wrapping target
// (when not nil).
func wantErr(t *testing.T, what string, err error, kind gateways.ErrorKind, target error) {
	t.Helper()
	ge, ok := errors.AsType[*gateways.Error](err)
	if !ok || ge.Kind != kind || (target != nil && !errors.Is(err, target)) {
		t.Errorf("%s = %v, want a %v error wrapping %v", what, err, kind, target)
	}
}
