package paypaltest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/paypal/paypaltest"
	"github.com/billgate/billgate/internal/settableclock"
)

// captured is an order for invoice paid by BuyerPays and captured: its
// order ID and capture ID.
func (c *client) captured(invoice string) (orderID, captureID string) {
	c.t.Helper()
	_, o := c.call(http.MethodPost, "/v2/checkout/orders", `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"10.00"},"invoice_id":"`+invoice+`"}]}`)
	orderID = o["id"].(string)
	if _, err := c.srv.Approve(orderID, paypaltest.BuyerPays); err != nil {
		c.t.Fatal(err)
	}
	if status, body := c.call(http.MethodPost, "/v2/checkout/orders/"+orderID+"/capture", "{}"); status != http.StatusCreated {
		c.t.Fatalf("capture = %d %v", status, body)
	}
	return orderID, c.srv.CaptureID(orderID)
}

// refunds.get (GET /v2/payments/refunds/{refund_id}): the refund schema,
// status and status_details (refund_status; refund_status_details.reason
// ECHECK for PENDING and FAILED), or 404 INVALID_RESOURCE_ID (the 404
// schema). A PENDING refund settles; one that fails gives its amount back
// to the capture.
func TestRefundsGet(t *testing.T) {
	c := newClient(t)
	_, captureID := c.captured("inv-1")
	if status, body := c.call(http.MethodGet, "/v2/payments/refunds/1JU08902781691411", ""); status != http.StatusNotFound || issueOf(body) != "RESOURCE_NOT_FOUND INVALID_RESOURCE_ID" {
		t.Errorf("unknown refund = %d %v, want 404 INVALID_RESOURCE_ID", status, body)
	}
	c.srv.RefundOutcome("PENDING")
	status, rf := c.call(http.MethodPost, "/v2/payments/captures/"+captureID+"/refund", `{"amount":{"currency_code":"USD","value":"4.00"}}`, "PayPal-Request-Id", "r-1")
	if status != http.StatusCreated || rf["status"] != "PENDING" {
		t.Fatalf("refund = %d %v, want 201 PENDING", status, rf)
	}
	id := rf["id"].(string)
	get := func() map[string]any {
		t.Helper()
		status, body := c.call(http.MethodGet, "/v2/payments/refunds/"+id, "")
		if status != http.StatusOK || body["id"] != id || body["amount"].(map[string]any)["value"] != "4.00" {
			t.Fatalf("refunds.get = %d %v", status, body)
		}
		return body
	}
	reason := func(body map[string]any) any {
		d, _ := body["status_details"].(map[string]any)
		return d["reason"]
	}
	captureStatus := func() any {
		_, body := c.call(http.MethodGet, "/v2/payments/captures/"+captureID, "")
		return body["status"]
	}
	if body := get(); body["status"] != "PENDING" || reason(body) != "ECHECK" {
		t.Errorf("pending refund = %v, want PENDING, ECHECK", body)
	}
	if s := captureStatus(); s != "PARTIALLY_REFUNDED" {
		t.Errorf("capture with a pending refund = %v, want PARTIALLY_REFUNDED", s)
	}
	if err := c.srv.SettleRefund(id, "REFUNDED"); err == nil {
		t.Error("SettleRefund(REFUNDED) = nil, want an error: a refund ends COMPLETED, FAILED or CANCELLED")
	}
	if err := c.srv.SettleRefund(id, "FAILED"); err != nil {
		t.Fatal(err)
	}
	if body := get(); body["status"] != "FAILED" || reason(body) != "ECHECK" {
		t.Errorf("failed refund = %v, want FAILED, ECHECK", body)
	}
	if s := captureStatus(); s != "COMPLETED" {
		t.Errorf("capture after its only refund failed = %v, want COMPLETED", s)
	}
	if err := c.srv.SettleRefund(id, "COMPLETED"); err == nil {
		t.Error("SettleRefund of a refund no longer pending = nil")
	}
	// The whole capture is refundable again.
	c.srv.RefundOutcome("PENDING")
	_, rf = c.call(http.MethodPost, "/v2/payments/captures/"+captureID+"/refund", `{}`, "PayPal-Request-Id", "r-2")
	if rf["amount"].(map[string]any)["value"] != "10.00" {
		t.Fatalf("refund of the rest = %v, want 10.00", rf)
	}
	if err := c.srv.SettleRefund(rf["id"].(string), "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	if s := captureStatus(); s != "REFUNDED" {
		t.Errorf("capture after its refund completed = %v, want REFUNDED", s)
	}
	evs := c.srv.Events()
	if last := evs[len(evs)-1]; last.Type != "PAYMENT.CAPTURE.REFUNDED" {
		t.Errorf("last event = %s, want PAYMENT.CAPTURE.REFUNDED once the refund completed", last.Type)
	}
}

// PayPal-Request-Id retention: orders.create holds an ID for 6 hours
// (checkout_orders_v2 paypal_request_id; up to 72 by arrangement), then
// makes a new order under it; captures.refund holds one for 45 days
// (payments_payment_v2 paypal_request_id).
func TestRequestIDRetention(t *testing.T) {
	for _, tt := range []struct {
		retention time.Duration
		after     time.Duration
		same      bool
	}{
		{0, 6*time.Hour - time.Second, true},
		{0, 6 * time.Hour, false},
		{72 * time.Hour, 7 * time.Hour, true},
	} {
		clk := settableclock.At(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		c := newClientOf(t, paypaltest.Options{Now: clk.Now, OrderRequestIDRetention: tt.retention})
		create := func() string {
			_, o := c.call(http.MethodPost, "/v2/checkout/orders", order, "PayPal-Request-Id", "k-1")
			return o["id"].(string)
		}
		first := create()
		clk.Advance(tt.after)
		if same := create() == first; same != tt.same {
			t.Errorf("retention %v: the same order %v after %v, want %v", tt.retention, same, tt.after, tt.same)
		}
	}

	clk := settableclock.At(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c := newClientOf(t, paypaltest.Options{Now: clk.Now})
	_, captureID := c.captured("inv-1")
	refund := func() string {
		_, rf := c.call(http.MethodPost, "/v2/payments/captures/"+captureID+"/refund", `{"amount":{"currency_code":"USD","value":"1.00"}}`, "PayPal-Request-Id", "r-1")
		return rf["id"].(string)
	}
	first := refund()
	clk.Advance(8 * time.Hour)
	if again := refund(); again != first {
		t.Errorf("refund retried after 8 h = %s, want refund %s", again, first)
	}
}

// DUPLICATE_INVOICE_ID (orders.capture-422, and the 422 of orders.create
// for an order paid at once): "your account setting requires that Invoice
// Id be unique for each transaction", PayPal's default ("Block accidental
// payments"), unless the account allows duplicates.
func TestDuplicateInvoiceID(t *testing.T) {
	for _, allow := range []bool{false, true} {
		c := newClientOf(t, paypaltest.Options{AllowDuplicateInvoiceIDs: allow})
		c.captured("inv-1")
		_, o := c.call(http.MethodPost, "/v2/checkout/orders", order) // inv-1 again
		id := o["id"].(string)
		if _, err := c.srv.Approve(id, paypaltest.BuyerPays); err != nil {
			t.Fatal(err)
		}
		status, body := c.call(http.MethodPost, "/v2/checkout/orders/"+id+"/capture", "{}")
		vault := `{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"USD","value":"10.00"},"invoice_id":"inv-1"}],` +
			`"payment_source":{"paypal":{"vault_id":"` + c.srv.SaveWallet(paypaltest.BuyerPays) + `"}}}`
		vaultStatus, vaultBody := c.call(http.MethodPost, "/v2/checkout/orders", vault, "PayPal-Request-Id", "renewal")
		if allow {
			if status != http.StatusCreated || vaultStatus != http.StatusCreated {
				t.Errorf("duplicates allowed: capture = %d %v, vault order = %d %v, want both 201", status, body, vaultStatus, vaultBody)
			}
			continue
		}
		if status != http.StatusUnprocessableEntity || issueOf(body) != "UNPROCESSABLE_ENTITY DUPLICATE_INVOICE_ID" {
			t.Errorf("capture of a captured invoice_id = %d %v, want 422 DUPLICATE_INVOICE_ID", status, body)
		}
		if s, _ := c.srv.OrderStatus(id); s != "APPROVED" {
			t.Errorf("the refused order is %s, want APPROVED", s)
		}
		if vaultStatus != http.StatusUnprocessableEntity || issueOf(vaultBody) != "UNPROCESSABLE_ENTITY DUPLICATE_INVOICE_ID" {
			t.Errorf("vault order for a captured invoice_id = %d %v, want 422 DUPLICATE_INVOICE_ID", vaultStatus, vaultBody)
		}
	}
}
