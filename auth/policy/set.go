package policy

import "strconv"

// Set is the compiled form of the policies granted to one client. It is
// immutable and safe for concurrent use. A nil or zero Set denies everything.
type Set struct {
	deny  []rule
	allow []rule
}

type rule struct {
	policy    string
	statement int
	actions   []glob
	resources []glob
}

// Compile builds a Set from policies. It copies what it needs, so later
// changes to the policies do not affect the Set.
//
// Compile does not validate; run Validate when a policy is stored. It fails
// closed on what Validate would reject: a statement whose effect is not
// exactly Allow compiles as a deny, and one without actions or resources
// matches nothing.
func Compile(policies ...Policy) *Set {
	s := &Set{}
	for _, p := range policies {
		for i, st := range p.Statements {
			r := rule{policy: p.Name, statement: i, actions: globs(st.Actions), resources: globs(st.Resources)}
			if st.Effect == Allow {
				s.allow = append(s.allow, r)
			} else {
				s.deny = append(s.deny, r)
			}
		}
	}
	return s
}

func globs(patterns []string) []glob {
	gs := make([]glob, len(patterns))
	for i, p := range patterns {
		gs[i] = compileGlob(p)
	}
	return gs
}

// Allowed reports whether action on resource is allowed: some allow statement
// matches it and no deny statement does.
func (s *Set) Allowed(action, resource string) bool {
	r, effect := s.find(action, resource)
	return r != nil && effect == Allow
}

// Decision is the outcome of a request and the statement that decided it.
type Decision struct {
	// Effect is Allow or Deny. It is Deny too when nothing matched.
	Effect Effect `json:"effect"`
	// Matched is false when no statement matched: denied by default.
	Matched bool `json:"matched"`
	// Policy and Statement name the deciding statement, as an index into the
	// policy's Statements. They are "" and -1 when nothing matched.
	Policy    string `json:"policy"`
	Statement int    `json:"statement"`
}

// Allowed reports whether the request was allowed.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// String describes d for logs, e.g. "deny by business-default statements[1]".
func (d Decision) String() string {
	if !d.Matched {
		return "deny: no statement matched"
	}
	return string(d.Effect) + " by " + d.Policy + " statements[" + strconv.Itoa(d.Statement) + "]"
}

// Decide is Allowed with its reason. If a deny statement matches, the first
// one in Compile's order (policies in argument order, then statements in
// order) decides; otherwise the first matching allow statement; otherwise
// nothing matched. The effect never depends on order, only which statement
// is named does.
func (s *Set) Decide(action, resource string) Decision {
	r, effect := s.find(action, resource)
	if r == nil {
		return Decision{Effect: Deny, Statement: -1}
	}
	return Decision{Effect: effect, Matched: true, Policy: r.policy, Statement: r.statement}
}

func (s *Set) find(action, resource string) (*rule, Effect) {
	if s == nil {
		return nil, Deny
	}
	for i := range s.deny {
		if s.deny[i].matches(action, resource) {
			return &s.deny[i], Deny
		}
	}
	for i := range s.allow {
		if s.allow[i].matches(action, resource) {
			return &s.allow[i], Allow
		}
	}
	return nil, Deny
}

func (r *rule) matches(action, resource string) bool {
	return anyMatch(r.actions, action) && anyMatch(r.resources, resource)
}

func anyMatch(gs []glob, s string) bool {
	for i := range gs {
		if gs[i].match(s) {
			return true
		}
	}
	return false
}
