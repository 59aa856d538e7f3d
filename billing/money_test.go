package billing

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func usd(a int64) Money { return Money{a, "USD"} }

func TestMoneyAddSub(t *testing.T) {
	tests := []struct {
		a, b             Money
		wantAdd, wantSub Money
		addErr, subErr   error
	}{
		{usd(1000), usd(234), usd(1234), usd(766), nil, nil},
		{usd(-5), usd(5), usd(0), usd(-10), nil, nil},
		{usd(0), usd(0), usd(0), usd(0), nil, nil},
		{usd(math.MaxInt64), usd(1), Money{}, usd(math.MaxInt64 - 1), ErrOverflow, nil},
		{usd(math.MinInt64), usd(-1), Money{}, usd(math.MinInt64 + 1), ErrOverflow, nil},
		{usd(math.MinInt64), usd(1), usd(math.MinInt64 + 1), Money{}, nil, ErrOverflow},
		{usd(math.MaxInt64), usd(-1), usd(math.MaxInt64 - 1), Money{}, nil, ErrOverflow},
		{usd(0), usd(math.MinInt64), usd(math.MinInt64), Money{}, nil, ErrOverflow},
		{usd(-1), usd(math.MinInt64), Money{}, usd(math.MaxInt64), ErrOverflow, nil},
		{usd(math.MaxInt64), usd(math.MinInt64), usd(-1), Money{}, nil, ErrOverflow},
		{usd(1), Money{1, "EUR"}, Money{}, Money{}, ErrCurrencyMismatch, ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		got, err := tt.a.Add(tt.b)
		if got != tt.wantAdd || !errors.Is(err, tt.addErr) || (err == nil) != (tt.addErr == nil) {
			t.Errorf("%v.Add(%v) = %v, %v, want %v, %v", tt.a, tt.b, got, err, tt.wantAdd, tt.addErr)
		}
		got, err = tt.a.Sub(tt.b)
		if got != tt.wantSub || !errors.Is(err, tt.subErr) || (err == nil) != (tt.subErr == nil) {
			t.Errorf("%v.Sub(%v) = %v, %v, want %v, %v", tt.a, tt.b, got, err, tt.wantSub, tt.subErr)
		}
	}
}

func TestMoneyMulInt(t *testing.T) {
	tests := []struct {
		m       Money
		n       int64
		want    Money
		wantErr bool
	}{
		{usd(1250), 3, usd(3750), false},
		{usd(1250), 0, usd(0), false},
		{usd(1250), -2, usd(-2500), false},
		{usd(-7), -7, usd(49), false},
		{usd(math.MaxInt64), 1, usd(math.MaxInt64), false},
		{usd(math.MaxInt64), -1, usd(-math.MaxInt64), false},
		{usd(math.MinInt64), 1, usd(math.MinInt64), false},
		{usd(math.MinInt64 / 2), 2, usd(math.MinInt64), false},
		{usd(math.MinInt64), -1, Money{}, true},
		{usd(-1), math.MinInt64, Money{}, true},
		{usd(math.MaxInt64/2 + 1), 2, Money{}, true},
		{usd(1 << 32), 1 << 32, Money{}, true},
		{usd(3037000500), 3037000500, Money{}, true},
		{usd(3037000499), 3037000499, usd(3037000499 * 3037000499), false},
	}
	for _, tt := range tests {
		got, err := tt.m.MulInt(tt.n)
		if got != tt.want || (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrOverflow)) {
			t.Errorf("%v.MulInt(%d) = %v, %v, want %v, error %v", tt.m, tt.n, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMoneyNeg(t *testing.T) {
	tests := []struct {
		m       Money
		want    Money
		wantErr bool
	}{
		{usd(5), usd(-5), false},
		{usd(-5), usd(5), false},
		{usd(0), usd(0), false},
		{usd(math.MaxInt64), usd(-math.MaxInt64), false},
		{usd(math.MinInt64), Money{}, true},
	}
	for _, tt := range tests {
		got, err := tt.m.Neg()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%v.Neg() = %v, %v, want %v, error %v", tt.m, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMoneyPredicates(t *testing.T) {
	tests := []struct {
		m                      Money
		zero, negative, postve bool
	}{
		{usd(0), true, false, false},
		{usd(1), false, false, true},
		{usd(-1), false, true, false},
		{Money{}, true, false, false},
	}
	for _, tt := range tests {
		if got := tt.m.IsZero(); got != tt.zero {
			t.Errorf("%v.IsZero() = %v, want %v", tt.m, got, tt.zero)
		}
		if got := tt.m.IsNegative(); got != tt.negative {
			t.Errorf("%v.IsNegative() = %v, want %v", tt.m, got, tt.negative)
		}
		if got := tt.m.IsPositive(); got != tt.postve {
			t.Errorf("%v.IsPositive() = %v, want %v", tt.m, got, tt.postve)
		}
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{usd(1234), "USD 12.34"},
		{usd(5), "USD 0.05"},
		{usd(-5), "USD -0.05"},
		{usd(-1234), "USD -12.34"},
		{usd(0), "USD 0.00"},
		{usd(100), "USD 1.00"},
		{Money{1234, "JPY"}, "JPY 1234"},
		{Money{-1234, "JPY"}, "JPY -1234"},
		{Money{0, "JPY"}, "JPY 0"},
		{Money{1234, "KWD"}, "KWD 1.234"},
		{Money{1, "KWD"}, "KWD 0.001"},
		{Money{-10, "BHD"}, "BHD -0.010"},
		{usd(math.MaxInt64), "USD 92233720368547758.07"},
		{usd(math.MinInt64), "USD -92233720368547758.08"},
		{Money{1234, "ABC"}, "ABC 1234"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("Money%+v.String() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestMoneyValidate(t *testing.T) {
	tests := []struct {
		m       Money
		wantErr bool
	}{
		{usd(1), false},
		{Money{-1, "JPY"}, false},
		{Money{1, "usd"}, true},
		{Money{1, ""}, true},
		{Money{1, "XAU"}, true},
		{Money{1, "ZZZ"}, true},
	}
	for _, tt := range tests {
		if err := tt.m.Validate(); (err != nil) != tt.wantErr {
			t.Errorf("Money%+v.Validate() = %v, want error %v", tt.m, err, tt.wantErr)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	b, err := json.Marshal(usd(1234))
	if want := `{"amount":1234,"currency":"USD"}`; err != nil || string(b) != want {
		t.Errorf("json.Marshal(USD 12.34) = %s, %v, want %s, nil", b, err, want)
	}
	var m Money
	in := `{"amount":-9223372036854775808,"currency":"kwd"}`
	if err := json.Unmarshal([]byte(in), &m); err != nil || m != (Money{math.MinInt64, "KWD"}) {
		t.Errorf("json.Unmarshal(%s) = %+v, %v, want {MinInt64 KWD}, nil", in, m, err)
	}
	if err := json.Unmarshal([]byte(`{"amount":12.5,"currency":"USD"}`), &m); err == nil {
		t.Errorf("json.Unmarshal(amount 12.5) = nil, want an error: amounts are integers")
	}
}

// Add, Sub and MulInt agree with exact integers: a result is returned exactly
// when it fits in int64, and overflow is reported, never wrapped.
func TestMoneyArithmeticProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	minI, maxI := big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)
	fits := func(z *big.Int) bool { return z.Cmp(minI) >= 0 && z.Cmp(maxI) <= 0 }
	for i := range 20000 {
		a, b := randAmount(r), randAmount(r)
		if i%3 == 0 {
			b = r.Int64N(1<<20) - 1<<19
		}
		ma, mb := usd(a), usd(b)
		ba, bb := big.NewInt(a), big.NewInt(b)

		exact := new(big.Int).Add(ba, bb)
		sum, err := ma.Add(mb)
		switch {
		case fits(exact) && (err != nil || sum.Amount != exact.Int64()):
			t.Fatalf("%v.Add(%v) = %v, %v, want %v", ma, mb, sum, err, exact)
		case !fits(exact) && !errors.Is(err, ErrOverflow):
			t.Fatalf("%v.Add(%v) = %v, %v, want ErrOverflow", ma, mb, sum, err)
		case err == nil:
			if back, err := sum.Sub(mb); err != nil || back != ma {
				t.Fatalf("%v.Sub(%v) = %v, %v, want %v (round trip)", sum, mb, back, err, ma)
			}
		}

		exact.Sub(ba, bb)
		diff, err := ma.Sub(mb)
		switch {
		case fits(exact) && (err != nil || diff.Amount != exact.Int64()):
			t.Fatalf("%v.Sub(%v) = %v, %v, want %v", ma, mb, diff, err, exact)
		case !fits(exact) && !errors.Is(err, ErrOverflow):
			t.Fatalf("%v.Sub(%v) = %v, %v, want ErrOverflow", ma, mb, diff, err)
		case err == nil:
			if back, err := diff.Add(mb); err != nil || back != ma {
				t.Fatalf("%v.Add(%v) = %v, %v, want %v (round trip)", diff, mb, back, err, ma)
			}
		}

		exact.Mul(ba, bb)
		prod, err := ma.MulInt(b)
		switch {
		case fits(exact) && (err != nil || prod.Amount != exact.Int64()):
			t.Fatalf("%v.MulInt(%d) = %v, %v, want %v", ma, b, prod, err, exact)
		case !fits(exact) && !errors.Is(err, ErrOverflow):
			t.Fatalf("%v.MulInt(%d) = %v, %v, want ErrOverflow", ma, b, prod, err)
		}
	}
}

// randAmount favours the edges of int64, where overflow lives.
func randAmount(r *rand.Rand) int64 {
	switch r.IntN(5) {
	case 0:
		return math.MaxInt64 - r.Int64N(1000)
	case 1:
		return math.MinInt64 + r.Int64N(1000)
	case 2:
		return r.Int64N(1<<32) - 1<<31
	default:
		return int64(r.Uint64())
	}
}
