package signature

import (
	"errors"
	"fmt"
)

// ErrInvalid is what every refusal of this package wraps, so that a caller
// can answer them all alike (401 AUTH FAILED).
var ErrInvalid = errors.New("invalid HTTP signature")

// Error says what is wrong with a signature or a header it covers. The
// reason is for logs, never for the client, and never holds a secret.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return "http signature: " + e.Reason }

func (e *Error) Unwrap() error { return ErrInvalid }

func invalid(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}
