package policy

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func allow(actions, resources []string) Statement {
	return Statement{Effect: Allow, Actions: actions, Resources: resources}
}

func deny(actions, resources []string) Statement {
	return Statement{Effect: Deny, Actions: actions, Resources: resources}
}

func list(s ...string) []string { return s }

func TestDecide(t *testing.T) {
	business := Policy{Name: "business-default", Statements: []Statement{
		allow(list("products:*", "customers:*", "subscriptions:*"), list("*")),
		deny(list("clients:grant-admin"), list("*")),
	}}
	denyFirst := Policy{Name: "deny-first", Statements: []Statement{
		deny(list("products:delete"), list("*")),
		allow(list("products:*"), list("*")),
	}}
	allowAll := Policy{Name: "allow-all", Statements: []Statement{allow(list("*"), list("*"))}}
	tenant := Policy{Name: "tenant-a", Statements: []Statement{
		allow(list("*:read"), list("tenant/a/*")),
		deny(list("*"), list("tenant/a/secret/*")),
	}}
	noDelete := Policy{Name: "no-delete", Statements: []Statement{deny(list("*:delete"), list("*"))}}
	nothing := Decision{Effect: Deny, Statement: -1}

	tests := []struct {
		name             string
		policies         []Policy
		action, resource string
		want             Decision
	}{
		{"no policies", nil, "products:read", "x", nothing},
		{"allowed", []Policy{business}, "products:create", "tenant/a/products/1",
			Decision{Allow, true, "business-default", 0}},
		{"default deny", []Policy{business}, "invoices:read", "tenant/a/invoices/1", nothing},
		{"deny after allow wins", []Policy{business, allowAll}, "clients:grant-admin", "x",
			Decision{Deny, true, "business-default", 1}},
		{"deny before allow wins", []Policy{denyFirst}, "products:delete", "x",
			Decision{Deny, true, "deny-first", 0}},
		{"deny in a later policy wins", []Policy{allowAll, noDelete}, "products:delete", "x",
			Decision{Deny, true, "no-delete", 0}},
		{"deny in an earlier policy wins", []Policy{noDelete, allowAll}, "products:delete", "x",
			Decision{Deny, true, "no-delete", 0}},
		{"second policy allows", []Policy{business, tenant}, "invoices:read", "tenant/a/invoices/1",
			Decision{Allow, true, "tenant-a", 0}},
		{"first matching allow is named", []Policy{business, allowAll}, "products:read", "x",
			Decision{Allow, true, "business-default", 0}},
		{"resource glob matches", []Policy{tenant}, "customers:read", "tenant/a/customers/7",
			Decision{Allow, true, "tenant-a", 0}},
		{"resource glob misses", []Policy{tenant}, "customers:read", "tenant/b/customers/7", nothing},
		{"action glob misses", []Policy{tenant}, "customers:update", "tenant/a/customers/7", nothing},
		{"resource deny wins", []Policy{tenant}, "keys:read", "tenant/a/secret/1",
			Decision{Deny, true, "tenant-a", 1}},
		{"deny that does not match leaves allow", []Policy{business, noDelete}, "products:update", "x",
			Decision{Allow, true, "business-default", 0}},
		{"action must match exactly", []Policy{business}, "products", "x", nothing},
		{"case-sensitive", []Policy{business}, "Products:create", "x", nothing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Compile(tt.policies...)
			if got := s.Decide(tt.action, tt.resource); got != tt.want {
				t.Errorf("Decide(%q, %q) = %+v, want %+v", tt.action, tt.resource, got, tt.want)
			}
			if got, want := s.Allowed(tt.action, tt.resource), tt.want.Allowed(); got != want {
				t.Errorf("Allowed(%q, %q) = %v, want %v", tt.action, tt.resource, got, want)
			}
		})
	}
}

func TestNilAndZeroSetDeny(t *testing.T) {
	for name, s := range map[string]*Set{"nil": nil, "zero": {}, "empty": Compile()} {
		if s.Allowed("products:read", "*") {
			t.Errorf("%s: Allowed(products:read, *) = true, want false", name)
		}
		if got, want := s.Decide("products:read", "*"), (Decision{Effect: Deny, Statement: -1}); got != want {
			t.Errorf("%s: Decide(products:read, *) = %+v, want %+v", name, got, want)
		}
	}
}

func TestCompileFailsClosed(t *testing.T) {
	tests := []struct {
		name string
		st   Statement
	}{
		{"capitalised effect", Statement{Effect: "Allow", Actions: list("*"), Resources: list("*")}},
		{"empty effect", Statement{Actions: list("*"), Resources: list("*")}},
		{"unknown effect", Statement{Effect: "permit", Actions: list("*"), Resources: list("*")}},
	}
	everything := Policy{Name: "all", Statements: []Statement{allow(list("*"), list("*"))}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Compile(everything, Policy{Name: "bad", Statements: []Statement{tt.st}})
			want := Decision{Effect: Deny, Matched: true, Policy: "bad", Statement: 0}
			if got := s.Decide("products:read", "x"); got != want {
				t.Errorf("Decide(products:read, x) = %+v, want %+v", got, want)
			}
		})
	}
	t.Run("no actions or resources", func(t *testing.T) {
		s := Compile(Policy{Name: "empty", Statements: []Statement{{Effect: Allow}, {Effect: Allow, Actions: list("*")}}})
		if s.Allowed("products:read", "x") {
			t.Errorf("Allowed(products:read, x) = true, want false")
		}
	})
}

func TestCompileCopies(t *testing.T) {
	p := Policy{Name: "p", Statements: []Statement{allow(list("products:read"), list("*"))}}
	s := Compile(p)
	p.Statements[0].Actions[0] = "customers:read"
	p.Statements[0].Effect = Deny
	if !s.Allowed("products:read", "x") {
		t.Errorf("Allowed(products:read, x) = false, want true after the policy changed")
	}
}

func TestDecisionString(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{Decision{Effect: Deny, Statement: -1}, "deny: no statement matched"},
		{Decision{Deny, true, "business-default", 1}, "deny by business-default statements[1]"},
		{Decision{Allow, true, "admin-default", 0}, "allow by admin-default statements[0]"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	s := Compile(benchPolicies()...)
	for i, want := range []bool{true, true, false, false} {
		r := benchRequests[i]
		if got := s.Allowed(r.action, r.resource); got != want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", r.action, r.resource, got, want)
		}
	}
	for _, r := range benchRequests {
		if n := testing.AllocsPerRun(100, func() { s.Allowed(r.action, r.resource) }); n != 0 {
			t.Errorf("Allowed(%q, %q) allocates %v times, want 0", r.action, r.resource, n)
		}
		if n := testing.AllocsPerRun(100, func() { s.Decide(r.action, r.resource) }); n != 0 {
			t.Errorf("Decide(%q, %q) allocates %v times, want 0", r.action, r.resource, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Match("tenant/*/products/*", "tenant/1/products/2") }); n != 0 {
		t.Errorf("Match allocates %v times, want 0", n)
	}
}

// The property tests below draw policies and requests from a small
// vocabulary, so that random statements often match random requests.
var (
	propTypes     = []string{"products", "customers", "subscriptions", "clients"}
	propVerbs     = []string{"create", "read", "cancel", "grant-admin"}
	propResources = []string{"tenant/a/products/1", "tenant/a/clients/2", "tenant/b/products/1", "platform"}
)

type request struct{ action, resource string }

func allRequests() []request {
	var rs []request
	for _, typ := range propTypes {
		for _, verb := range propVerbs {
			for _, res := range propResources {
				rs = append(rs, request{typ + ":" + verb, res})
			}
		}
	}
	return rs
}

type gen struct{ rng *rand.Rand }

func (g gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// blur turns a word into a glob for it, such as "prod*" or "*ducts".
func (g gen) blur(w string) string {
	if g.rng.IntN(2) == 0 {
		return w[:g.rng.IntN(len(w))] + "*"
	}
	return "*" + w[g.rng.IntN(len(w)):]
}

func (g gen) action() string {
	switch g.rng.IntN(6) {
	case 0:
		return "*"
	case 1:
		return g.pick(propTypes) + ":*"
	case 2:
		return "*:" + g.pick(propVerbs)
	case 3:
		return g.blur(g.pick(propTypes)) + ":" + g.blur(g.pick(propVerbs))
	default:
		return g.pick(propTypes) + ":" + g.pick(propVerbs)
	}
}

func (g gen) resource() string {
	switch g.rng.IntN(5) {
	case 0:
		return "*"
	case 1:
		return "tenant/" + g.pick([]string{"a", "b"}) + "/*"
	case 2:
		return "*/products/*"
	case 3:
		return g.blur(g.pick(propResources))
	default:
		return g.pick(propResources)
	}
}

func (g gen) statement(effect Effect) Statement {
	st := Statement{Effect: effect}
	for range 1 + g.rng.IntN(3) {
		st.Actions = append(st.Actions, g.action())
	}
	for range 1 + g.rng.IntN(2) {
		st.Resources = append(st.Resources, g.resource())
	}
	return st
}

func (g gen) effect() Effect {
	if g.rng.IntN(3) == 0 {
		return Deny
	}
	return Allow
}

// policies returns 0 to 3 policies with unique names.
func (g gen) policies() []Policy {
	ps := make([]Policy, g.rng.IntN(4))
	for i := range ps {
		ps[i].Name = "p" + string(rune('0'+i))
		for range 1 + g.rng.IntN(4) {
			ps[i].Statements = append(ps[i].Statements, g.statement(g.effect()))
		}
	}
	return ps
}

func clonePolicies(ps []Policy) []Policy {
	out := make([]Policy, len(ps))
	for i, p := range ps {
		out[i] = Policy{Name: p.Name, Statements: slices.Clone(p.Statements)}
	}
	return out
}

// withStatement returns a copy of ps with st added: to a random policy, or
// as a policy of its own.
func (g gen) withStatement(ps []Policy, st Statement) []Policy {
	ps = clonePolicies(ps)
	if len(ps) == 0 || g.rng.IntN(3) == 0 {
		return append(ps, Policy{Name: "added", Statements: []Statement{st}})
	}
	i := g.rng.IntN(len(ps))
	at := g.rng.IntN(len(ps[i].Statements) + 1)
	ps[i].Statements = slices.Insert(ps[i].Statements, at, st)
	return ps
}

func statementMatches(st Statement, r request) bool {
	return slices.ContainsFunc(st.Actions, func(a string) bool { return Match(a, r.action) }) &&
		slices.ContainsFunc(st.Resources, func(res string) bool { return Match(res, r.resource) })
}

func mustValidate(t *testing.T, ps []Policy) {
	t.Helper()
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			t.Fatalf("generated policy %+v is invalid: %v", p, err)
		}
	}
}

const propRounds = 2000

// TestPropertyAddDeny: adding a deny statement never allows what was denied,
// and denies exactly the requests it matches.
func TestPropertyAddDeny(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(10, 1))}
	reqs := allRequests()
	for round := range propRounds {
		ps := g.policies()
		st := g.statement(Deny)
		after := g.withStatement(ps, st)
		mustValidate(t, after)
		s0, s1 := Compile(ps...), Compile(after...)
		for _, r := range reqs {
			before, got := s0.Allowed(r.action, r.resource), s1.Allowed(r.action, r.resource)
			if want := before && !statementMatches(st, r); got != want {
				t.Fatalf("round %d: adding %+v to %+v: Allowed(%q, %q) = %v, want %v (was %v)",
					round, st, ps, r.action, r.resource, got, want, before)
			}
		}
	}
}

// TestPropertyAddAllow: adding an allow statement never denies what was
// allowed, and allows what it matches unless a deny matches.
func TestPropertyAddAllow(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(20, 2))}
	reqs := allRequests()
	for round := range propRounds {
		ps := g.policies()
		st := g.statement(Allow)
		after := g.withStatement(ps, st)
		mustValidate(t, after)
		s0, s1 := Compile(ps...), Compile(after...)
		for _, r := range reqs {
			before := s0.Decide(r.action, r.resource)
			denied := before.Matched && before.Effect == Deny
			got := s1.Allowed(r.action, r.resource)
			if want := before.Allowed() || (!denied && statementMatches(st, r)); got != want {
				t.Fatalf("round %d: adding %+v to %+v: Allowed(%q, %q) = %v, want %v (was %v)",
					round, st, ps, r.action, r.resource, got, want, before)
			}
		}
	}
}

// TestPropertyOrderAndOracle: shuffling policies and statements never changes
// a decision's effect, every decision agrees with a direct reading of the
// rules, and the statement Decide names does match with that effect.
func TestPropertyOrderAndOracle(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(30, 3))}
	reqs := allRequests()
	for round := range propRounds {
		ps := g.policies()
		mustValidate(t, ps)
		shuffled := clonePolicies(ps)
		g.rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for _, p := range shuffled {
			g.rng.Shuffle(len(p.Statements), func(i, j int) { p.Statements[i], p.Statements[j] = p.Statements[j], p.Statements[i] })
		}
		byName := map[string]Policy{}
		for _, p := range ps {
			byName[p.Name] = p
		}
		s, sh := Compile(ps...), Compile(shuffled...)
		for _, r := range reqs {
			var anyAllow, anyDeny bool
			for _, p := range ps {
				for _, st := range p.Statements {
					if statementMatches(st, r) {
						anyAllow = anyAllow || st.Effect == Allow
						anyDeny = anyDeny || st.Effect == Deny
					}
				}
			}
			want := Decision{Effect: Deny, Matched: anyAllow || anyDeny}
			if anyAllow && !anyDeny {
				want.Effect = Allow
			}

			for name, set := range map[string]*Set{"original": s, "shuffled": sh} {
				d := set.Decide(r.action, r.resource)
				if d.Effect != want.Effect || d.Matched != want.Matched {
					t.Fatalf("round %d, %s: Decide(%q, %q) = %+v, want effect %v, matched %v; policies %+v",
						round, name, r.action, r.resource, d, want.Effect, want.Matched, ps)
				}
				if set.Allowed(r.action, r.resource) != d.Allowed() {
					t.Fatalf("round %d, %s: Allowed(%q, %q) = %v, want %v as Decide",
						round, name, r.action, r.resource, !d.Allowed(), d.Allowed())
				}
			}

			if d := s.Decide(r.action, r.resource); d.Matched {
				st := byName[d.Policy].Statements[d.Statement]
				if st.Effect != d.Effect || !statementMatches(st, r) {
					t.Fatalf("round %d: Decide(%q, %q) = %+v names %+v, which does not match with that effect",
						round, r.action, r.resource, d, st)
				}
			}
		}
	}
}

// benchPolicies is a realistic set: three policies, ten statements.
func benchPolicies() []Policy {
	const tenant = "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55"
	return []Policy{
		{Name: "business-default", Statements: []Statement{
			allow(list("products:*", "prices:*", "customers:*", "subscriptions:*"), list("*")),
			allow(list("purchases:*", "payments:*", "invoices:*", "entitlements:*"), list("*")),
			allow(list("clients:read", "clients:create", "clients:update"), list("*")),
			deny(list("clients:grant-admin"), list("*")),
		}},
		{Name: "tenant-reporting", Statements: []Statement{
			allow(list("*:read", "*:list"), list(tenant+"/*")),
			allow(list("reports:*", "exports:create"), list(tenant+"/reports/*")),
			deny(list("*:delete"), list(tenant+"/archive/*")),
		}},
		{Name: "support", Statements: []Statement{
			allow(list("audit:read"), list("*")),
			allow(list("webhooks:*"), list(tenant+"/webhooks/*")),
			deny(list("clients:update"), list("tenant/*/clients/admin-*")),
		}},
	}
}

var benchRequests = []request{
	{"products:create", "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55/products/42"},
	{"webhooks:update", "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55/webhooks/7"},
	{"clients:grant-admin", "tenant/0b7e4a1c-8f1d-4c7a-9a0e-3f6a2d9c1b55/clients/9"},
	{"platform:shutdown", "platform"},
}

func BenchmarkAllowed(b *testing.B) {
	s := Compile(benchPolicies()...)
	names := []string{"first-allow", "last-allow", "deny", "no-match"}
	for i, r := range benchRequests {
		b.Run(names[i], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Allowed(r.action, r.resource)
			}
		})
	}
	b.Run("decide", func(b *testing.B) {
		r := benchRequests[0]
		b.ReportAllocs()
		for b.Loop() {
			s.Decide(r.action, r.resource)
		}
	})
}
