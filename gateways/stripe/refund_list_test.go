package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// listRefunds is the gateway's ListRefunds.
func listRefunds(t *testing.T, gw gateways.ConnectedGateway, reference string) ([]gateways.ListedRefund, error) {
	t.Helper()
	lister, ok := gw.(gateways.RefundLister)
	if !ok {
		t.Fatal("the gateway is no gateways.RefundLister")
	}
	return lister.ListRefunds(context.Background(), reference)
}

func cents(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }

// refund is a refund billgate makes through the gateway.
func (s *scenario) refund(t *testing.T, key, reference string, amount billing.Money) gateways.RefundResult {
	t.Helper()
	r, err := s.gw.Refund(context.Background(), gateways.RefundRequest{IdempotencyKey: key, Reference: reference, Amount: amount})
	if err != nil {
		t.Fatalf("Refund(%s) = %v", key, err)
	}
	return r
}

// charged is a PaymentIntent the gateway charged with a test method.
func (s *scenario) charged(t *testing.T, key, testMethod string) string {
	t.Helper()
	r, err := s.gw.Charge(context.Background(), chargeRequest(key, s.saved(t, testMethod)))
	if err != nil {
		t.Fatalf("Charge(%s) = %v", key, err)
	}
	return r.Reference
}

// docs.stripe.com/api/refunds/list: the PaymentIntent's refunds, oldest
// first: billgate's with the keys Refund wrote in their metadata, the one
// made in the Dashboard without; another PaymentIntent's are not listed.
func TestListRefunds(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	pi := s.charged(t, "pay_1/1", stripetest.MethodVisa)
	other := s.charged(t, "pay_2/1", stripetest.MethodVisa)
	first := s.refund(t, "refund_1", pi, cents(500))
	s.clock.Advance(time.Hour)
	dashboard, err := s.srv.RefundInDashboard(pi, 300)
	if err != nil {
		t.Fatal(err)
	}
	s.refund(t, "refund_3", other, billing.Money{})
	s.clock.Advance(time.Hour)
	last := s.refund(t, "refund_2", pi, billing.Money{})
	s.rec.Requests()

	got, err := listRefunds(t, s.gw, pi)
	want := []gateways.ListedRefund{
		{RefundResult: first, Amount: cents(500), IdempotencyKey: "refund_1"},
		{RefundResult: gateways.RefundResult{Reference: dashboard, Status: gateways.RefundSucceeded}, Amount: cents(300)},
		{RefundResult: last, Amount: cents(1199), IdempotencyKey: "refund_2"},
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ListRefunds() = %+v, %v;\nwant %+v", got, err, want)
	}
	reqs := s.rec.Requests()
	if len(reqs) != 2 {
		t.Fatalf("sent %d requests, want 2: %+v", len(reqs), reqs)
	}
	wantRequest(t, reqs[0], http.MethodGet, "/v1/payment_intents/"+pi, "", url.Values{})
	wantRequest(t, reqs[1], http.MethodGet, "/v1/refunds", "", url.Values{"payment_intent": {pi}, "limit": {"100"}})

	none := s.charged(t, "pay_3/1", stripetest.MethodVisa)
	if got, err := listRefunds(t, s.gw, none); err != nil || len(got) != 0 {
		t.Errorf("ListRefunds(never refunded) = %+v, %v; want none", got, err)
	}
}

// docs.stripe.com/testing, "Refunds": pm_card_pendingRefund's refund is
// listed pending, then failed with Stripe's failure_reason once the bank
// refuses it.
func TestListRefundsAsTheyStand(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	pi := s.charged(t, "pay_1/1", stripetest.MethodPendingRefund)
	r := s.refund(t, "refund_1", pi, billing.Money{})
	want := gateways.ListedRefund{RefundResult: r, Amount: cents(1999), IdempotencyKey: "refund_1"}
	if got, err := listRefunds(t, s.gw, pi); err != nil || r.Status != gateways.RefundPending || !slices.Equal(got, []gateways.ListedRefund{want}) {
		t.Errorf("ListRefunds() = %+v, %v; want %+v, pending", got, err, want)
	}
	if _, err := s.srv.FailRefund(r.Reference, "declined"); err != nil {
		t.Fatal(err)
	}
	want.Status, want.FailureReason = gateways.RefundFailed, "declined"
	if got, err := listRefunds(t, s.gw, pi); err != nil || !slices.Equal(got, []gateways.ListedRefund{want}) {
		t.Errorf("ListRefunds() after the bank = %+v, %v; want %+v", got, err, want)
	}
}

// docs.stripe.com/api/pagination: more refunds than a page of 100 are
// listed in two requests, the second starting after the first's last.
func TestListRefundsBeyondOnePage(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	pi := s.charged(t, "pay_1/1", stripetest.MethodVisa)
	var ids []string // oldest first
	for range 101 {
		id, err := s.srv.RefundInDashboard(pi, 1)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	s.rec.Requests()
	got, err := listRefunds(t, s.gw, pi)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range got {
		if r.Amount != cents(1) || r.Status != gateways.RefundSucceeded || r.IdempotencyKey != "" {
			t.Errorf("listed %+v, want 1 cent refunded in the Dashboard", r)
		}
		listed = append(listed, r.Reference)
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("listed %d refunds, want the %d made, oldest first", len(listed), len(ids))
	}
	reqs := s.rec.Requests()
	if len(reqs) != 3 {
		t.Fatalf("sent %d requests, want 3: the PaymentIntent and two pages", len(reqs))
	}
	// Stripe's second page starts after the first's last, the 100th newest.
	wantRequest(t, reqs[2], http.MethodGet, "/v1/refunds", "", url.Values{"payment_intent": {pi}, "limit": {"100"}, "starting_after": {ids[1]}})
}

// A PaymentIntent Stripe does not have is ErrUnknownCharge; a reference that
// is no PaymentIntent ID is refused before asking Stripe.
func TestListRefundsUnknown(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	pi := s.charged(t, "pay_1/1", stripetest.MethodVisa)
	refund := s.refund(t, "refund_1", pi, billing.Money{})
	s.rec.Requests()
	for _, ref := range []string{"pi_unknown", refund.Reference, "pi_1/../x", ""} {
		if got, err := listRefunds(t, s.gw, ref); !errors.Is(err, gateways.ErrUnknownCharge) || !gateways.IsPermanent(err) {
			t.Errorf("ListRefunds(%q) = %+v, %v; want a permanent ErrUnknownCharge", ref, got, err)
		}
	}
	reqs := s.rec.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1/payment_intents/pi_unknown" {
		t.Errorf("sent %+v; want only the retrieval of pi_unknown", reqs)
	}
}

// docs.stripe.com/error-handling: Stripe's trouble with the list is worth
// retrying; a restricted key without read access to refunds is not.
func TestListRefundsErrors(t *testing.T) {
	mock, err := url.Parse(stripeMock)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		answer        http.HandlerFunc
		wantTransient bool
	}{
		{"Stripe's api_error", stripeAnswer(http.StatusInternalServerError, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`), true},
		{"rate limited", stripeAnswer(http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`), true},
		{"no permission", stripeAnswer(http.StatusForbidden, `{"error":{"type":"invalid_request_error","message":"The provided key 'rk_test_****gate' does not have the required permissions for this endpoint. Having the 'rak_refund_read' permission would allow this request to continue."}}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("GET /v1/payment_intents/{id}", httputil.NewSingleHostReverseProxy(mock))
			mux.Handle("GET /v1/refunds", tt.answer)
			gw, _ := connect(t, newHTTPServer(t, mux), testAccount(), settableclock.At(t0))
			_, err := listRefunds(t, gw, "pi_3Qabc")
			if err == nil || gateways.IsTransient(err) != tt.wantTransient || gateways.IsPermanent(err) == tt.wantTransient || !strings.Contains(err.Error(), "list refunds") {
				t.Errorf("ListRefunds() = %v, want the list's failure, transient: %t", err, tt.wantTransient)
			}
		})
	}
}
