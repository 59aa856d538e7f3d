package e2e

import (
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	env.CreateClient(nil, "shop", goodPassword, "business")
	other := env.CreateClient(nil, "other", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	asOther := as(t, env, creds("other", ""))
	call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...)
	asBob := as(t, env, creds("bob", "shop"))

	pro := call(t, env, "POST", "/v1/products", `{"name":"Pro","description":"All features","prices":[
		{"amount":3000,"currency":"usd","type":"recurring","interval":"month","trialDays":14},
		{"amount":30000,"currency":"USD","type":"recurring","interval":"year","dunning":["24h","48h"]},
		{"amount":1500,"currency":"JPY","type":"one_time"}]}`, asShop...)
	if pro.Status != 201 {
		t.Fatalf("create product = %d %+v", pro.Status, pro.Errors)
	}
	prices := pro.Result["prices"].([]any)
	monthly := prices[0].(map[string]any)
	if len(prices) != 3 || monthly["currency"] != "USD" || monthly["intervalCount"] != float64(1) || len(monthly["dunning"].([]any)) != 3 {
		t.Errorf("prices = %v, want 3 with USD upper-cased, intervalCount 1 and the default dunning", prices)
	}
	productID, monthlyID := pro.Result["id"].(string), monthly["id"].(string)

	bad := []struct{ body, field string }{
		{`{"name":""}`, "name"},
		{`{"name":"X","prices":[{"amount":-1,"currency":"USD","type":"one_time"}]}`, "prices[0].amount"},
		{`{"name":"X","prices":[{"amount":100,"currency":"XYZ","type":"one_time"}]}`, "prices[0].currency"},
		{`{"name":"X","prices":[{"amount":100,"currency":"USD","type":"recurring","interval":"fortnight"}]}`, "prices[0].interval"},
		{`{"name":"X","prices":[{"amount":100,"currency":"USD","type":"recurring"}]}`, "prices[0].interval"},
		{`{"name":"X","prices":[{"amount":100,"currency":"USD","type":"one_time","interval":"month"}]}`, "prices[0].interval"},
		{`{"name":"X","prices":[{"amount":100,"currency":"USD","type":"one_time","dunning":["-1h"]}]}`, "prices[0].dunning"},
	}
	for _, tt := range bad {
		r := call(t, env, "POST", "/v1/products", tt.body, asShop...)
		if r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Code != "INVALID" || r.Errors[0].Field != tt.field {
			t.Errorf("POST /v1/products %s = %d %+v, want 400 INVALID on %s", tt.body, r.Status, r.Errors, tt.field)
		}
	}
	call(t, env, "POST", "/v1/products", `{"name":"X","tenantId":"`+other.ID.String()+`"}`, asShop...).
		is(t, "business creates in another catalog", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "POST", "/v1/products", `{"name":"X"}`, asBob...).is(t, "customer creates a product", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	if r := call(t, env, "POST", "/v1/products", `{"name":"Admin-made","tenantId":"`+other.ID.String()+`"}`, admin...); r.Status != 201 || r.Result["tenantId"] != other.ID.String() {
		t.Errorf("admin creates in a named catalog = %d %v", r.Status, r.Result)
	}

	// Tenant isolation.
	call(t, env, "GET", "/v1/products/"+productID, "", asOther...).is(t, "another business reads the product", 404, "NOT_FOUND", "not found")
	call(t, env, "PATCH", "/v1/products/"+productID, `{"name":"Mine"}`, asOther...).is(t, "another business edits it", 404, "NOT_FOUND", "not found")
	call(t, env, "GET", "/v1/prices/"+monthlyID, "", asOther...).is(t, "another business reads the price", 404, "NOT_FOUND", "not found")
	if r := callList(t, env, "/v1/products", asOther...); len(r.results) != 1 || r.results[0]["name"] != "Admin-made" {
		t.Errorf("other's catalog = %v", r.results)
	}

	// Prices are immutable apart from active; customers see active ones only.
	call(t, env, "PATCH", "/v1/prices/"+monthlyID, `{"amount":1}`, asShop...).is(t, "change a price's amount", 400, "INVALID", "a price is immutable apart from active: create a new price instead")
	if r := call(t, env, "PATCH", "/v1/prices/"+monthlyID, `{"active":false}`, asShop...); r.Status != 200 || r.Result["active"] != false {
		t.Fatalf("deactivate a price = %d %v", r.Status, r.Result)
	}
	call(t, env, "GET", "/v1/prices/"+monthlyID, "", asBob...).is(t, "customer reads an inactive price", 404, "NOT_FOUND", "not found")
	seen := call(t, env, "GET", "/v1/products/"+productID, "", asBob...)
	if seen.Status != 200 || len(seen.Result["prices"].([]any)) != 2 {
		t.Errorf("customer reads the product = %d with %v, want its 2 active prices", seen.Status, seen.Result["prices"])
	}
	added := call(t, env, "POST", "/v1/products/"+productID+"/prices", `{"amount":2500,"currency":"USD","type":"recurring","interval":"month","intervalCount":3}`, asShop...)
	if added.Status != 201 || added.Result["intervalCount"] != float64(3) {
		t.Errorf("add a price = %d %v", added.Status, added.Result)
	}

	// Archiving hides the product from customers; the business still sees it.
	if r := call(t, env, "PATCH", "/v1/products/"+productID, `{"active":false}`, asShop...); r.Status != 200 || r.Result["archivedAt"] == nil {
		t.Fatalf("archive = %d %v", r.Status, r.Result)
	}
	call(t, env, "GET", "/v1/products/"+productID, "", asBob...).is(t, "customer reads an archived product", 404, "NOT_FOUND", "not found")
	if r := callList(t, env, "/v1/products", asBob...); len(r.results) != 0 {
		t.Errorf("customer's catalog after archiving = %v, want empty", r.results)
	}
	if r := callList(t, env, "/v1/products", asShop...); len(r.results) != 1 {
		t.Errorf("business's catalog after archiving = %v, want the archived product", r.results)
	}
	call(t, env, "DELETE", "/v1/clients/"+other.ID.String(), "", admin...).is(t, "delete a business with a catalog", 409, "IN_USE", "still in use: delete what refers to it first")
}

func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	env.CreateClient(nil, "other", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	asOther := as(t, env, creds("other", ""))
	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...).Result["id"].(string)
	asBob := as(t, env, creds("bob", "shop"))
	path := "/v1/customers/" + bob + "/payment-methods"

	pm := call(t, env, "POST", path, `{"gateway":"sandbox","token":"sandbox_ok"}`, asShop...)
	if pm.Status != 201 || pm.Result["gateway"] != "sandbox" {
		t.Fatalf("save a payment method = %d %v", pm.Status, pm.Result)
	}
	call(t, env, "POST", path, `{"gateway":"paypal-ish","token":"x"}`, asShop...).is(t, "unknown gateway", 400, "INVALID", "gateway must be one of the configured gateways or one the business connected")
	call(t, env, "POST", path, `{"gateway":"sandbox","token":""}`, asShop...).is(t, "empty token", 400, "INVALID", "token must be 1-255 printable characters")
	call(t, env, "GET", path, "", asOther...).is(t, "another business's customer", 404, "NOT_FOUND", "not found")
	// A customer keeps its own payment methods (migration 00029), and no
	// one else's.
	if own := callList(t, env, path, asBob...); len(own.results) != 1 {
		t.Errorf("bob's own methods = %v, want the one saved", own.results)
	}
	call(t, env, "POST", "/v1/clients", newAccount("eve", ""), asShop...)
	call(t, env, "GET", path, "", as(t, env, creds("eve", "shop"))...).is(t, "another customer's methods", 404, "NOT_FOUND", "not found")
	if list := callList(t, env, path, asShop...); len(list.results) != 1 {
		t.Errorf("list = %v", list.results)
	}
	if del := call(t, env, "DELETE", path+"/"+pm.Result["id"].(string), "", asShop...); del.Status != 204 {
		t.Errorf("delete = %d", del.Status)
	}
	if list := callList(t, env, path, asShop...); len(list.results) != 0 {
		t.Errorf("list after delete = %v", list.results)
	}
}
