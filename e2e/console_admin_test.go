package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The admin's journey through roles and policies: it creates a business
// and a policy, and the console shows the API's INVALID answer on the
// statement's field before a valid policy is saved; it edits the policy,
// creates a role granting it, and finds the actions a pattern matches.
// Listening to the business role, it adopts the template proposed from a
// product the business made into its policy; then it filters the audit
// trail down to the business it created. The API sees each change.
func TestConsoleAdminPolicies(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "accounts", "root", goodPassword, "")
	b.waitText(`#accounts`, "bob")
	b.fill("#new-business", map[string]string{"login": "acme", "email": "ops@acme.example", "password": goodPassword})
	b.waitText(`#accounts`, "acme")

	b.open("roles")
	b.waitText(`#policies table`, "admin-default")
	b.fill("#policy-form", map[string]string{"name": "catalog-reader", "description": "reads the catalog",
		"statements": `[{"effect":"allow","actions":["products:read","read"],"resources":["*"]}]`})
	b.waitText(`#policy-form [role=alert]`, "(statements[0].actions[1])")
	b.shot("policy-invalid")
	b.retype(`#policy-form textarea[name=statements]`, `[{"effect":"allow","actions":["products:read"],"resources":["*"]}]`)
	b.do("save the policy", chromedp.Click(chromedp.CSS(`#policy-form button[type=submit]`)))
	b.waitText(`#policy-form [role=status]`, "The policy catalog-reader is created.")
	b.waitText(`#policies tr[data-name=catalog-reader]`, "allow products:read on *")
	policy := named(t, callList(t, s.env, "/v1/policies", s.admin...).results, "catalog-reader")
	if policy["description"] != "reads the catalog" || len(policy["statements"].([]any)) != 1 {
		t.Errorf("the policy as the API has it: %v", policy)
	}
	policyID := policy["id"].(string)

	b.do("edit the policy", chromedp.Click(chromedp.CSS(`#policies tr[data-name=catalog-reader] button.edit`)))
	b.waitText(`#policy-form h3`, "Edit the policy catalog-reader")
	b.retype(`#policy-form textarea[name=statements]`,
		`[{"effect":"allow","actions":["products:read"],"resources":["*"]},{"effect":"deny","actions":["products:read"],"resources":["platform"]}]`)
	b.do("save the changes", chromedp.Click(chromedp.CSS(`#policy-form button[type=submit]`)))
	b.waitText(`#policy-form [role=status]`, "The policy catalog-reader is changed.")
	b.waitText(`#policies tr[data-name=catalog-reader]`, "deny products:read on platform")
	if r := call(t, s.env, "GET", "/v1/policies/"+policyID, "", s.admin...); len(r.Result["statements"].([]any)) != 2 {
		t.Errorf("the edited policy as the API has it: %v", r.Result)
	}

	b.do("choose the role's level and policy",
		chromedp.SetValue(chromedp.CSS(`#role-form select[name=level]`), "business"),
		chromedp.Click(chromedp.CSS(`#role-form input[value=catalog-reader]`)))
	b.fill("#role-form", map[string]string{"name": "catalog-clerk"})
	b.waitText(`#role-form [role=status]`, "The role catalog-clerk is created.")
	b.waitText(`#roles tr[data-name=catalog-clerk]`, "catalog-reader")
	role := named(t, callList(t, s.env, "/v1/roles", s.admin...).results, "catalog-clerk")
	if role["level"] != "business" || fmt.Sprint(role["policies"]) != "[catalog-reader]" {
		t.Errorf("the role as the API has it: %v", role)
	}

	b.do("match a pattern", chromedp.SendKeys(chromedp.CSS(`#actions input[name=pattern]`), "policies:*"))
	b.waitText(`#actions table`, "PATCH /v1/policies/{id}")
	if rows := b.count(`#actions tbody tr`); rows != 5 {
		t.Errorf("policies:* matches %d actions, want create, list, read, update and delete", rows)
	}
	b.shot("roles-and-policies")

	b.open("templates")
	b.waitText(`#listen tr[data-name=business] .status`, "off")
	b.do("listen to businesses", chromedp.Click(chromedp.CSS(`#listen tr[data-name=business] button`)))
	b.waitText(`#listen tr[data-name=business] .status`, "listening")
	shop := as(t, s.env, creds("shop", ""))
	if r := call(t, s.env, "POST", "/v1/products", `{"name":"Lamp"}`, shop...); r.Status != 201 {
		t.Fatalf("a business's product while listening = %d %+v", r.Status, r.Errors)
	}
	b.do("refresh the proposals", chromedp.Click(chromedp.CSS(`#proposals .toolbar button`)))
	proposal := `#proposals form[data-action="products:create"]`
	b.waitText(proposal, "Lamp")
	b.do("adopt the proposal",
		chromedp.SetValue(chromedp.CSS(proposal+` select[name=policyId]`), policyID),
		chromedp.Click(chromedp.CSS(proposal+` button[type=submit]`)))
	b.waitText(proposal+` [role=status]`, "catalog-reader now holds this template for products:create")
	b.waitText(`#adopted [data-policy=catalog-reader]`, "Lamp")
	b.shot("template-adopted")
	adopted, _ := json.Marshal(call(t, s.env, "GET", "/v1/policies/"+policyID, "", s.admin...).Result["payloads"])
	if string(adopted) != `{"products:create":[{"name":["Lamp"]}]}` {
		t.Errorf("the policy's templates = %s", adopted)
	}

	acme := callList(t, s.env, "/v1/clients?login=acme", s.admin...).results[0]["id"].(string)
	b.open("audit")
	b.waitText(`#audit`, "login")
	b.do("filter the trail",
		chromedp.SendKeys(chromedp.CSS(`#audit-filters input[name=action]`), "client.create"),
		chromedp.SetValue(chromedp.CSS(`#audit-filters select[name=subjectId]`), acme),
		chromedp.Click(chromedp.CSS(`#audit-filters button[type=submit]`)))
	b.waitText(`#page`, "1 event matching the filters")
	b.waitText(`#audit tbody`, "acme")
	if rows := b.count(`#audit tbody tr`); rows != 1 {
		t.Errorf("the filtered trail has %d events, want acme's creation", rows)
	}
	if got := b.text(`#audit tbody tr`); !contains(got, "client.create", "root", "acme") {
		t.Errorf("the filtered trail reads %q", got)
	}
	b.shot("audit-filtered")
}

// retype replaces what a field holds with text, typed, as a person would
// select what it holds and type over it.
func (b *browser) retype(sel, text string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector(%q).value = "", true)`, sel))); err != nil {
		b.t.Fatalf("clear %s: %v", sel, err)
	}
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// count is how many elements match sel now.
func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// named is the item of a list called name.
func named(t *testing.T, items []map[string]any, name string) map[string]any {
	t.Helper()
	for _, item := range items {
		if item["name"] == name {
			return item
		}
	}
	t.Fatalf("no %q in %v", name, items)
	return nil
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
