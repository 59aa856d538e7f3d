package paypaltest_test

import (
	"encoding/json"
	"net/http"
	"strings"
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

// refund_request's custom_id ("The API caller-provided external ID. Used to
// reconcile API caller-initiated transactions with PayPal transactions"),
// invoice_id and note_to_payer (payments_payment_v2): each 1 to 127
// characters (note_to_payer 255) of pattern ^.*$, else captures.refund-400
// INVALID_STRING_LENGTH or INVALID_PARAMETER_SYNTAX and nothing is
// refunded. The refund keeps them as given, and the refund schema returns
// them: captures.refund, refunds.get, and orders.get in
// purchase_units[].payments.refunds (checkout_orders_v2
// payment_collection.refunds).
func TestRefundNotes(t *testing.T) {
	c := newClient(t)
	orderID, captureID := c.captured("inv-1")
	refundPath := "/v2/payments/captures/" + captureID + "/refund"
	for _, tt := range []struct {
		name, body, issue, field string
	}{
		{"custom_id of 128 characters", `{"custom_id":"` + strings.Repeat("k", 128) + `"}`, "INVALID_REQUEST INVALID_STRING_LENGTH", "/custom_id"},
		{"empty custom_id", `{"custom_id":""}`, "INVALID_REQUEST INVALID_STRING_LENGTH", "/custom_id"},
		{"custom_id of two lines", `{"custom_id":"a\nb"}`, "INVALID_REQUEST INVALID_PARAMETER_SYNTAX", "/custom_id"},
		{"invoice_id of 128 characters", `{"invoice_id":"` + strings.Repeat("i", 128) + `"}`, "INVALID_REQUEST INVALID_STRING_LENGTH", "/invoice_id"},
		{"note_to_payer of 256 characters", `{"note_to_payer":"` + strings.Repeat("n", 256) + `"}`, "INVALID_REQUEST INVALID_STRING_LENGTH", "/note_to_payer"},
	} {
		status, body := c.call(http.MethodPost, refundPath, tt.body)
		if status != http.StatusBadRequest || issueOf(body) != tt.issue || body["details"].([]any)[0].(map[string]any)["field"] != tt.field {
			t.Errorf("%s = %d %v, want 400 %s at %s", tt.name, status, body, tt.issue, tt.field)
		}
	}
	if _, capture := c.call(http.MethodGet, "/v2/payments/captures/"+captureID, ""); capture["status"] != "COMPLETED" {
		t.Fatalf("capture after refused refunds = %v, want COMPLETED", capture["status"])
	}

	// "supports Unicode": 127 characters of two bytes each are 127.
	for _, key := range []string{strings.Repeat("é", 127), "5f0c8a3e-2b1d-4c6f-9a7e-0d3b2c1a4f5e"} {
		status, rf := c.call(http.MethodPost, refundPath, `{"amount":{"currency_code":"USD","value":"1.00"},"custom_id":"`+key+`","invoice_id":"inv-1-r","note_to_payer":"Sorry"}`)
		if status != http.StatusCreated || rf["custom_id"] != key || rf["invoice_id"] != "inv-1-r" || rf["note_to_payer"] != "Sorry" {
			t.Fatalf("refund with custom_id %q = %d %v, want 201 keeping the fields", key, status, rf)
		}
		if _, got := c.call(http.MethodGet, "/v2/payments/refunds/"+rf["id"].(string), ""); got["custom_id"] != key {
			t.Errorf("refunds.get custom_id = %v, want %q", got["custom_id"], key)
		}
		if got := orderRefunds(c, orderID); got[len(got)-1]["id"] != rf["id"] || got[len(got)-1]["custom_id"] != key {
			t.Errorf("orders.get refunds = %v, want the last %v with custom_id %q", got, rf["id"], key)
		}
	}
}

// orderRefunds is orders.get's purchase_units[0].payments.refunds.
func orderRefunds(c *client, orderID string) []map[string]any {
	c.t.Helper()
	status, o := c.call(http.MethodGet, "/v2/checkout/orders/"+orderID, "")
	if status != http.StatusOK {
		c.t.Fatalf("orders.get = %d %v", status, o)
	}
	payments, _ := o["purchase_units"].([]any)[0].(map[string]any)["payments"].(map[string]any)
	list, _ := payments["refunds"].([]any)
	out := make([]map[string]any, len(list))
	for i, r := range list {
		out[i] = r.(map[string]any)
	}
	return out
}

// A refund made in PayPal's dashboard, outside the API: it has no
// custom_id, is refused as captures.refund refuses (captures.refund-422
// REFUND_AMOUNT_EXCEEDED, CAPTURE_FULLY_REFUNDED), and is reported as an
// API refund is (PAYMENT.CAPTURE.REFUNDED, whose resource is the refund).
// orders.get lists every refund of the purchase unit
// (payment_collection.refunds, "An array of refunds for a purchase unit"),
// the API's and the dashboard's, oldest first.
func TestRefundInDashboard(t *testing.T) {
	clk := settableclock.At(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c := newClientOf(t, paypaltest.Options{Now: clk.Now})
	orderID, captureID := c.captured("inv-1") // USD 10.00
	if _, err := c.srv.RefundInDashboard(captureID, "10.01"); err == nil || !strings.Contains(err.Error(), "REFUND_AMOUNT_EXCEEDED") {
		t.Errorf("RefundInDashboard(10.01 of 10.00) = %v, want REFUND_AMOUNT_EXCEEDED", err)
	}
	if _, err := c.srv.RefundInDashboard("NOSUCHCAPTURE", ""); err == nil {
		t.Error("RefundInDashboard(unknown capture) = nil")
	}
	status, api := c.call(http.MethodPost, "/v2/payments/captures/"+captureID+"/refund", `{"amount":{"currency_code":"USD","value":"2.00"},"custom_id":"k-1"}`, "PayPal-Request-Id", "k-1")
	if status != http.StatusCreated {
		t.Fatalf("captures.refund = %d %v", status, api)
	}
	part, err := c.srv.RefundInDashboard(captureID, "3.00") // in the same second
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	rest, err := c.srv.RefundInDashboard(captureID, "")
	if err != nil {
		t.Fatal(err)
	}

	want := []struct{ id, value, customID any }{{api["id"], "2.00", "k-1"}, {part, "3.00", nil}, {rest, "5.00", nil}}
	got := orderRefunds(c, orderID)
	if len(got) != len(want) {
		t.Fatalf("orders.get refunds = %v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i]["id"] != w.id || got[i]["amount"].(map[string]any)["value"] != w.value || got[i]["custom_id"] != w.customID || got[i]["status"] != "COMPLETED" {
			t.Errorf("refunds[%d] = %v, want %v", i, got[i], w)
		}
	}
	var reported []any
	for _, e := range c.srv.Events() {
		var body struct {
			Resource map[string]any `json:"resource"`
		}
		if e.Type == "PAYMENT.CAPTURE.REFUNDED" && json.Unmarshal(e.Body, &body) == nil {
			reported = append(reported, body.Resource["id"])
		}
	}
	if len(reported) != 3 || reported[1] != part || reported[2] != rest {
		t.Errorf("PAYMENT.CAPTURE.REFUNDED events of %v, want the API's refund and %s, %s", reported, part, rest)
	}
	if _, err := c.srv.RefundInDashboard(captureID, ""); err == nil || !strings.Contains(err.Error(), "CAPTURE_FULLY_REFUNDED") {
		t.Errorf("RefundInDashboard of a refunded capture = %v, want CAPTURE_FULLY_REFUNDED", err)
	}
}
