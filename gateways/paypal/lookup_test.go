package paypal_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// Lookup reads orders.get (checkout_orders_v2 order, order_status) and,
// for a COMPLETED order, the capture's own status (capture_status).
func TestLookupStatuses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	awaiting := e.charge("awaiting/1", paypal.TokenApproval)

	approved := e.charge("approved/1", paypal.TokenApproval).Reference
	e.approve(approved, paypaltest.BuyerPays)

	refused := e.charge("refused/1", paypal.TokenApproval).Reference
	e.approve(refused, paypaltest.BuyerDeclines)

	held := e.charge("held/1", paypal.TokenApproval).Reference
	e.approve(held, paypaltest.BuyerPending)

	denied := e.charge("denied/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending))).Reference
	if err := e.srv.SettleCapture(e.srv.CaptureID(denied), false); err != nil {
		t.Fatal(err)
	}

	voided := e.charge("voided/1", paypal.TokenApproval).Reference
	if err := e.srv.VoidOrder(voided); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		ref  string
		want gateways.ChargeResult
	}{
		{"PAYER_ACTION_REQUIRED", awaiting.Reference, awaiting},
		{"APPROVED, the buyer pays", approved, gateways.ChargeResult{Status: gateways.Succeeded, Reference: approved}},
		// orders.capture-422 INSTRUMENT_DECLINED: the order stays APPROVED.
		{"APPROVED, the buyer's instrument declines", refused, gateways.ChargeResult{Status: gateways.Declined, Reference: refused, DeclineCode: gateways.CodeCardDeclined}},
		{"COMPLETED, capture PENDING", held, gateways.ChargeResult{Status: gateways.Pending, Reference: held}},
		{"COMPLETED, capture DECLINED", denied, gateways.ChargeResult{Status: gateways.Declined, Reference: denied, DeclineCode: gateways.CodeCardDeclined}},
		{"VOIDED", voided, gateways.ChargeResult{Status: gateways.Voided, Reference: voided}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.g.Lookup(ctx, tt.ref)
			if err != nil || !sameResult(got, tt.want) {
				t.Errorf("Lookup = %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
	if status, _ := e.srv.OrderStatus(refused); status != "APPROVED" {
		t.Errorf("the declined order is %s, want it still APPROVED", status)
	}
}

func sameResult(a, b gateways.ChargeResult) bool {
	if (a.NextAction == nil) != (b.NextAction == nil) || a.NextAction != nil && *a.NextAction != *b.NextAction {
		return false
	}
	a.NextAction, b.NextAction = nil, nil
	return a == b
}

// orders.get answers 404 RESOURCE_NOT_FOUND (error_404, INVALID_RESOURCE_ID)
// for an unknown order; a reference that is not an order ID
// (^[A-Z0-9]+$) never reaches PayPal.
func TestLookupUnknown(t *testing.T) {
	e := newEnv(t)
	for _, ref := range []string{"5O190127TN364715T", "not-an-order", "../v1/oauth2/token", ""} {
		_, err := e.g.Lookup(context.Background(), ref)
		wantPermanent(t, "Lookup("+ref+")", err, gateways.ErrUnknownCharge)
	}
	if n := e.srv.Calls("orders.get"); n != 1 {
		t.Errorf("orders.get called %d times, want 1", n)
	}
}

// An approved order is captured once, however many Lookups follow or run
// at once: the capture's PayPal-Request-Id derives from the order, and
// orders.capture takes one capture per order with intent CAPTURE.
func TestLookupCapturesOnce(t *testing.T) {
	var mu sync.Mutex
	var requestIDs []string
	e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if strings.HasSuffix(r.URL.Path, "/capture") {
				mu.Lock()
				requestIDs = append(requestIDs, r.Header.Get("PayPal-Request-Id"))
				mu.Unlock()
			}
			return next.RoundTrip(r)
		})
	}))
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	var wg sync.WaitGroup
	results := make([]gateways.ChargeResult, 8)
	for i := range results {
		wg.Go(func() { results[i] = e.lookup(ref) })
	}
	wg.Wait()
	for i, r := range results {
		if r.Status != gateways.Succeeded || r.Reference != ref {
			t.Errorf("Lookup %d = %+v, want succeeded", i, r)
		}
	}
	capture := e.srv.CaptureID(ref)
	e.lookup(ref)
	if e.srv.CaptureID(ref) != capture {
		t.Error("a later Lookup made another capture")
	}
	if n := e.srv.Calls("orders.capture"); n < 1 || n > len(results) {
		t.Errorf("orders.capture called %d times", n)
	}
	for _, id := range requestIDs {
		if id != "capture-"+ref {
			t.Errorf("a capture was asked with PayPal-Request-Id %q, want %q", id, "capture-"+ref)
		}
	}
	// Once the order reads COMPLETED, no capture is asked for.
	before := e.srv.Calls("orders.capture")
	e.lookup(ref)
	if n := e.srv.Calls("orders.capture") - before; n != 0 {
		t.Errorf("Lookup of a completed order called orders.capture %d times", n)
	}
}

// Someone else captured the order between billgate's read and its
// capture: orders.capture-422 ORDER_ALREADY_CAPTURED, and the order, read
// again, tells how the capture went.
func TestLookupAlreadyCaptured(t *testing.T) {
	ic := &interceptor{match: func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture")
	}}
	e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper { ic.next = next; return ic }))
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	ic.before = func() { captureDirectly(t, e, ref) }
	if r := e.lookup(ref); r.Status != gateways.Succeeded {
		t.Errorf("Lookup = %+v, want succeeded", r)
	}
	if n := e.srv.Calls("orders.capture"); n != 2 {
		t.Errorf("orders.capture called %d times, want 2 (the other's and billgate's)", n)
	}
}

// captureDirectly captures an order with a PayPal-Request-Id of its own,
// as another client of the account would.
func captureDirectly(t *testing.T, e *env, orderID string) {
	t.Helper()
	tok := accessToken(t, e)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/v2/checkout/orders/"+orderID+"/capture", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PayPal-Request-Id", "someone-else")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("direct capture: HTTP %d", resp.StatusCode)
	}
}

// accessToken fetches a token from the server's token endpoint.
func accessToken(t *testing.T, e *env) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(paypaltest.DefaultClientID, paypaltest.DefaultClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonDecode(resp.Body, &body); err != nil || body.AccessToken == "" {
		t.Fatalf("token endpoint: HTTP %d, %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// The capture answers that mean the payer has still to act: the order is
// pending (orders.capture-422 ORDER_NOT_APPROVED, PAYER_ACTION_REQUIRED,
// ORDER_COMPLETION_IN_PROGRESS).
func TestLookupCaptureAwaitsPayer(t *testing.T) {
	for _, issue := range []string{"ORDER_NOT_APPROVED", "PAYER_ACTION_REQUIRED", "ORDER_COMPLETION_IN_PROGRESS"} {
		t.Run(issue, func(t *testing.T) {
			e := newEnv(t)
			ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
			e.approve(ref, paypaltest.BuyerPays)
			e.connector.HTTPClient = &http.Client{Transport: unprocessable(e.srv.Client().Transport, "/v2/checkout/orders/"+ref+"/capture", issue)}
			g := e.connect()
			if r, err := g.Lookup(context.Background(), ref); err != nil || r.Status != gateways.Pending {
				t.Errorf("Lookup answered 422 %s = %+v, %v, want pending", issue, r, err)
			}
		})
	}
}
