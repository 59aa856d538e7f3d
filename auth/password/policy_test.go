package password

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		name, password string
		want           error
	}{
		{"empty", "", ErrTooShort},
		{"11-ascii", strings.Repeat("a", 11), ErrTooShort},
		{"12-ascii", strings.Repeat("a", 12), nil},
		// 22 bytes but 11 code points: counted in runes, not bytes.
		{"11-two-byte-runes", strings.Repeat("ä", 11), ErrTooShort},
		{"12-two-byte-runes", strings.Repeat("ä", 12), nil},
		// NFD "ä" is two code points, and is counted as typed.
		{"6-nfd-a-umlaut", strings.Repeat("a\u0308", 6), nil},
		{"12-spaces", strings.Repeat(" ", 12), nil},
		{"lowercase-only", "correct horse battery staple", nil},
		{"128-ascii", strings.Repeat("a", 128), nil},
		{"129-ascii", strings.Repeat("a", 129), ErrTooLong},
		{"128-four-byte-runes", strings.Repeat("\U0001F510", 128), nil},
		{"129-four-byte-runes", strings.Repeat("\U0001F510", 129), ErrTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckPolicy(tc.password); !errors.Is(got, tc.want) {
				t.Errorf("CheckPolicy(%q) = %v, want %v", tc.password, got, tc.want)
			}
		})
	}
}

func TestCheckPolicyMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ErrTooShort, "password must be at least 12 characters"},
		{ErrTooLong, "password must be at most 128 characters"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
