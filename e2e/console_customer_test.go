package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A customer's journey in the console: it saves a payment method,
// subscribes from the shop and buys a one-time product with it, changes
// its plan after reading the preview, cancels at the period's end and
// takes it back. The API confirms each step.
func TestConsoleCustomerJourney(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "my-payment-methods", "bob", goodPassword, "shop")
	b.waitText(`#page h1`, "My payment methods")
	b.fill("#new-payment-method", map[string]string{"token": "sandbox_ok"})
	b.waitText(`#payment-methods`, "sandbox_ok")
	methods := callList(t, s.env, "/v1/customers/"+s.bobID+"/payment-methods", s.bob...).results
	if len(methods) != 1 {
		t.Fatalf("bob's payment methods = %v, want the one saved", methods)
	}

	b.open("shop")
	b.waitText(`[data-product=Pro]`, "$30.00 every month")
	b.do("subscribe", chromedp.Click(chromedp.CSS(`form[data-price="`+s.monthly+`"] button`)))
	b.waitText(`form[data-price="`+s.monthly+`"]`, "Subscribed")
	b.do("buy the guide", chromedp.Click(chromedp.CSS(`form[data-price="`+s.pdf+`"] button`)))
	b.waitText(`form[data-price="`+s.pdf+`"]`, "Bought")
	b.shot("shop")
	subs := callList(t, s.env, "/v1/subscriptions", s.bob...).results
	if len(subs) != 1 {
		t.Fatalf("bob's subscriptions = %v, want the one from the shop", subs)
	}
	path := "/v1/subscriptions/" + subs[0]["id"].(string)
	s.waitStatus(t, path, "active")
	var paid bool
	for _, p := range callList(t, s.env, "/v1/payments?status=paid", s.bob...).results {
		paid = paid || p["paymentMethodId"] == methods[0]["id"] && p["amount"] == float64(1500)
	}
	if !paid {
		t.Error("the guide was not paid with the saved method")
	}

	b.open("mine")
	b.waitText(`[data-subscription] .sub-state`, "active")
	b.waitText(`#purchases`, "Guide: paid")
	b.do("preview a yearly plan",
		chromedp.Click(chromedp.CSS(`[data-subscription] details.change-plan summary`)),
		chromedp.SetValue(chromedp.CSS(`[data-subscription] select[name=priceId]`), s.yearly),
		chromedp.Click(chromedp.CSS(`[data-subscription] #change-price button[type=submit]`)))
	b.waitText(`#next-invoice`, "Next invoice")
	b.shot("plan-preview")
	if got := s.get(t, path); got["priceId"] != s.monthly {
		t.Fatalf("the preview changed the plan: %v", got)
	}
	b.do("confirm", chromedp.Click(chromedp.CSS(`#price-preview > button`)))
	b.waitText(`#page`, "The subscription is on its new price.")
	if got := s.get(t, path); got["priceId"] != s.yearly {
		t.Errorf("after the confirmed change: %v", got)
	}

	s.waitStatus(t, path, "active")
	b.do("cancel", chromedp.Click(chromedp.CSS(`[data-subscription] button.cancel`)))
	b.waitText(`[data-subscription] .sub-state`, "ends on")
	b.do("keep it", chromedp.Click(chromedp.CSS(`[data-subscription] button.reactivate`)))
	b.waitText(`[role=status]`, "It renews again.")
	if got := s.get(t, path); got["cancelAtPeriodEnd"] != false {
		t.Errorf("after keeping it: %v", got)
	}
	b.shot("kept")
}
