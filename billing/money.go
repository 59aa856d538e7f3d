package billing

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Errors that money arithmetic wraps; test for them with errors.Is.
var (
	ErrCurrencyMismatch = errors.New("currency mismatch")
	ErrOverflow         = errors.New("amount out of range")
)

// Money is an amount in integer minor units of a currency: Money{1234, "USD"}
// is USD 12.34 and Money{1234, "JPY"} is JPY 1234. Floats are never used.
type Money struct {
	Amount   int64    `json:"amount"`
	Currency Currency `json:"currency"`
}

// Validate reports an unknown or non-normalised currency.
func (m Money) Validate() error {
	if !m.Currency.Valid() {
		_, err := ParseCurrency(string(m.Currency))
		if err == nil {
			err = fmt.Errorf("currency %q is not upper-case", m.Currency)
		}
		return err
	}
	return nil
}

func (m Money) sameCurrency(o Money) error {
	if m.Currency != o.Currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	return nil
}

// Add returns m+o, or an error when the currencies differ or the sum does not
// fit in int64.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	s := m.Amount + o.Amount
	if (o.Amount > 0 && s < m.Amount) || (o.Amount < 0 && s > m.Amount) {
		return Money{}, fmt.Errorf("%w: %d + %d", ErrOverflow, m.Amount, o.Amount)
	}
	return Money{s, m.Currency}, nil
}

// Sub returns m-o, or an error when the currencies differ or the difference
// does not fit in int64.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	d := m.Amount - o.Amount
	if (o.Amount > 0 && d > m.Amount) || (o.Amount < 0 && d < m.Amount) {
		return Money{}, fmt.Errorf("%w: %d - %d", ErrOverflow, m.Amount, o.Amount)
	}
	return Money{d, m.Currency}, nil
}

// MulInt returns m×n, or an error when the product does not fit in int64.
func (m Money) MulInt(n int64) (Money, error) {
	p, ok := mul64(m.Amount, n)
	if !ok {
		return Money{}, fmt.Errorf("%w: %d × %d", ErrOverflow, m.Amount, n)
	}
	return Money{p, m.Currency}, nil
}

// Neg returns -m; only math.MinInt64 has no negation.
func (m Money) Neg() (Money, error) {
	if m.Amount == math.MinInt64 {
		return Money{}, fmt.Errorf("%w: -(%d)", ErrOverflow, m.Amount)
	}
	return Money{-m.Amount, m.Currency}, nil
}

// IsZero reports a zero amount, whatever the currency.
func (m Money) IsZero() bool { return m.Amount == 0 }

// IsNegative reports an amount below zero.
func (m Money) IsNegative() bool { return m.Amount < 0 }

// IsPositive reports an amount above zero.
func (m Money) IsPositive() bool { return m.Amount > 0 }

// String formats the amount with the currency's exponent: "USD 12.34",
// "USD -0.05", "JPY 1234", "KWD 1.234". An unknown currency's amount is
// printed in minor units.
func (m Money) String() string {
	var b strings.Builder
	b.WriteString(string(m.Currency))
	b.WriteByte(' ')
	if m.Amount < 0 {
		b.WriteByte('-')
	}
	digits := strconv.FormatUint(abs64(m.Amount), 10)
	exp := m.Currency.Exponent()
	if exp <= 0 {
		b.WriteString(digits)
		return b.String()
	}
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	b.WriteString(digits[:len(digits)-exp])
	b.WriteByte('.')
	b.WriteString(digits[len(digits)-exp:])
	return b.String()
}

// abs64 is |a| as uint64, defined for math.MinInt64 too.
func abs64(a int64) uint64 {
	if a < 0 {
		return uint64(-(a + 1)) + 1
	}
	return uint64(a)
}

// mul64 multiplies in 128 bits and reports whether the product fits in int64.
func mul64(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi != 0 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}
