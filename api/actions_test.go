package api_test

import (
	"encoding/json"
	"slices"
	"testing"
)

// GET /v1/actions lists the actions the routes declare, each with its
// routes as the spec spells them, for admins alone; every action it lists
// is one a policy's payload templates may be keyed by.
func TestActionsList(t *testing.T) {
	a := newAccountsAPI(t)
	r := a.call("root", "GET", "/v1/actions", "")
	if r.status != 200 {
		t.Fatalf("GET /v1/actions = %d %s", r.status, r.body)
	}
	routes := map[string][]string{}
	var names []string
	for _, item := range r.list(t).Results {
		name := item["action"].(string)
		names = append(names, name)
		for _, route := range item["routes"].([]any) {
			routes[name] = append(routes[name], route.(string))
		}
	}
	if !slices.IsSorted(names) || len(names) != len(routes) {
		t.Errorf("actions are not sorted and distinct: %v", names)
	}
	for action, want := range map[string][]string{
		"policies:update": {"PATCH /v1/policies/{id}"},
		"products:read":   {"GET /v1/prices/{id}", "GET /v1/products", "GET /v1/products/{id}"},
		"actions:list":    {"GET /v1/actions"},
	} {
		if !slices.Equal(routes[action], want) {
			t.Errorf("%s routes = %v, want %v", action, routes[action], want)
		}
	}

	payloads := map[string][]map[string]any{}
	for _, name := range names {
		payloads[name] = []map[string]any{{}}
	}
	body, _ := json.Marshal(map[string]any{"name": "every-action", "statements": []map[string]any{{"effect": "allow", "actions": []string{"*"}, "resources": []string{"*"}}},
		"payloads": payloads})
	if r := a.call("root", "POST", "/v1/policies", string(body)); r.status != 201 {
		t.Errorf("a template for every listed action = %d %s", r.status, r.body)
	}

	for _, who := range []string{"shop", "bob"} {
		if r := a.call(who, "GET", "/v1/actions", ""); r.status != 401 || r.body != `{"errors":[{"code":"PERMISSION_DENIED","message":"PERMISSION DENIED"}]}` {
			t.Errorf("%s lists actions = %d %s", who, r.status, r.body)
		}
	}
}
