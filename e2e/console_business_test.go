package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/testenv"
)

// A business adds a price to a product in the console and archives it
// (customers can no longer subscribe to it), archives a product and puts
// it back on sale; a price the API refuses reads the API's answer. The API
// sees each change.
func TestConsoleBusinessPrices(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	pro := s.product(t, "Pro")
	b := openAs(t, s.env.URL, "products", "shop", goodPassword, "")
	b.waitText(`#products`, "Guide")

	b.do("choose Pro", chromedp.SetValue(chromedp.CSS(`#new-price select[name=productId]`), pro["id"].(string)))
	b.fill("#new-price", map[string]string{"amount": "45", "trialDays": "14"})
	b.waitText(`[role=status]`, "Pro has a new price: $45.00 a month.")
	b.waitText(`tr[data-product=Pro]`, "$45.00 a month")
	var price map[string]any
	for _, p := range s.product(t, "Pro")["prices"].([]any) {
		if p := p.(map[string]any); p["amount"] == float64(4500) {
			price = p
		}
	}
	if price == nil || price["active"] != true || price["trialDays"] != float64(14) || price["interval"] != "month" {
		t.Fatalf("the price added in the console: %v", price)
	}
	id := price["id"].(string)
	b.shot("price-added")

	b.do("archive the price", chromedp.Click(chromedp.CSS(`li[data-price="`+id+`"] button`)))
	b.waitText(`li[data-price="`+id+`"] .price-status`, "archived")
	if r := call(t, s.env, "GET", "/v1/prices/"+id, "", s.owner...); r.Result["active"] != false {
		t.Errorf("the archived price: %d %v", r.Status, r.Result)
	}
	if r := s.subscribe(t, id, sandbox.TokenOK); r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Field != "priceId" {
		t.Errorf("a subscription to the archived price = %d %+v", r.Status, r.Errors)
	}

	b.do("archive Guide", chromedp.Click(chromedp.CSS(`tr[data-product=Guide] td:last-child button`)))
	b.waitText(`tr[data-product=Guide] .product-status`, "archived")
	if guide := s.product(t, "Guide"); guide["active"] != false {
		t.Errorf("the archived product: %v", guide)
	}
	for _, p := range callList(t, s.env, "/v1/products", s.bob...).results {
		if p["name"] == "Guide" {
			t.Errorf("a customer still sees the archived product: %v", p)
		}
	}
	b.shot("archived")
	b.do("put Guide back on sale", chromedp.Click(chromedp.CSS(`tr[data-product=Guide] td:last-child button`)))
	b.waitText(`tr[data-product=Guide] .product-status`, "on sale")
	if guide := s.product(t, "Guide"); guide["active"] != true {
		t.Errorf("the product back on sale: %v", guide)
	}

	// Above 10^15 cents: the API's answer, with its field, beside the form.
	b.fill("#new-price", map[string]string{"amount": "99999999999999"})
	b.waitText(`[role=alert]`, "(amount)")
	b.shot("refused")
}

// product is the shop's product called name, as the API shows it.
func (s *shop) product(t *testing.T, name string) map[string]any {
	t.Helper()
	for _, p := range callList(t, s.env, "/v1/products?limit=200", s.owner...).results {
		if p["name"] == name {
			return p
		}
	}
	t.Fatalf("no product %s", name)
	return nil
}

// A business opens a customer's page from its customers: the customer's
// subscription and invoice are there; it saves a sandbox payment method
// for the customer and removes it, the API listing it in between. A
// declined purchase shows among the failed payments with its decline code,
// on the list and on its page.
func TestConsoleBusinessCustomerAndPayments(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	sub := s.subscribe(t, s.monthly, sandbox.TokenOK)
	if sub.Status != 201 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	s.waitStatus(t, "/v1/subscriptions/"+sub.Result["id"].(string), "active")
	declined := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, s.pdf, sandbox.TokenDecline), s.bob...)
	if declined.Status != 201 {
		t.Fatalf("purchase = %d %+v", declined.Status, declined.Errors)
	}
	payment := "/v1/payments/" + declined.Result["id"].(string)
	var status string
	waitFor(t, "the purchase to be declined for good", func() bool {
		r := call(t, s.env, "GET", payment, "", s.owner...)
		status, _ = r.Result["status"].(string)
		return r.Result["declineCode"] == "card_declined" && status != "pending" && status != "retrying"
	})

	b := openAs(t, s.env.URL, "customers", "shop", goodPassword, "")
	b.do("open bob's page", chromedp.Click(chromedp.CSS(`#customers a`)))
	b.waitText(`main h1`, "bob")
	b.waitText(`#subscriptions`, "active")
	b.waitText(`#invoices`, "paid")
	b.waitText(`#page`, "No saved payment methods.")
	b.fill("#new-payment-method", map[string]string{"token": sandbox.TokenOK})
	b.waitText(`#payment-methods`, sandbox.TokenOK)
	b.waitText(`[role=status]`, "bob can pay with sandbox_ok.")
	methods := callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.owner...).results
	if len(methods) != 1 || methods[0]["token"] != sandbox.TokenOK || methods[0]["gateway"] != "sandbox" {
		t.Fatalf("bob's payment methods after the console saved one: %v", methods)
	}
	b.shot("customer")
	b.do("remove it", chromedp.Click(chromedp.CSS(`#payment-methods button`)))
	b.waitText(`#page`, "No saved payment methods.")
	if methods := callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.owner...).results; len(methods) != 0 {
		t.Errorf("bob's payment methods after the console removed it: %v", methods)
	}

	b.open("payments")
	b.waitText(`#payments`, "card_declined")
	b.do("show the "+status+" payments",
		chromedp.SetValue(chromedp.CSS(`#payments-filter select`), status),
		chromedp.Click(chromedp.CSS(`#payments-filter button`)))
	b.do("wait for the filter", chromedp.WaitNotPresent(chromedp.CSS(`#payments tr[data-status=paid]`)))
	b.waitText(`#payments tr[data-status=`+status+`]`, "declined card_declined")
	b.shot("declined-payments")
	b.do("open the declined payment", chromedp.Click(chromedp.CSS(`#payments a`)))
	b.waitText(`#payment-status`, status)
	b.waitText(`#attempts`, "card_declined")
	b.waitText(`#page`, "No refunds.")
	b.shot("declined-payment")
}

// A business connects its Stripe account in the console and limits its
// currencies, saves a card of bob's through it, and refunds part of bob's
// purchase: the refund succeeds at Stripe and the API lists it. The
// account cannot be disconnected while the card names it: the console
// reads the API's answer.
func TestConsoleBusinessRefundThroughStripe(t *testing.T) {
	t.Parallel()
	srv := stripetest.Start(t, stripetest.Options{})
	s := newShopWith(t, testenv.Options{Connectors: connected.Connectors{stripe.Kind: stripe.Connector{BaseURL: srv.URL()}}})
	b := openAs(t, s.env.URL, "gateways", "shop", goodPassword, "")
	b.waitText(`#page`, "No accounts connected.")
	b.waitText(`#findings`, "Nothing found")
	b.fill("#connect", map[string]string{"name": "main", "secretKey": "sk_test_e2e", "webhookSecret": stripeWebhookSecret})
	b.waitText(`[role=status]`, "Stripe is connected")
	accounts := callList(t, s.env, "/v1/gateway-accounts", s.owner...).results
	if len(accounts) != 1 || accounts[0]["gateway"] != "stripe" || accounts[0]["mode"] != "test" || accounts[0]["name"] != "main" {
		t.Fatalf("the accounts after the console connected one: %v", accounts)
	}
	account := accounts[0]["id"].(string)
	card := `[data-account="` + account + `"]`
	b.waitText(card, "Secret key, Webhook signing secret")
	b.waitText(card+` .account-health`, "unknown")
	b.do("open the account's changes", chromedp.Click(chromedp.CSS(card+` summary`)))
	b.fill("#account-"+account, map[string]string{"currencies": "usd, eur"})
	b.waitText(card+` .account-currencies`, "EUR, USD")
	if r := call(t, s.env, "GET", "/v1/gateway-accounts/"+account, "", s.owner...); fmt.Sprint(r.Result["currencies"]) != "[EUR USD]" {
		t.Errorf("the account after the console changed it: %v", r.Result)
	}
	b.shot("gateway-account")

	customer, visa, err := srv.SaveMethod(stripetest.MethodVisa)
	if err != nil {
		t.Fatal(err)
	}
	b.open("customer/" + s.bobID)
	b.waitText(`main h1`, "bob")
	b.do("choose the Stripe account", chromedp.SetValue(chromedp.CSS(`#new-payment-method select[name=via]`), account))
	b.fill("#new-payment-method", map[string]string{"token": visa})
	b.waitText(`#payment-methods`, customer+"/"+visa)
	methods := callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.owner...).results
	if len(methods) != 1 || methods[0]["gatewayAccountId"] != account {
		t.Fatalf("bob's payment methods: %v", methods)
	}
	shop := &connectedShop{shop: s, account: account}
	payment := shop.buy(t, methods[0]["id"].(string))
	s.waitStatus(t, payment, "paid")

	b.open("gateways")
	b.do("disconnect", chromedp.Click(chromedp.CSS(card+` > button.danger`)))
	b.waitText(`[role=alert]`, "saved payment methods still pay through this account: delete them first")

	b.open("payment/" + strings.TrimPrefix(payment, "/v1/payments/"))
	b.waitText(`#payment-status`, "paid")
	b.do("give the reason", chromedp.SetValue(chromedp.CSS(`#refund-form select[name=reason]`), "requested_by_customer"))
	b.fill("#refund-form", map[string]string{"amount": "5"})
	b.waitText(`#refund [role=status]`, "Refunded $5.00.")
	b.waitText(`#refunds`, "succeeded")
	b.waitText(`#payment-refunded`, "$5.00")
	b.shot("refunded")
	refunds := callList(t, s.env, "/v1/refunds?paymentId="+strings.TrimPrefix(payment, "/v1/payments/"), s.owner...).results
	if len(refunds) != 1 || refunds[0]["amount"] != float64(500) || refunds[0]["status"] != "succeeded" || refunds[0]["reason"] != "requested_by_customer" {
		t.Errorf("refunds after the console's: %v", refunds)
	}
	if n := len(srv.Refunds()); n != 1 {
		t.Errorf("%d refunds at Stripe, want 1", n)
	}
	// More than is left: the API's answer (which counts in cents).
	b.fill("#refund-form", map[string]string{"amount": "100"})
	b.waitText(`#refund [role=alert]`, "at most USD 10.00 is left to refund: amounts are in minor units, 1000 here (amount)")
}

// A business creates a webhook endpoint in the console (its secret shown
// once), sends it a test, sees it delivered in the endpoint's log, and
// retries it: the receiver gets it twice under one webhook-id, signed with
// that secret. Disabled, the endpoint refuses a retry with the API's
// answer; a rotated secret is shown once more; the log filters by status.
func TestConsoleBusinessWebhooks(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{WebhookAllow: testenv.Loopback})
	r := newReceiver(t)
	b := openAs(t, s.env.URL, "webhooks", "shop", goodPassword, "")
	b.waitText(`#page`, "No endpoints yet.")
	b.do("name the events", chromedp.SetValue(chromedp.CSS(`#new-endpoint input[name=eventTypes]`), "customer.created"))
	b.fill("#new-endpoint", map[string]string{"url": r.url(), "description": "CRM"})
	secret := b.text(`.secret-value`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the secret shown: %q", secret)
	}
	b.waitText(`#endpoints`, "customer.created")
	endpoints := callList(t, s.env, "/v1/webhook-endpoints", s.owner...).results
	if len(endpoints) != 1 || endpoints[0]["url"] != r.url() || fmt.Sprint(endpoints[0]["eventTypes"]) != "[customer.created]" || endpoints[0]["description"] != "CRM" {
		t.Fatalf("endpoints after the console made one: %v", endpoints)
	}
	b.shot("endpoint-created")

	b.do("open the endpoint", chromedp.Click(chromedp.CSS(`#endpoints a`)))
	b.waitText(`#endpoint-status`, "enabled")
	b.waitText(`#page`, "No deliveries.")
	b.do("send a test", chromedp.Click(chromedp.CSS(`#send-test`)))
	b.waitText(`#deliveries`, "webhook_endpoint.test")
	b.waitText(`#deliveries .delivery-status`, "delivered")
	b.waitText(`#deliveries .attempts`, "delivered 204")
	got := r.wait(1)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(got[0].body, got[0].header); err != nil {
		t.Errorf("the test message's signature, with the secret the console showed: %v", err)
	}
	b.shot("test-delivered")

	b.do("retry", chromedp.Click(chromedp.CSS(`#deliveries button`)))
	b.waitText(`#delivery-log [role=status]`, "Sent again")
	if got := r.wait(2); got[1].id() != got[0].id() {
		t.Errorf("the retry came as %s, the first as %s", got[1].id(), got[0].id())
	}
	waitFor(t, "the retry in the console's log", func() bool {
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#deliveries .attempts li").length`))
		return err == nil && n == 2
	})
	b.waitText(`#deliveries .delivery-status`, "delivered")
	b.shot("retried")

	b.do("disable", chromedp.Click(chromedp.CSS(`#endpoint-actions button`)))
	b.waitText(`#endpoint-status`, "disabled")
	if e := call(t, s.env, "GET", "/v1/webhook-endpoints/"+endpoints[0]["id"].(string), "", s.owner...); e.Result["enabled"] != false {
		t.Errorf("the endpoint after the console disabled it: %v", e.Result)
	}
	b.do("retry while disabled", chromedp.Click(chromedp.CSS(`#deliveries button`)))
	b.waitText(`#delivery-log [role=alert]`, "the endpoint is disabled: enable it, and its pending deliveries are sent")
	b.do("enable", chromedp.Click(chromedp.CSS(`#endpoint-actions button`)))
	b.waitText(`#endpoint-status`, "enabled")

	b.do("rotate the secret", chromedp.Click(chromedp.CSS(`#endpoint-actions button:nth-child(3)`)))
	b.waitText(`[role=status]`, "The new signing secret")
	if fresh := b.text(`.secret-value`); !strings.HasPrefix(fresh, "whsec_") || fresh == secret {
		t.Errorf("the rotated secret shown: %q (was %q)", fresh, secret)
	}
	b.do("show the failed deliveries",
		chromedp.SetValue(chromedp.CSS(`#deliveries-filter select`), "failed"),
		chromedp.Click(chromedp.CSS(`#deliveries-filter button`)))
	b.waitText(`#page`, "No deliveries failed.")
	b.shot("endpoint")
	if n := len(r.requests()); n != 2 {
		t.Errorf("the receiver got %d requests, want 2", n)
	}
}
