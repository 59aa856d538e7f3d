package billing

import (
	"fmt"
	"slices"
	"strings"
)

// Currency is an upper-case ISO 4217 alphabetic code that billgate accepts
// for prices and payments.
type Currency string

// minorUnits is ISO 4217 List One (the edition of 1 January 2026, published by
// SIX, the standard's maintenance agency): every legal-tender currency and its
// number of minor-unit digits. golang.org/x/text/currency is not used because
// it carries CLDR's display digits, which differ from ISO 4217 (IQD 0 instead
// of 3, COP, IDR, HUF cash 0 instead of 2, ...), and it lacks recent codes
// (VES, MRU, SLE, XCG, ZWG).
var minorUnits = map[Currency]int{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
	"AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
	"BOB": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2,
	"CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2,
	"CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2,
	"EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
	"GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2,
	"ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0,
	"KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2,
	"KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2,
	"MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
	"MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2,
	"NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2,
	"PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
	"SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2,
	"SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
	"TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
	"UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "UZS": 2, "VED": 2, "VES": 2, "VND": 0,
	"VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0, "YER": 2,
	"ZAR": 2, "ZMW": 2, "ZWG": 2,
}

// notPayable lists the List One codes that are not money a customer can pay
// with, and why. They are refused with that reason rather than as unknown.
var notPayable = map[Currency]string{
	// Fund codes: units of account quoted next to a real currency.
	"BOV": "a fund code", "CHE": "a fund code", "CHW": "a fund code",
	"CLF": "a fund code", "COU": "a fund code", "MXV": "a fund code",
	"USN": "a fund code", "UYI": "a fund code", "UYW": "a fund code",
	// Supranational units of account and bond-market units.
	"XAD": "a unit of account", "XBA": "a unit of account", "XBB": "a unit of account",
	"XBC": "a unit of account", "XBD": "a unit of account", "XDR": "a unit of account",
	"XSU": "a unit of account", "XUA": "a unit of account",
	"XAG": "a precious metal", "XAU": "a precious metal",
	"XPD": "a precious metal", "XPT": "a precious metal",
	"XTS": "reserved for testing", "XXX": "the code for no currency",
}

// ParseCurrency accepts an ISO 4217 code in any case, ignoring surrounding
// spaces, and returns it upper-case.
func ParseCurrency(s string) (Currency, error) {
	c := Currency(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := minorUnits[c]; ok {
		return c, nil
	}
	if why, ok := notPayable[c]; ok {
		return "", fmt.Errorf("currency %q is not accepted: it is %s, not a currency", c, why)
	}
	return "", fmt.Errorf("unknown currency %q", s)
}

// Exponent is the number of minor-unit digits (JPY 0, USD 2, KWD 3), or -1
// when c is not an accepted currency.
func (c Currency) Exponent() int {
	if e, ok := minorUnits[c]; ok {
		return e
	}
	return -1
}

// Valid reports whether c is an accepted, normalised (upper-case) code.
func (c Currency) Valid() bool {
	_, ok := minorUnits[c]
	return ok
}

// UnmarshalText upper-cases the code but does not validate it, so that a
// decoded price can report an unknown currency as a field error (see
// Price.Validate and Money.Validate).
func (c *Currency) UnmarshalText(b []byte) error {
	*c = Currency(strings.ToUpper(strings.TrimSpace(string(b))))
	return nil
}

// Currencies returns every accepted currency, sorted.
func Currencies() []Currency {
	out := make([]Currency, 0, len(minorUnits))
	for c := range minorUnits {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
