package paypal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
)

func dollars(cents int64) billing.Money { return billing.Money{Amount: cents, Currency: "USD"} }

// ListRefunds reads orders.get (checkout_orders_v2, GET
// /v2/checkout/orders/{id}): purchase_units[0].payments.refunds
// (payment_collection.refunds, "An array of refunds for a purchase unit",
// items the refund schema). billgate's refunds carry their key as
// custom_id (payments_payment_v2 refund_request.custom_id); a refund made in
// PayPal's dashboard has none. A PENDING refund lists as pending, and as
// succeeded once it completes.
func TestListRefunds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference // USD 19.99
	if got, err := e.g.ListRefunds(ctx, ref); err != nil || len(got) != 0 {
		t.Errorf("ListRefunds before any refund = %+v, %v, want none", got, err)
	}
	firstKey, lastKey := uuid.NewString(), uuid.NewString()
	first, err := e.g.Refund(ctx, refundRequest(firstKey, ref, 500))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	dashboard, err := e.srv.RefundInDashboard(e.srv.CaptureID(ref), "3.00")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.srv.RefundOutcome("PENDING")
	last, err := e.g.Refund(ctx, refundRequest(lastKey, ref, 0))
	if err != nil || last.Status != gateways.RefundPending {
		t.Fatalf("Refund = %+v, %v, want pending", last, err)
	}

	want := []gateways.ListedRefund{
		{RefundResult: first, Amount: dollars(500), IdempotencyKey: firstKey},
		{RefundResult: gateways.RefundResult{Reference: dashboard, Status: gateways.RefundSucceeded}, Amount: dollars(300)},
		{RefundResult: last, Amount: dollars(1199), IdempotencyKey: lastKey},
	}
	if got, err := e.g.ListRefunds(ctx, ref); err != nil || !slices.Equal(got, want) {
		t.Errorf("ListRefunds = %+v, %v, want %+v", got, err, want)
	}
	if err := e.srv.SettleRefund(last.Reference, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	want[2].Status = gateways.RefundSucceeded
	if got, err := e.g.ListRefunds(ctx, ref); err != nil || !slices.Equal(got, want) {
		t.Errorf("ListRefunds once the pending refund completed = %+v, %v, want %+v", got, err, want)
	}
}

// A key PayPal-Request-Id cannot carry (over 108 bytes) is sent hashed,
// as PayPal-Request-Id and custom_id alike, and is listed hashed.
func TestListRefundsHashedKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference
	key := strings.Repeat("k", 109)
	if _, err := e.g.Refund(ctx, refundRequest(key, ref, 0)); err != nil {
		t.Fatal(err)
	}
	got, err := e.g.ListRefunds(ctx, ref)
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0].IdempotencyKey, "sha256-") {
		t.Errorf("ListRefunds = %+v, %v, want one refund keyed sha256-…", got, err)
	}
}

// checkout_orders_v2 does not say in which order payment_collection.refunds
// lists a unit's refunds, and paypaltest lists them oldest first, so here
// its answers reach the adapter with the refunds reversed. ListRefunds
// sorts them by create_time (activity_timestamps) and keeps PayPal's order
// between refunds made at the same time.
func TestListRefundsOldestFirst(t *testing.T) {
	e := newEnv(t, withTransport(func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err != nil || r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v2/checkout/orders/") || resp.StatusCode != http.StatusOK {
				return resp, err
			}
			return reverseRefunds(resp)
		})
	}))
	ctx := context.Background()
	ref := e.paid("pay_1/1").Reference
	oldest, err := e.g.Refund(ctx, refundRequest(uuid.NewString(), ref, 100))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	second, err := e.srv.RefundInDashboard(e.srv.CaptureID(ref), "1.00")
	if err != nil {
		t.Fatal(err)
	}
	third, err := e.g.Refund(ctx, refundRequest(uuid.NewString(), ref, 100)) // the same second
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.g.ListRefunds(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range got {
		refs = append(refs, r.Reference)
	}
	// PayPal (reversed) lists third, second, oldest.
	if want := []string{oldest.Reference, third.Reference, second}; !slices.Equal(refs, want) {
		t.Errorf("ListRefunds = %v, want %v", refs, want)
	}
}

// reverseRefunds reverses an order's purchase_units[0].payments.refunds.
func reverseRefunds(resp *http.Response) (*http.Response, error) {
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var whole map[string]any
	if err := json.Unmarshal(raw, &whole); err != nil {
		return nil, err
	}
	if units, _ := whole["purchase_units"].([]any); len(units) > 0 {
		payments, _ := units[0].(map[string]any)["payments"].(map[string]any)
		if refunds, ok := payments["refunds"].([]any); ok {
			slices.Reverse(refunds)
		}
	}
	b, err := json.Marshal(whole)
	if err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// An unknown order (orders.get 404, RESOURCE_NOT_FOUND with
// INVALID_RESOURCE_ID) is ErrUnknownCharge, and so is a reference that is
// not a PayPal order ID (never sent); an order not captured has no
// refunds; 5xx is transient.
func TestListRefundsFailures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.g.ListRefunds(ctx, "5O190127TN364715T")
	wantPermanent(t, "ListRefunds(unknown)", err, gateways.ErrUnknownCharge)
	for _, ref := range []string{"", "../payments/refunds/X", "5o190127tn364715t"} {
		_, err := e.g.ListRefunds(ctx, ref)
		wantPermanent(t, "ListRefunds("+ref+")", err, gateways.ErrUnknownCharge)
	}
	if n := e.srv.Calls("orders.get"); n != 1 {
		t.Errorf("orders.get called %d times, want once (for the well-formed ID)", n)
	}
	awaiting := e.charge("awaiting/1", paypal.TokenApproval).Reference
	if got, err := e.g.ListRefunds(ctx, awaiting); err != nil || len(got) != 0 {
		t.Errorf("ListRefunds(awaiting approval) = %+v, %v, want none", got, err)
	}
	e.srv.FailNext(http.StatusInternalServerError, 1)
	if _, err := e.g.ListRefunds(ctx, awaiting); !gateways.IsTransient(err) {
		t.Errorf("ListRefunds answered 500 = %v, want a transient error", err)
	}
}
