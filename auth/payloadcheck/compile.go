package payloadcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Set is the compiled form of the payload templates granted to one client:
// for each action, templates without variables. It is immutable and safe for
// concurrent use. A nil or zero Set restricts no payload, as an action
// without templates does.
//
// A Set is kept with the session and carried in a JWT claim: MarshalJSON
// writes it as {"action": [template, ...]} in template syntax, compactly
// and deterministically, and UnmarshalJSON reads it back to a Set that
// decides every request as the original does.
type Set struct {
	actions map[string]*rules
}

// rules are the templates of one action.
type rules struct {
	templates []*node
	query     bool // some template has "$query", so the query is restricted
}

// CompileError is a problem Compile met and failed closed on: Field (a JSON
// path in the template, or "" for the whole template) of the Template-th
// template of Action now allows no value. Err says why; errors.Is finds
// ErrUnknownVariable and the resolver's own errors in it.
type CompileError struct {
	Action   string
	Template int
	Field    string
	Err      error
}

func (e *CompileError) Error() string {
	s := e.Action + " template " + strconv.Itoa(e.Template)
	if e.Field != "" {
		s += " field " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *CompileError) Unwrap() error { return e.Err }

// Compile resolves the variables of templates, keyed by action, with r and
// returns the Set to check requests with. It runs at login and when a token
// is made; each variable is resolved once.
//
// Compile fails closed and never drops a template, since dropping one could
// leave an action with none, which restricts nothing. A template that does
// not Validate becomes one that allows no payload, and a variable that is
// unknown, fails or resolves to something it may not be allows no value.
// The Set is always usable; the error, if not nil, joins a *CompileError per
// problem, for the caller to log.
func Compile(ctx context.Context, templates map[string][]Template, r Resolver) (*Set, error) {
	c := &compiler{ctx: ctx, resolver: r, values: map[string]resolution{}}
	s := &Set{actions: map[string]*rules{}}
	for _, action := range slices.Sorted(maps.Keys(templates)) {
		if len(templates[action]) == 0 {
			continue
		}
		rs := &rules{}
		for i, raw := range templates[action] {
			n := c.template(action, i, raw)
			rs.templates = append(rs.templates, n)
			rs.query = rs.query || n.query != nil
		}
		s.actions[action] = rs
	}
	return s, errors.Join(c.problems...)
}

type compiler struct {
	ctx      context.Context
	resolver Resolver
	values   map[string]resolution // by variable name
	problems []error
}

type resolution struct {
	value Value
	err   error
}

func (c *compiler) template(action string, i int, raw Template) *node {
	n, fe := parseTemplate(raw, storedTemplate)
	if fe != nil {
		c.problems = append(c.problems, &CompileError{action, i, "", fe})
		return nothingNode
	}
	c.substitute(n, action, i)
	return n
}

// substitute replaces each variable under n by what it resolves to, in
// place: the parser's nodes are n's alone.
func (c *compiler) substitute(n *node, action string, i int) {
	switch n.kind {
	case kindVariable:
		*n = *c.resolve(n.variable, action, i)
	case kindList:
		for _, o := range n.objects {
			c.substitute(o, action, i)
		}
	case kindObject:
		for _, k := range slices.Sorted(maps.Keys(n.fields)) {
			c.substitute(n.fields[k], action, i)
		}
		if n.query != nil {
			c.substitute(n.query, action, i)
		}
	}
}

func (c *compiler) resolve(v variableRef, action string, i int) *node {
	res, ok := c.values[v.name]
	if !ok {
		res.err = ErrUnknownVariable
		if c.resolver != nil {
			res.value, res.err = c.resolver.Resolve(c.ctx, v.name)
		}
		c.values[v.name] = res
	}
	err := res.err
	if err == nil {
		n, fe := valueNode(res.value, resolvedValue, where{field: v.name, depth: v.depth, inQuery: v.inQuery})
		if fe == nil {
			return n
		}
		err = fe
	} else {
		err = fmt.Errorf("variable %s: %w", v.name, err)
	}
	c.problems = append(c.problems, &CompileError{action, i, v.field, err})
	return nothingNode
}

// Restricts reports whether action has templates, that is whether Check
// reads its body and query at all.
func (s *Set) Restricts(action string) bool {
	return s != nil && s.actions[action] != nil
}

// MarshalJSON writes s in its compiled form (see Set).
func (s *Set) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	if s != nil {
		for i, action := range slices.Sorted(maps.Keys(s.actions)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, action)
			b = append(b, ':', '[')
			for j, t := range s.actions[action].templates {
				if j > 0 {
					b = append(b, ',')
				}
				b = t.appendJSON(b)
			}
			b = append(b, ']')
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads a Set that MarshalJSON wrote. JSON null is the empty
// Set.
func (s *Set) UnmarshalJSON(b []byte) error {
	var raw map[string][]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("payloadcheck: compiled templates: %w", err)
	}
	actions := make(map[string]*rules, len(raw))
	for action, ts := range raw {
		if len(ts) == 0 {
			// Compile leaves such an action out; reading it as "no
			// templates" would lift a restriction.
			return fmt.Errorf("payloadcheck: compiled templates: %s has an empty list of templates", action)
		}
		rs := &rules{}
		for i, t := range ts {
			n, fe := parseTemplate(t, compiledTemplate)
			if fe != nil {
				return fmt.Errorf("payloadcheck: compiled templates: %s template %d: %w", action, i, fe)
			}
			rs.templates = append(rs.templates, n)
			rs.query = rs.query || n.query != nil
		}
		actions[action] = rs
	}
	s.actions = actions
	return nil
}
