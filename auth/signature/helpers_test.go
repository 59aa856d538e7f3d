package signature

import (
	"errors"
	"strings"
	"testing"
)

// authorization writes p as an Authorization header.
func authorization(p Params) string { return p.Authorization() }

// checkInvalid fails unless err is an *Error wrapping ErrInvalid whose
// reason mentions want.
func checkInvalid(t *testing.T, call string, err error, want string) {
	t.Helper()
	var e *Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &e) || !strings.Contains(e.Reason, want) {
		t.Errorf("%s error = %v, want an *Error wrapping ErrInvalid that mentions %q", call, err, want)
	}
}
