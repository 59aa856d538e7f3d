package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

// shop is a tenant with a customer and a catalog, for the billing tests.
type shop struct {
	env                         *testenv.Env
	admin, owner, bob, other    []string
	bobID                       string
	monthly, yearly, euros, pdf string // price IDs
}

func newShop(t *testing.T) *shop {
	t.Helper()
	return newShopWith(t, testenv.Options{})
}

func newShopWith(t *testing.T, opts testenv.Options) *shop {
	t.Helper()
	env := testenv.Start(t, opts)
	env.CreateClient(nil, "root", goodPassword, "admin")
	env.CreateClient(nil, "shop", goodPassword, "business")
	env.CreateClient(nil, "rival", goodPassword, "business")
	s := &shop{env: env, admin: as(t, env, creds("root", "")), owner: as(t, env, creds("shop", "")), other: as(t, env, creds("rival", ""))}
	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), s.owner...)
	s.bobID = bob.Result["id"].(string)
	s.bob = as(t, env, creds("bob", "shop"))
	pro := call(t, env, "POST", "/v1/products", `{"name":"Pro","prices":[
		{"amount":3000,"currency":"USD","type":"recurring","interval":"month"},
		{"amount":30000,"currency":"USD","type":"recurring","interval":"year"},
		{"amount":2500,"currency":"EUR","type":"recurring","interval":"month"}]}`, s.owner...)
	guide := call(t, env, "POST", "/v1/products", `{"name":"Guide","prices":[{"amount":1500,"currency":"USD","type":"one_time","dunning":[]}]}`, s.owner...)
	if pro.Status != 201 || guide.Status != 201 {
		t.Fatalf("catalog = %d %d", pro.Status, guide.Status)
	}
	prices := pro.Result["prices"].([]any)
	id := func(p any) string { return p.(map[string]any)["id"].(string) }
	s.monthly, s.yearly, s.euros = id(prices[0]), id(prices[1]), id(prices[2])
	s.pdf = id(guide.Result["prices"].([]any)[0])
	return s
}

func (s *shop) subscribe(t *testing.T, price, token string, header ...string) reply {
	t.Helper()
	body := fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, price, token)
	return call(t, s.env, "POST", "/v1/subscriptions", body, append(s.bob, header...)...)
}

// waitStatus waits for a resource read from path to reach status.
func (s *shop) waitStatus(t *testing.T, path, status string) reply {
	t.Helper()
	var r reply
	waitFor(t, path+" to be "+status, func() bool {
		r = call(t, s.env, "GET", path, "", s.admin...)
		return r.Status == 200 && r.Result["status"] == status
	})
	return r
}

func TestSubscriptionLifecycleOverHTTP(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	created := s.subscribe(t, s.monthly, "sandbox_ok")
	if created.Status != 201 || created.Result["customerId"] != s.bobID || created.Result["amount"] != float64(3000) {
		t.Fatalf("subscribe = %d %+v %v", created.Status, created.Errors, created.Result)
	}
	id := created.Result["id"].(string)
	path := "/v1/subscriptions/" + id
	sub := s.waitStatus(t, path, "active")
	if sub.Result["currentPeriodEnd"] == nil || sub.Result["latestInvoiceId"] == nil {
		t.Errorf("active subscription = %v, want a period and an invoice", sub.Result)
	}

	// The next period's invoice has no row before it falls due (issue 10,
	// hole 6): only the preview below shows it.
	invoices := callList(t, s.env, "/v1/invoices?subscriptionId="+id, s.bob...)
	if len(invoices.results) != 1 || invoices.results[0]["status"] != "paid" || invoices.results[0]["amountDue"] != float64(3000) || len(invoices.results[0]["lines"].([]any)) != 1 {
		t.Errorf("invoices = %v, want the first, paid, 3000 due on one line, and no draft of the next", invoices.results)
	}
	payments := callList(t, s.env, "/v1/payments?subscriptionId="+id, s.bob...)
	if len(payments.results) != 1 || payments.results[0]["status"] != "paid" || len(payments.results[0]["attempts"].([]any)) != 1 {
		t.Errorf("payments = %v, want one paid after one attempt", payments.results)
	}

	upcoming := call(t, s.env, "GET", path+"/upcoming-invoice", "", s.bob...)
	if upcoming.Status != 200 || upcoming.Result["amountDue"] != float64(3000) || upcoming.Result["periodStart"] != sub.Result["currentPeriodEnd"] {
		t.Errorf("upcoming invoice = %d %v, want 3000 for the next period", upcoming.Status, upcoming.Result)
	}
	if live := call(t, s.env, "GET", path+"?consistent=true", "", s.bob...); live.Status != 200 || live.Result["status"] != "active" {
		t.Errorf("consistent read = %d %v", live.Status, live.Result)
	}

	// Isolation: another tenant sees nothing.
	call(t, s.env, "GET", path, "", s.other...).is(t, "another business reads the subscription", 404, "NOT_FOUND", "not found")
	call(t, s.env, "POST", path+"/cancel", "", s.other...).is(t, "another business cancels it", 404, "NOT_FOUND", "not found")
	if l := callList(t, s.env, "/v1/subscriptions", s.other...); len(l.results) != 0 {
		t.Errorf("another business lists %d subscriptions", len(l.results))
	}

	// Illegal changes are 409 with the workflow's reason.
	r := call(t, s.env, "POST", path+"/resume", "", s.owner...)
	if r.Status != 409 || r.Errors[0].Code != "ILLEGAL_STATE_CHANGE" || !strings.Contains(r.Errors[0].Message, "only a paused subscription can be resumed") {
		t.Errorf("resume an active subscription = %d %+v, want 409 with the reason", r.Status, r.Errors)
	}

	// Pause, resume, then cancel at period end.
	if r := call(t, s.env, "POST", path+"/pause", "", s.owner...); r.Status != 200 || r.Result["status"] != "paused" || r.Result["pausedAt"] == nil {
		t.Errorf("pause = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	if r := call(t, s.env, "GET", path+"/upcoming-invoice", "", s.bob...); r.Status != 404 {
		t.Errorf("upcoming invoice while paused = %d, want 404", r.Status)
	}
	if r := call(t, s.env, "POST", path+"/resume", "", s.owner...); r.Status != 200 || r.Result["status"] != "active" {
		t.Errorf("resume = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	r = call(t, s.env, "POST", path+"/cancel", `{"atPeriodEnd":true}`, s.bob...)
	if r.Status != 200 || r.Result["status"] != "active" || r.Result["cancelAtPeriodEnd"] != true {
		t.Errorf("cancel at period end = %d %+v %v, want still active", r.Status, r.Errors, r.Result)
	}
	if r := call(t, s.env, "POST", path+"/cancel", "", s.bob...); r.Status != 200 || r.Result["status"] != "canceled" || r.Result["endedAt"] == nil {
		t.Errorf("cancel now = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	// The workflow refuses while it closes, or the API finds it gone: the
	// answer is the same 409 either way, its reason worded by whichever.
	if r := call(t, s.env, "POST", path+"/pause", "", s.owner...); r.Status != 409 || r.Errors[0].Code != "ILLEGAL_STATE_CHANGE" ||
		!strings.Contains(r.Errors[0].Message, "canceled") && !strings.Contains(r.Errors[0].Message, "has ended") {
		t.Errorf("pause a canceled subscription = %d %+v, want 409 ILLEGAL_STATE_CHANGE saying it is canceled or has ended", r.Status, r.Errors)
	}
	if l := callList(t, s.env, "/v1/entitlements", s.bob...); len(l.results) != 0 {
		t.Errorf("entitlements after canceling = %v, want none", l.results)
	}
	if l := callList(t, s.env, "/v1/subscriptions?status=canceled&customerId="+s.bobID, s.owner...); len(l.results) != 1 {
		t.Errorf("canceled subscriptions = %v, want this one", l.results)
	}
}

func TestSubscriptionChangesPrice(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.subscribe(t, s.monthly, "sandbox_ok").Result["id"].(string)
	path := "/v1/subscriptions/" + id
	s.waitStatus(t, path, "active")

	call(t, s.env, "POST", path+"/change-price", fmt.Sprintf(`{"priceId":%q}`, s.euros), s.owner...).
		is(t, "change to another currency", 400, "INVALID", "the new price must be in the subscription's currency, USD")
	call(t, s.env, "POST", path+"/change-price", fmt.Sprintf(`{"priceId":%q,"proration":"sometimes"}`, s.yearly), s.owner...).
		is(t, "an unknown proration", 400, "INVALID", "proration must be create_prorations, always_invoice or none")
	preview := path + "/price-change-preview?priceId="
	call(t, s.env, "GET", preview+s.euros, "", s.owner...).
		is(t, "preview another currency", 400, "INVALID", "the new price must be in the subscription's currency, USD")
	call(t, s.env, "GET", preview+s.yearly+"&proration=sometimes", "", s.owner...).
		is(t, "preview an unknown proration", 400, "INVALID", "proration must be create_prorations, always_invoice or none")
	call(t, s.env, "GET", path+"/price-change-preview", "", s.owner...).
		is(t, "preview without a price", 400, "INVALID", "priceId is required")
	call(t, s.env, "GET", preview+s.monthly, "", s.owner...).
		is(t, "preview the price it has", 409, "ILLEGAL_STATE_CHANGE", "the subscription is already on price "+s.monthly)
	p := call(t, s.env, "GET", preview+s.yearly+"&proration=always_invoice", "", s.bob...)
	if next, _ := p.Result["upcomingInvoice"].(map[string]any); p.Status != 200 || p.Result["invoicedNow"] != nil || next["amountDue"].(float64) >= 30000 || next["dueAt"] != p.Result["prorationDate"] {
		t.Errorf("preview a change of interval = %d %+v %v, want the new year due now, less the unused month", p.Status, p.Errors, p.Result)
	}
	r := call(t, s.env, "POST", path+"/change-price", fmt.Sprintf(`{"priceId":%q,"proration":"always_invoice"}`, s.yearly), s.owner...)
	if r.Status != 200 || r.Result["priceId"] != s.yearly || r.Result["amount"] != float64(30000) {
		t.Fatalf("change price = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	// A change of interval restarts the cycle: the year on 30000 is
	// invoiced at once, less the unused time on 3000 (a few seconds were
	// used). The lines add up to what is due.
	var proration map[string]any
	waitFor(t, "the proration invoice to be paid", func() bool {
		for _, inv := range callList(t, s.env, "/v1/invoices?status=paid&subscriptionId="+id, s.owner...).results {
			if len(inv["lines"].([]any)) == 2 {
				proration = inv
				return true
			}
		}
		return false
	})
	var sum float64
	for _, l := range proration["lines"].([]any) {
		sum += l.(map[string]any)["amount"].(map[string]any)["amount"].(float64)
	}
	if due := proration["amountDue"].(float64); sum != due || due < 27000 || due >= 30000 {
		t.Errorf("proration invoice = %v: lines sum to %v, want the amount due, 27000 ≤ due < 30000", proration, sum)
	}
}

func TestSubscriptionBadInput(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	rival := call(t, s.env, "POST", "/v1/products", `{"name":"Theirs","prices":[{"amount":100,"currency":"USD","type":"recurring","interval":"month"}]}`, s.other...)
	theirs := rival.Result["prices"].([]any)[0].(map[string]any)["id"].(string)
	ok := `"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}`
	bad := []struct{ body, field, message string }{
		{`{` + ok + `}`, "priceId", "priceId is required"},
		{`{"priceId":"nope",` + ok + `}`, "priceId", "priceId must be a UUID"},
		{`{"priceId":"019a0000-0000-7000-8000-000000000000",` + ok + `}`, "priceId", "no such price"},
		{`{"priceId":"` + theirs + `",` + ok + `}`, "priceId", "no such price"},
		{`{"priceId":"` + s.pdf + `",` + ok + `}`, "priceId", "a one-time price is bought with POST /v1/purchases"},
		{`{"priceId":"` + s.monthly + `"}`, "paymentMethodId", "paymentMethodId or paymentMethod is required"},
		{`{"priceId":"` + s.monthly + `","paymentMethod":{"gateway":"paypal","token":"x"}}`, "paymentMethod.gateway", "gateway must be one of the configured gateways or one the business connected"},
		{`{"priceId":"` + s.monthly + `","quantity":0,` + ok + `}`, "quantity", "quantity must be 1-10000"},
		{`{"priceId":"` + s.monthly + `","customerId":"` + s.bobID + `x",` + ok + `}`, "customerId", "a customer buys for itself"},
		{`{"priceId":"` + s.monthly + `","coupon":"FREE",` + ok + `}`, "coupon", ""},
	}
	for _, tt := range bad {
		r := call(t, s.env, "POST", "/v1/subscriptions", tt.body, s.bob...)
		if r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Field != tt.field || (tt.message != "" && r.Errors[0].Message != tt.message) {
			t.Errorf("POST /v1/subscriptions %s = %d %+v, want 400 on %s %q", tt.body, r.Status, r.Errors, tt.field, tt.message)
		}
	}
	call(t, s.env, "POST", "/v1/purchases", `{"priceId":"`+s.monthly+`",`+ok+`}`, s.bob...).
		is(t, "a recurring price bought once", 400, "INVALID", "a recurring price is subscribed to with POST /v1/subscriptions")
	call(t, s.env, "POST", "/v1/subscriptions", `{"priceId":"`+s.monthly+`",`+ok+`}`, s.owner...).
		is(t, "a business subscribes without naming the customer", 400, "INVALID", "customerId is required")
	call(t, s.env, "GET", "/v1/subscriptions?status=happy", "", s.bob...).
		is(t, "an unknown status filter", 400, "INVALID", "status must be one or more of pending, trialing, active, past_due, paused, canceled, expired")
	if l := callList(t, s.env, "/v1/subscriptions", s.admin...); len(l.results) != 0 {
		t.Errorf("bad requests left %d subscriptions", len(l.results))
	}
	if l := callList(t, s.env, "/v1/invoices", s.admin...); len(l.results) != 0 {
		t.Errorf("bad requests left %d invoices", len(l.results))
	}
}

func TestSubscriptionIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	first := s.subscribe(t, s.monthly, "sandbox_ok", "Idempotency-Key", "sub-1")
	again := s.subscribe(t, s.monthly, "sandbox_ok", "Idempotency-Key", "sub-1")
	if first.Status != 201 || again.Status != 201 || again.Result["id"] != first.Result["id"] || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay = %d %v / %d %v, want the first answer again", first.Status, first.Result["id"], again.Status, again.Result["id"])
	}
	s.subscribe(t, s.yearly, "sandbox_ok", "Idempotency-Key", "sub-1").
		is(t, "the key with another body", 409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request")
	s.waitStatus(t, "/v1/subscriptions/"+first.Result["id"].(string), "active")
	if l := callList(t, s.env, "/v1/subscriptions", s.bob...); len(l.results) != 1 {
		t.Errorf("%d subscriptions, want 1", len(l.results))
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 1 {
		t.Errorf("%d charges, want 1", len(l.results))
	}
}

// A one-time purchase through the sandbox's async approval: pending, then
// paid once the payer approves; the entitlement follows.
func TestPurchaseWithApproval(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"quantity":2,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, s.pdf), append(s.bob, "Idempotency-Key", "buy-1")...)
	if r.Status != 201 || r.Result["amount"] != float64(3000) || r.Result["status"] != "pending" {
		t.Fatalf("purchase = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	path := "/v1/payments/" + r.Result["id"].(string)
	var approval string
	waitFor(t, "the approval URL", func() bool {
		p := call(t, s.env, "GET", path, "", s.bob...)
		approval, _ = p.Result["approvalUrl"].(string)
		return approval != ""
	})
	if l := callList(t, s.env, "/v1/entitlements", s.bob...); len(l.results) != 1 || l.results[0]["status"] != "pending" || l.results[0]["kind"] != "purchase" {
		t.Errorf("entitlements while pending = %v, want the purchase, pending", l.results)
	}
	resp, err := s.env.HTTP.PostForm(approval, url.Values{"decision": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve = %d", resp.StatusCode)
	}
	paid := s.waitStatus(t, path, "paid")
	inv := call(t, s.env, "GET", "/v1/invoices/"+paid.Result["invoiceId"].(string), "", s.bob...)
	if inv.Status != 200 || inv.Result["status"] != "paid" || inv.Result["total"] != float64(3000) {
		t.Errorf("invoice = %d %v, want paid, 3000", inv.Status, inv.Result)
	}
	if l := callList(t, s.env, "/v1/entitlements?customerId="+s.bobID, s.owner...); len(l.results) != 1 || l.results[0]["status"] != "paid" {
		t.Errorf("entitlements = %v, want the purchase, paid", l.results)
	}
	again := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"quantity":2,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, s.pdf), append(s.bob, "Idempotency-Key", "buy-1")...)
	if again.Result["id"] != r.Result["id"] {
		t.Errorf("replayed purchase = %v, want %v", again.Result["id"], r.Result["id"])
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 1 {
		t.Errorf("%d charges, want 1", len(l.results))
	}
	call(t, s.env, "GET", path, "", s.other...).is(t, "another business reads the payment", 404, "NOT_FOUND", "not found")
}

// A customer takes back its cancel at period end, and changes its own
// plan (subscriptions:change-price, migration 00029); only a subscription
// set to cancel can be reactivated.
func TestCustomerReactivatesAndChangesPlan(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	path := "/v1/subscriptions/" + s.subscribe(t, s.monthly, "sandbox_ok").Result["id"].(string)
	s.waitStatus(t, path, "active")
	call(t, s.env, "POST", path+"/reactivate", "", s.bob...).
		is(t, "reactivate what is not set to cancel", 409, "ILLEGAL_STATE_CHANGE", "only a subscription set to cancel at period end can be reactivated; it is active")
	if r := call(t, s.env, "POST", path+"/cancel", `{"atPeriodEnd":true}`, s.bob...); r.Status != 200 || r.Result["cancelAtPeriodEnd"] != true {
		t.Fatalf("cancel at period end = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, s.env, "POST", path+"/reactivate", "", s.bob...); r.Status != 200 || r.Result["cancelAtPeriodEnd"] != false || r.Result["canceledAt"] != nil {
		t.Fatalf("reactivate = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	if r := call(t, s.env, "GET", path+"/upcoming-invoice", "", s.bob...); r.Status != 200 {
		t.Errorf("the reactivated subscription's next invoice = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, s.env, "POST", path+"/change-price", fmt.Sprintf(`{"priceId":%q,"proration":"none"}`, s.yearly), s.bob...); r.Status != 200 || r.Result["priceId"] != s.yearly {
		t.Errorf("the customer's own plan change = %d %+v", r.Status, r.Errors)
	}
	call(t, s.env, "POST", path+"/pause", "", s.bob...).is(t, "a customer pauses", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
}
