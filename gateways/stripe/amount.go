package stripe

import (
	"fmt"
	"math"
	"strings"

	"github.com/billgate/billgate/billing"
)

// stripeDecimals lists the currencies whose API amounts do not have two
// decimals at Stripe (docs.stripe.com/currencies, "Zero-decimal currencies"
// and "Three-decimal currencies"). They mostly agree with ISO 4217, which
// billing.Money counts in, with two exceptions: MGA is zero-decimal at
// Stripe (two decimals in ISO 4217), and ISK stays two-decimal at Stripe
// (zero in ISO 4217), its amounts multiples of 100
// (support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds).
var stripeDecimals = map[billing.Currency]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "JPY": 0, "KMF": 0, "KRW": 0, "MGA": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3,
}

func decimals(c billing.Currency) int {
	if d, ok := stripeDecimals[c]; ok {
		return d
	}
	return 2
}

// toStripe is m's amount in Stripe's units and its lower-case currency code,
// as Stripe's API takes them.
func toStripe(m billing.Money) (int64, string, error) {
	a, err := scale(m.Amount, decimals(m.Currency)-m.Currency.Exponent())
	if err != nil {
		return 0, "", fmt.Errorf("%s in Stripe's units of %s: %w", m, m.Currency, err)
	}
	return a, strings.ToLower(string(m.Currency)), nil
}

// fromStripe is an amount in Stripe's units of currency (lower case, as
// Stripe writes it) as billing.Money.
func fromStripe(amount int64, currency string) (billing.Money, error) {
	c, err := billing.ParseCurrency(currency)
	if err != nil {
		return billing.Money{}, err
	}
	a, err := scale(amount, c.Exponent()-decimals(c))
	if err != nil {
		return billing.Money{}, fmt.Errorf("amount %d %s from Stripe in minor units: %w", amount, c, err)
	}
	return billing.Money{Amount: a, Currency: c}, nil
}

// scale multiplies a by 10^shift; a negative shift divides, exactly or not at
// all.
func scale(a int64, shift int) (int64, error) {
	p := int64(1)
	for range max(shift, -shift) {
		p *= 10
	}
	if shift < 0 {
		if a%p != 0 {
			return 0, fmt.Errorf("%d is not a multiple of %d", a, p)
		}
		return a / p, nil
	}
	if a > math.MaxInt64/p || a < math.MinInt64/p {
		return 0, billing.ErrOverflow
	}
	return a * p, nil
}
