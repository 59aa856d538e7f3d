package sealed

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen: never a panic; every refusal wraps ErrInvalid; and nothing
// opens but a stored value, for its own owner, to its own plaintext.
func FuzzOpen(f *testing.F) {
	for _, s := range stored {
		f.Add(s.sealed, []byte(s.owner))
		f.Add(s.sealed+"A", []byte(s.owner))
		f.Add("v1.two."+s.sealed[len("v1.one."):], []byte(s.owner))
	}
	box := newBox(f, keyOne, keyTwo)
	f.Fuzz(func(t *testing.T, sealed string, owner []byte) {
		got, err := box.Open(sealed, owner)
		if err != nil {
			if got != nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Open(%q, %q) = %q, %v, want nil and ErrInvalid", sealed, owner, got, err)
			}
			return
		}
		for _, s := range stored {
			if sealed == s.sealed && bytes.Equal(owner, []byte(s.owner)) && string(got) == s.plaintext {
				return
			}
		}
		t.Fatalf("Open(%q, %q) = %q, want only stored values to open", sealed, owner, got)
	})
}
