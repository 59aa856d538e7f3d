package payloadcheck

import (
	"strings"
	"testing"
)

func TestFoldKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"displayName", "DISPLAYNAME", true},
		{"displayName", "diſplayName", true}, // U+017F LATIN SMALL LETTER LONG S
		{"key", "\u212aey", true},            // U+212A KELVIN SIGN
		{"µ", "μ", true},                     // MICRO SIGN and GREEK SMALL LETTER MU
		{"id", "ıd", false},                  // dotless i has no simple folding
		{"id", "İd", false},
		{"a", "b", false},
	}
	for _, tt := range tests {
		if got := FoldKey(tt.a) == FoldKey(tt.b); got != tt.same {
			t.Errorf("FoldKey(%q) == FoldKey(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// FuzzFoldKey: two keys fold alike exactly when strings.EqualFold says they
// are equal, as encoding/json's field matching does.
func FuzzFoldKey(f *testing.F) {
	f.Add("displayName", "diſplayName")
	f.Add("key", "\u212aey")
	f.Add("ID", "ıd")
	f.Add("\xff", "\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if same, equal := FoldKey(a) == FoldKey(b), strings.EqualFold(a, b); same != equal {
			t.Fatalf("FoldKey(%q) == FoldKey(%q) is %v, strings.EqualFold %v", a, b, same, equal)
		}
	})
}
