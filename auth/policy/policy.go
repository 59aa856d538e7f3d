// Package policy decides whether a client may perform an action on a
// resource. A Policy is a named list of allow and deny statements over action
// and resource globs, in the manner of AWS IAM: a matching deny always wins,
// and a request that no statement matches is denied.
//
// Validate checks a policy before it is stored. Compile turns the policies
// granted to a client into a Set, whose Allowed and Decide answer on the
// request path without allocating. The package does no I/O and is
// deterministic. See docs/policies.md.
package policy

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Effect is what a matching statement does to a request.
type Effect string

// The two effects. JSON spells them "allow" and "deny", exactly.
const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// Statement allows or denies every action matching one of Actions on every
// resource matching one of Resources. Both hold glob patterns (see Match).
type Statement struct {
	Effect    Effect   `json:"effect"`
	Actions   []string `json:"actions"`
	Resources []string `json:"resources"`
}

// Policy is a named set of statements. Neither the order of its statements
// nor the order of the policies in a Set changes what is allowed.
type Policy struct {
	Name       string      `json:"name"`
	Statements []Statement `json:"statements"`
}

// Limits Validate enforces. They bound the work one request costs: at most
// MaxStatements×(MaxActions+MaxResources) matches per policy.
const (
	MaxNameLen     = 64
	MaxStatements  = 100
	MaxActions     = 100
	MaxResources   = 100
	MaxActionLen   = 128 // bytes; actions are ASCII
	MaxResourceLen = 512 // bytes of UTF-8
)

// FieldError is the error Validate returns. Field is a JSON path into the
// policy, such as "statements[1].actions[0]", fit for the error envelope's
// field; Message says what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate reports the first thing wrong with p, as a *FieldError, or nil.
//
// The name is 1 to 64 characters of a-z, 0-9, "-", "_" and ".". There are 1 to
// 100 statements. Each has effect "allow" or "deny", 1 to 100 actions and 1 to
// 100 resources. An action is "*" or resource-type:verb, each part made of
// letters, digits, "-", "_" and "*", at most 128 characters in all. A resource
// is a non-empty pattern of at most 512 bytes of UTF-8 without control
// characters.
func (p Policy) Validate() error {
	if p.Name == "" {
		return &FieldError{"name", "must not be empty"}
	}
	if !validName(p.Name) {
		return &FieldError{"name", fmt.Sprintf(`must be at most %d characters of a-z, 0-9, "-", "_" and "."`, MaxNameLen)}
	}
	switch {
	case len(p.Statements) == 0:
		return &FieldError{"statements", "must have at least one statement"}
	case len(p.Statements) > MaxStatements:
		return &FieldError{"statements", fmt.Sprintf("must have at most %d statements", MaxStatements)}
	}
	for i, st := range p.Statements {
		if err := st.validate(fmt.Sprintf("statements[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (st Statement) validate(path string) error {
	if st.Effect != Allow && st.Effect != Deny {
		return &FieldError{path + ".effect", `must be "allow" or "deny"`}
	}
	switch {
	case len(st.Actions) == 0:
		return &FieldError{path + ".actions", "must have at least one action"}
	case len(st.Actions) > MaxActions:
		return &FieldError{path + ".actions", fmt.Sprintf("must have at most %d actions", MaxActions)}
	}
	for j, a := range st.Actions {
		if msg := actionProblem(a); msg != "" {
			return &FieldError{fmt.Sprintf("%s.actions[%d]", path, j), msg}
		}
	}
	switch {
	case len(st.Resources) == 0:
		return &FieldError{path + ".resources", "must have at least one resource"}
	case len(st.Resources) > MaxResources:
		return &FieldError{path + ".resources", fmt.Sprintf("must have at most %d resources", MaxResources)}
	}
	for j, r := range st.Resources {
		if msg := resourceProblem(r); msg != "" {
			return &FieldError{fmt.Sprintf("%s.resources[%d]", path, j), msg}
		}
	}
	return nil
}

func validName(name string) bool {
	if len(name) > MaxNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func actionProblem(a string) string {
	if len(a) > MaxActionLen {
		return fmt.Sprintf("must be at most %d characters", MaxActionLen)
	}
	if a == "*" {
		return ""
	}
	typ, verb, ok := strings.Cut(a, ":")
	if !ok || !validActionPart(typ) || !validActionPart(verb) {
		return `must look like resource:verb, each part of letters, digits, "-", "_" and "*", or be "*"`
	}
	return ""
}

func validActionPart(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '*') {
			return false
		}
	}
	return true
}

func resourceProblem(r string) string {
	switch {
	case r == "":
		return "must not be empty"
	case len(r) > MaxResourceLen:
		return fmt.Sprintf("must be at most %d bytes", MaxResourceLen)
	case !utf8.ValidString(r):
		return "must be valid UTF-8"
	case strings.IndexFunc(r, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}
