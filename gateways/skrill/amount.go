package skrill

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/billgate/billgate/billing"
)

// formatAmount is m as Skrill's amount fields take it: major units, and
// the currency's minor digits after a point ("19.90", "1234" for JPY).
func formatAmount(m billing.Money) string {
	return strings.TrimPrefix(m.String(), string(m.Currency)+" ")
}

// parseAmount reads an amount as Skrill writes it ("25.46", "25.4", "25",
// or the refund answer's "1.000000") in minor units of cur. Digits beyond
// the currency's exponent must be zeros.
func parseAmount(s string, cur billing.Currency) (billing.Money, error) {
	exp := cur.Exponent()
	if exp < 0 {
		return billing.Money{}, fmt.Errorf("amount %q: unknown currency %q", s, cur)
	}
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" || len(whole) > 15 || !digits(whole) || !digits(frac) {
		return billing.Money{}, fmt.Errorf("amount %q is not a decimal number", s)
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return billing.Money{}, fmt.Errorf("amount %q has more than %d decimals for %s", s, exp, cur)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return billing.Money{}, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		n = -n
	}
	return billing.Money{Amount: n, Currency: cur}, nil
}

func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
