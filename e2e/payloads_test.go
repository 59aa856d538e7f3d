package e2e

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

// Payload templates restrict what a role may send, compiled at login and
// carried in the JWT; a change applies at the next login; listen mode
// proposes templates from accepted payloads, and an admin adopts one.
func TestPayloadTemplates(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))

	templates := `{"products:create":[{"name":"<%= * %>","prices":[{"amount":[1000,2000],"currency":"USD","type":"one_time"}]}]}`
	policy := call(t, env, "POST", "/v1/policies", `{"name":"priced","statements":[{"effect":"allow","actions":["products:create"],"resources":["*"]}],"payloads":`+templates+`}`, admin...)
	if policy.Status != 201 {
		t.Fatalf("POST /v1/policies with templates = %d %+v", policy.Status, policy.Errors)
	}
	call(t, env, "POST", "/v1/policies", `{"name":"broken","statements":[{"effect":"allow","actions":["*"],"resources":["*"]}],"payloads":{"products:create":[{"name":"<%= Bad Name %>"}]}}`, admin...).
		is(t, "a template with a bad variable", 400, "INVALID", `must be "<%= * %>" or "<%= name %>" and nothing else`)
	call(t, env, "POST", "/v1/policies", `{"name":"nowhere","statements":[{"effect":"allow","actions":["*"],"resources":["*"]}],"payloads":{"products:fly":[{}]}}`, admin...).
		is(t, "a template for no action", 400, "INVALID", "payload templates are for an action a route declares (docs/actions.md)")
	role := call(t, env, "POST", "/v1/roles", `{"name":"seller","level":"business","policies":["business-default","priced"]}`, admin...)
	if role.Status != 201 {
		t.Fatalf("POST /v1/roles = %d %+v", role.Status, role.Errors)
	}
	buying := `{"name":"buying","statements":[{"effect":"allow","actions":["purchases:create"],"resources":["*"]}],
		"payloads":{"purchases:create":[{"priceId":"<%= tenant_price_ids %>","customerId":"<%= own_customer_ids %>","quantity":"<%= allowed_quantities %>",
			"paymentMethod":{"gateway":"<%= allowed_gateways %>","token":"<%= * %>"}}]},
		"substitutions":{"allowed_gateways":["sandbox"]}}`
	if r := call(t, env, "POST", "/v1/policies", buying, admin...); r.Status != 201 {
		t.Fatalf("POST /v1/policies buying = %d %+v", r.Status, r.Errors)
	}
	buyer := call(t, env, "POST", "/v1/roles", `{"name":"buyer","level":"customer","policies":["customer-default","buying"]}`, admin...)
	if buyer.Status != 201 {
		t.Fatalf("POST /v1/roles buyer = %d %+v", buyer.Status, buyer.Errors)
	}
	shopClient := env.CreateClient(nil, "shop", goodPassword, "seller")
	aliceClient := env.CreateClient(&shopClient.ID, "alice", goodPassword, "buyer")
	shop := as(t, env, creds("shop", ""))

	product := call(t, env, "POST", "/v1/products", `{"name":"Ebook","prices":[{"amount":1000,"currency":"USD","type":"one_time"}]}`, shop...)
	if product.Status != 201 {
		t.Fatalf("a product matching the template = %d %+v", product.Status, product.Errors)
	}
	price := product.Result["prices"].([]any)[0].(map[string]any)["id"].(string)
	refused := map[string]struct{ body, field string }{
		"an amount not allowed":  {`{"name":"Pricey","prices":[{"amount":5000,"currency":"USD","type":"one_time"}]}`, "prices[0].amount"},
		"a field not templated":  {`{"name":"Described","description":"no"}`, "description"},
		"a number sent as text":  {`{"name":"Typed","prices":[{"amount":"1000","currency":"USD","type":"one_time"}]}`, "prices[0].amount"},
		"a second, wrong price":  {`{"name":"Two","prices":[{"amount":1000,"currency":"USD","type":"one_time"},{"amount":1,"currency":"USD","type":"one_time"}]}`, "prices[1].amount"},
		"a body that is no JSON": {`[1]`, ""},
	}
	for name, r := range refused {
		got := call(t, env, "POST", "/v1/products", r.body, shop...)
		got.is(t, name, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		if len(got.Errors) == 1 && got.Errors[0].Field != r.field {
			t.Errorf("%s: field = %q, want %q", name, got.Errors[0].Field, r.field)
		}
	}

	token := call(t, env, "POST", "/auth/token", "", shop...).Result["token"].(string)
	call(t, env, "POST", "/v1/products", `{"name":"Pricey","prices":[{"amount":5000,"currency":"USD","type":"one_time"}]}`, "Authorization", "Bearer "+token).
		is(t, "the JWT's templates", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	t.Run("variables and contexts", func(t *testing.T) {
		// What an admin set (the policy's substitutions, then the role's
		// context) wins; the business's context for its customer fills in
		// what they leave undefined, and cannot loosen the rest.
		if r := call(t, env, "PATCH", "/v1/roles/"+buyer.Result["id"].(string), `{"payloadContext":{"allowed_gateways":["stripe"]}}`, admin...); r.Status != 200 {
			t.Fatalf("PATCH /v1/roles payloadContext = %d %+v", r.Status, r.Errors)
		}
		if r := call(t, env, "PATCH", "/v1/clients/"+aliceClient.ID.String(), `{"payloadContext":{"allowed_quantities":[1],"allowed_gateways":["stripe"]}}`, shop...); r.Status != 200 {
			t.Fatalf("PATCH /v1/clients payloadContext by the business = %d %+v", r.Status, r.Errors)
		}
		alice := as(t, env, creds("alice", "shop"))
		call(t, env, "PATCH", "/v1/profile", `{"payloadContext":{"allowed_quantities":[9]}}`, alice...).
			is(t, "a customer setting its own context", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		buy := func(priceID, customerID string, quantity int, gateway string) reply {
			return call(t, env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"quantity":%d,"paymentMethod":{"gateway":%q,"token":"sandbox_ok"}}`,
				priceID, customerID, quantity, gateway), alice...)
		}
		if r := buy(price, aliceClient.ID.String(), 1, "sandbox"); r.Status != 201 {
			t.Errorf("buying the tenant's price = %d %+v", r.Status, r.Errors)
		}
		for name, tt := range map[string]struct {
			r     reply
			field string
		}{
			"a price not the tenant's":          {buy("0190e0a0-0000-7000-8000-000000000000", aliceClient.ID.String(), 1, "sandbox"), "priceId"},
			"another customer":                  {buy(price, shopClient.ID.String(), 1, "sandbox"), "customerId"},
			"a quantity the client may not":     {buy(price, aliceClient.ID.String(), 2, "sandbox"), "quantity"},
			"a gateway only lower scopes allow": {buy(price, aliceClient.ID.String(), 1, "stripe"), "paymentMethod.gateway"},
		} {
			tt.r.is(t, name, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
			if len(tt.r.Errors) == 1 && tt.r.Errors[0].Field != tt.field {
				t.Errorf("%s: field = %q, want %q", name, tt.r.Errors[0].Field, tt.field)
			}
		}
	})

	t.Run("a change applies at the next login", func(t *testing.T) {
		wider := `{"payloads":{"products:create":[{"name":"<%= * %>","prices":"<%= * %>"}]}}`
		if r := call(t, env, "PATCH", "/v1/policies/"+policy.Result["id"].(string), wider, admin...); r.Status != 200 {
			t.Fatalf("PATCH /v1/policies = %d %+v", r.Status, r.Errors)
		}
		pricey := `{"name":"Pricey","prices":[{"amount":5000,"currency":"USD","type":"one_time"}]}`
		call(t, env, "POST", "/v1/products", pricey, shop...).is(t, "the old session", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		if r := call(t, env, "POST", "/v1/products", pricey, as(t, env, creds("shop", ""))...); r.Status != 201 {
			t.Errorf("a new login = %d %+v, want the new templates", r.Status, r.Errors)
		}
	})

	t.Run("listen mode", func(t *testing.T) {
		if r := call(t, env, "PATCH", "/v1/roles/"+role.Result["id"].(string), `{"listen":true}`, admin...); r.Status != 200 || r.Result["listen"] != true {
			t.Fatalf("PATCH /v1/roles listen = %d %+v", r.Status, r.Errors)
		}
		session := as(t, env, creds("shop", ""))
		for _, name := range []string{"Alpha", "Beta"} {
			if r := call(t, env, "POST", "/v1/products", `{"name":"`+name+`"}`, session...); r.Status != 201 {
				t.Fatalf("POST /v1/products = %d %+v", r.Status, r.Errors)
			}
		}
		call(t, env, "POST", "/v1/products", `{"name":"Refused","description":"x"}`, session...).is(t, "refused while listening", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		observed := call(t, env, "GET", "/v1/payload-templates/observed?role=seller", "", admin...)
		if observed.Status != 200 || len(observed.Results) != 1 || observed.Results[0]["action"] != "products:create" {
			t.Fatalf("GET /v1/payload-templates/observed = %d %v", observed.Status, observed.Results)
		}
		proposal, _ := json.Marshal(observed.Results[0]["template"])
		if string(proposal) != `{"name":["Alpha","Beta"]}` {
			t.Errorf("proposal = %s, want the names seen and nothing refused", proposal)
		}
		adopt := fmt.Sprintf(`{"policyId":%q,"action":"products:create","template":%s}`, policy.Result["id"], proposal)
		adopted := call(t, env, "POST", "/v1/payload-templates", adopt, admin...)
		if adopted.Status != 201 || len(adopted.Result["payloads"].(map[string]any)["products:create"].([]any)) != 2 {
			t.Errorf("POST /v1/payload-templates = %d %+v %v", adopted.Status, adopted.Errors, adopted.Result)
		}
		call(t, env, "POST", "/v1/payload-templates", `{"policyId":"`+policy.Result["id"].(string)+`","action":"products:create","template":{"name":"<%= x y %>"}}`, admin...).
			is(t, "adopting a bad template", 400, "INVALID", `must be "<%= * %>" or "<%= name %>" and nothing else`)
		call(t, env, "GET", "/v1/payload-templates/observed?role=seller", "", shop...).is(t, "a business reading proposals", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	})
}
