// Package payloadcheck authorizes request payloads. It follows the paycheck
// idea, under a name that says what it checks rather than reading as
// payroll in a billing codebase. A policy may carry payload templates per
// action: JSON objects whose values are fixed values, lists of
// allowed values, the wildcard "<%= * %>" or variables "<%= name %>". A
// request body (and, when a template says so, its query) must match one of
// the templates of its action.
//
// Validate checks a template before it is stored. Compile resolves the
// variables at login into a Set, which travels with the session and in its
// JWT; Set.Check then decides on the request path without I/O. An Observer
// records accepted payloads in listen mode and proposes templates. The
// package does no I/O of its own. See docs/payload-templates.md.
package payloadcheck

import (
	"encoding/json"
)

// Template is a payload template as stored: a JSON object (see Validate).
type Template = json.RawMessage

// Limits Validate enforces on a template. They bound what one request costs
// to check and what a compiled template adds to a JWT.
const (
	MaxDepth     = 8    // levels: the template is level 1, its values level 2, ...
	MaxNodes     = 200  // JSON values in a template, itself and list elements included
	MaxStringLen = 1024 // bytes of a key, string or number
	MaxNameLen   = 64   // bytes of a variable name
	// MaxResolvedValues bounds the JSON values one variable may resolve to.
	// A longer list fails closed: it makes the JWT too large to carry.
	MaxResolvedValues = 1000
)

// queryKey is the reserved top-level key whose template applies to the query.
const queryKey = "$query"

// FieldError names what is wrong and where. Field is a JSON path, such as
// "paymentMethod.gateway" or "items[2].priceId", fit for the error envelope's
// field; "" is the whole template or payload. Validate returns it for a bad
// template, Set.Check for a payload that no template allows.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Validate reports the first thing wrong with a template, as a *FieldError,
// or nil. A template is a JSON object of at most MaxNodes values, MaxDepth
// levels deep. Its values are scalars (fixed values), non-empty lists of
// scalars and objects (allowed values), objects (which recurse), the
// wildcard "<%= * %>" or variables "<%= name %>", the name matching
// [a-z][a-z0-9_]{0,63}. Markup must be a field's whole value and never a
// list element. Keys and strings are at most MaxStringLen bytes; keys hold no
// markup and appear once in their object, compared without regard to case as
// encoding/json compares them. The top-level key "$query" holds an object
// whose values are strings, lists of strings, the wildcard or variables.
func Validate(raw json.RawMessage) error {
	if _, fe := parseTemplate(raw, storedTemplate); fe != nil {
		return fe
	}
	return nil
}
