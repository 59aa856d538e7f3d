package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
)

func valid() Policy {
	return Policy{Name: "business-default", Statements: []Statement{
		allow(list("products:*", "*:read"), list("*")),
		deny(list("clients:grant-admin"), list("tenant/*")),
	}}
}

func TestValidate(t *testing.T) {
	const (
		actionMsg = `must look like resource:verb, each part of letters, digits, "-", "_" and "*", or be "*"`
		nameMsg   = `must be at most 64 characters of a-z, 0-9, "-", "_" and "."`
	)
	tests := []struct {
		name      string
		edit      func(p *Policy)
		wantField string // "" means valid
		wantMsg   string
	}{
		{"valid", func(p *Policy) {}, "", ""},
		{"name of 64", func(p *Policy) { p.Name = strings.Repeat("a", 64) }, "", ""},
		{"name of every allowed kind", func(p *Policy) { p.Name = "a-z_0.9" }, "", ""},
		{"empty name", func(p *Policy) { p.Name = "" }, "name", "must not be empty"},
		{"name of 65", func(p *Policy) { p.Name = strings.Repeat("a", 65) }, "name", nameMsg},
		{"upper-case name", func(p *Policy) { p.Name = "Business" }, "name", nameMsg},
		{"name with a space", func(p *Policy) { p.Name = "a b" }, "name", nameMsg},
		{"name with a slash", func(p *Policy) { p.Name = "a/b" }, "name", nameMsg},

		{"no statements", func(p *Policy) { p.Statements = nil }, "statements", "must have at least one statement"},
		{"empty statements", func(p *Policy) { p.Statements = []Statement{} }, "statements", "must have at least one statement"},
		{"100 statements", func(p *Policy) { p.Statements = slices.Repeat(p.Statements[:1], 100) }, "", ""},
		{"101 statements", func(p *Policy) { p.Statements = slices.Repeat(p.Statements[:1], 101) }, "statements", "must have at most 100 statements"},

		{"no effect", func(p *Policy) { p.Statements[0].Effect = "" }, "statements[0].effect", `must be "allow" or "deny"`},
		{"capitalised effect", func(p *Policy) { p.Statements[1].Effect = "Deny" }, "statements[1].effect", `must be "allow" or "deny"`},
		{"unknown effect", func(p *Policy) { p.Statements[1].Effect = "permit" }, "statements[1].effect", `must be "allow" or "deny"`},

		{"no actions", func(p *Policy) { p.Statements[1].Actions = nil }, "statements[1].actions", "must have at least one action"},
		{"100 actions", func(p *Policy) { p.Statements[0].Actions = slices.Repeat(list("a:b"), 100) }, "", ""},
		{"101 actions", func(p *Policy) { p.Statements[0].Actions = slices.Repeat(list("a:b"), 101) }, "statements[0].actions", "must have at most 100 actions"},
		{"action star", func(p *Policy) { p.Statements[0].Actions = list("*") }, "", ""},
		{"action star:star", func(p *Policy) { p.Statements[0].Actions = list("*:*") }, "", ""},
		{"action globs", func(p *Policy) { p.Statements[0].Actions = list("prod*:c*e", "*s:*", "a**:b") }, "", ""},
		{"action of every allowed kind", func(p *Policy) { p.Statements[0].Actions = list("Az09-_*:Az09-_*") }, "", ""},
		{"action of 128", func(p *Policy) { p.Statements[0].Actions = list("a:" + strings.Repeat("b", 126)) }, "", ""},
		{"action of 129", func(p *Policy) { p.Statements[0].Actions = list("a:" + strings.Repeat("b", 127)) },
			"statements[0].actions[0]", "must be at most 128 characters"},
		{"empty action", func(p *Policy) { p.Statements[0].Actions[1] = "" }, "statements[0].actions[1]", actionMsg},
		{"action without verb", func(p *Policy) { p.Statements[1].Actions[0] = "clients" }, "statements[1].actions[0]", actionMsg},
		{"action with empty verb", func(p *Policy) { p.Statements[0].Actions[0] = "products:" }, "statements[0].actions[0]", actionMsg},
		{"action with empty type", func(p *Policy) { p.Statements[0].Actions[0] = ":read" }, "statements[0].actions[0]", actionMsg},
		{"action with two colons", func(p *Policy) { p.Statements[0].Actions[0] = "a:b:c" }, "statements[0].actions[0]", actionMsg},
		{"double star action", func(p *Policy) { p.Statements[0].Actions[0] = "**" }, "statements[0].actions[0]", actionMsg},
		{"action glob without colon", func(p *Policy) { p.Statements[0].Actions[0] = "prod*" }, "statements[0].actions[0]", actionMsg},
		{"action with a space", func(p *Policy) { p.Statements[0].Actions[0] = "products: read" }, "statements[0].actions[0]", actionMsg},
		{"action with a slash", func(p *Policy) { p.Statements[0].Actions[0] = "products/x:read" }, "statements[0].actions[0]", actionMsg},
		{"action with a question mark", func(p *Policy) { p.Statements[0].Actions[0] = "products:rea?" }, "statements[0].actions[0]", actionMsg},
		{"non-ASCII action", func(p *Policy) { p.Statements[0].Actions[0] = "products:réad" }, "statements[0].actions[0]", actionMsg},

		{"no resources", func(p *Policy) { p.Statements[1].Resources = nil }, "statements[1].resources", "must have at least one resource"},
		{"100 resources", func(p *Policy) { p.Statements[0].Resources = slices.Repeat(list("*"), 100) }, "", ""},
		{"101 resources", func(p *Policy) { p.Statements[0].Resources = slices.Repeat(list("*"), 101) }, "statements[0].resources", "must have at most 100 resources"},
		{"resource of 512", func(p *Policy) { p.Statements[0].Resources = list(strings.Repeat("r", 512)) }, "", ""},
		{"resource of 513", func(p *Policy) { p.Statements[0].Resources = list(strings.Repeat("r", 513)) },
			"statements[0].resources[0]", "must be at most 512 bytes"},
		{"resource with spaces and accents", func(p *Policy) { p.Statements[0].Resources = list("tenant/Café au lait/*") }, "", ""},
		{"empty resource", func(p *Policy) { p.Statements[1].Resources = list("*", "") }, "statements[1].resources[1]", "must not be empty"},
		{"invalid UTF-8 resource", func(p *Policy) { p.Statements[0].Resources[0] = "tenant/\xff" }, "statements[0].resources[0]", "must be valid UTF-8"},
		{"resource with a newline", func(p *Policy) { p.Statements[0].Resources[0] = "tenant/\n" }, "statements[0].resources[0]", "must not contain control characters"},
		{"resource with NUL", func(p *Policy) { p.Statements[0].Resources[0] = "\x00" }, "statements[0].resources[0]", "must not contain control characters"},
		{"resource with DEL", func(p *Policy) { p.Statements[0].Resources[0] = "a\x7f" }, "statements[0].resources[0]", "must not contain control characters"},
		{"resource with a C1 control", func(p *Policy) { p.Statements[0].Resources[0] = "a\u0085" }, "statements[0].resources[0]", "must not contain control characters"},

		{"first error wins", func(p *Policy) { p.Statements[0].Effect = ""; p.Statements[1].Actions = nil }, "statements[0].effect", `must be "allow" or "deny"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.edit(&p)
			err := p.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v (%T), want a *FieldError", err, err)
			}
			if fe.Field != tt.wantField || fe.Message != tt.wantMsg {
				t.Errorf("Validate() = %+v, want {Field:%s Message:%s}", *fe, tt.wantField, tt.wantMsg)
			}
			if want := tt.wantField + ": " + tt.wantMsg; err.Error() != want {
				t.Errorf("Validate().Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	p := valid()
	const want = `{"name":"business-default","statements":[` +
		`{"effect":"allow","actions":["products:*","*:read"],"resources":["*"]},` +
		`{"effect":"deny","actions":["clients:grant-admin"],"resources":["tenant/*"]}]}`
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal(%+v) = %v", p, err)
	}
	if string(b) != want {
		t.Errorf("json.Marshal(%+v) = %s, want %s", p, b, want)
	}
	var back Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("Decode(%s) = %v", b, err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("Decode(%s) = %+v, want %+v", b, back, p)
	}
}

func TestJSONFieldNames(t *testing.T) {
	const doc = `{"name": "business-default", "statements": [
	  {"effect": "allow", "actions": ["products:*", "customers:*", "subscriptions:*"], "resources": ["*"]},
	  {"effect": "deny",  "actions": ["clients:grant-admin"], "resources": ["*"]}
	]}`
	var p Policy
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("Decode = %v", err)
	}
	want := Policy{Name: "business-default", Statements: []Statement{
		allow(list("products:*", "customers:*", "subscriptions:*"), list("*")),
		deny(list("clients:grant-admin"), list("*")),
	}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Decode = %+v, want %+v", p, want)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

func FuzzPolicyJSON(f *testing.F) {
	seeds := []string{
		`null`, `{}`, `[]`, `""`, `{"name":"x"}`, `{"name":"x","statements":null}`,
		`{"name":"x","statements":[null]}`, `{"name":"x","statements":[{}]}`,
		`{"name":"x","statements":[{"effect":"allow","actions":["*"],"resources":["*"]}]}`,
		`{"name":"x","statements":[{"effect":"deny","actions":["a:b","*:*"],"resources":["t/*/\u0085"]}]}`,
		`{"name":"x","statements":[{"effect":"allow","actions":["a:b"],"resources":["\ud800"]}]}`,
		`{"name":"business-default","statements":[{"effect":"allow","actions":["products:*"],"resources":["*"]},` +
			`{"effect":"deny","actions":["clients:grant-admin"],"resources":["*"]}]}`,
		`{"name":1,"statements":"x"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Policy
		if json.Unmarshal(data, &p) != nil {
			return
		}
		s := Compile(p) // must not panic, valid or not
		if err := p.Validate(); err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" || fe.Message == "" {
				t.Fatalf("Validate() = %#v, want a *FieldError with a field and a message", err)
			}
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("json.Marshal(%+v) = %v", p, err)
		}
		var back Policy
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
			t.Fatalf("round trip of %+v = %+v, %v", p, back, err)
		}
		// A pattern matches itself, so each statement matches the request
		// spelled by its own patterns, and a deny there must win.
		for i, st := range p.Statements {
			for _, a := range st.Actions {
				for _, r := range st.Resources {
					d := s.Decide(a, r)
					if !d.Matched || (st.Effect == Deny && d.Effect != Deny) {
						t.Fatalf("Decide(%q, %q) = %+v, want a match, a deny if statement %d is one", a, r, d, i)
					}
				}
			}
		}
	})
}

// TestDocsPolicies keeps docs/policies.md true: every JSON block in it is a
// valid policy, the built-in roles' defaults are the ones a migrated
// database holds, and the worked examples decide as it says.
func TestDocsPolicies(t *testing.T) {
	md, err := os.ReadFile("../../docs/policies.md")
	if err != nil {
		t.Fatalf("ReadFile = %v", err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(md, -1)
	policies := map[string]Policy{}
	for _, b := range blocks {
		var p Policy
		dec := json.NewDecoder(bytes.NewReader(b[1]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("Decode(%s) = %v", b[1], err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", p.Name, err)
		}
		policies[p.Name] = p
	}

	// The built-in roles' defaults, as a migrated database holds them: the
	// identity migration seeds them, later ones add actions.
	defaults := []string{"admin-default", "business-default", "customer-default"}
	for _, target := range dbtest.Targets(t) {
		store, err := models.Open(context.Background(), target.DSN, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		stored, err := store.Policies(context.Background())
		_ = store.Close()
		if err != nil {
			t.Fatal(err)
		}
		seeded := map[string][]Statement{}
		for _, p := range stored {
			var sts []Statement
			if err := json.Unmarshal([]byte(p.Statements), &sts); err != nil {
				t.Fatalf("%s: statements of %s: %v", target.Name, p.Name, err)
			}
			seeded[p.Name] = sts
		}
		for _, name := range defaults {
			if got, want := seeded[name], policies[name].Statements; !reflect.DeepEqual(got, want) {
				t.Errorf("a migrated %s database holds %s = %+v, want %+v as in docs/policies.md", target.Name, name, got, want)
			}
		}
	}

	const tenant = "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55"
	tests := []struct {
		role, action, resource string
		want                   Decision
	}{
		{"admin-default", "policies:update", "platform", Decision{Allow, true, "admin-default", 0}},
		{"business-default", "products:create", tenant, Decision{Allow, true, "business-default", 0}},
		{"business-default", "policies:update", tenant, Decision{Deny, true, "business-default", 1}},
		{"business-default", "audit-events:delete", tenant, Decision{Deny, false, "", -1}},
		{"customer-default", "subscriptions:read", tenant, Decision{Allow, true, "customer-default", 0}},
		{"customer-default", "products:create", tenant, Decision{Deny, false, "", -1}},
	}
	for _, tt := range tests {
		p, ok := policies[tt.role]
		if !ok {
			t.Fatalf("docs/policies.md has no policy %q", tt.role)
		}
		if got := Compile(p).Decide(tt.action, tt.resource); got != tt.want {
			t.Errorf("%s: Decide(%q, %q) = %+v, want %+v", tt.role, tt.action, tt.resource, got, tt.want)
		}
	}
}
