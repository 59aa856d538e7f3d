package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// connectedShop is a shop whose business connected an account at one
// gateway, served by that gateway's in-process test server.
type connectedShop struct {
	*shop
	account string // the gateway account's ID
}

// newConnectedShop starts billgate with connectors, and connects the
// shop's account at gateway with credentials.
func newConnectedShop(t *testing.T, connectors connected.Connectors, gateway, credentials string) *connectedShop {
	t.Helper()
	return connectAccount(t, newShopWith(t, testenv.Options{Connectors: connectors}), gateway, credentials)
}

// connectAccount connects the shop's account at gateway with credentials.
func connectAccount(t *testing.T, s *shop, gateway, credentials string) *connectedShop {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/gateway-accounts", fmt.Sprintf(`{"gateway":%q,"mode":"test","credentials":%s}`, gateway, credentials),
		append(s.owner, "Idempotency-Key", "connect-"+gateway)...)
	if r.Status != 201 {
		t.Fatalf("connect %s = %d %+v", gateway, r.Status, r.Errors)
	}
	return &connectedShop{shop: s, account: r.Result["id"].(string)}
}

// route is how payments name the account.
func (s *connectedShop) route(gateway string) string { return gateway + "/" + s.account }

// saveToken saves a payment method of bob's through the account.
func (s *connectedShop) saveToken(t *testing.T, gateway, token string) reply {
	t.Helper()
	return call(t, s.env, "POST", "/v1/customers/"+s.bobID+"/payment-methods", fmt.Sprintf(`{"gateway":%q,"token":%q}`, gateway, token), s.owner...)
}

// buy buys the guide with the saved method, as bob.
func (s *connectedShop) buy(t *testing.T, method string) string {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethodId":%q}`, s.pdf, method), s.bob...)
	if r.Status != 201 {
		t.Fatalf("purchase = %d %+v", r.Status, r.Errors)
	}
	return "/v1/payments/" + r.Result["id"].(string)
}

// refund refunds amount (all that is left when 0) of a payment, as the shop.
func (s *connectedShop) refund(t *testing.T, payment string, amount int) reply {
	t.Helper()
	body := fmt.Sprintf(`{"paymentId":%q,"reason":"requested_by_customer"}`, strings.TrimPrefix(payment, "/v1/payments/"))
	if amount > 0 {
		body = fmt.Sprintf(`{"paymentId":%q,"amount":%d}`, strings.TrimPrefix(payment, "/v1/payments/"), amount)
	}
	return call(t, s.env, "POST", "/v1/refunds", body, s.owner...)
}

// postWebhook posts a delivery to the account's webhook URL.
func (s *connectedShop) postWebhook(t *testing.T, gateway string, body []byte, contentType string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest("POST", s.env.URL+"/webhooks/"+gateway+"/"+s.account, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// renewalDeclinedThenRecovered subscribes bob on a new test clock to price,
// paying with the saved method good; its renewal is charged to the saved
// method bad (declined: past_due, before the first retry), then good again
// recovers it. arm, if set, runs before the renewal, for a gateway told to
// decline then. It returns the clock.
func (s *connectedShop) renewalDeclinedThenRecovered(t *testing.T, price, good, bad string, arm func()) string {
	t.Helper()
	clock := s.newClock(t)
	sub := s.subscribeOnClockPaying(t, clock, price, `"paymentMethodId":"`+good+`"`)
	if got := s.get(t, sub); got["status"] != "active" {
		t.Fatalf("subscription = %v, want active; payments %v", got, callList(t, s.env, "/v1/payments?subscriptionId="+got["id"].(string), s.owner...).results)
	}
	pay := func(method string) {
		if r := call(t, s.env, "POST", sub+"/payment-method", `{"paymentMethodId":"`+method+`"}`, s.bob...); r.Status != 200 {
			t.Fatalf("change the payment method = %d %+v", r.Status, r.Errors)
		}
	}
	pay(bad)
	if arm != nil {
		arm()
	}
	s.advance(t, clock, time.Date(2031, 2, 28, 10, 30, 0, 0, time.UTC)) // an hour after the renewal, before its first retry
	if got := s.get(t, sub); got["status"] != "past_due" {
		t.Errorf("after the renewal = %v, want past_due", got)
	}
	pay(good)
	s.waitStatus(t, sub, "active")
	return clock
}

// refundsAndEntitlements checks a purchase of 1500 refunded in two parts:
// 500, then the 1000 left; a third is refused, and the purchase is no
// longer bob's.
func (s *connectedShop) refundInParts(t *testing.T, payment string) {
	t.Helper()
	first := s.refund(t, payment, 500)
	if first.Status != 201 || first.Result["status"] != "succeeded" || first.Result["amount"] != float64(500) {
		t.Fatalf("refund 500 = %d %+v %v", first.Status, first.Errors, first.Result)
	}
	call(t, s.env, "POST", "/v1/refunds", fmt.Sprintf(`{"paymentId":%q,"amount":1001}`, strings.TrimPrefix(payment, "/v1/payments/")), s.owner...).
		is(t, "a refund above what is left", 400, "INVALID", "at most USD 10.00 is left to refund: amounts are in minor units, 1000 here")
	rest := s.refund(t, payment, 0)
	if rest.Status != 201 || rest.Result["status"] != "succeeded" || rest.Result["amount"] != float64(1000) {
		t.Fatalf("refund the rest = %d %+v %v", rest.Status, rest.Errors, rest.Result)
	}
	s.refund(t, payment, 0).is(t, "a refund of a payment refunded in full", 400, "INVALID", "the payment is refunded in full already")
	pay := call(t, s.env, "GET", payment, "", s.bob...)
	if pay.Result["amountRefunded"] != float64(1500) {
		t.Errorf("payment = %v, want 1500 refunded", pay.Result)
	}
	inv := call(t, s.env, "GET", "/v1/invoices/"+pay.Result["invoiceId"].(string), "", s.bob...)
	if inv.Result["amountCredited"] != float64(1500) {
		t.Errorf("invoice = %v, want 1500 credited", inv.Result)
	}
	if l := callList(t, s.env, "/v1/refunds?paymentId="+pay.Result["id"].(string), s.bob...); len(l.results) != 2 {
		t.Errorf("bob's refunds of the payment = %v, want both", l.results)
	}
	if l := callList(t, s.env, "/v1/entitlements", s.bob...); len(l.results) != 0 {
		t.Errorf("entitlements after a full refund = %v, want none", l.results)
	}
	if l := callList(t, s.env, "/v1/refunds", s.other...); len(l.results) != 0 {
		t.Errorf("another business sees %d refunds", len(l.results))
	}
}

// crashCase is a gateway whose charge waits for its payer in
// crashBetweenChargeAndProjection.
type crashCase struct {
	env     []string // where billgate's processes reach the gateway
	connect string   // the gateway account's body
	// method is a purchase's payment method member for customer.
	method func(k *cluster, customer string, auth []string) string
	// settle has the payer approve the pending charge, and the gateway
	// report it to billgate, while no worker runs.
	settle func(k *cluster, account, reference, approvalURL string)
	// charges counts the charges at the gateway.
	charges func() int
}

// crashBetweenChargeAndProjection: a worker process killed after the
// gateway took a charge and before the payment was recorded as paid loses
// nothing. The charge awaits its payer when the worker dies; the payer
// approves and the gateway reports it to the API while no worker runs,
// and Temporal keeps the signal; a new worker confirms the charge with the
// gateway, the payment is paid, and the gateway holds one charge.
func crashBetweenChargeAndProjection(t *testing.T, c crashCase) {
	k := newCluster(t)
	k.env = append(k.env, c.env...)
	k.api()
	first := k.worker("subscriptions,payments,events")
	waitStatus(t, k.http, k.base+"/readyz", http.StatusOK)

	auth := k.login("shop")
	account := k.do("POST", "/v1/gateway-accounts", c.connect, auth...)["id"].(string)
	customer := k.do("POST", "/v1/clients", newAccount("buyer", ""), auth...)["id"].(string)
	purchase := k.do("POST", "/v1/purchases", `{"priceId":"`+k.shop.price+`","customerId":"`+customer+`",`+c.method(k, customer, auth)+`}`, auth...)
	path := "/v1/payments/" + purchase["id"].(string)
	var reference, approval string
	waitFor(t, "the charge to await its payer", func() bool {
		p := k.do("GET", path, "", auth...)
		attempts, _ := p["attempts"].([]any)
		approval, _ = p["approvalUrl"].(string)
		if approval == "" || len(attempts) == 0 {
			return false
		}
		reference, _ = attempts[len(attempts)-1].(map[string]any)["reference"].(string)
		return reference != ""
	})

	first.kill(t)
	c.settle(k, account, reference, approval)
	if status := k.do("GET", path, "", auth...)["status"]; status != "pending" {
		t.Fatalf("with no worker the payment is %v, want still pending", status)
	}
	k.worker("subscriptions,payments,events")
	waitFor(t, "the payment to be paid after the restart", func() bool { return k.do("GET", path, "", auth...)["status"] == "paid" })
	if n := c.charges(); n != 1 {
		t.Errorf("%d charges at the gateway, want 1", n)
	}
}

// refundedAtGateway checks that a refund made in the gateway's dashboard is
// recorded by the reconciliation, beside one of billgate's: payment (paid
// 1500) is refunded 300 through the API, then dashboardRefund refunds 400 at
// the gateway and delivers the gateway's refund webhooks, billgate's
// included. A run records the dashboard's refund once, with origin
// "gateway", and its credit note; a second run records nothing more.
func (s *connectedShop) refundedAtGateway(t *testing.T, payment string, dashboardRefund func(reference string)) {
	t.Helper()
	s.refundHereAndAtGateway(t, payment, dashboardRefund)
	events := contract.ReconcileInput{EventAge: time.Nanosecond} // the webhooks just came in
	s.reconcileNow(t, events)
	s.reconcileNow(t, events)

	id := strings.TrimPrefix(payment, "/v1/payments/")
	refunds := callList(t, s.env, "/v1/refunds?paymentId="+id, s.bob...).results
	origins := map[string]float64{}
	for _, r := range refunds {
		origins[r["origin"].(string)] += r["amount"].(float64)
	}
	if len(refunds) != 2 || origins["api"] != 300 || origins["gateway"] != 400 {
		t.Errorf("refunds of the payment = %v; want billgate's 300 and the dashboard's 400", refunds)
	}
	pay := s.get(t, payment)
	if pay["amountRefunded"] != float64(700) {
		t.Errorf("payment = %v, want 700 refunded", pay)
	}
	notes := call(t, s.env, "GET", "/v1/invoices/"+pay["invoiceId"].(string), "", s.bob...)
	if notes.Result["amountCredited"] != float64(700) {
		t.Errorf("invoice = %v, want 700 credited", notes.Result)
	}
	recorded := 0
	for _, f := range callList(t, s.env, "/v1/reconciliation", s.owner...).results {
		if f["kind"] == "gateway_refund" && f["action"] == "recorded" && f["paymentId"] == id {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("%d gateway_refund findings recorded for the payment, want 1", recorded)
	}
}

// refundHereAndAtGateway refunds 300 of payment through the API, then
// has dashboardRefund refund at the gateway the charge it paid with.
func (s *connectedShop) refundHereAndAtGateway(t *testing.T, payment string, dashboardRefund func(reference string)) {
	t.Helper()
	if r := s.refund(t, payment, 300); r.Status != 201 || r.Result["status"] != "succeeded" {
		t.Fatalf("refund 300 = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	attempts := s.get(t, payment)["attempts"].([]any)
	dashboardRefund(attempts[len(attempts)-1].(map[string]any)["reference"].(string))
}

// reconcileNow runs the reconciliation once, as its schedule does, with
// in, and waits for it to end.
func (s *shop) reconcileNow(t *testing.T, in contract.ReconcileInput) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.env.Temporal.GetWorkflow(ctx, startReconcile(t, s, in), "").Get(ctx, nil); err != nil {
		t.Fatalf("reconciliation run: %v", err)
	}
}

// startReconcile starts a reconciliation run with in, and returns its
// workflow ID.
func startReconcile(t *testing.T, s *shop, in contract.ReconcileInput) string {
	t.Helper()
	opts := client.StartWorkflowOptions{ID: contract.ReconcileScheduleID + "-e2e-" + uuid.NewString(), TaskQueue: contract.SubscriptionsTaskQueue}
	if _, err := s.env.Temporal.ExecuteWorkflow(context.Background(), opts, contract.ReconcileWorkflowType, in); err != nil {
		t.Fatal(err)
	}
	return opts.ID
}

// renewsWithSavedMethod subscribes bob on a new test clock to price with
// an inline token that needs its payer (PayPal's approval, Skrill's
// checkout); pay has the payer pay the first charge at the gateway (its
// reference, its approval URL) and the gateway tell billgate. The method
// that payment saved at the gateway becomes bob's, of the account, with a
// token beginning with prefix, and the subscription's; its renewal is paid
// with it, without the payer.
func (s *connectedShop) renewsWithSavedMethod(t *testing.T, price, gateway, token, prefix string, pay func(reference, approvalURL string)) {
	t.Helper()
	clock := s.newClock(t)
	r := call(t, s.env, "POST", "/v1/subscriptions", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":%q,"token":%q}}`,
		price, s.bobID, clock, gateway, token), s.owner...)
	if r.Status != 201 {
		t.Fatalf("subscribe = %d %+v", r.Status, r.Errors)
	}
	subID := r.Result["id"].(string)
	sub := "/v1/subscriptions/" + subID
	payments := func() []map[string]any {
		return callList(t, s.env, "/v1/payments?subscriptionId="+subID, s.owner...).results
	}
	var first []map[string]any
	waitFor(t, "the first payment", func() bool { first = payments(); return len(first) == 1 })
	firstPath := "/v1/payments/" + first[0]["id"].(string)
	reference := s.pendingReference(t, firstPath)
	pay(reference, s.get(t, firstPath)["approvalUrl"].(string))
	s.waitStatus(t, sub, "active")

	var saved map[string]any
	method := s.get(t, sub)["paymentMethodId"]
	for _, m := range callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.owner...).results {
		if m["id"] == method {
			saved = m
		}
	}
	if saved == nil || !strings.HasPrefix(saved["token"].(string), prefix) || saved["gatewayAccountId"] != s.account {
		t.Fatalf("the subscription pays with %v, bob's method %v; want a %s… method of the account, saved by the first payment", method, saved, prefix)
	}

	renewal := time.Date(2031, 2, 28, 10, 30, 0, 0, time.UTC) // an hour after the period's end
	s.advance(t, clock, renewal)
	var renewed []map[string]any
	waitFor(t, "the renewal to be paid", func() bool {
		renewed = payments()
		return len(renewed) == 2 && renewed[0]["status"] == "paid" && renewed[1]["status"] == "paid"
	})
	for _, p := range renewed {
		if p["id"] != first[0]["id"] && (p["paymentMethodId"] != saved["id"] || p["approvalUrl"] != nil) {
			t.Errorf("the renewal = %v; want it paid with the saved method, no approval", p)
		}
	}
}
