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
		// saves: the result carries the vault token of the wallet the
		// server saved at the capture.
		saves bool
	}{
		{"PAYER_ACTION_REQUIRED", awaiting.Reference, awaiting, false},
		{"APPROVED, the buyer pays", approved, gateways.ChargeResult{Status: gateways.Succeeded, Reference: approved}, true},
		// orders.capture-422 INSTRUMENT_DECLINED: the order stays APPROVED.
		{"APPROVED, the buyer's instrument declines", refused, gateways.ChargeResult{Status: gateways.Declined, Reference: refused, DeclineCode: gateways.CodeCardDeclined}, false},
		// The wallet is saved, but the payment is not made yet.
		{"COMPLETED, capture PENDING", held, gateways.ChargeResult{Status: gateways.Pending, Reference: held}, false},
		{"COMPLETED, capture DECLINED", denied, gateways.ChargeResult{Status: gateways.Declined, Reference: denied, DeclineCode: gateways.CodeCardDeclined}, false},
		{"VOIDED", voided, gateways.ChargeResult{Status: gateways.Voided, Reference: voided}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.g.Lookup(ctx, tt.ref)
			if tt.saves {
				tt.want.SavedToken = paypal.VaultToken(e.srv.SavedWallet(tt.ref))
			}
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
	saved := paypal.VaultToken(e.srv.SavedWallet(ref))
	for i, r := range results {
		if r.Status != gateways.Succeeded || r.Reference != ref || r.SavedToken != saved {
			t.Errorf("Lookup %d = %+v, want succeeded, with saved token %s", i, r, saved)
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
	// Once the order reads COMPLETED, no capture is asked for, and the
	// order still tells the wallet it saved.
	before := e.srv.Calls("orders.capture")
	if r := e.lookup(ref); r.SavedToken != saved {
		t.Errorf("Lookup of the completed order = %+v, want saved token %s", r, saved)
	}
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
	if r := e.lookup(ref); r.Status != gateways.Succeeded || r.SavedToken != paypal.VaultToken(e.srv.SavedWallet(ref)) {
		t.Errorf("Lookup = %+v, want succeeded, with the saved wallet's vault token", r)
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

// A paid first payment reports the wallet it saved
// (payment_source.paypal.attributes.vault.id, paypal_wallet_vault_response,
// status VAULTED), whichever path settles it: a capture PayPal held
// PENDING reports it once it completes, and not if it is denied.
func TestLookupSavedTokenOfPendingCapture(t *testing.T) {
	for _, completed := range []bool{true, false} {
		e := newEnv(t)
		ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
		e.approve(ref, paypaltest.BuyerPending)
		if r := e.lookup(ref); r.Status != gateways.Pending || r.SavedToken != "" {
			t.Errorf("Lookup of a PENDING capture = %+v, want pending, no saved token", r)
		}
		if err := e.srv.SettleCapture(e.srv.CaptureID(ref), completed); err != nil {
			t.Fatal(err)
		}
		want := gateways.ChargeResult{Status: gateways.Succeeded, Reference: ref, SavedToken: paypal.VaultToken(e.srv.SavedWallet(ref))}
		if !completed {
			want = gateways.ChargeResult{Status: gateways.Declined, Reference: ref, DeclineCode: gateways.CodeCardDeclined}
		}
		if got := e.lookup(ref); got != want {
			t.Errorf("Lookup after the capture settled (completed %v) = %+v, want %+v", completed, got, want)
		}
	}
}

// A charge of a saved wallet (payment_source.paypal.vault_id) saves
// nothing new, though PayPal names the charged wallet in the order's vault
// attributes as it names a newly saved one: its Lookup has no saved token.
func TestLookupSavedWalletChargeSavesNothing(t *testing.T) {
	e := newEnv(t)
	id := e.srv.SaveWallet(paypaltest.BuyerPays)
	ref := e.charge("renew/1", paypal.VaultToken(id)).Reference
	if vault := orderVaultID(t, e, ref); vault != id {
		t.Fatalf("the order's vault attributes name %q, want the charged wallet %q", vault, id)
	}
	if r := e.lookup(ref); r.Status != gateways.Succeeded || r.SavedToken != "" {
		t.Errorf("Lookup = %+v, want succeeded, no saved token", r)
	}
}

// An order the payer approved without PayPal saving the wallet (one made
// with an experience context but no vault attributes, so paypal_wallet_response
// has no attributes.vault) is paid, with no saved token.
func TestLookupNothingVaulted(t *testing.T) {
	e := newEnv(t)
	ref := createOrderDirectly(t, e, `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"19.99"}}],`+
		`"payment_source":{"paypal":{"experience_context":{"return_url":"`+returnURL+`","cancel_url":"`+returnURL+`"}}}}`)
	e.approve(ref, paypaltest.BuyerPays)
	if r := e.lookup(ref); r.Status != gateways.Succeeded || r.SavedToken != "" {
		t.Errorf("Lookup = %+v, want succeeded, no saved token", r)
	}
	if v := e.srv.SavedWallet(ref); v != "" {
		t.Errorf("the server saved wallet %q for an order that asked for none", v)
	}
}

// createOrderDirectly creates an order (orders.create) as another client
// of the account would, and returns its ID.
func createOrderDirectly(t *testing.T, e *env, body string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+"/v2/checkout/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+accessToken(t, e))
	req.Header.Set("Content-Type", "application/json")
	var o struct {
		ID string `json:"id"`
	}
	if status := doJSON(t, e, req, &o); status != http.StatusCreated || o.ID == "" {
		t.Fatalf("direct orders.create: HTTP %d, order %q", status, o.ID)
	}
	return o.ID
}

// orderVaultID reads the order (orders.get) as another client would, and
// returns payment_source.paypal.attributes.vault.id.
func orderVaultID(t *testing.T, e *env, orderID string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL()+"/v2/checkout/orders/"+orderID, nil)
	req.Header.Set("Authorization", "Bearer "+accessToken(t, e))
	var o struct {
		PaymentSource struct {
			PayPal struct {
				Attributes struct {
					Vault struct {
						ID string `json:"id"`
					} `json:"vault"`
				} `json:"attributes"`
			} `json:"paypal"`
		} `json:"payment_source"`
	}
	if status := doJSON(t, e, req, &o); status != http.StatusOK {
		t.Fatalf("direct orders.get: HTTP %d", status)
	}
	return o.PaymentSource.PayPal.Attributes.Vault.ID
}

// doJSON sends req to the server and decodes its JSON answer into v.
func doJSON(t *testing.T, e *env, req *http.Request, v any) int {
	t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := jsonDecode(resp.Body, v); err != nil {
		t.Fatalf("%s %s: HTTP %d, %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	return resp.StatusCode
}
