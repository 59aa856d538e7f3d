package skrill

import (
	"context"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// 1-Tap follows the Quick Checkout guide's "Skrill 1-Tap Payment"
// (ondemand_max_amount, ondemand_max_currency, ondemand_note) and the
// Automated Payments and Merchant Query Interfaces Guide's "Skrill 1-Tap"
// (ondemand_request.pl, prepare then request, and its error table).

// The first payment sets 1-Tap up; its status post carries rec_payment_id,
// and a renewal is charged with it, without the payer, through
// ondemand_request.pl (prepare, then request).
func TestOneTapRenewal(t *testing.T) {
	f := newFixture(t)
	_, tok := f.paidCheckout("pay_1/1", eur)
	if stored, err := f.g.CheckMethod(context.Background(), tok); err != nil || stored != tok {
		t.Fatalf("CheckMethod(%s) = %q, %v", tok, stored, err)
	}
	r := f.charge("pay_2/1", tok, eur)
	if r.Status != gateways.Succeeded || r.Reference != "pay_5F2_2F1" || r.NextAction != nil {
		t.Fatalf("renewal = %+v, want succeeded without the payer", r)
	}
	paid, ok := f.srv.Transaction("pay_5F2_2F1")
	if !ok || paid.Status != skrilltest.StatusProcessed || OneTapTokenFor(paid.RecPaymentID) != tok || paid.Amount != eur {
		t.Errorf("Skrill holds %+v, want a processed 1-Tap payment of %s", paid, eur)
	}
	if e := f.lastEvent().event; e.Type != gateways.EventChargeSucceeded || e.Reference != r.Reference || e.IdempotencyKey != "pay_2/1" {
		t.Errorf("renewal's status post = %+v, want charge.succeeded for pay_2/1", e)
	}
	if got := f.charge("pay_2/1", tok, eur); got != r {
		t.Errorf("renewal repeated = %+v, want %+v", got, r)
	}
	if got, _ := f.srv.Transaction("pay_5F2_2F1"); got.MBTransactionID != paid.MBTransactionID {
		t.Errorf("the repeat made payment %s; want none after %s", got.MBTransactionID, paid.MBTransactionID)
	}
}

// A renewal whose answer was lost is found by the retry, not made again.
func TestOneTapLostAnswers(t *testing.T) {
	f := newFixture(t)
	_, tok := f.paidCheckout("pay_1/1", eur)
	f.srv.LoseNextAnswer(skrilltest.OneTapPath + "?action=prepare")
	_, err := f.g.Charge(context.Background(), chargeReq("pay_2/1", tok, eur))
	wantErr(t, "Charge(prepare's answer lost)", err, gateways.KindTransient, nil)
	if _, ok := f.srv.Transaction("pay_5F2_2F1"); ok {
		t.Fatal("a prepare alone took money")
	}
	f.srv.LoseNextAnswer(skrilltest.OneTapPath + "?action=request")
	_, err = f.g.Charge(context.Background(), chargeReq("pay_2/1", tok, eur))
	wantErr(t, "Charge(request's answer lost)", err, gateways.KindTransient, nil)
	paid, ok := f.srv.Transaction("pay_5F2_2F1")
	if !ok || paid.Status != skrilltest.StatusProcessed {
		t.Fatalf("Skrill holds %+v, %v; want the payment made", paid, ok)
	}
	n := f.requests.Load()
	if r := f.charge("pay_2/1", tok, eur); r.Status != gateways.Succeeded {
		t.Errorf("retry = %+v, want succeeded", r)
	}
	if again, _ := f.srv.Transaction("pay_5F2_2F1"); again.MBTransactionID != paid.MBTransactionID || f.requests.Load()-n != 1 {
		t.Errorf("the retry made payment %s with %d requests; want only the MQI query", again.MBTransactionID, f.requests.Load()-n)
	}
}

func TestOneTapDeclines(t *testing.T) {
	f := newFixture(t)
	_, tok := f.paidCheckout("pay_1/1", eur)
	rec := tok[len(OneTapTokenPrefix):]
	tests := []struct {
		code, want string
	}{
		{"BALANCE_NOT_ENOUGH", gateways.CodeInsufficientFunds},
		{"CARD_FAILED", gateways.CodeCardDeclined},
		{"CUSTOMER_IS_LOCKED", "customer_locked"},
		{"RECIPIENT_LIMIT_EXCEEDED", "limit_exceeded"},
		{"REQUEST_FAILED", DeclineFailed},
	}
	for i, tt := range tests {
		if err := f.srv.DeclineNextOneTap(rec, tt.code); err != nil {
			t.Fatal(err)
		}
		key := "renew_" + tt.code + "/1"
		r := f.charge(key, tok, eur)
		if r.Status != gateways.Declined || r.DeclineCode != tt.want {
			t.Errorf("renewal refused with %s = %+v, want declined %s", tt.code, r, tt.want)
		}
		// Skrill records the failed payment: the repeat finds it and
		// answers the same, without a new payment.
		again := f.charge(key, tok, eur)
		if again.Status != gateways.Declined || again.Reference != r.Reference {
			t.Errorf("repeat of declined renewal %d = %+v, want declined", i, again)
		}
		if tt.code == "BALANCE_NOT_ENOUGH" || tt.code == "CARD_FAILED" {
			if again.DeclineCode != tt.want {
				t.Errorf("repeat of %s declined %q, want %q", tt.code, again.DeclineCode, tt.want)
			}
		}
	}
}

func TestOneTapRefusedAtPrepare(t *testing.T) {
	f := newFixture(t)
	_, tok := f.paidCheckout("pay_1/1", eur)
	r := f.charge("pay_2/1", tok, billing.Money{Amount: 1991, Currency: "EUR"})
	if r.Status != gateways.Declined || r.DeclineCode != "one_tap_max_amount_exceeded" {
		t.Errorf("renewal above ondemand_max_amount = %+v, want declined one_tap_max_amount_exceeded", r)
	}
	if err := f.srv.CancelOneTap(tok[len(OneTapTokenPrefix):]); err != nil {
		t.Fatal(err)
	}
	r = f.charge("pay_3/1", tok, eur)
	if r.Status != gateways.Declined || r.DeclineCode != "one_tap_canceled" {
		t.Errorf("renewal after the payer canceled 1-Tap = %+v, want declined one_tap_canceled", r)
	}
	for _, unknown := range []string{"1tap:999999999", "1tap:abc"} {
		_, err := f.g.Charge(context.Background(), chargeReq("pay_4/1", unknown, eur))
		wantErr(t, "Charge("+unknown+")", err, gateways.KindPermanent, ErrUnknownToken)
	}
}

// A session ID lasts 15 minutes (SESSION_EXPIRED): a request after that is
// transient, and the retry prepares anew.
func TestOneTapSessionExpired(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	step := time.Duration(0)
	f := newFixture(t, func(s *setup) {
		s.server.Clock = func() time.Time { clock = clock.Add(step); return clock }
	})
	_, tok := f.paidCheckout("pay_1/1", eur)
	step = 16 * time.Minute
	_, err := f.g.Charge(context.Background(), chargeReq("pay_2/1", tok, eur))
	wantErr(t, "Charge(session expired)", err, gateways.KindTransient, nil)
	step = 0
	if r := f.charge("pay_2/1", tok, eur); r.Status != gateways.Succeeded {
		t.Errorf("retry = %+v, want succeeded", r)
	}
}

// Every 1-Tap error of the guide's table: those refusing the payment are
// declines, the others errors.
func TestOneTapAnswerErrors(t *testing.T) {
	for code, want := range oneTapDeclines {
		r, err := declineOr("trn", &answerError{what: "1-Tap request", code: code})
		if err != nil || r != (gateways.ChargeResult{Status: gateways.Declined, Reference: "trn", DeclineCode: want}) {
			t.Errorf("%s = %+v, %v; want declined %s", code, r, err, want)
		}
	}
	tests := []struct {
		code   string
		kind   gateways.ErrorKind
		target error
	}{
		{"INVALID_REC_PAYMENT_ID", gateways.KindPermanent, ErrUnknownToken},
		{"ONDEMAND_INVALID", gateways.KindPermanent, ErrUnknownToken},
		{"SESSION_EXPIRED", gateways.KindTransient, nil},
		{"CANNOT_LOGIN", gateways.KindPermanent, nil},
		{"LOGIN_INVALID", gateways.KindPermanent, nil},
		{"MISSING_AMOUNT", gateways.KindPermanent, nil},
	}
	for _, tt := range tests {
		_, err := declineOr("trn", &answerError{what: "1-Tap prepare", code: tt.code})
		wantErr(t, tt.code, err, tt.kind, tt.target)
	}
}
