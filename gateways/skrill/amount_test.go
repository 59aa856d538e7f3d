package skrill

import (
	"testing"

	"github.com/billgate/billgate/billing"
)

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		m    billing.Money
		want string
	}{
		{billing.Money{Amount: 1990, Currency: "EUR"}, "19.90"},
		{billing.Money{Amount: 5, Currency: "USD"}, "0.05"},
		{billing.Money{Amount: 1234, Currency: "JPY"}, "1234"},
		{billing.Money{Amount: 1234, Currency: "KWD"}, "1.234"},
	}
	for _, tt := range tests {
		if got := formatAmount(tt.m); got != tt.want {
			t.Errorf("formatAmount(%v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// Status posts write mb_amount as "25.46", "25.4" or "25" (Quick Checkout
// guide, "Status URL parameters"), refund answers as "1.000000".
func TestParseAmount(t *testing.T) {
	tests := []struct {
		s    string
		cur  billing.Currency
		want int64
		ok   bool
	}{
		{"25.46", "GBP", 2546, true},
		{"25.4", "GBP", 2540, true},
		{"25", "GBP", 2500, true},
		{"1.000000", "USD", 100, true},
		{"-3.50", "EUR", -350, true},
		{"1234", "JPY", 1234, true},
		{"25.461", "GBP", 0, false},
		{"", "GBP", 0, false},
		{"1e3", "GBP", 0, false},
		{"2.5.1", "GBP", 0, false},
		{"25", "XXX", 0, false},
		{"9999999999999999", "EUR", 0, false},
	}
	for _, tt := range tests {
		got, err := parseAmount(tt.s, tt.cur)
		if (err == nil) != tt.ok || tt.ok && got != (billing.Money{Amount: tt.want, Currency: tt.cur}) {
			t.Errorf("parseAmount(%q, %s) = %v, %v; want %d, ok %v", tt.s, tt.cur, got, err, tt.want, tt.ok)
		}
	}
}
