package paypal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

func refundRequest(key, ref string, amount int64) gateways.RefundRequest {
	req := gateways.RefundRequest{IdempotencyKey: key, Reference: ref}
	if amount > 0 {
		req.Amount = billing.Money{Amount: amount, Currency: "USD"}
	}
	return req
}

// captures.refund (payments_payment_v2): no amount refunds what remains,
// each PayPal-Request-Id is one refund, and a fully refunded capture
// refuses more (captures.refund-422 CAPTURE_FULLY_REFUNDED).
func TestRefundWhole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference
	first, err := e.g.Refund(ctx, refundRequest("pay_1/1/refund", ref, 0))
	if err != nil || first.Reference == "" || first.Status != gateways.RefundSucceeded {
		t.Fatalf("Refund = %+v, %v, want succeeded", first, err)
	}
	if again, err := e.g.Refund(ctx, refundRequest("pay_1/1/refund", ref, 0)); err != nil || again != first {
		t.Errorf("Refund again = %+v, %v, want %+v", again, err, first)
	}
	_, err = e.g.Refund(ctx, refundRequest("another", ref, 0))
	wantPermanent(t, "Refund under another key", err, gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded)
	// The charge itself still reads succeeded: the money was collected.
	if r := e.lookup(ref); r.Status != gateways.Succeeded {
		t.Errorf("Lookup of a refunded charge = %+v", r)
	}
}

// Partial refunds: several, each under its own key, up to what was
// captured; more is captures.refund-422 REFUND_AMOUNT_EXCEEDED.
func TestRefundPartial(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference // USD 19.99
	_, err := e.g.Refund(ctx, refundRequest("over", ref, 2000))
	wantPermanent(t, "Refund(20.00 of 19.99)", err, gateways.ErrNotRefundable)
	a, err := e.g.Refund(ctx, refundRequest("part_1", ref, 1000))
	if err != nil || a.Status != gateways.RefundSucceeded {
		t.Fatalf("Refund(10.00) = %+v, %v", a, err)
	}
	_, err = e.g.Refund(ctx, refundRequest("part_2", ref, 1000))
	wantPermanent(t, "Refund(10.00 of the 9.99 left)", err, gateways.ErrNotRefundable)
	b, err := e.g.Refund(ctx, refundRequest("part_2", ref, 999))
	if err != nil || b.Status != gateways.RefundSucceeded || b.Reference == a.Reference {
		t.Fatalf("Refund(9.99) = %+v, %v", b, err)
	}
	_, err = e.g.Refund(ctx, refundRequest("part_3", ref, 0))
	wantPermanent(t, "Refund(the rest of nothing)", err, gateways.ErrNotRefundable)
	_, err = e.g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "eur", Reference: ref, Amount: billing.Money{Amount: 100, Currency: "EUR"}})
	wantPermanent(t, "Refund(EUR of a USD charge)", err)
}

// refund_status: COMPLETED succeeded, PENDING pending, FAILED and
// CANCELLED failed.
func TestRefundStatuses(t *testing.T) {
	tests := []struct {
		status string
		want   gateways.RefundResult
	}{
		{"PENDING", gateways.RefundResult{Status: gateways.RefundPending}},
		{"FAILED", gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "failed"}},
		{"CANCELLED", gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "cancelled"}},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			e := newEnv(t)
			ref := e.paid("pay_1/1").Reference
			e.srv.RefundOutcome(tt.status)
			got, err := e.g.Refund(context.Background(), refundRequest("pay_1/1/refund", ref, 0))
			tt.want.Reference = got.Reference
			if err != nil || got != tt.want || got.Reference == "" {
				t.Errorf("Refund = %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
}

// Only a captured charge is refunded: one awaiting its payer, a PENDING or
// DECLINED capture, or a voided order are not refundable, and PayPal is
// not asked.
func TestRefundRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	awaiting := e.charge("awaiting/1", paypal.TokenApproval).Reference
	held := e.charge("held/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending))).Reference
	voided := e.charge("voided/1", paypal.TokenApproval).Reference
	if _, err := e.g.Void(ctx, gateways.VoidRequest{IdempotencyKey: "v", Reference: voided}); err != nil {
		t.Fatal(err)
	}
	for name, ref := range map[string]string{"awaiting approval": awaiting, "capture pending": held, "voided": voided} {
		_, err := e.g.Refund(ctx, refundRequest("r_"+name, ref, 0))
		wantPermanent(t, "Refund("+name+")", err, gateways.ErrNotRefundable)
	}
	if n := e.srv.Calls("captures.refund"); n != 0 {
		t.Errorf("captures.refund called %d times, want none", n)
	}
	_, err := e.g.Refund(ctx, refundRequest("k", "5O190127TN364715T", 0))
	wantPermanent(t, "Refund(unknown)", err, gateways.ErrUnknownCharge)
	_, err = e.g.Refund(ctx, gateways.RefundRequest{IdempotencyKey: "k", Reference: awaiting, Amount: billing.Money{Amount: -1, Currency: "USD"}})
	wantPermanent(t, "Refund(negative)", err)
}

// A refund key already used for another charge's refund gets that refund
// back from PayPal; its link up to another capture gives it away.
func TestRefundKeyConflict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	one, two := e.paid("pay_1/1").Reference, e.paid("pay_2/1").Reference
	if _, err := e.g.Refund(ctx, refundRequest("shared", one, 500)); err != nil {
		t.Fatal(err)
	}
	_, err := e.g.Refund(ctx, refundRequest("shared", two, 500))
	wantPermanent(t, "Refund(key of another charge's refund)", err, gateways.ErrIdempotencyConflict)
}

// refund_request.custom_id ("The API caller-provided external ID. Used to
// reconcile API caller-initiated transactions with PayPal transactions",
// payments_payment_v2) carries the refund's key as sent, the
// PayPal-Request-Id: a refund ID as it is, a key over 108 bytes hashed.
func TestRefundSendsCustomID(t *testing.T) {
	type sent struct {
		requestID string
		body      map[string]any
	}
	var mu sync.Mutex
	var refunds []sent
	e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/refund") {
				b, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(b))
				s := sent{requestID: r.Header.Get("PayPal-Request-Id")}
				if err := json.Unmarshal(b, &s.body); err != nil {
					t.Errorf("refund request body %q: %v", b, err)
				}
				mu.Lock()
				refunds = append(refunds, s)
				mu.Unlock()
			}
			return next.RoundTrip(r)
		})
	}))
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference
	key, long := uuid.NewString(), strings.Repeat("k", 109)
	for _, req := range []gateways.RefundRequest{refundRequest(key, ref, 500), refundRequest(long, ref, 0)} {
		if _, err := e.g.Refund(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(refunds) != 2 {
		t.Fatalf("captures.refund requests = %+v, want 2", refunds)
	}
	want := []map[string]any{
		{"amount": map[string]any{"currency_code": "USD", "value": "5.00"}, "custom_id": key},
		{"custom_id": refunds[1].requestID},
	}
	for i, s := range refunds {
		if !reflect.DeepEqual(s.body, want[i]) {
			t.Errorf("refund %d body = %v, want %v", i, s.body, want[i])
		}
	}
	if refunds[0].requestID != key || !strings.HasPrefix(refunds[1].requestID, "sha256-") {
		t.Errorf("PayPal-Request-Ids = %q, %q, want %q and sha256-…", refunds[0].requestID, refunds[1].requestID, key)
	}
}
