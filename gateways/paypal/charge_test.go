package paypal_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// A first payment: orders.create (checkout_orders_v2 order_request with
// payment_source.paypal.attributes.vault.store_in_vault ON_SUCCESS and an
// experience_context) waits in PAYER_ACTION_REQUIRED behind its
// payer-action link; after the payer approves, Lookup captures it
// (orders.capture) and the wallet is saved (paypal_wallet_vault_response).
func TestChargeApprovalFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.charge("pay_1/1", paypal.TokenApproval)
	if r.Status != gateways.Pending || r.Reference == "" || r.NextAction == nil || r.NextAction.Type != gateways.NextActionRedirect {
		t.Fatalf("Charge(approval) = %+v, want pending with a redirect", r)
	}
	if want := e.srv.URL() + paypaltest.CheckoutPath + "?token=" + r.Reference; r.NextAction.URL != want {
		t.Errorf("NextAction.URL = %q, want the payer-action link %q", r.NextAction.URL, want)
	}
	if got := e.lookup(r.Reference); got.Status != gateways.Pending || got.NextAction == nil || got.NextAction.URL != r.NextAction.URL || got.SavedToken != "" {
		t.Errorf("Lookup before approval = %+v, want pending with the same link, no saved token", got)
	}
	back, err := e.srv.Approve(r.Reference, paypaltest.BuyerPays)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(back); !strings.HasPrefix(back, returnURL) || u.Query().Get("token") != r.Reference {
		t.Errorf("the payer returns to %q, want the account's return URL with token=%s", back, r.Reference)
	}
	got := e.lookup(r.Reference)
	if got.Status != gateways.Succeeded || got.Reference != r.Reference || got.NextAction != nil {
		t.Errorf("Lookup after approval = %+v, want succeeded", got)
	}
	if e.srv.CaptureID(r.Reference) == "" {
		t.Error("the approved order was not captured")
	}
	vaulted := e.srv.SavedWallet(r.Reference)
	if tok := got.SavedToken; vaulted == "" || tok != paypal.VaultToken(vaulted) {
		t.Fatalf("Lookup after approval: SavedToken = %q, want the vault token of the wallet the server saved (%q)", tok, vaulted)
	}
	// The saved wallet pays the renewal with no approval, and saves
	// nothing new.
	renewal := e.charge("pay_2/1", got.SavedToken)
	if renewal.Status != gateways.Succeeded || renewal.Reference == r.Reference || renewal.SavedToken != "" {
		t.Errorf("Charge(%s) = %+v, want a new order, succeeded, no saved token", got.SavedToken, renewal)
	}
	if again := e.lookup(renewal.Reference); again.Status != gateways.Succeeded || again.SavedToken != "" {
		t.Errorf("Lookup of the renewal = %+v, want succeeded, no saved token", again)
	}
	if tok, err := e.g.CheckMethod(ctx, got.SavedToken); err != nil || tok != got.SavedToken {
		t.Errorf("CheckMethod(SavedToken) = %q, %v, want it unchanged: SavedToken has CheckMethod's form", tok, err)
	}
}

// PayPal-Request-Id (checkout_orders_v2 parameters.paypal_request_id): a
// repeated key gets the first order, as it stands now, and makes no other.
func TestChargeIsIdempotent(t *testing.T) {
	e := newEnv(t)
	first := e.charge("pay_1/1", paypal.TokenApproval)
	again := e.charge("pay_1/1", paypal.TokenApproval)
	if again.Reference != first.Reference || again.Status != gateways.Pending {
		t.Errorf("Charge again = %+v, want %+v", again, first)
	}
	e.approve(first.Reference, paypaltest.BuyerPays)
	if r := e.charge("pay_1/1", paypal.TokenApproval); r.Reference != first.Reference || r.Status != gateways.Succeeded {
		t.Errorf("Charge after approval = %+v, want the order captured", r)
	}
	if n := e.srv.Orders(); n != 1 {
		t.Errorf("the server holds %d orders, want 1", n)
	}

	vault := paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPays))
	renewal := e.charge("pay_2/1", vault)
	if r := e.charge("pay_2/1", vault); r != renewal || r.Status != gateways.Succeeded {
		t.Errorf("Charge(vault) again = %+v, want %+v", r, renewal)
	}
	if n := e.srv.Orders(); n != 2 {
		t.Errorf("the server holds %d orders, want 2", n)
	}

	// A key longer than PayPal-Request-Id's 108 characters travels hashed,
	// and is as idempotent.
	long := strings.Repeat("k", 200)
	if a, b := e.charge(long, paypal.TokenApproval), e.charge(long, paypal.TokenApproval); a.Reference != b.Reference {
		t.Errorf("Charge(long key) twice = %s and %s, want one order", a.Reference, b.Reference)
	}
}

// A key reused for another amount gets PayPal's first order, which sameCharge
// tells apart.
func TestChargeKeyConflict(t *testing.T) {
	e := newEnv(t)
	e.charge("pay_1/1", paypal.TokenApproval)
	req := chargeRequest("pay_1/1", paypal.TokenApproval)
	req.Amount.Amount++
	_, err := e.g.Charge(context.Background(), req)
	wantPermanent(t, "Charge(same key, other amount)", err, gateways.ErrIdempotencyConflict)
}

// A saved wallet (payment_source.paypal.vault_id) pays in one step: the
// order comes back COMPLETED, and the capture's own status decides
// (capture_status: COMPLETED, PENDING; DECLINED after review). A wallet
// that declines answers 422 INSTRUMENT_DECLINED (orders.create's 422).
func TestChargeSavedWallet(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		buyer  paypaltest.Buyer
		status gateways.Status
		code   string
	}{
		{paypaltest.BuyerPays, gateways.Succeeded, ""},
		{paypaltest.BuyerPending, gateways.Pending, ""},
		{paypaltest.BuyerDeclines, gateways.Declined, gateways.CodeCardDeclined},
	}
	for _, tt := range tests {
		t.Run(string(tt.buyer), func(t *testing.T) {
			r, err := e.g.Charge(context.Background(), chargeRequest("renew_"+string(tt.buyer)+"/1", paypal.VaultToken(e.srv.SaveWallet(tt.buyer))))
			if err != nil || r.Status != tt.status || r.DeclineCode != tt.code || r.NextAction != nil {
				t.Errorf("Charge = %+v, %v, want %s %q", r, err, tt.status, tt.code)
			}
		})
	}
	if n := e.srv.Calls("orders.capture"); n != 0 {
		t.Errorf("orders.capture called %d times, want none: a saved wallet's order completes when created", n)
	}
}

// A capture PayPal holds PENDING settles later: completed or denied.
func TestChargePendingCaptureSettles(t *testing.T) {
	for _, completed := range []bool{true, false} {
		e := newEnv(t)
		r := e.charge("renew/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending)))
		if err := e.srv.SettleCapture(e.srv.CaptureID(r.Reference), completed); err != nil {
			t.Fatal(err)
		}
		want := gateways.ChargeResult{Status: gateways.Succeeded, Reference: r.Reference}
		if !completed {
			want = gateways.ChargeResult{Status: gateways.Declined, Reference: r.Reference, DeclineCode: gateways.CodeCardDeclined}
		}
		if got := e.lookup(r.Reference); got != want {
			t.Errorf("Lookup after the capture settled (completed %v) = %+v, want %+v", completed, got, want)
		}
	}
}

// Requests refused before or by PayPal.
func TestChargeRefused(t *testing.T) {
	e := newEnv(t)
	e.acct.Currencies = []billing.Currency{"USD", "EUR"}
	g := e.connect()
	ngn := chargeRequest("pay_ngn/1", paypal.TokenApproval)
	ngn.Amount = billing.Money{Amount: 5000, Currency: "NGN"}
	huf := chargeRequest("pay_huf/1", paypal.TokenApproval)
	huf.Amount = billing.Money{Amount: 1050, Currency: "HUF"} // HUF 10.50: PayPal takes whole forints
	gbp := chargeRequest("pay_gbp/1", paypal.TokenApproval)
	gbp.Amount.Currency = "GBP"
	tests := []struct {
		name  string
		g     *paypal.Gateway
		req   gateways.ChargeRequest
		want  []error
		calls int // orders.create calls it makes
	}{
		{"no key", e.g, chargeRequest("", paypal.TokenApproval), nil, 0},
		{"unknown token form", e.g, chargeRequest("k/1", "tok_visa"), []error{paypal.ErrUnknownToken}, 0},
		{"bad vault ID", e.g, chargeRequest("k/1", "vault:x"), []error{paypal.ErrUnknownToken}, 0},
		{"unknown vault ID", e.g, chargeRequest("k/1", "vault:nosuchwallet"), []error{paypal.ErrUnknownToken}, 1},
		{"currency the account does not take", g, gbp, []error{gateways.ErrCurrencyNotAccepted}, 0},
		{"currency PayPal does not take", e.g, ngn, []error{gateways.ErrCurrencyNotAccepted}, 1},
		{"HUF with decimals", e.g, huf, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.srv.Calls("orders.create")
			_, err := tt.g.Charge(context.Background(), tt.req)
			wantPermanent(t, "Charge", err, tt.want...)
			if n := e.srv.Calls("orders.create") - before; n != tt.calls {
				t.Errorf("orders.create called %d times, want %d", n, tt.calls)
			}
		})
	}
}

// An approval needs experience_context.return_url, which comes from the
// account.
func TestChargeApprovalNeedsReturnURL(t *testing.T) {
	e := newEnv(t, func(_ *paypal.Connector, a *gateways.Account) { a.ReturnURL = "" })
	_, err := e.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval))
	wantPermanent(t, "Charge(approval) without a return URL", err)
	if err == nil || !strings.Contains(err.Error(), "return URL") {
		t.Errorf("Charge = %v, want it to name the return URL", err)
	}
	if n := e.srv.Calls("orders.create"); n != 0 {
		t.Errorf("orders.create called %d times, want none", n)
	}
}

// Amounts are the money schema's decimal strings with the currency's
// decimals: whole yen, whole forints, cents. The server refuses any other
// (422 DECIMAL_PRECISION), so a success proves the form.
func TestChargeAmounts(t *testing.T) {
	e := newEnv(t)
	for _, m := range []billing.Money{{Amount: 1000, Currency: "JPY"}, {Amount: 150000, Currency: "HUF"}, {Amount: 5, Currency: "EUR"}} {
		req := chargeRequest("pay_"+string(m.Currency)+"/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPays)))
		req.Amount = m
		if r, err := e.g.Charge(context.Background(), req); err != nil || r.Status != gateways.Succeeded {
			t.Errorf("Charge(%s) = %+v, %v, want succeeded", m, r, err)
		}
	}
	// purchase_unit_request.description takes 127 characters; a longer
	// one is cut, on a rune boundary.
	req := chargeRequest("pay_long/1", paypal.TokenApproval)
	req.Description = strings.Repeat("é", 100)
	if _, err := e.g.Charge(context.Background(), req); err != nil {
		t.Errorf("Charge(200-byte description) = %v", err)
	}
}

// 5xx and 429 answers, and no answer at all, are transient; the retry
// finds the order PayPal made, if any, under the same PayPal-Request-Id.
func TestChargeTransient(t *testing.T) {
	e := newEnv(t)
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		e.srv.FailNext(status, 1)
		if _, err := e.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval)); !gateways.IsTransient(err) {
			t.Errorf("Charge answered HTTP %d = %v, want a transient error", status, err)
		}
	}
	if r := e.charge("pay_1/1", paypal.TokenApproval); r.Status != gateways.Pending {
		t.Errorf("Charge after the failures = %+v", r)
	}
	if n := e.srv.Orders(); n != 1 {
		t.Errorf("the server holds %d orders, want 1", n)
	}

	down := newEnv(t, func(c *paypal.Connector, _ *gateways.Account) { c.BaseURL = "https://127.0.0.1:1" })
	if _, err := down.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval)); !gateways.IsTransient(err) {
		t.Errorf("Charge with PayPal unreachable = %v, want a transient error", err)
	}
}

// declineIssues: every documented decline issue is a Declined answer, not
// an error; INSTRUMENT_DECLINED is card_declined, the others keep PayPal's
// issue, lower-cased.
func TestChargeDeclineIssues(t *testing.T) {
	tests := []struct{ issue, code string }{
		{"INSTRUMENT_DECLINED", gateways.CodeCardDeclined},
		{"PAYER_CANNOT_PAY", "payer_cannot_pay"},
		{"TRANSACTION_REFUSED", "transaction_refused"},
		{"AGREEMENT_ALREADY_CANCELLED", "agreement_already_cancelled"},
		{"PAYER_ACTION_REQUIRED", "payer_action_required"},
	}
	for _, tt := range tests {
		t.Run(tt.issue, func(t *testing.T) {
			e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
				return unprocessable(next, "/v2/checkout/orders", tt.issue)
			}))
			r, err := e.g.Charge(context.Background(), chargeRequest("k/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPays))))
			if err != nil || r.Status != gateways.Declined || r.DeclineCode != tt.code {
				t.Errorf("Charge answered 422 %s = %+v, %v, want declined %s", tt.issue, r, err, tt.code)
			}
		})
	}
	// Issues that are not about the payer's money are errors.
	for issue, want := range map[string]error{
		"DUPLICATE_INVOICE_ID":           gateways.ErrIdempotencyConflict,
		"TOKEN_ID_NOT_FOUND":             paypal.ErrUnknownToken,
		"PAYEE_ACCOUNT_LOCKED_OR_CLOSED": nil,
	} {
		e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
			return unprocessable(next, "/v2/checkout/orders", issue)
		}))
		_, err := e.g.Charge(context.Background(), chargeRequest("k/1", paypal.TokenApproval))
		if want == nil {
			wantPermanent(t, "Charge answered 422 "+issue, err)
		} else {
			wantPermanent(t, "Charge answered 422 "+issue, err, want)
		}
		if err != nil && !strings.Contains(err.Error(), issue) {
			t.Errorf("Charge answered 422 %s = %v, want the issue named", issue, err)
		}
	}
}

// unprocessable answers POSTs to path with PayPal's 422 body for issue
// (error_422: name UNPROCESSABLE_ENTITY, details[].issue, debug_id), the
// way the server answers INSTRUMENT_DECLINED, for issues it has no buyer
// for.
func unprocessable(next http.RoundTripper, path, issue string) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method != http.MethodPost || r.URL.Path != path {
			return next.RoundTrip(r)
		}
		body := `{"name":"UNPROCESSABLE_ENTITY","message":"The requested action could not be performed, semantically incorrect, or failed business validation.",` +
			`"details":[{"issue":"` + issue + `","description":"test"}],"debug_id":"f0b0c1d2e3f4a"}`
		return &http.Response{
			StatusCode: http.StatusUnprocessableEntity, Header: http.Header{"Content-Type": {"application/json"}},
			Body: ioNopCloser(body), Request: r,
		}, nil
	})
}

func TestChargeNeverReusesAProbedKey(t *testing.T) {
	e := newEnv(t)
	if _, err := e.g.Find(context.Background(), "pay_1/1"); !errors.Is(err, gateways.ErrUnknownCharge) {
		t.Fatalf("Find(unused key) = %v, want ErrUnknownCharge", err)
	}
	// Find's probe now holds the key at PayPal: a charge under it would get
	// the probe back, and is refused instead.
	_, err := e.g.Charge(context.Background(), chargeRequest("pay_1/1", paypal.TokenApproval))
	wantPermanent(t, "Charge(probed key)", err, gateways.ErrIdempotencyConflict)
}

// PayPal holds an orders.create PayPal-Request-Id for 6 hours
// (checkout_orders_v2 parameters.paypal_request_id), less than billgate
// retries a charge. A renewal retried later is a new order to PayPal: with
// the account's "Block accidental payments" on (PayPal's default), its
// capture is refused as 422 DUPLICATE_INVOICE_ID (orders.create's 422),
// since the first order's capture has the key as its invoice_id, and the
// retry is a conflict; with it off, the wallet pays twice.
func TestChargeRetriedAfterPayPalForgetsTheKey(t *testing.T) {
	tests := []struct {
		name       string
		duplicates bool
	}{
		{"duplicate invoice IDs blocked", false},
		{"duplicate invoice IDs allowed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvAt(t, paypaltest.Options{AllowDuplicateInvoiceIDs: tt.duplicates})
			wallet := paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPays))
			first := e.charge("pay_1/2", wallet)
			e.clock.Advance(5 * time.Hour)
			if r := e.charge("pay_1/2", wallet); r != first {
				t.Fatalf("Charge retried within 6 h = %+v, want %+v", r, first)
			}
			e.clock.Advance(time.Hour)
			r, err := e.g.Charge(context.Background(), chargeRequest("pay_1/2", wallet))
			if !tt.duplicates {
				wantPermanent(t, "Charge retried after 6 h", err, gateways.ErrIdempotencyConflict)
				if n := e.srv.Orders(); n != 1 {
					t.Errorf("the server holds %d orders, want only the first", n)
				}
				return
			}
			if err != nil || r.Status != gateways.Succeeded || r.Reference == first.Reference {
				t.Errorf("Charge retried after 6 h, duplicates allowed = %+v, %v, want a second payment (the hazard the README warns of)", r, err)
			}
		})
	}
}
