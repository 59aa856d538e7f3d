// Package fault holds the errors the business layer returns when a request
// cannot be done as asked. The domain packages return them; the API maps
// each to its answer in one place (api.problemFor), so no handler decides
// what a refusal looks like.
package fault

import "fmt"

// InvalidError is a request whose field breaks a rule: the API answers 400
// INVALID naming the field.
type InvalidError struct {
	Field   string
	Message string
	Value   any // what was given, when it is safe to echo; nil otherwise
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Invalid is an InvalidError about field.
func Invalid(field, message string, value any) error {
	return &InvalidError{Field: field, Message: message, Value: value}
}

// DeniedError is a field the caller may not set, whatever its value: the
// API answers the seed's PERMISSION DENIED naming the field.
type DeniedError struct{ Field string }

func (e *DeniedError) Error() string { return "permission denied: " + e.Field }

// Denied is a DeniedError about field.
func Denied(field string) error { return &DeniedError{Field: field} }

// ConflictError is a change the object's current state does not allow: the
// API answers 409 with Code and Message.
type ConflictError struct {
	Code    string // ILLEGAL_STATE_CHANGE, IN_USE, ...
	Message string
}

func (e *ConflictError) Error() string { return e.Code + ": " + e.Message }

// IllegalChange is the ConflictError of a change the object's state refuses.
func IllegalChange(reason string) error {
	return &ConflictError{Code: "ILLEGAL_STATE_CHANGE", Message: reason}
}
