package paypal

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/billgate/billgate/billing"
)

// wholeUnitsOnly are the currencies PayPal takes without decimals although
// ISO 4217 gives them minor units ("This currency does not support
// decimals. Passing a decimal amount will throw an error": PayPal's REST
// currency codes reference).
var wholeUnitsOnly = map[billing.Currency]bool{"HUF": true, "TWD": true, "JPY": true}

// payPalExponent is how many decimals PayPal writes amounts of c with.
func payPalExponent(c billing.Currency) int {
	if wholeUnitsOnly[c] {
		return 0
	}
	return c.Exponent()
}

// toMoney writes m as the money schema: value "10.00" for USD 10, "1000"
// for JPY 1000, "1.500" for KWD 1.5. An amount PayPal cannot express (HUF
// 10.50) is an error.
func toMoney(m billing.Money) (money, error) {
	iso, pp := m.Currency.Exponent(), payPalExponent(m.Currency)
	if iso < 0 {
		return money{}, fmt.Errorf("unknown currency %q", m.Currency)
	}
	amount := m.Amount
	if amount < 0 {
		return money{}, fmt.Errorf("amount %s is negative", m)
	}
	drop := pow10(iso - pp)
	if amount%drop != 0 {
		return money{}, fmt.Errorf("PayPal takes %s in whole units only, not %s", m.Currency, m)
	}
	amount /= drop
	digits := strconv.FormatInt(amount, 10)
	if pp > 0 {
		if len(digits) <= pp {
			digits = strings.Repeat("0", pp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-pp] + "." + digits[len(digits)-pp:]
	}
	return money{CurrencyCode: string(m.Currency), Value: digits}, nil
}

// fromMoney reads the money schema into minor units of its currency (the
// value pattern is ^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$). Negative amounts
// and more decimals than the currency has are errors.
func fromMoney(v money) (billing.Money, error) {
	cur, err := billing.ParseCurrency(v.CurrencyCode)
	if err != nil {
		return billing.Money{}, err
	}
	whole, frac, _ := strings.Cut(v.Value, ".")
	exp := cur.Exponent()
	if whole == "" && frac == "" || !digitsOnly(whole) || !digitsOnly(frac) || len(frac) > exp {
		return billing.Money{}, fmt.Errorf("amount %q is not a non-negative %s amount with at most %d decimals", v.Value, cur, exp)
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return billing.Money{}, fmt.Errorf("amount %q: %w", v.Value, err)
	}
	return billing.Money{Amount: n, Currency: cur}, nil
}

func digitsOnly(s string) bool { return strings.Trim(s, "0123456789") == "" }

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		if p > math.MaxInt64/10 {
			return math.MaxInt64
		}
		p *= 10
	}
	return p
}
