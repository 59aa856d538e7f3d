package paypaltest

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// currencyDecimals are the currencies PayPal's REST APIs take (the REST
// currency codes reference) and how many decimals each amount may have:
// HUF, JPY and TWD "do not support decimals".
var currencyDecimals = map[string]int{
	"AUD": 2, "BRL": 2, "CAD": 2, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "HKD": 2,
	"HUF": 0, "ILS": 2, "JPY": 0, "MYR": 2, "MXN": 2, "TWD": 0, "NZD": 2, "NOK": 2,
	"PHP": 2, "PLN": 2, "GBP": 2, "SGD": 2, "SEK": 2, "CHF": 2, "THB": 2, "USD": 2,
}

// valuePattern is the money schema's value pattern.
var valuePattern = regexp.MustCompile(`^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$`)

// maxUnits is MAX_VALUE_EXCEEDED's bound, 999999999999999.99, in cents.
const maxUnits = 99999999999999999

// amount is a validated money value: n smallest units of currency, which
// has decimals places.
type amount struct {
	currency string
	n        int64
	decimals int
}

func (a amount) json() moneyJSON {
	return moneyJSON{CurrencyCode: a.currency, Value: units(a.n, a.decimals)}
}

// parseAmount validates a money object at pointer field, as orders.create
// and captures.refund do (see readAmount). It reports whether it answered.
func (s *Server) parseAmount(w http.ResponseWriter, m *moneyJSON, field string, refund bool) (amount, bool) {
	a, r := readAmount(m, field, refund)
	if r != nil {
		s.writeRefusal(w, r)
		return amount{}, true
	}
	return a, false
}

// readAmount validates a money object at pointer field: the currency must
// be one PayPal takes (422 INVALID_CURRENCY_CODE), the value must match the
// schema's pattern (400 INVALID_PARAMETER_SYNTAX), have no more decimals
// than the currency (422 DECIMAL_PRECISION, or for a refund in a currency
// without decimals DECIMALS_NOT_SUPPORTED) and be positive (422
// CANNOT_BE_ZERO_OR_NEGATIVE).
func readAmount(m *moneyJSON, field string, refund bool) (amount, *refusal) {
	if m == nil {
		return amount{}, refuse(http.StatusBadRequest, "MISSING_REQUIRED_PARAMETER", field)
	}
	if len(m.CurrencyCode) != 3 {
		return amount{}, refuse(http.StatusBadRequest, "INVALID_STRING_LENGTH", field+"/currency_code")
	}
	decimals, ok := currencyDecimals[m.CurrencyCode]
	if !ok {
		return amount{}, refuse(http.StatusUnprocessableEntity, "INVALID_CURRENCY_CODE", field+"/currency_code")
	}
	if m.Value == "" || len(m.Value) > 32 || !valuePattern.MatchString(m.Value) {
		return amount{}, refuse(http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX", field+"/value")
	}
	whole, frac, _ := strings.Cut(strings.TrimPrefix(m.Value, "-"), ".")
	if len(frac) > decimals {
		decimalIssue := "DECIMAL_PRECISION"
		if refund && decimals == 0 {
			decimalIssue = "DECIMALS_NOT_SUPPORTED"
		}
		return amount{}, refuse(http.StatusUnprocessableEntity, decimalIssue, field+"/value")
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", decimals-len(frac)), 10, 64)
	if err != nil || n > maxUnits {
		return amount{}, refuse(http.StatusUnprocessableEntity, "MAX_VALUE_EXCEEDED", field+"/value")
	}
	if n == 0 || strings.HasPrefix(m.Value, "-") {
		return amount{}, refuse(http.StatusUnprocessableEntity, "CANNOT_BE_ZERO_OR_NEGATIVE", field+"/value")
	}
	return amount{currency: m.CurrencyCode, n: n, decimals: decimals}, nil
}
