package e2e

import (
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	root := env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	env.CreateClient(nil, "other", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	asOther := as(t, env, creds("other", ""))

	bob := call(t, env, "POST", "/v1/clients", newAccount("bob", ""), asShop...).Result["id"].(string)
	call(t, env, "POST", "/auth/session", `{"login":"bob","password":"wrong password!!","tenant":"shop"}`)
	asBob := as(t, env, creds("bob", "shop"))
	call(t, env, "PATCH", "/v1/clients/"+bob, `{"disabled":true}`, asShop...)
	call(t, env, "PUT", "/v1/clients/"+shop.ID.String()+"/roles", `{"roles":["business"]}`, admin...)
	call(t, env, "DELETE", "/auth/session", "", as(t, env, creds("other", ""))...)

	type ev struct{ action, outcome, subject string }
	got := func(header []string, query string) []ev {
		var out []ev
		for _, e := range callList(t, env, "/v1/audit-events?limit=200"+query, header...).results {
			subject, _ := e["subjectId"].(string)
			out = append(out, ev{e["action"].(string), e["outcome"].(string), subject})
		}
		return out
	}
	shopEvents := got(asShop, "")
	want := []ev{
		{"login", "ok", shop.ID.String()},
		{"client.create", "ok", bob},
		{"login", "failed", bob},
		{"login", "ok", bob},
		{"client.disable", "ok", bob},
		{"client.roles", "ok", shop.ID.String()},
	}
	if len(shopEvents) != len(want) {
		t.Fatalf("shop's audit trail = %v, want %v", shopEvents, want)
	}
	for i := range want {
		if shopEvents[i] != want[i] {
			t.Errorf("shop's event %d = %v, want %v", i, shopEvents[i], want[i])
		}
	}
	for _, e := range got(asOther, "") {
		if e.subject == bob || e.subject == shop.ID.String() {
			t.Errorf("another business sees shop's event %v", e)
		}
	}
	all := got(admin, "")
	if len(all) < len(want)+3 { // plus root's and other's logins and other's logout
		t.Errorf("admin sees %d events, want all of them: %v", len(all), all)
	}
	if filtered := got(admin, "&action=logout"); len(filtered) != 1 {
		t.Errorf("admin filters logouts = %v, want 1", filtered)
	}
	if byRoot := got(admin, "&subjectId="+root.ID.String()); len(byRoot) != 1 || byRoot[0].action != "login" {
		t.Errorf("root's events = %v", byRoot)
	}
	call(t, env, "GET", "/v1/audit-events", "", asBob...).is(t, "disabled customer's session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	call(t, env, "PATCH", "/v1/clients/"+bob, `{"disabled":false}`, asShop...)
	asBob = as(t, env, creds("bob", "shop"))
	call(t, env, "GET", "/v1/audit-events", "", asBob...).is(t, "customer reads the trail", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
}
