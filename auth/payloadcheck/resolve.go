package payloadcheck

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// ErrUnknownVariable is what a Resolver returns for a name it does not know.
var ErrUnknownVariable = errors.New("unknown variable")

// Value is what a variable resolves to. Any is the wildcard. Otherwise JSON
// is a scalar, which becomes a fixed value, or a list of scalars and objects,
// which becomes the allowed values; an empty list allows nothing. Strings in
// JSON are data: one that contains "<%=" fails the variable, so a value a
// client could choose never turns into the wildcard.
type Value struct {
	Any  bool
	JSON json.RawMessage
}

// Resolver gives variables their values when Compile runs at login. The
// caller builds one per login from the static substitutions of the client's
// policies and the dynamic functions registered in code, which read the
// client's and its roles' contexts. An unknown name is ErrUnknownVariable.
type Resolver interface {
	Resolve(ctx context.Context, name string) (Value, error)
}

// ResolverFunc is a function that is a Resolver.
type ResolverFunc func(ctx context.Context, name string) (Value, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(ctx context.Context, name string) (Value, error) { return f(ctx, name) }

// Static is the substitutions stored with a policy: variable names and their
// values. The JSON string "<%= * %>" is the wildcard; any other value is
// data, as in Value.
type Static map[string]json.RawMessage

// Resolve returns the value stored for name, or ErrUnknownVariable.
func (s Static) Resolve(_ context.Context, name string) (Value, error) {
	raw, ok := s[name]
	if !ok {
		return Value{}, ErrUnknownVariable
	}
	var str string
	if json.Unmarshal(raw, &str) == nil && strings.Contains(str, markupOpen) {
		if wildcard, _, _ := parseMarkup(str); wildcard {
			return Value{Any: true}, nil
		}
	}
	return Value{JSON: raw}, nil
}

// Validate reports the first thing wrong with the substitutions, in order of
// name, as a *FieldError whose Field is the name or a path under it, or nil.
// A name matches [a-z][a-z0-9_]{0,63}. A value is the wildcard, a scalar or a
// non-empty list of scalars and objects without markup, within the limits
// of a template, with at most MaxResolvedValues values.
func (s Static) Validate() error {
	names := make([]string, 0, len(s))
	for name := range s {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !validName(name) {
			return &FieldError{name, "must be a variable name: a-z, 0-9 and _, starting with a letter, at most 64 characters"}
		}
		v, _ := s.Resolve(context.Background(), name)
		// A variable stands at least at level 2, in a field of the template.
		if _, fe := valueNode(v, staticValue, where{field: name, depth: 2}); fe != nil {
			return fe
		}
	}
	return nil
}

// Chain is a Resolver that asks each of rs in turn and answers with the
// first that knows the name, so which wins is the caller's choice of order.
func Chain(rs ...Resolver) Resolver {
	return ResolverFunc(func(ctx context.Context, name string) (Value, error) {
		for _, r := range rs {
			v, err := r.Resolve(ctx, name)
			if !errors.Is(err, ErrUnknownVariable) {
				return v, err
			}
		}
		return Value{}, ErrUnknownVariable
	})
}

// valueNode parses v as the value of a variable standing at w.
func valueNode(v Value, g grammar, w where) (*node, *FieldError) {
	if v.Any {
		return wildcardNode, nil
	}
	if len(v.JSON) == 0 {
		return nil, &FieldError{w.field, "has no value"}
	}
	n, fe := parseValue(v.JSON, g, w)
	if fe != nil {
		return nil, fe
	}
	if n.kind == kindObject {
		return nil, &FieldError{w.field, "must be a value, a list or the wildcard, not an object"}
	}
	return n, nil
}
