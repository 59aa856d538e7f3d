package e2e

import (
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

// An admin defines a policy and a role; a client given the role can do
// exactly what the policy allows, and changes apply on the next request.
func TestRolesAndPolicies(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))

	call(t, env, "GET", "/v1/roles", "", asShop...).is(t, "business lists roles", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "POST", "/v1/policies", `{"name":"x","statements":[]}`, asShop...).is(t, "business creates a policy", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	roles := callList(t, env, "/v1/roles", admin...)
	if len(roles.results) != 3 {
		t.Fatalf("built-in roles = %v", roles.results)
	}

	tests := []struct{ body, field string }{
		{`{"name":"Bad Name","statements":[{"effect":"allow","actions":["profile:read"],"resources":["*"]}]}`, "name"},
		{`{"name":"p","statements":[]}`, "statements"},
		{`{"name":"p","statements":[{"effect":"maybe","actions":["profile:read"],"resources":["*"]}]}`, "statements[0].effect"},
		{`{"name":"p","statements":[{"effect":"allow","actions":["read"],"resources":["*"]}]}`, "statements[0].actions[0]"},
	}
	for _, tt := range tests {
		r := call(t, env, "POST", "/v1/policies", tt.body, admin...)
		if r.Status != 400 || len(r.Errors) != 1 || r.Errors[0].Field != tt.field {
			t.Errorf("POST /v1/policies %s = %d %+v, want 400 on %s", tt.body, r.Status, r.Errors, tt.field)
		}
	}

	pol := call(t, env, "POST", "/v1/policies", `{"name":"profile-only","description":"read own profile","statements":[{"effect":"allow","actions":["auth:*","profile:read"],"resources":["*"]}]}`, admin...)
	if pol.Status != 201 {
		t.Fatalf("create policy = %d %+v", pol.Status, pol.Errors)
	}
	call(t, env, "POST", "/v1/policies", `{"name":"profile-only","statements":[{"effect":"allow","actions":["x:y"],"resources":["*"]}]}`, admin...).
		is(t, "duplicate policy", 409, "CONFLICT", "already exists")
	call(t, env, "POST", "/v1/roles", `{"name":"viewer","level":"business","policies":["nope"]}`, admin...).
		is(t, "role with an unknown policy", 400, "INVALID", "unknown policy")
	role := call(t, env, "POST", "/v1/roles", `{"name":"viewer","level":"business","policies":["profile-only"]}`, admin...)
	if role.Status != 201 || role.Result["level"] != "business" || role.Result["policies"].([]any)[0] != "profile-only" {
		t.Fatalf("create role = %d %v", role.Status, role.Result)
	}
	roleID := role.Result["id"].(string)

	if r := call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["viewer"]}`, admin...); r.Status != 200 {
		t.Fatalf("grant viewer = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, env, "GET", "/v1/profile", "", asShop...); r.Status != 200 {
		t.Errorf("viewer reads its profile = %d", r.Status)
	}
	call(t, env, "PATCH", "/v1/profile", `{"displayName":"x"}`, asShop...).is(t, "viewer edits its profile", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "GET", "/v1/clients", "", asShop...).is(t, "viewer lists clients", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	// Deny wins, and a policy edit applies on the next request.
	edit := call(t, env, "PATCH", "/v1/policies/"+pol.Result["id"].(string),
		`{"statements":[{"effect":"allow","actions":["*"],"resources":["*"]},{"effect":"deny","actions":["profile:*"],"resources":["*"]}]}`, admin...)
	if edit.Status != 200 {
		t.Fatalf("edit policy = %d %+v", edit.Status, edit.Errors)
	}
	call(t, env, "GET", "/v1/profile", "", asShop...).is(t, "after deny", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	call(t, env, "DELETE", "/v1/policies/"+pol.Result["id"].(string), "", admin...).is(t, "delete a policy in use", 409, "IN_USE", "still in use: delete what refers to it first")
	call(t, env, "DELETE", "/v1/roles/"+roleID, "", admin...).is(t, "delete a held role", 409, "IN_USE", "still in use: delete what refers to it first")
	builtin := roles.results[0]["id"].(string)
	call(t, env, "DELETE", "/v1/roles/"+builtin, "", admin...).is(t, "delete a built-in role", 409, "BUILTIN", "built-in roles cannot be deleted")

	call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["business"]}`, admin...)
	if r := call(t, env, "PATCH", "/v1/roles/"+roleID, `{"policies":[]}`, admin...); r.Status != 200 || len(r.Result["policies"].([]any)) != 0 {
		t.Errorf("detach policies = %d %v", r.Status, r.Result)
	}
	for _, path := range []string{"/v1/roles/" + roleID, "/v1/policies/" + pol.Result["id"].(string)} {
		if r := call(t, env, "DELETE", path, "", admin...); r.Status != 204 {
			t.Errorf("DELETE %s = %d %+v", path, r.Status, r.Errors)
		}
	}
}
