package password

import (
	"fmt"
	"unicode/utf8"
)

// Password length limits, counted in Unicode code points.
const (
	MinLength = 12
	MaxLength = 128
)

// Errors of CheckPolicy. Their text is meant for the client, in a 400 response.
var (
	ErrTooShort = fmt.Errorf("password must be at least %d characters", MinLength)
	ErrTooLong  = fmt.Errorf("password must be at most %d characters", MaxLength)
)

// CheckPolicy reports whether password may be set as a new password. The only
// rule is its length, 12 to 128 code points; as NIST SP 800-63B advises there
// are no composition rules. The password is counted exactly as given: spaces
// count, nothing is normalised, and a byte that is not valid UTF-8 counts as
// one character.
func CheckPolicy(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	}
	return nil
}
