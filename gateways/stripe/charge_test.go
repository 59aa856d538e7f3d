package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// Scenario tests run the gateway against stripetest, whose requests
// stripe-mock validates first: Stripe's documented test payment methods
// (docs.stripe.com/testing) drive each outcome of an off-session charge
// (docs.stripe.com/payments/save-and-reuse, "Charge the saved payment
// method later").

func TestChargeSucceedsOnceAKey(t *testing.T) {
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	token := s.saved(t, stripetest.MethodVisa)

	first, err := s.gw.Charge(ctx, chargeRequest("pay_1/1", token))
	if err != nil || first.Status != gateways.Succeeded || !strings.HasPrefix(first.Reference, "pi_") || first.NextAction != nil {
		t.Fatalf("Charge() = %+v, %v; want succeeded", first, err)
	}
	pi, _ := s.srv.PaymentIntent(first.Reference)
	if pi.Amount != 1999 || pi.Currency != "usd" || pi.Metadata[stripe.MetadataIdempotencyKey] != "pay_1/1" || pi.AmountReceived != 1999 {
		t.Errorf("PaymentIntent = %+v, want USD 19.99 received, with the key in its metadata", pi)
	}

	// A retry with the key is Stripe's first answer, not a second charge
	// (docs.stripe.com/api/idempotent_requests).
	again, err := s.gw.Charge(ctx, chargeRequest("pay_1/1", token))
	if err != nil || again != first {
		t.Errorf("Charge() again = %+v, %v; want %+v", again, err, first)
	}
	if n := len(s.srv.PaymentIntents()); n != 1 {
		t.Errorf("%d PaymentIntents after a retry, want 1", n)
	}
	for _, r := range []gateways.ChargeResult{mustLookup(t, s.gw, first.Reference), mustFind(t, s.gw, "pay_1/1")} {
		if r != first {
			t.Errorf("Lookup/Find = %+v, want %+v", r, first)
		}
	}

	// The key with another amount is a conflict, and charges nothing.
	other := chargeRequest("pay_1/1", token)
	other.Amount.Amount = 2999
	if r, err := s.gw.Charge(ctx, other); !errors.Is(err, gateways.ErrIdempotencyConflict) || !gateways.IsPermanent(err) {
		t.Errorf("Charge() with the key and another amount = %+v, %v; want a permanent ErrIdempotencyConflict", r, err)
	}
	if n := len(s.srv.PaymentIntents()); n != 1 {
		t.Errorf("%d PaymentIntents after a conflict, want 1", n)
	}
}

// docs.stripe.com/testing, "Declined payments": each test card's decline,
// with the code billgate records.
func TestChargeDeclined(t *testing.T) {
	tests := []struct {
		method   string
		saved    bool // attached to the customer; decline cards cannot be
		wantCode string
	}{
		{stripetest.MethodDeclined, false, gateways.CodeCardDeclined},
		{stripetest.MethodInsufficientFunds, false, gateways.CodeInsufficientFunds},
		{stripetest.MethodLostCard, false, "lost_card"},
		{stripetest.MethodStolenCard, false, "stolen_card"},
		{stripetest.MethodExpiredCard, false, "expired_card"},
		{stripetest.MethodProcessingError, false, "processing_error"},
		{stripetest.MethodChargeCustomerFail, true, gateways.CodeCardDeclined},
		// Off-session, a card that needs 3-D Secure is declined and the
		// customer must come back (save-and-reuse, "Charge the saved
		// payment method later").
		{stripetest.MethodAuthenticationRequired, true, "authentication_required"},
	}
	ctx := context.Background()
	s := newScenario(t, stripetest.Options{}, testAccount())
	visa := s.saved(t, stripetest.MethodVisa)
	customer, _, _ := strings.Cut(visa, "/")
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			token := customer + "/" + tt.method
			if tt.saved {
				token = s.saved(t, tt.method)
			}
			key := "pay_" + tt.method + "/1"
			r, err := s.gw.Charge(ctx, chargeRequest(key, token))
			if err != nil || r.Status != gateways.Declined || r.DeclineCode != tt.wantCode || !strings.HasPrefix(r.Reference, "pi_") {
				t.Fatalf("Charge() = %+v, %v; want declined %s, with the PaymentIntent", r, err, tt.wantCode)
			}
			if got := mustLookup(t, s.gw, r.Reference); got != r {
				t.Errorf("Lookup() = %+v, want %+v", got, r)
			}
			if again, err := s.gw.Charge(ctx, chargeRequest(key, token)); err != nil || again != r {
				t.Errorf("Charge() again = %+v, %v; want the first decline replayed", again, err)
			}
		})
	}
}

// A card that needs 3-D Secure, when the PaymentIntent waits for the
// payer: Pending, with the page to send them to, then completed or failed
// by them.
func TestChargeNeedsAuthentication(t *testing.T) {
	ctx := context.Background()
	withReturn := testAccount()
	withReturn.ReturnURL = returnURL
	tests := []struct {
		name    string
		mode    stripetest.AuthenticationMode
		acct    gateways.Account
		wantURL bool
	}{
		// next_action.redirect_to_url, given a return_url.
		{"requires_action", stripetest.AuthenticationRedirects, withReturn, true},
		// Without a return_url, the action is for Stripe.js: no URL.
		{"requires_action for Stripe.js", stripetest.AuthenticationRedirects, testAccount(), false},
		// An authentication_required error whose PaymentIntent waits.
		{"authentication_required, intent waiting", stripetest.AuthenticationErrorWithAction, withReturn, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScenario(t, stripetest.Options{OffSessionAuthentication: tt.mode}, tt.acct)
			token := s.saved(t, stripetest.MethodAuthenticationRequired)
			for i, authenticated := range []bool{true, false} {
				key := "pay_auth/" + string(rune('1'+i))
				r, err := s.gw.Charge(ctx, chargeRequest(key, token))
				if err != nil || r.Status != gateways.Pending || (r.NextAction != nil) != tt.wantURL {
					t.Fatalf("Charge() = %+v, %v; want pending, with a URL: %t", r, err, tt.wantURL)
				}
				if tt.wantURL && (r.NextAction.Type != gateways.NextActionRedirect || !strings.HasPrefix(r.NextAction.URL, s.srv.URL()+"/")) {
					t.Errorf("NextAction = %+v, want a redirect to the authentication page", r.NextAction)
				}
				if got := mustLookup(t, s.gw, r.Reference); !reflect.DeepEqual(got, r) {
					t.Errorf("Lookup() = %+v, want %+v", got, r)
				}
				if _, err := s.srv.CompleteAction(r.Reference, authenticated); err != nil {
					t.Fatal(err)
				}
				want := gateways.ChargeResult{Status: gateways.Succeeded, Reference: r.Reference}
				if !authenticated {
					want = gateways.ChargeResult{Status: gateways.Declined, Reference: r.Reference, DeclineCode: gateways.CodeApprovalDeclined}
				}
				if got := mustLookup(t, s.gw, r.Reference); got != want {
					t.Errorf("Lookup() after the payer authenticated: %t = %+v, want %+v", authenticated, got, want)
				}
			}
		})
	}
}

// A card set up for off-session use is charged without authentication
// (docs.stripe.com/testing, "Authentication and setup").
func TestChargeSetUpCardNeedsNoAuthentication(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	r, err := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", s.saved(t, stripetest.MethodAuthenticationRequiredOnSetup)))
	if err != nil || r.Status != gateways.Succeeded {
		t.Errorf("Charge() = %+v, %v; want succeeded", r, err)
	}
}

// A bank debit is processing until the bank settles it
// (docs.stripe.com/payments/ach-direct-debit).
func TestChargeProcessing(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	r, err := s.gw.Charge(context.Background(), chargeRequest("pay_1/1", s.saved(t, stripetest.MethodUSBankAccount)))
	if err != nil || r.Status != gateways.Pending || r.NextAction != nil {
		t.Fatalf("Charge() = %+v, %v; want pending, with nothing for the payer to do", r, err)
	}
	if err := s.srv.Settle(r.Reference); err != nil {
		t.Fatal(err)
	}
	if got := mustLookup(t, s.gw, r.Reference); got.Status != gateways.Succeeded {
		t.Errorf("Lookup() after settlement = %+v, want succeeded", got)
	}
}

// What billgate refuses itself sends nothing.
func TestChargeRefusedBeforeStripe(t *testing.T) {
	acct := testAccount()
	acct.Currencies = []billing.Currency{"EUR", "MGA"}
	s := newScenario(t, stripetest.Options{}, acct)
	token := s.saved(t, stripetest.MethodVisa)
	tests := []struct {
		name   string
		req    gateways.ChargeRequest
		wantIs error
	}{
		{"currency not accepted", chargeRequest("k/1", token), gateways.ErrCurrencyNotAccepted},
		{"malformed token", gateways.ChargeRequest{IdempotencyKey: "k/1", Amount: billing.Money{Amount: 100, Currency: "EUR"}, Token: "pm_1Q"}, stripe.ErrMalformedToken},
		{"no key", gateways.ChargeRequest{Amount: billing.Money{Amount: 100, Currency: "EUR"}, Token: token}, nil},
		{"an amount Stripe has no unit for", gateways.ChargeRequest{IdempotencyKey: "k/1", Amount: billing.Money{Amount: 150050, Currency: "MGA"}, Token: token}, nil},
	}
	s.rec.Requests()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.gw.Charge(context.Background(), tt.req)
			if !gateways.IsPermanent(err) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Errorf("Charge() = %v, want a permanent error wrapping %v", err, tt.wantIs)
			}
		})
	}
	if reqs := s.rec.Requests(); len(reqs) != 0 {
		t.Errorf("sent %d requests, want none", len(reqs))
	}
}

// Stripe's units differ from ISO 4217's for ISK and MGA
// (docs.stripe.com/currencies).
func TestChargeConvertsToStripesUnits(t *testing.T) {
	s := newScenario(t, stripetest.Options{}, testAccount())
	token := s.saved(t, stripetest.MethodVisa)
	tests := []struct {
		money      billing.Money
		wantAmount int64
	}{
		{billing.Money{Amount: 500, Currency: "JPY"}, 500},
		{billing.Money{Amount: 500, Currency: "ISK"}, 50000},
		{billing.Money{Amount: 150000, Currency: "MGA"}, 1500},
	}
	for _, tt := range tests {
		req := chargeRequest("pay_"+string(tt.money.Currency)+"/1", token)
		req.Amount = tt.money
		r, err := s.gw.Charge(context.Background(), req)
		if err != nil {
			t.Fatalf("Charge(%s) = %v", tt.money, err)
		}
		if pi, _ := s.srv.PaymentIntent(r.Reference); pi.Amount != tt.wantAmount {
			t.Errorf("Charge(%s) asked Stripe for %d, want %d", tt.money, pi.Amount, tt.wantAmount)
		}
	}
}

// No answer is a transient error: the charge may be retried with its key.
func TestChargeWithoutAnAnswer(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"Stripe's api_error", stripeAnswer(http.StatusInternalServerError, `{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}`)},
		{"rate limited", stripeAnswer(http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly."}}`)},
		{"lock timeout", stripeAnswer(http.StatusTooManyRequests, `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now because another API request or Stripe process is currently accessing it."}}`)},
		{"a proxy's error page", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
		}},
		{"connection dropped", func(w http.ResponseWriter, _ *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHTTPServer(t, tt.handler)
			gw, _ := connect(t, srv, testAccount(), settableclock.At(t0))
			if _, err := gw.Charge(context.Background(), chargeRequest("pay_1/1", "cus_Q1/pm_1Q")); !gateways.IsTransient(err) {
				t.Errorf("Charge() = %v, want a transient error", err)
			}
		})
	}
}

func mustLookup(t *testing.T, gw gateways.Gateway, ref string) gateways.ChargeResult {
	t.Helper()
	r, err := gw.Lookup(context.Background(), ref)
	if err != nil {
		t.Fatalf("Lookup(%s) = %v", ref, err)
	}
	return r
}

func mustFind(t *testing.T, gw gateways.Gateway, key string) gateways.ChargeResult {
	t.Helper()
	r, err := gw.Find(context.Background(), key)
	if err != nil {
		t.Fatalf("Find(%s) = %v", key, err)
	}
	return r
}
