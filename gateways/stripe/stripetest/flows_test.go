package stripetest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// errorPaymentIntent is the status of the PaymentIntent in a 402's error.
func (a answer) errorPaymentIntent() map[string]any {
	e, _ := a.body["error"].(map[string]any)
	pi, _ := e["payment_intent"].(map[string]any)
	return pi
}

// docs.stripe.com/payments/save-and-reuse, "Charge the saved payment method
// later": off-session, a card that needs authentication is declined with
// authentication_required and the PaymentIntent needs a new payment method;
// on-session, it waits for the payer, unless error_on_requires_action.
func TestAuthenticationRequired(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	cus, pm := saved(t, s, stripetest.MethodAuthenticationRequired)

	off := c.post("/v1/payment_intents", offSession(cus, pm), "")
	if off.status != http.StatusPaymentRequired || off.errorField("code") != "authentication_required" || off.errorField("type") != "card_error" ||
		off.errorPaymentIntent()["status"] != "requires_payment_method" {
		t.Errorf("off-session = %d %s, want 402 authentication_required, the PaymentIntent requiring a payment method", off.status, off.raw)
	}
	on := url.Values{"amount": {"500"}, "currency": {"usd"}, "customer": {cus}, "payment_method": {pm}, "confirm": {"true"}, "return_url": {"https://billgate.example/return"}}
	if a := c.post("/v1/payment_intents", on, ""); a.status != http.StatusOK || a.str("status") != "requires_action" {
		t.Errorf("on-session = %d %s, want requires_action", a.status, a.raw)
	}
	on.Set("error_on_requires_action", "true")
	if a := c.post("/v1/payment_intents", on, ""); a.status != http.StatusPaymentRequired || a.errorField("code") != "authentication_required" {
		t.Errorf("on-session with error_on_requires_action = %d %s, want 402 authentication_required", a.status, a.raw)
	}
}

// The authentication page answers for the payer, then sends them to the
// return_url with the parameters Stripe adds.
func TestAuthenticationPage(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects})
	cus, pm := saved(t, s, stripetest.MethodAuthenticationRequired)
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct{ decision, wantPI, wantRedirect string }{
		{"authenticate", "succeeded", "succeeded"},
		{"fail", "requires_payment_method", "failed"},
	} {
		t.Run(tt.decision, func(t *testing.T) {
			form := offSession(cus, pm)
			form.Del("automatic_payment_methods[enabled]")
			form.Del("automatic_payment_methods[allow_redirects]")
			form.Set("return_url", "https://billgate.example/return?payment=p1")
			a := c.post("/v1/payment_intents", form, "")
			next, _ := a.body["next_action"].(map[string]any)
			redirect, _ := next["redirect_to_url"].(map[string]any)
			page, _ := redirect["url"].(string)
			if a.str("status") != "requires_action" || !strings.HasPrefix(page, s.URL()) {
				t.Fatalf("PaymentIntent = %s, want requires_action with a redirect to the server", a.raw)
			}
			resp, err := http.Get(page)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET the page = %v, %v", resp, err)
			}
			resp.Body.Close()
			resp, err = noRedirects.PostForm(page, url.Values{"decision": {tt.decision}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			q := loc.Query()
			if resp.StatusCode != http.StatusSeeOther || loc.Host != "billgate.example" || q.Get("payment") != "p1" ||
				q.Get("payment_intent") != a.str("id") || q.Get("payment_intent_client_secret") != a.str("client_secret") || q.Get("redirect_status") != tt.wantRedirect {
				t.Errorf("POST the page = %d to %s, want 303 to the return_url with redirect_status %s", resp.StatusCode, loc, tt.wantRedirect)
			}
			if pi, _ := s.PaymentIntent(a.str("id")); pi.Status != tt.wantPI {
				t.Errorf("PaymentIntent %s, want %s", pi.Status, tt.wantPI)
			}
			resp, _ = noRedirects.PostForm(page, url.Values{"decision": {tt.decision}})
			if resp.StatusCode != http.StatusConflict {
				t.Errorf("a second answer = %d, want 409", resp.StatusCode)
			}
			resp.Body.Close()
		})
	}
}

// docs.stripe.com/testing, "Declined payments": a card that declines is
// declined when it is attached, but for pm_card_chargeCustomerFail.
func TestAttach(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	cus := c.post("/v1/customers", url.Values{"email": {"ada@example.com"}}, "").str("id")
	if a := c.post("/v1/payment_methods/"+stripetest.MethodInsufficientFunds+"/attach", url.Values{"customer": {cus}}, ""); a.status != http.StatusPaymentRequired || a.errorField("decline_code") != "insufficient_funds" {
		t.Errorf("attach a declining card = %d %s, want 402 insufficient_funds", a.status, a.raw)
	}
	if _, _, err := s.SaveMethod(stripetest.MethodDeclined); err == nil {
		t.Error("SaveMethod(a declining card) succeeded")
	}
	a := c.post("/v1/payment_methods/"+stripetest.MethodChargeCustomerFail+"/attach", url.Values{"customer": {cus}}, "")
	if a.status != http.StatusOK || a.body["customer"] != cus || !strings.HasPrefix(a.str("id"), "pm_") || a.str("id") == stripetest.MethodChargeCustomerFail {
		t.Fatalf("attach = %d %s, want a new PaymentMethod of the customer", a.status, a.raw)
	}
	other := c.post("/v1/customers", nil, "").str("id")
	if b := c.post("/v1/payment_methods/"+a.str("id")+"/attach", url.Values{"customer": {other}}, ""); b.status != http.StatusBadRequest {
		t.Errorf("attach to a second customer = %d %s, want 400", b.status, b.raw)
	}
	if b := c.post("/v1/payment_intents", offSession(cus, a.str("id")), ""); b.status != http.StatusPaymentRequired || b.errorField("decline_code") != "generic_decline" {
		t.Errorf("charge it = %d %s, want 402 generic_decline", b.status, b.raw)
	}
	// setup_future_usage saves the card the payment succeeded with.
	f := offSession(other, stripetest.MethodVisa)
	f.Set("setup_future_usage", "off_session")
	pi := c.post("/v1/payment_intents", f, "")
	if pm := c.get("/v1/payment_methods/" + pi.str("payment_method")); pm.body["customer"] != other {
		t.Errorf("PaymentMethod after setup_future_usage = %s, want attached to %s", pm.raw, other)
	}
}

func TestRefundRules(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	cus, pm := saved(t, s, stripetest.MethodVisa)
	pi := c.post("/v1/payment_intents", offSession(cus, pm), "").str("id")
	charge := c.get("/v1/payment_intents/" + pi).str("latest_charge")
	tests := []struct {
		form               url.Values
		wantStatus         int
		wantCode, wantText string
	}{
		{url.Values{"payment_intent": {pi}, "amount": {"0"}}, 400, "", "greater than or equal to 1"},
		{url.Values{"payment_intent": {pi}, "amount": {"2000"}}, 400, "amount_too_large", "greater than unrefunded amount"},
		{url.Values{"charge": {charge}, "amount": {"999"}}, 200, "", ""},
		{url.Values{"payment_intent": {pi}, "amount": {"1001"}}, 400, "amount_too_large", ""},
		{url.Values{"payment_intent": {pi}}, 200, "", ""},
		{url.Values{"payment_intent": {pi}, "amount": {"1"}}, 400, "charge_already_refunded", "already been refunded"},
		{url.Values{"payment_intent": {pi}, "charge": {charge}}, 400, "", "one of payment_intent or charge"},
		{url.Values{"payment_intent": {"pi_nope"}}, 400, "resource_missing", ""},
	}
	for _, tt := range tests {
		a := c.post("/v1/refunds", tt.form, "")
		if a.status != tt.wantStatus || a.errorField("code") != tt.wantCode || !strings.Contains(a.errorField("message"), tt.wantText) {
			t.Errorf("refund %v = %d %s, want %d %s %q", tt.form, a.status, a.raw, tt.wantStatus, tt.wantCode, tt.wantText)
		}
	}
	if ch := c.get("/v1/charges/" + charge); ch.body["amount_refunded"] != float64(1999) || ch.body["refunded"] != true {
		t.Errorf("charge = %s, want refunded in full", ch.raw)
	}
}

func TestHooksRefuseWhatCannotHappen(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	cus, pm := saved(t, s, stripetest.MethodVisa)
	pi := c.post("/v1/payment_intents", offSession(cus, pm), "").str("id")
	if _, err := s.CompleteAction(pi, true); err == nil {
		t.Error("CompleteAction(succeeded) succeeded")
	}
	if err := s.Settle(pi); err == nil {
		t.Error("Settle(succeeded) succeeded")
	}
	if _, err := s.Dispute(pi); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dispute(pi); err == nil {
		t.Error("a second Dispute() succeeded")
	}
	if a := c.post("/v1/refunds", url.Values{"payment_intent": {pi}}, ""); a.errorField("code") != "charge_disputed" {
		t.Errorf("refund a disputed charge = %s, want charge_disputed", a.raw)
	}
	if _, _, err := s.SaveMethod("pm_card_unheard_of"); err == nil {
		t.Error("SaveMethod(unknown) succeeded")
	}
}

// pm_card_createDispute succeeds, then is disputed; a bank debit cannot be
// canceled while it processes.
func TestDocumentedTestMethods(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	cus, pm := saved(t, s, stripetest.MethodCreateDispute)
	pi := c.post("/v1/payment_intents", offSession(cus, pm), "")
	if pi.str("status") != "succeeded" || len(s.EventsOfType("charge.dispute.created")) != 1 {
		t.Errorf("pm_card_createDispute: %s, %d disputes; want succeeded, then disputed", pi.str("status"), len(s.EventsOfType("charge.dispute.created")))
	}
	bankCus, bank := saved(t, s, stripetest.MethodUSBankAccount)
	debit := c.post("/v1/payment_intents", offSession(bankCus, bank), "")
	if debit.str("status") != "processing" {
		t.Fatalf("bank debit = %s, want processing", debit.raw)
	}
	if a := c.post("/v1/payment_intents/"+debit.str("id")+"/cancel", nil, ""); a.status != http.StatusBadRequest || a.errorField("code") != "payment_intent_unexpected_state" {
		t.Errorf("cancel a processing debit = %d %s, want payment_intent_unexpected_state", a.status, a.raw)
	}
}
