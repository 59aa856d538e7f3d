package password

import "testing"

// BenchmarkHashDefault is the cost of setting a password at OWASP's parameters.
func BenchmarkHashDefault(b *testing.B) {
	h := New(DefaultParams())
	for b.Loop() {
		if _, err := h.Hash(pwHorse); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDefault is the cost of one login at OWASP's parameters.
func BenchmarkVerifyDefault(b *testing.B) {
	h := New(DefaultParams())
	stored, err := h.Hash(pwHorse)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := h.Verify(pwHorse, stored); !ok {
			b.Fatal("Verify = false, want true")
		}
	}
}

// BenchmarkVerifyDummyDefault should match BenchmarkVerifyDefault.
func BenchmarkVerifyDummyDefault(b *testing.B) {
	h := New(DefaultParams())
	for b.Loop() {
		h.VerifyDummy(pwHorse)
	}
}

func BenchmarkVerifyLegacySHA256(b *testing.B) {
	h := New(DefaultParams())
	for b.Loop() {
		if ok, _, _ := h.Verify(pwHorse, shaHorse); !ok {
			b.Fatal("Verify = false, want true")
		}
	}
}

func BenchmarkVerifyPBKDF2(b *testing.B) {
	h := New(DefaultParams())
	for _, bc := range []struct{ name, stored string }{
		{"phc/i=1000", phcHorse},
		{"phc/i=600000", phcHorse600k},
		{"django/i=600000", djangoHorse600k},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if ok, _, _ := h.Verify(pwHorse, bc.stored); !ok {
					b.Fatal("Verify = false, want true")
				}
			}
		})
	}
}
