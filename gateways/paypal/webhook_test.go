package paypal_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// listener is billgate's webhook route for the tests: it reads each
// delivery with ReadWebhook, answers 200 or 400, and keeps the events.
type listener struct {
	mu     sync.Mutex
	events []gateways.Event
	errs   []error
	failN  int // answer the next failN deliveries 500
}

func (l *listener) serve(g *paypal.Gateway) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.failN > 0 {
			l.failN--
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		e, err := g.ReadWebhook(r.Context(), r.Header, body)
		if err != nil {
			l.errs = append(l.errs, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		l.events = append(l.events, e)
	}
}

// newListener registers a listener as the server's webhook and connects
// the env's account with the webhook ID PayPal gave it.
func newListener(t *testing.T, e *env) *listener {
	t.Helper()
	l := &listener{}
	var g *paypal.Gateway
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { l.serve(g)(w, r) }))
	t.Cleanup(ts.Close)
	e.webhookID = e.srv.RegisterWebhook(ts.URL)
	e.acct.Credentials = e.srv.Credentials(e.webhookID)
	g = e.connect()
	e.g = g
	return l
}

// Events delivered over HTTP as PayPal sends them, each read as
// notifications_webhooks_v1 event: CHECKOUT.ORDER.APPROVED (resource:
// order), PAYMENT.CAPTURE.* (resource: payments_payment_v2 capture-2, with
// supplementary_data.related_ids.order_id), PAYMENT.CAPTURE.REFUNDED
// (resource: refund, linked up to its capture, read with captures.get) and
// CUSTOMER.DISPUTE.CREATED (resource: customer_disputes_v1 dispute, whose
// disputed_transactions[].seller_transaction_id is the capture).
func TestReadWebhookEvents(t *testing.T) {
	e := newEnv(t)
	l := newListener(t, e)
	ctx := context.Background()

	first := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(first, paypaltest.BuyerPays)
	e.lookup(first)
	if _, err := e.g.Refund(ctx, refundRequest("pay_1/1/refund", first, 500)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.OpenDispute(first); err != nil {
		t.Fatal(err)
	}
	renewal := e.charge("renew/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPending))).Reference
	if err := e.srv.SettleCapture(e.srv.CaptureID(renewal), false); err != nil {
		t.Fatal(err)
	}

	l.mu.Lock()
	l.failN = 1 // the first delivery fails, and is delivered again
	l.mu.Unlock()
	if err := e.srv.Deliver(ctx); err == nil {
		t.Fatal("Deliver() to a listener answering 500 = nil, want an error")
	}
	if err := e.srv.Deliver(ctx); err != nil {
		t.Fatalf("Deliver() = %v (listener errors: %v)", err, l.errs)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	sent := e.srv.Events()
	want := []gateways.Event{
		{Type: gateways.EventChargeApproved, Reference: first, IdempotencyKey: "pay_1/1"},
		{Type: gateways.EventOther}, // VAULT.PAYMENT-TOKEN.CREATED
		{Type: gateways.EventChargeSucceeded, Reference: first, IdempotencyKey: "pay_1/1"},
		{Type: gateways.EventChargeRefunded, Reference: first, IdempotencyKey: "pay_1/1", Amount: billing.Money{Amount: 500, Currency: "USD"}},
		{Type: gateways.EventChargeDisputed, Reference: first, IdempotencyKey: "pay_1/1", Amount: usd},
		{Type: gateways.EventOther}, // PAYMENT.CAPTURE.PENDING
		{Type: gateways.EventChargeFailed, Reference: renewal, IdempotencyKey: "renew/1", DeclineCode: gateways.CodeCardDeclined},
	}
	if len(l.events) != len(want) || len(sent) != len(want) {
		t.Fatalf("the listener read %d events of %d sent (%v), want %d", len(l.events), len(sent), l.errs, len(want))
	}
	for i := range want {
		want[i].ID = sent[i].ID
		if l.events[i] != want[i] {
			t.Errorf("event %d (%s) = %+v, want %+v", i, sent[i].Type, l.events[i], want[i])
		}
	}
}

// Local verification of a delivery (notifications_webhooks_v1
// verify_webhook_signature names the headers; PayPal's webhook
// documentation the signed string): every way it can fail is
// ErrBadSignature.
func TestReadWebhookVerification(t *testing.T) {
	e := newEnv(t)
	ref := e.charge("pay_1/1", paypal.TokenApproval).Reference
	e.approve(ref, paypaltest.BuyerPays)
	body := e.srv.Events()[0].Body
	now := e.clock.Now()
	signer := e.srv.Signer()
	sign := func(sg *paypaltest.Signer, webhookID string, at time.Time) func() (http.Header, []byte) {
		return func() (http.Header, []byte) { return sg.Sign(webhookID, body, at), body }
	}
	valid := sign(signer, e.webhookID, now)
	edit := func(f func(h http.Header, body []byte) []byte) func() (http.Header, []byte) {
		return func() (http.Header, []byte) {
			h, b := valid()
			b = f(h, append([]byte(nil), b...))
			return h, b
		}
	}
	without := func(name string) func() (http.Header, []byte) {
		return edit(func(h http.Header, b []byte) []byte { h.Del(name); return b })
	}
	tests := []struct {
		name    string
		request func() (http.Header, []byte)
		ok      bool
	}{
		{"valid", valid, true},
		{"sent 4 minutes ago", sign(signer, e.webhookID, now.Add(-4*time.Minute)), true},
		{"algorithm in other case", edit(func(h http.Header, b []byte) []byte { h.Set(paypal.HeaderAuthAlgo, "sha256withrsa"); return b }), true},
		{"forged signature", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderTransmissionSig, signer.Sign(e.webhookID, []byte(`{"id":"WH-forged"}`), now).Get(paypal.HeaderTransmissionSig))
			return b
		}), false},
		{"body altered", edit(func(_ http.Header, b []byte) []byte {
			return []byte(strings.Replace(string(b), ref, "0000000000000000X", 1))
		}), false},
		{"body with a trailing newline", edit(func(_ http.Header, b []byte) []byte { return append(b, '\n') }), false},
		{"signed for another webhook ID", sign(signer, "OTHERWEBHOOK0001", now), false},
		{"transmission ID changed", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderTransmissionID, "d938e770-8046-11e6-8103-6b62a8a99ac4")
			return b
		}), false},
		{"cert URL on a foreign host", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderCertURL, strings.Replace(h.Get(paypal.HeaderCertURL), "127.0.0.1", "localhost", 1))
			return b
		}), false},
		{"http cert URL", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderCertURL, strings.Replace(h.Get(paypal.HeaderCertURL), "https://", "http://", 1))
			return b
		}), false},
		{"cert URL that serves no certificate", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderCertURL, e.srv.URL()+"/v1/notifications/certs/CERT-00000000-00000000-00000000")
			return b
		}), false},
		{"certificate of an untrusted chain", sign(e.srv.IssueSigner(paypaltest.IssueOptions{Untrusted: true}), e.webhookID, now), false},
		{"expired certificate", sign(e.srv.IssueSigner(paypaltest.IssueOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}), e.webhookID, now), false},
		{"certificate not yet valid", sign(e.srv.IssueSigner(paypaltest.IssueOptions{NotBefore: now.Add(time.Hour)}), e.webhookID, now), false},
		{"sent 6 minutes ago", sign(signer, e.webhookID, now.Add(-6*time.Minute)), false},
		{"sent 6 minutes ahead", sign(signer, e.webhookID, now.Add(6*time.Minute)), false},
		{"transmission time not RFC 3339", edit(func(h http.Header, b []byte) []byte {
			h.Set(paypal.HeaderTransmissionTime, now.Format(time.RFC1123))
			return b
		}), false},
		{"other algorithm", edit(func(h http.Header, b []byte) []byte { h.Set(paypal.HeaderAuthAlgo, "SHA1withRSA"); return b }), false},
		{"signature not base64", edit(func(h http.Header, b []byte) []byte { h.Set(paypal.HeaderTransmissionSig, "not base64!"); return b }), false},
		{"no transmission ID", without(paypal.HeaderTransmissionID), false},
		{"no transmission time", without(paypal.HeaderTransmissionTime), false},
		{"no signature", without(paypal.HeaderTransmissionSig), false},
		{"no cert URL", without(paypal.HeaderCertURL), false},
		{"no algorithm", without(paypal.HeaderAuthAlgo), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, b := tt.request()
			ev, err := e.g.ReadWebhook(context.Background(), h, b)
			if tt.ok {
				if err != nil || ev.Type != gateways.EventChargeApproved || ev.Reference != ref {
					t.Errorf("ReadWebhook = %+v, %v, want the approval of %s", ev, err, ref)
				}
				return
			}
			wantPermanent(t, "ReadWebhook", err, gateways.ErrBadSignature)
		})
	}
	// The certificate was downloaded once per URL: the server's own, the
	// unknown one (refused, not kept) and the three issued above.
	if n := e.srv.Calls("certs.get"); n != 5 {
		t.Errorf("certs.get called %d times, want 5", n)
	}
}

// A certificate that cannot be downloaded is no answer about the
// signature: transient, so PayPal delivers again.
func TestReadWebhookCertUnreachable(t *testing.T) {
	e := newEnv(t, func(c *paypal.Connector, _ *gateways.Account) { c.CertHosts = []string{"127.0.0.1"} })
	body := []byte(`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.PENDING","resource":{}}`)
	h := e.srv.Signer().Sign(e.webhookID, body, e.clock.Now())
	h.Set(paypal.HeaderCertURL, "https://127.0.0.1:1/v1/notifications/certs/CERT-1")
	_, err := e.g.ReadWebhook(context.Background(), h, body)
	if !gateways.IsTransient(err) || errors.Is(err, gateways.ErrBadSignature) {
		t.Errorf("ReadWebhook with the certificate unreachable = %v, want a transient error", err)
	}
}

// With no CertHosts, a live account takes certificates from PayPal's live
// hosts only, and a test account from the sandbox's.
func TestReadWebhookDefaultCertHosts(t *testing.T) {
	body := []byte(`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.PENDING","resource":{}}`)
	srv := paypaltest.New(paypaltest.Options{})
	defer srv.Close()
	for _, tt := range []struct {
		mode       gateways.Mode
		certURL    string
		downloaded bool
	}{
		{gateways.ModeLive, "https://api.paypal.com/v1/notifications/certs/CERT-1", true},
		{gateways.ModeLive, "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1", false},
		{gateways.ModeTest, "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1", true},
		{gateways.ModeTest, "https://api.paypal.com/v1/notifications/certs/CERT-1", false},
		{gateways.ModeTest, "https://api.sandbox.paypal.com.evil.example/v1/notifications/certs/CERT-1", false},
	} {
		var asked string
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			asked = r.URL.String()
			return nil, errors.New("offline")
		})}
		g, err := paypal.Connector{HTTPClient: client}.Connect(gateways.Account{Mode: tt.mode, Credentials: srv.Credentials("WEBHOOK1")})
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Signer().Sign("WEBHOOK1", body, time.Now())
		h.Set(paypal.HeaderCertURL, tt.certURL)
		_, err = g.ReadWebhook(context.Background(), h, body)
		if tt.downloaded && (asked != tt.certURL || !gateways.IsTransient(err)) {
			t.Errorf("%s account, %s: downloaded %q, %v; want it downloaded", tt.mode, tt.certURL, asked, err)
		}
		if !tt.downloaded && (asked != "" || !errors.Is(err, gateways.ErrBadSignature)) {
			t.Errorf("%s account, %s: downloaded %q, %v; want ErrBadSignature, nothing downloaded", tt.mode, tt.certURL, asked, err)
		}
	}
}

// Event bodies billgate reads or refuses once verified.
func TestReadWebhookEventBodies(t *testing.T) {
	e := newEnv(t)
	paid := e.paid("pay_1/1").Reference
	capture := e.srv.CaptureID(paid)
	tests := []struct {
		name string
		body string
		want gateways.Event
		err  bool
	}{
		{"capture declined", `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.DECLINED","resource":{"id":"C1","status":"DECLINED","invoice_id":"k/1","supplementary_data":{"related_ids":{"order_id":"ORDER1"}}}}`,
			gateways.Event{ID: "WH-1", Type: gateways.EventChargeFailed, Reference: "ORDER1", IdempotencyKey: "k/1", DeclineCode: gateways.CodeCardDeclined}, false},
		{"capture failed, order from the up link", `{"id":"WH-2","event_type":"PAYMENT.CAPTURE.DECLINED","resource":{"id":"C1","status":"FAILED","links":[{"rel":"up","href":"https://api-m.paypal.com/v2/checkout/orders/ORDER2","method":"GET"}]}}`,
			gateways.Event{ID: "WH-2", Type: gateways.EventChargeFailed, Reference: "ORDER2", DeclineCode: "capture_failed"}, false},
		{"capture reversed", `{"id":"WH-3","event_type":"PAYMENT.CAPTURE.REVERSED","resource":{"id":"R1","status":"COMPLETED","amount":{"currency_code":"USD","value":"19.99"},"links":[{"rel":"up","href":"` + e.srv.URL() + `/v2/payments/captures/` + capture + `"}]}}`,
			gateways.Event{ID: "WH-3", Type: gateways.EventChargeRefunded, Reference: paid, IdempotencyKey: "pay_1/1", Amount: usd}, false},
		{"an event billgate does not act on", `{"id":"WH-4","event_type":"BILLING.SUBSCRIPTION.CREATED","resource":{"id":"I-1"}}`,
			gateways.Event{ID: "WH-4", Type: gateways.EventOther}, false},
		{"not JSON", `not json`, gateways.Event{}, true},
		{"no id", `{"event_type":"CHECKOUT.ORDER.APPROVED","resource":{"id":"O1"}}`, gateways.Event{}, true},
		{"approval without an order", `{"id":"WH-5","event_type":"CHECKOUT.ORDER.APPROVED","resource":{}}`, gateways.Event{}, true},
		{"capture without an order", `{"id":"WH-6","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C1"}}`, gateways.Event{}, true},
		{"refund of an unknown capture", `{"id":"WH-7","event_type":"PAYMENT.CAPTURE.REFUNDED","resource":{"id":"R1","links":[{"rel":"up","href":"https://x/v2/payments/captures/NOSUCHCAPTURE"}]}}`, gateways.Event{}, true},
		{"dispute without a transaction", `{"id":"WH-8","event_type":"CUSTOMER.DISPUTE.CREATED","resource":{"dispute_id":"PP-D-1"}}`, gateways.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			got, err := e.g.ReadWebhook(context.Background(), e.srv.Signer().Sign(e.webhookID, body, e.clock.Now()), body)
			if tt.err {
				wantPermanent(t, "ReadWebhook", err)
				if errors.Is(err, gateways.ErrBadSignature) {
					t.Errorf("ReadWebhook = %v: a verified body is no bad signature", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ReadWebhook = %+v, %v, want %+v", got, err, tt.want)
			}
		})
	}
}

// The signed string of PayPal's documentation: transmission ID, time,
// webhook ID and the body's CRC-32 in unsigned decimal, joined by "|".
func TestSignedString(t *testing.T) {
	got := paypal.SignedString("d938e770-8046-11e6-8103-6b62a8a99ac4", "2016-09-21T22:00:46Z", "9XL90610J3647323C", []byte("hello"))
	// CRC-32 (IEEE) of "hello" is 0x3610a686.
	if want := "d938e770-8046-11e6-8103-6b62a8a99ac4|2016-09-21T22:00:46Z|9XL90610J3647323C|907060870"; got != want {
		t.Errorf("SignedString() = %q, want %q", got, want)
	}
}
