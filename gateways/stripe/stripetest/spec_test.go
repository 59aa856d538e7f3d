package stripetest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/stripemock"
)

// Every object stripetest serves, in every state it reaches, and every
// error body, is checked against Stripe's OpenAPI specification as
// stripe-mock bundles it, strictly: no field the specification does not
// declare, every field of the declared type.
func TestObjectsFollowStripesSpecification(t *testing.T) {
	spec := stripemock.LoadSpec(t)
	s, c, _ := start(t, stripetest.Options{OffSessionAuthentication: stripetest.AuthenticationRedirects})
	var bodies []answer // answers whose body is an object or an error

	keep := func(a answer, wantStatus int) answer {
		t.Helper()
		if a.status != wantStatus {
			t.Fatalf("answered %d %s, want %d", a.status, a.raw, wantStatus)
		}
		bodies = append(bodies, a)
		return a
	}
	cus := keep(c.post("/v1/customers", url.Values{"email": {"ada@example.com"}, "name": {"Ada"}, "payment_method": {stripetest.MethodVisa}, "metadata[plan]": {"pro"}}, ""), 200).str("id")
	visa := keep(c.post("/v1/customers", url.Values{}, ""), 200).str("id")
	pm := keep(c.post("/v1/payment_methods/"+stripetest.MethodVisa+"/attach", url.Values{"customer": {visa}}, ""), 200).str("id")
	bankCus, bank := saved(t, s, stripetest.MethodUSBankAccount)
	authCus, auth := saved(t, s, stripetest.MethodAuthenticationRequired)

	succeeded := keep(c.post("/v1/payment_intents", offSession(visa, pm), "k1"), 200)
	keep(c.post("/v1/payment_intents", offSession(cus, stripetest.MethodInsufficientFunds), "k2"), 402)
	processing := keep(c.post("/v1/payment_intents", offSession(bankCus, bank), "k3"), 200)
	withReturn := offSession(authCus, auth)
	delete(withReturn, "automatic_payment_methods[enabled]")
	delete(withReturn, "automatic_payment_methods[allow_redirects]")
	withReturn.Set("return_url", "https://billgate.example/return")
	waiting := keep(c.post("/v1/payment_intents", withReturn, "k4"), 200).str("id")
	forSDK := keep(c.post("/v1/payment_intents", offSession(authCus, auth), "k5"), 200).str("id")
	failed := keep(c.post("/v1/payment_intents", offSession(authCus, auth), "k6"), 200).str("id")
	if _, err := s.CompleteAction(failed, false); err != nil {
		t.Fatal(err)
	}
	keep(c.post("/v1/payment_intents", url.Values{"amount": {"500"}, "currency": {"eur"}, "payment_method": {stripetest.MethodVisa}}, ""), 200)
	keep(c.post("/v1/payment_intents/"+forSDK+"/cancel", url.Values{"cancellation_reason": {"abandoned"}}, ""), 200)
	keep(c.post("/v1/refunds", url.Values{"payment_intent": {succeeded.str("id")}, "amount": {"500"}, "reason": {"requested_by_customer"}}, ""), 200)
	if _, err := s.RefundInDashboard(succeeded.str("id"), 300); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(processing.str("id")); err != nil {
		t.Fatal(err)
	}
	pending := keep(c.post("/v1/refunds", url.Values{"payment_intent": {processing.str("id")}}, ""), 200).str("id")
	if err := s.Settle(pending); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{stripetest.MethodPendingRefund, stripetest.MethodRefundFail} {
		cus, pm := saved(t, s, method)
		pi := keep(c.post("/v1/payment_intents", offSession(cus, pm), ""), 200).str("id")
		re := keep(c.post("/v1/refunds", url.Values{"payment_intent": {pi}}, ""), 200).str("id")
		if _, err := s.FailRefund(re, "expired_or_canceled_card"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Dispute(succeeded.str("id")); err != nil {
		t.Fatal(err)
	}
	// Errors: a parameter, an unknown object, a state, a key, a reused key.
	keep(c.post("/v1/payment_intents", url.Values{"currency": {"usd"}}, ""), 400)
	keep(c.get("/v1/payment_intents/pi_unknown"), 404)
	keep(c.post("/v1/payment_intents/"+succeeded.str("id")+"/cancel", nil, ""), 400)
	keep(client{t: t, base: s.URL()}.get("/v1/payment_intents/"+waiting), 401)
	keep(c.post("/v1/payment_intents", offSession(visa, stripetest.MethodMastercard), "k1"), 400)

	for _, a := range bodies {
		if _, isError := a.body["error"]; isError {
			var e struct{ Error json.RawMessage }
			_ = json.Unmarshal(a.raw, &e)
			if err := spec.Validate("api_errors", e.Error); err != nil {
				t.Errorf("%v\n%s", err, a.raw)
			}
			continue
		}
		validate(t, spec, a.raw)
	}
	// Every object as it stands now, and as every event carried it.
	for _, ev := range s.Events() {
		payload, _ := s.Payload(ev.ID)
		if err := spec.Validate("event", payload); err != nil {
			t.Errorf("%v\n%s", err, payload)
		}
		validate(t, spec, ev.Data.Object)
		var obj struct{ ID, Object string }
		_ = json.Unmarshal(ev.Data.Object, &obj)
		now := c.get("/v1/" + collections[obj.Object] + "/" + obj.ID)
		if now.status != http.StatusOK {
			t.Errorf("GET %s %s = %d %s", obj.Object, obj.ID, now.status, now.raw)
		}
		validate(t, spec, now.raw)
	}
	search := c.do(http.MethodGet, "/v1/payment_intents/search", url.Values{"query": {"status:'succeeded' OR status:'canceled'"}}, "")
	wantList(t, spec, search, "search_result", "/v1/payment_intents/search", 5)
	wantList(t, spec, c.do(http.MethodGet, "/v1/refunds", url.Values{"limit": {"100"}}, ""), "list", "/v1/refunds", 5)
}

// wantList checks a list or a search result at path: its object, url and
// has_more, and each of its n objects.
func wantList(t *testing.T, spec *stripemock.Spec, a answer, object, path string, n int) {
	t.Helper()
	var result struct {
		Object  string
		Data    []json.RawMessage
		HasMore *bool  `json:"has_more"`
		URL     string `json:"url"`
	}
	if err := json.Unmarshal(a.raw, &result); err != nil || result.Object != object || result.HasMore == nil || result.URL != path || len(result.Data) != n {
		t.Errorf("GET %s = %s, want a %s of %d objects", path, a.raw, object, n)
	}
	for _, obj := range result.Data {
		validate(t, spec, obj)
	}
}

// collections is where each object is retrieved.
var collections = map[string]string{
	"payment_intent": "payment_intents", "charge": "charges", "refund": "refunds", "dispute": "disputes",
	"payment_method": "payment_methods", "customer": "customers", "event": "events",
}

func validate(t *testing.T, spec *stripemock.Spec, body []byte) {
	t.Helper()
	var obj struct{ Object string }
	if err := json.Unmarshal(body, &obj); err != nil || collections[obj.Object] == "" {
		t.Errorf("not an object stripetest serves: %s", body)
		return
	}
	if err := spec.Validate(obj.Object, body); err != nil {
		t.Errorf("%v\n%s", err, body)
	}
}
