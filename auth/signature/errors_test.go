package signature

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorWrapsErrInvalid(t *testing.T) {
	err := fmt.Errorf("verify request: %w", invalid("keyId is missing or empty"))
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
	}
	if got, want := err.Error(), "verify request: http signature: keyId is missing or empty"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
