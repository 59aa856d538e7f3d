package skrill

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// A first payment prepares a Quick Checkout session with the fields the
// guide's "Parameters to be posted to Quick Checkout" and "Skrill 1-Tap
// Payment" sections name, and sends the payer to ?sid=.
func TestChargeCheckoutPreparesASession(t *testing.T) {
	f := newFixture(t)
	r, sid := f.checkout("pay_1/1", eur)
	if r.Reference != "pay_5F1_2F1" || r.NextAction.Type != gateways.NextActionRedirect || r.NextAction.URL != f.srv.CheckoutURL()+"/?sid="+sid {
		t.Errorf("Charge = %+v, want reference pay_5F1_2F1 and a redirect to ?sid=%s", r, sid)
	}
	if len(sid) != 32 {
		t.Errorf("sid %q is not Skrill's 32 hex digits", sid)
	}
	sess, _ := f.srv.Session(sid)
	want := map[string]string{
		"pay_to_email":          "merchant@example.com",
		"prepare_only":          "1",
		"transaction_id":        "pay_5F1_2F1",
		"amount":                "19.90",
		"currency":              "EUR",
		"status_url":            f.acct.WebhookURL,
		"return_url":            "https://billgate.example/return?billgate_key=pay_1%2F1",
		"cancel_url":            "https://billgate.example/return?billgate_cancel=1&billgate_key=pay_1%2F1",
		"ondemand_max_amount":   "19.90",
		"ondemand_max_currency": "EUR",
		"ondemand_note":         "Pro plan, January",
		"ondemand_status_url":   f.acct.WebhookURL,
		"detail1_text":          "Pro plan, January",
		"pay_from_email":        "",
	}
	for name, v := range want {
		if got := sess.Form.Get(name); got != v {
			t.Errorf("posted %s = %q, want %q", name, got, v)
		}
	}
}

func TestChargeEmailTokenFillsThePayer(t *testing.T) {
	f := newFixture(t)
	r := f.charge("pay_2/1", EmailToken("payer@example.org"), eur)
	sess, _ := f.srv.Session(sidOf(t, r))
	if got := sess.Form.Get("pay_from_email"); got != "payer@example.org" {
		t.Errorf("pay_from_email = %q, want the token's email", got)
	}
}

func TestChargeOneTapMaxAmountIsConfigurable(t *testing.T) {
	f := newFixture(t, func(s *setup) {
		s.conn = func(c *Connector) {
			c.OneTapMaxAmount = func(first billing.Money) billing.Money { m, _ := first.MulInt(3); return m }
		}
	})
	_, sid := f.checkout("pay_3/1", eur)
	sess, _ := f.srv.Session(sid)
	if got := sess.Form.Get("ondemand_max_amount"); got != "59.70" {
		t.Errorf("ondemand_max_amount = %q, want 59.70", got)
	}
}

// A business gives its own 1-Tap ceiling (oneTapMaxAmount): above the
// first payment it is the ceiling; at or below, the first payment is.
func TestChargeOneTapMaxAmountOfTheAccount(t *testing.T) {
	for ceiling, want := range map[string]string{"100.00": "100.00", "5": "19.90", "19.9": "19.90"} {
		f := newFixture(t, func(s *setup) { s.creds[CredOneTapMaxAmount] = ceiling })
		_, sid := f.checkout("pay_4/1", eur)
		sess, _ := f.srv.Session(sid)
		if got := sess.Form.Get("ondemand_max_amount"); got != want {
			t.Errorf("with oneTapMaxAmount %s, ondemand_max_amount = %q, want %s", ceiling, got, want)
		}
	}
}

// Charge is idempotent by key: before the payer pays, a repeat prepares a
// new session under the same transaction_id; after, it answers the
// payment as Skrill has it, without a new session.
func TestChargeRepeatedKey(t *testing.T) {
	f := newFixture(t)
	first, sid := f.checkout("pay_4/1", eur)
	again, sid2 := f.checkout("pay_4/1", eur)
	if again.Reference != first.Reference || sid2 == sid {
		t.Errorf("repeat before payment = %+v (sid %s), want the same reference and a new session", again, sid2)
	}
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.Pay(sid2); err == nil {
		t.Error("the second session of one transaction_id was paid too")
	}
	n := f.requests.Load()
	r := f.charge("pay_4/1", TokenCheckout, eur)
	if r.Status != gateways.Succeeded || r.Reference != first.Reference || r.NextAction != nil {
		t.Errorf("repeat after payment = %+v, want succeeded", r)
	}
	if got := f.requests.Load() - n; got != 1 {
		t.Errorf("repeat after payment made %d requests, want 1 (the MQI query)", got)
	}
	_, err := f.g.Charge(context.Background(), chargeReq("pay_4/1", TokenCheckout, billing.Money{Amount: 2500, Currency: "EUR"}))
	wantErr(t, "Charge(same key, other amount)", err, gateways.KindPermanent, gateways.ErrIdempotencyConflict)
}

func TestChargeRefusedWithoutCallingSkrill(t *testing.T) {
	f := newFixture(t, func(s *setup) {
		s.account = func(a *gateways.Account) { a.Currencies = []billing.Currency{"EUR", "GBP"} }
	})
	tests := []struct {
		name   string
		req    gateways.ChargeRequest
		target error
	}{
		{"currency not accepted", chargeReq("k/1", TokenCheckout, billing.Money{Amount: 100, Currency: "USD"}), gateways.ErrCurrencyNotAccepted},
		{"unknown token", chargeReq("k/1", "card_4242", eur), ErrUnknownToken},
		{"bad email token", chargeReq("k/1", "email:not an email", eur), ErrUnknownToken},
		{"bad 1-Tap token", chargeReq("k/1", "1tap:12/3", eur), ErrUnknownToken},
		{"no key", chargeReq("", TokenCheckout, eur), nil},
		{"no amount", chargeReq("k/1", TokenCheckout, billing.Money{Currency: "EUR"}), nil},
	}
	for _, tt := range tests {
		_, err := f.g.Charge(context.Background(), tt.req)
		wantErr(t, "Charge("+tt.name+")", err, gateways.KindPermanent, tt.target)
	}
	if n := f.requests.Load(); n != 0 {
		t.Errorf("%d requests reached Skrill, want none", n)
	}
}

func TestChargeCheckoutNeedsTheAccountsURLs(t *testing.T) {
	for name, edit := range map[string]func(*gateways.Account){
		"no webhook URL":  func(a *gateways.Account) { a.WebhookURL = "" },
		"relative return": func(a *gateways.Account) { a.ReturnURL = "/return" },
		"return too long": func(a *gateways.Account) { a.ReturnURL = "https://billgate.example/" + strings.Repeat("r", 240) },
		// 230 characters: 240 at most, but not once the key is added.
		"return too long with the key": func(a *gateways.Account) { a.ReturnURL = "https://billgate.example/" + strings.Repeat("r", 205) },
		"webhook not http":             func(a *gateways.Account) { a.WebhookURL = "mailto:ops@billgate.example" },
	} {
		f := newFixture(t, func(s *setup) { s.account = edit })
		_, err := f.g.Charge(context.Background(), chargeReq("k/1", TokenCheckout, eur))
		wantErr(t, "Charge("+name+")", err, gateways.KindPermanent, nil)
	}
}

// Quick Checkout's error answer (HTTP 400, JSON) is permanent; outages and
// lost answers are transient, and the retry charges once.
func TestChargeCheckoutErrors(t *testing.T) {
	f := newFixture(t, func(s *setup) {
		s.conn = func(c *Connector) {
			c.OneTapMaxAmount = func(first billing.Money) billing.Money { return billing.Money{Currency: first.Currency} }
		}
	})
	_, err := f.g.Charge(context.Background(), chargeReq("k/1", TokenCheckout, eur))
	wantErr(t, "Charge(an ondemand_max_amount Skrill refuses)", err, gateways.KindPermanent, nil)
	if err == nil || !strings.Contains(err.Error(), "BAD_REQUEST") {
		t.Errorf("error %v does not say what Skrill answered", err)
	}

	f = newFixture(t)
	for _, fault := range []struct {
		path   string
		status int
	}{{skrilltest.QueryPath, http.StatusServiceUnavailable}, {skrilltest.CheckoutPath, http.StatusBadGateway}, {skrilltest.CheckoutPath, http.StatusTooManyRequests}} {
		f.srv.FailNext(fault.path, fault.status)
		_, err := f.g.Charge(context.Background(), chargeReq("k/1", TokenCheckout, eur))
		wantErr(t, "Charge(during a "+http.StatusText(fault.status)+")", err, gateways.KindTransient, nil)
	}
	f.srv.LoseNextAnswer(skrilltest.CheckoutPath)
	_, err = f.g.Charge(context.Background(), chargeReq("k/1", TokenCheckout, eur))
	wantErr(t, "Charge(answer lost)", err, gateways.KindTransient, nil)
	_, sid := f.checkout("k/1", eur)
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	if r := f.charge("k/1", TokenCheckout, eur); r.Status != gateways.Succeeded {
		t.Errorf("Charge after the payment = %+v, want succeeded", r)
	}
}

func TestChargeWithWrongAPIPassword(t *testing.T) {
	f := newFixture(t, func(s *setup) { s.server.APIPassword = "another-pass1" })
	_, err := f.g.Charge(context.Background(), chargeReq("k/1", TokenCheckout, eur))
	wantErr(t, "Charge(MQI login refused)", err, gateways.KindPermanent, nil)
}
