package payloadcheck

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestCanonicalNumber(t *testing.T) {
	tests := []struct {
		text, want string
		ok         bool
	}{
		{"0", "0", true},
		{"-0", "0", true},
		{"0.000", "0", true},
		{"0e5", "0", true},
		{"-0.0e-3", "0", true},
		{"1", "1", true},
		{"1.0", "1", true},
		{"1E0", "1", true},
		{"10e-1", "1", true},
		{"0.1e1", "1", true},
		{"100", "1e2", true},
		{"1e2", "1e2", true},
		{"1E+2", "1e2", true},
		{"0.25", "25e-2", true},
		{"-1.5", "-15e-1", true},
		{"-150", "-15e1", true},
		{"123", "123", true},
		{"12345678901234567890", "1234567890123456789e1", true},
		{"12345678901234567891", "12345678901234567891", true},
		{"1e000000000000000000000000001", "1e1", true},
		{"1e999999999999999", "1e999999999999999", true},
		{"1e1000000000000000", "", false},
		{"1e-1000000000000000", "", false},
		{"", "", false},
		{"-", "", false},
		{"1.", "", false},
		{".5", "", false},
		{"1e", "", false},
		{"1e+", "", false},
		{"1x", "", false},
		{"0x10", "", false},
	}
	for _, tt := range tests {
		got, ok := canonicalNumber(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("canonicalNumber(%q) = %q, %v, want %q, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonicalNumberDoesNotAllocate(t *testing.T) {
	for _, text := range []string{"1", "42", "-7", "12345678901234567891"} {
		if n := testing.AllocsPerRun(100, func() { canonicalNumber(text) }); n != 0 {
			t.Errorf("canonicalNumber(%q) allocates %v times, want 0", text, n)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct{ canonical, want string }{
		{"0", "0"},
		{"1", "1"},
		{"-3", "-3"},
		{"3e1", "30"},
		{"1e2", "100"},
		{"1e3", "1e3"},
		{"1e20", "1e20"},
		{"15e-1", "1.5"},
		{"-15e-1", "-1.5"},
		{"25e-2", "0.25"},
		{"5e-3", "5e-3"},
		{"123456e-3", "123.456"},
		{"1234567890123456789e1", "12345678901234567890"},
	}
	for _, tt := range tests {
		got := formatNumber(tt.canonical)
		if got != tt.want {
			t.Errorf("formatNumber(%q) = %q, want %q", tt.canonical, got, tt.want)
		}
		if back, _ := canonicalNumber(got); back != tt.canonical {
			t.Errorf("canonicalNumber(formatNumber(%q)) = %q, want it back", tt.canonical, back)
		}
	}
}

// TestNumbersAgreeWithBigRat checks equality and order of canonical numbers
// against math/big on random decimals, exactly.
func TestNumbersAgreeWithBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	random := func() string {
		s := ""
		if rng.IntN(2) == 0 {
			s = "-"
		}
		s += strconv.Itoa(rng.IntN(1000))
		if rng.IntN(2) == 0 {
			s += "." + strconv.Itoa(rng.IntN(1000))
		}
		if rng.IntN(2) == 0 {
			s += "e" + strconv.Itoa(rng.IntN(9)-4)
		}
		return s
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("big.Rat.SetString(%q) failed", s)
		}
		return r
	}
	for range 20000 {
		a, b := random(), random()
		ca, okA := canonicalNumber(a)
		cb, okB := canonicalNumber(b)
		if !okA || !okB {
			t.Fatalf("canonicalNumber(%q), canonicalNumber(%q) = %v, %v, want both ok", a, b, okA, okB)
		}
		want := rat(a).Cmp(rat(b))
		if got := compareNumbers(ca, cb); got != want {
			t.Fatalf("compareNumbers(%q, %q) = %d, want %d (%s vs %s)", ca, cb, got, want, a, b)
		}
		if (ca == cb) != (want == 0) {
			t.Fatalf("canonicalNumber(%q) = %q, canonicalNumber(%q) = %q; equal spellings %v, want %v", a, ca, b, cb, ca == cb, want == 0)
		}
		if rat(formatNumber(ca)).Cmp(rat(a)) != 0 {
			t.Fatalf("formatNumber(%q) = %q, not the value of %q", ca, formatNumber(ca), a)
		}
	}
}
