// Package fault holds the errors the business layer returns when a request
// cannot be done as asked. The domain packages return them; the API maps
// each to its answer in one place (api.problemFor), so no handler decides
// what a refusal looks like.
package fault

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

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

// UnavailableError is a change that could not be carried through because a
// dependency did not answer: the API answers 503 UNAVAILABLE with Message,
// which tells the caller what a retry does.
type UnavailableError struct{ Message string }

func (e *UnavailableError) Error() string { return e.Message }

// The outcomes of a change a dependency did not confirm.
var (
	// ErrUnavailable: nothing was changed; a retry may succeed.
	ErrUnavailable = errors.New("a dependency is unavailable")
	// ErrOutcomeUnknown: the change may have been applied; a retry under
	// the same Idempotency-Key learns its outcome.
	ErrOutcomeUnknown = errors.New("the outcome of the change is unknown")
)

// NotFoundError is something asked for that does not exist, with why: the
// API answers 404 NOT_FOUND with Message.
type NotFoundError struct{ Message string }

func (e *NotFoundError) Error() string { return e.Message }

// ParseID reads the ID a request gives in field: missing or empty is
// required, anything else must be a UUID.
func ParseID(field string, s *string) (uuid.UUID, error) {
	if s == nil || *s == "" {
		return uuid.Nil, Invalid(field, field+" is required", nil)
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		return uuid.Nil, Invalid(field, field+" must be a UUID", *s)
	}
	return id, nil
}
