package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// A business's PayPal account, end to end over HTTP against paypaltest: a
// purchase approved by the payer, captured once whether the return or the
// webhooks come first, refunded in two parts; a renewal of a saved wallet
// declined, then recovered; an approval never given left to expire and its
// order voided; webhooks verified under PayPal's certificate, a forged one
// refused.
func TestPayPalAccountEndToEnd(t *testing.T) {
	t.Parallel()
	srv := paypaltest.New(paypaltest.Options{})
	t.Cleanup(srv.Close)
	conn := paypal.Connector{BaseURL: srv.URL(), HTTPClient: srv.Client(), CertHosts: []string{srv.CertHost()}, CertRoots: srv.CertPool()}
	creds := srv.Credentials("0PENDINGREGISTRATION")
	s := newConnectedShop(t, connected.Connectors{paypal.Kind: conn}, "paypal",
		fmt.Sprintf(`{"clientId":%q,"clientSecret":%q,"webhookId":%q}`, creds["clientId"], creds["clientSecret"], creds["webhookId"]))
	// The business registers billgate's webhook URL at PayPal, then gives
	// billgate the webhook's ID.
	webhookID := srv.RegisterWebhook(s.env.URL + "/webhooks/paypal/" + s.account)
	if r := call(t, s.env, "PATCH", "/v1/gateway-accounts/"+s.account, fmt.Sprintf(`{"credentials":{"webhookId":%q}}`, webhookID), s.owner...); r.Status != 200 {
		t.Fatalf("set the webhook ID = %d %+v", r.Status, r.Errors)
	}

	// A purchase the payer approves at PayPal: billgate captures it when
	// the payer comes back, once, and the webhooks change nothing more.
	buy := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"paypal","token":"approval"}}`, s.pdf), s.bob...)
	if buy.Status != 201 {
		t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
	}
	payment := "/v1/payments/" + buy.Result["id"].(string)
	order := s.pendingReference(t, payment)
	back, err := srv.Approve(order, paypaltest.BuyerPays)
	if err != nil || !strings.HasPrefix(back, s.env.URL+"/gateways/paypal/"+s.account+"/return?") {
		t.Fatalf("approve = %q, %v; want the payer sent back to billgate", back, err)
	}
	resp, err := http.Get(back)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the payer's return = %d", resp.StatusCode)
	}
	paid := s.waitStatus(t, payment, "paid")
	if paid.Result["gateway"] != s.route("paypal") {
		t.Errorf("payment = %v", paid.Result)
	}
	if err := srv.Deliver(context.Background()); err != nil {
		t.Fatalf("deliver the webhooks: %v", err)
	}
	for _, e := range srv.Events() {
		if !e.Delivered {
			t.Errorf("webhook %s %s not taken", e.ID, e.Type)
		}
	}
	// A webhook replayed, as PayPal retries: taken, and nothing captured
	// again.
	approved := srv.Events()[0]
	again := srv.Signer().Sign(webhookID, approved.Body, time.Now())
	replay := []string{}
	for k := range again {
		replay = append(replay, k, again.Get(k))
	}
	if status := s.postWebhook(t, "paypal", approved.Body, "application/json", replay...); status != 200 {
		t.Errorf("%s replayed = %d, want 200", approved.Type, status)
	}
	if n := srv.Calls("orders.capture"); n != 1 {
		t.Errorf("orders.capture called %d times, want once", n)
	}
	s.refundInParts(t, payment)

	// A forged delivery: signed under a certificate of no PayPal authority.
	forged := srv.IssueSigner(paypaltest.IssueOptions{Untrusted: true})
	body := srv.Events()[0].Body
	header := forged.Sign(webhookID, body, time.Now())
	pairs := []string{}
	for k := range header {
		pairs = append(pairs, k, header.Get(k))
	}
	if status := s.postWebhook(t, "paypal", body, "application/json", pairs...); status != 400 {
		t.Errorf("a delivery under an untrusted certificate = %d, want 400", status)
	}
	stale := srv.Signer().Sign(webhookID, body, time.Now().Add(-time.Hour))
	pairs = pairs[:0]
	for k := range stale {
		pairs = append(pairs, k, stale.Get(k))
	}
	if status := s.postWebhook(t, "paypal", body, "application/json", pairs...); status != 400 {
		t.Errorf("a delivery signed an hour ago = %d, want 400", status)
	}

	// A saved wallet, charged with no approval, on a test clock: its
	// renewal declined, then recovered by another wallet.
	good := s.saveToken(t, "paypal", srv.SaveWallet(paypaltest.BuyerPays))
	bad := s.saveToken(t, "paypal", srv.SaveWallet(paypaltest.BuyerDeclines))
	if good.Status != 201 || bad.Status != 201 || !strings.HasPrefix(good.Result["token"].(string), "vault:") {
		t.Fatalf("save wallets = %d %v, %d %v", good.Status, good.Result, bad.Status, bad.Errors)
	}
	clock := s.renewalDeclinedThenRecovered(t, s.monthly, good.Result["id"].(string), bad.Result["id"].(string), nil)

	// An approval never given: the purchase expires with the clock, and
	// its order is voided, so a late approval is never captured.
	late := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"paypal","token":"approval"}}`,
		s.pdf, s.bobID, clock), s.owner...)
	if late.Status != 201 {
		t.Fatalf("purchase on the clock = %d %+v", late.Status, late.Errors)
	}
	latePath := "/v1/payments/" + late.Result["id"].(string)
	lateOrder := s.pendingReference(t, latePath)
	s.advance(t, clock, clockStart.AddDate(0, 2, 0))
	expired := s.waitStatus(t, latePath, "expired")
	attempts := expired.Result["attempts"].([]any)
	if last := attempts[len(attempts)-1].(map[string]any); last["status"] != "voided" {
		t.Errorf("the expired purchase's attempts = %v, want its order voided", attempts)
	}
	captures := srv.Calls("orders.capture")
	if _, err := srv.Approve(lateOrder, paypaltest.BuyerPays); err == nil {
		_ = srv.Deliver(context.Background())
	}
	if n := srv.Calls("orders.capture"); n != captures {
		t.Errorf("a voided order was captured after a late approval (%d captures, want %d)", n, captures)
	}

	// A refund made in PayPal's dashboard is recorded by the reconciliation.
	bought := s.buy(t, good.Result["id"].(string))
	s.waitStatus(t, bought, "paid")
	s.refundedAtGateway(t, bought, func(order string) {
		if _, err := srv.RefundInDashboard(srv.CaptureID(order), "4.00"); err != nil {
			t.Fatal(err)
		}
		if err := srv.Deliver(context.Background()); err != nil {
			t.Fatalf("deliver the webhooks: %v", err)
		}
	})

	// A subscription begun with an approval renews from the wallet the
	// payer saved with it, without the payer.
	s.renewsWithSavedMethod(t, s.monthly, "paypal", "approval", "vault:", func(order, _ string) {
		back, err := srv.Approve(order, paypaltest.BuyerPays)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(back)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	})
}

// pendingReference waits for a payment's pending charge and returns its
// reference at the gateway.
func (s *connectedShop) pendingReference(t *testing.T, payment string) string {
	t.Helper()
	var ref string
	waitFor(t, payment+" to have a pending charge", func() bool {
		p := call(t, s.env, "GET", payment, "", s.bob...)
		attempts, _ := p.Result["attempts"].([]any)
		if p.Result["approvalUrl"] == nil || len(attempts) == 0 {
			return false
		}
		ref, _ = attempts[len(attempts)-1].(map[string]any)["reference"].(string)
		return ref != ""
	})
	return ref
}

// A worker process killed after PayPal created the order and before the
// payment was recorded as paid loses nothing (crashBetweenChargeAndProjection):
// the payer approves at PayPal and comes back to billgate while no worker
// runs; the new worker captures the order once. The processes trust
// paypaltest's TLS certificate through SSL_CERT_FILE, as a process trusts a
// private authority.
func TestPayPalWorkerKilledBetweenChargeAndProjection(t *testing.T) {
	t.Parallel()
	srv := paypaltest.New(paypaltest.Options{})
	t.Cleanup(srv.Close)
	roots := filepath.Join(t.TempDir(), "paypaltest.pem")
	if err := os.WriteFile(roots, srv.TLSRootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := srv.Credentials("WH0CRASH")
	crashBetweenChargeAndProjection(t, crashCase{
		env: []string{"BILLGATE_PAYPAL_API_URL=" + srv.URL(), "SSL_CERT_FILE=" + roots},
		connect: fmt.Sprintf(`{"gateway":"paypal","mode":"test","credentials":{"clientId":%q,"clientSecret":%q,"webhookId":%q}}`,
			creds["clientId"], creds["clientSecret"], creds["webhookId"]),
		method: func(*cluster, string, []string) string {
			return `"paymentMethod":{"gateway":"paypal","token":"approval"}`
		},
		settle: func(k *cluster, account, order, _ string) {
			back, err := srv.Approve(order, paypaltest.BuyerPays)
			if err != nil || !strings.HasPrefix(back, k.base+"/gateways/paypal/"+account+"/return?") {
				t.Fatalf("approve = %q, %v; want the payer sent back to billgate", back, err)
			}
			resp, err := k.http.Get(back)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("the payer's return with no worker running = %d, want 200", resp.StatusCode)
			}
		},
		charges: func() int { return srv.Calls("orders.capture") },
	})
}
