package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

// as logs a client in and returns the header that presents its session.
func as(t *testing.T, env *testenv.Env, body string) []string {
	t.Helper()
	token, _ := login(t, env, body)
	return []string{"Authorization", "Bearer " + token}
}

func creds(login, tenant string) string {
	if tenant == "" {
		return fmt.Sprintf(`{"login":%q,"password":%q}`, login, goodPassword)
	}
	return fmt.Sprintf(`{"login":%q,"password":%q,"tenant":%q}`, login, goodPassword, tenant)
}

func newAccount(login, extra string) string {
	return fmt.Sprintf(`{"login":%q,"password":%q%s}`, login, goodPassword, extra)
}

func TestClientsAreScopedByTenant(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))

	shop := call(t, env, "POST", "/v1/clients", newAccount("shop", `,"role":"business","email":"owner@shop.example"`), admin...)
	other := call(t, env, "POST", "/v1/clients", newAccount("other", `,"role":"business"`), admin...)
	if shop.Status != 201 || other.Status != 201 || shop.Result["tenantId"] != nil {
		t.Fatalf("admin creates businesses = %d %d %v", shop.Status, other.Status, shop.Result)
	}
	shopID := shop.Result["id"].(string)
	asShop := as(t, env, creds("shop", ""))
	asOther := as(t, env, creds("other", ""))

	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", `,"displayName":"Bob"`), asShop...)
	if bob.Status != 201 || bob.Result["tenantId"] != shopID || bob.Result["roles"].([]any)[0] != "customer" {
		t.Fatalf("business creates a customer = %d %v, want one in its tenant", bob.Status, bob.Result)
	}
	bobID := bob.Result["id"].(string)
	call(t, env, "POST", "/v1/clients", newAccount("eve", ""), asOther...)
	call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...).is(t, "duplicate login in tenant", 409, "CONFLICT", "already exists")
	if r := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asOther...); r.Status != 201 {
		t.Errorf("the same login in another tenant = %d, want 201", r.Status)
	}

	// A customer logs in naming its business, by login or by ID.
	asBob := as(t, env, creds("bob", "shop"))
	as(t, env, creds("bob", shopID))
	call(t, env, "POST", "/auth/session", creds("bob", "")).is(t, "customer without tenant", 401, "AUTH_FAILED", "AUTH FAILED")

	// Tenant isolation: another tenant's customer does not exist for you.
	call(t, env, "GET", "/v1/clients/"+bobID, "", asOther...).is(t, "business reads another tenant's customer", 404, "NOT_FOUND", "not found")
	call(t, env, "PATCH", "/v1/clients/"+bobID, `{"disabled":true}`, asOther...).is(t, "business disables another tenant's customer", 404, "NOT_FOUND", "not found")
	call(t, env, "DELETE", "/v1/clients/"+bobID, "", asOther...).is(t, "business deletes another tenant's customer", 404, "NOT_FOUND", "not found")
	call(t, env, "GET", "/v1/clients/"+shopID, "", asOther...).is(t, "business reads another business", 404, "NOT_FOUND", "not found")
	call(t, env, "GET", "/v1/clients/"+bobID, "", asBob...).is(t, "customer reads a customer", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	list := call(t, env, "GET", "/v1/clients", "", asShop...)
	if list.Status != 200 || len(list.Results) != 1 || list.Results[0]["login"] != "bob" {
		t.Errorf("business lists clients = %d %v, want only bob", list.Status, list.Results)
	}
	all := call(t, env, "GET", "/v1/clients?tenantId="+shopID, "", admin...)
	if len(all.Results) != 1 {
		t.Errorf("admin lists shop's customers = %v", all.Results)
	}

	// Pagination: pages of one follow nextCursor to the end, each client once.
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < 10; page++ {
		path := "/v1/clients?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := callList(t, env, path, admin...)
		for _, c := range r.results {
			if seen[c["id"].(string)] {
				t.Fatalf("client %s on two pages", c["id"])
			}
			seen[c["id"].(string)] = true
		}
		if cursor = r.next; cursor == "" {
			break
		}
	}
	if len(seen) != 6 {
		t.Errorf("paged through %d clients, want 6", len(seen))
	}
	call(t, env, "GET", "/v1/clients?cursor=garbage", "", admin...).is(t, "bad cursor", 400, "INVALID", "cursor is not one billgate gave")
	call(t, env, "GET", "/v1/clients?limit=1000", "", admin...).is(t, "huge page", 400, "INVALID", "limit must be 1-200")
}

type listReply struct {
	results []map[string]any
	next    string
}

func callList(t *testing.T, env *testenv.Env, path string, header ...string) listReply {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Results []map[string]any `json:"results"`
		Meta    struct {
			NextCursor string `json:"nextCursor"`
		} `json:"meta"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %v %s", path, resp.StatusCode, err, raw)
	}
	return listReply{body.Results, body.Meta.NextCursor}
}

func TestNobodyRaisesThemselves(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...).Result["id"].(string)

	call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["admin"]}`, asShop...).
		is(t, "business grants itself admin", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "POST", "/v1/clients", newAccount("boss", `,"role":"admin"`), asShop...).
		is(t, "business creates an admin", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "POST", "/v1/clients", newAccount("rival", `,"role":"business"`), asShop...).
		is(t, "business creates a business", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	for _, body := range []string{`{"roles":["admin"]}`, `{"level":2}`, `{"tenantId":null}`, `{"displayName":"x","role":"admin"}`, `{"login":"root"}`} {
		r := call(t, env, "PATCH", "/v1/profile", body, asShop...)
		r.is(t, "PATCH /v1/profile "+body, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		if len(r.Errors) == 1 && r.Errors[0].Field == "" {
			t.Errorf("PATCH /v1/profile %s names no field", body)
		}
		call(t, env, "PATCH", "/v1/clients/"+bob, body, asShop...).is(t, "PATCH customer "+body, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	}
	me := call(t, env, "GET", "/v1/profile", "", asShop...)
	if roles := me.Result["roles"].([]any); len(roles) != 1 || roles[0] != "business" {
		t.Errorf("roles after the attempts = %v, want [business]", roles)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	call(t, env, "POST", "/auth/session", `{"login":"shop","password":"not the password!"}`)
	asShop := as(t, env, creds("shop", ""))

	me := call(t, env, "GET", "/v1/profile", "", asShop...)
	if me.Status != 200 || me.Result["lastLoginAt"] == nil || me.Result["lastLoginIp"] != "127.0.0.1" || me.Result["lastFailedLoginAt"] == nil || me.Result["failedLogins"] != float64(0) {
		t.Errorf("GET /v1/profile = %d %v, want login statistics", me.Status, me.Result)
	}
	for k := range me.Result {
		if k == "passwordHash" || k == "password" {
			t.Errorf("profile leaks %s", k)
		}
	}
	ok := call(t, env, "PATCH", "/v1/profile", `{"email":"me@shop.example","displayName":"The Shop","birthdate":"1990-04-01"}`, asShop...)
	if ok.Status != 200 || ok.Result["email"] != "me@shop.example" || ok.Result["birthdate"] != "1990-04-01" {
		t.Errorf("PATCH /v1/profile = %d %v", ok.Status, ok.Result)
	}
	tests := []struct{ body, field string }{
		{`{"email":"not an address"}`, "email"},
		{`{"birthdate":"2999-01-01"}`, "birthdate"},
		{`{"birthdate":"01/04/1990"}`, "birthdate"},
		{`{"displayName":"` + string(make([]byte, 0)) + "\\u0001" + `"}`, "displayName"},
		{`{"nickname":"x"}`, "nickname"},
	}
	for _, tt := range tests {
		r := call(t, env, "PATCH", "/v1/profile", tt.body, asShop...)
		if r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Code != "INVALID" || r.Errors[0].Field != tt.field {
			t.Errorf("PATCH /v1/profile %s = %d %+v, want 400 INVALID on %s", tt.body, r.Status, r.Errors, tt.field)
		}
	}
	cleared := call(t, env, "PATCH", "/v1/profile", `{"birthdate":null}`, asShop...)
	if cleared.Status != 200 || cleared.Result["birthdate"] != nil {
		t.Errorf("clearing birthdate = %d %v", cleared.Status, cleared.Result["birthdate"])
	}
}

// Disabling, a new password set by an admin, and a lost role all take
// effect on the very next request.
func TestAdminActionsTakeEffectAtOnce(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...).Result["id"].(string)

	asBob := as(t, env, creds("bob", "shop"))
	if r := call(t, env, "PATCH", "/v1/clients/"+bob, `{"disabled":true}`, asShop...); r.Status != 200 || r.Result["disabled"] != true {
		t.Fatalf("business disables its customer = %d %v", r.Status, r.Result)
	}
	call(t, env, "GET", "/v1/profile", "", asBob...).is(t, "disabled customer's session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	call(t, env, "PATCH", "/v1/clients/"+bob, `{"disabled":false}`, asShop...)

	asBob = as(t, env, creds("bob", "shop"))
	sessions := callList(t, env, "/v1/clients/"+bob+"/sessions", admin...)
	if len(sessions.results) != 1 {
		t.Errorf("admin lists bob's sessions = %d, want 1", len(sessions.results))
	}
	call(t, env, "GET", "/v1/clients/"+bob+"/sessions", "", asShop...).is(t, "business lists sessions of its customer", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	if r := call(t, env, "PUT", "/v1/clients/"+bob+"/password", `{"password":"a fresh passphrase"}`, admin...); r.Status != 204 {
		t.Fatalf("admin sets a password = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/profile", "", asBob...).is(t, "session after an admin set the password", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	login(t, env, `{"login":"bob","password":"a fresh passphrase","tenant":"shop"}`)

	if r := call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["customer"]}`, admin...); r.Status != 200 {
		t.Fatalf("admin changes roles = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/clients", "", asShop...).is(t, "business that lost its role", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["business"]}`, admin...)

	call(t, env, "DELETE", "/v1/clients/"+shop.ID.String(), "", admin...).is(t, "delete a business with customers", 409, "IN_USE", "still in use: delete what refers to it first")
	if r := call(t, env, "DELETE", "/v1/clients/"+bob, "", asShop...); r.Status != 204 {
		t.Errorf("business deletes its customer = %d", r.Status)
	}
	if r := call(t, env, "DELETE", "/v1/clients/"+shop.ID.String(), "", admin...); r.Status != 204 {
		t.Errorf("admin deletes an empty business = %d", r.Status)
	}
	call(t, env, "GET", "/v1/profile", "", asShop...).is(t, "deleted business's session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}
