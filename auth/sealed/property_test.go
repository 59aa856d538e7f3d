package sealed

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// Any plaintext and owner round-trip; the value opens for no other owner,
// and any one byte of it changed makes it fail to open.
func TestSealOpenProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	box := newBox(t, keyTwo, keyOne)
	random := func(n int) []byte {
		b := make([]byte, r.IntN(n))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	for i := range 500 {
		plaintext, owner := random(200), random(40)
		sealed, err := box.Seal(plaintext, owner)
		if err != nil {
			t.Fatalf("#%d: Seal error = %v", i, err)
		}
		if got, err := box.Open(sealed, owner); err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("#%d: Open(Seal(%x, %x)) = %x, %v, want the plaintext", i, plaintext, owner, got, err)
		}
		other := append(bytes.Clone(owner), byte(r.Uint32()))
		if _, err := box.Open(sealed, other); !errors.Is(err, ErrInvalid) {
			t.Errorf("#%d: Open for owner %x error = %v, want ErrInvalid", i, other, err)
		}
		changed := []byte(sealed)
		pos := r.IntN(len(changed))
		changed[pos] ^= byte(1 + r.IntN(255))
		if got, err := box.Open(string(changed), owner); !errors.Is(err, ErrInvalid) {
			t.Errorf("#%d: Open(%q, byte %d changed) = %x, %v, want ErrInvalid", i, changed, pos, got, err)
		}
	}
}
