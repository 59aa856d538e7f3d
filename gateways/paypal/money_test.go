package paypal

import (
	"strings"
	"testing"

	"github.com/billgate/billgate/billing"
)

// The money schema's value: "An integer for currencies like JPY that are
// not typically fractional. A decimal fraction for currencies like TND
// that are subdivided into thousandths." HUF and TWD take whole units at
// PayPal although ISO 4217 gives them cents.
func TestToMoney(t *testing.T) {
	tests := []struct {
		in   billing.Money
		want string
		err  bool
	}{
		{billing.Money{Amount: 1999, Currency: "USD"}, "19.99", false},
		{billing.Money{Amount: 5, Currency: "EUR"}, "0.05", false},
		{billing.Money{Amount: 100, Currency: "GBP"}, "1.00", false},
		{billing.Money{Amount: 1000, Currency: "JPY"}, "1000", false},
		{billing.Money{Amount: 1500, Currency: "KWD"}, "1.500", false},
		{billing.Money{Amount: 150000, Currency: "HUF"}, "1500", false},
		{billing.Money{Amount: 150050, Currency: "HUF"}, "", true},
		{billing.Money{Amount: 100, Currency: "TWD"}, "1", false},
		{billing.Money{Amount: -1, Currency: "USD"}, "", true},
		{billing.Money{Amount: 1, Currency: "XXX"}, "", true},
	}
	for _, tt := range tests {
		got, err := toMoney(tt.in)
		if (err != nil) != tt.err || got.Value != tt.want || (!tt.err && got.CurrencyCode != string(tt.in.Currency)) {
			t.Errorf("toMoney(%v) = %+v, %v, want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFromMoney(t *testing.T) {
	tests := []struct {
		in   money
		want billing.Money
		err  bool
	}{
		{money{"USD", "19.99"}, billing.Money{Amount: 1999, Currency: "USD"}, false},
		{money{"USD", "5"}, billing.Money{Amount: 500, Currency: "USD"}, false},
		{money{"USD", "5.5"}, billing.Money{Amount: 550, Currency: "USD"}, false},
		{money{"USD", ".5"}, billing.Money{Amount: 50, Currency: "USD"}, false},
		{money{"JPY", "1000"}, billing.Money{Amount: 1000, Currency: "JPY"}, false},
		{money{"HUF", "1500"}, billing.Money{Amount: 150000, Currency: "HUF"}, false},
		{money{"USD", "1.999"}, billing.Money{}, true},
		{money{"USD", "-1.00"}, billing.Money{}, true},
		{money{"USD", "."}, billing.Money{}, true},
		{money{"USD", "1e3"}, billing.Money{}, true},
		{money{"USD", "99999999999999999999"}, billing.Money{}, true},
		{money{"ZZZ", "1"}, billing.Money{}, true},
	}
	for _, tt := range tests {
		got, err := fromMoney(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("fromMoney(%+v) = %v, %v, want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// wireKey: PayPal-Request-Id takes 1 to 108 characters
// (checkout_orders_v2 parameters.paypal_request_id).
func TestWireKey(t *testing.T) {
	short := "0190a5b2-7c1e-7d3a-9f00-1234567890ab/12"
	if got := wireKey(short); got != short {
		t.Errorf("wireKey(%q) = %q, want it unchanged", short, got)
	}
	for _, key := range []string{strings.Repeat("k", 109), "clé/1", "tab\there"} {
		got := wireKey(key)
		if got == key || !strings.HasPrefix(got, "sha256-") || len(got) > maxRequestIDLen || got != wireKey(key) {
			t.Errorf("wireKey(%q) = %q, want a stable sha256- form that fits", key, got)
		}
	}
	if wireKey(strings.Repeat("a", 109)) == wireKey(strings.Repeat("b", 109)) {
		t.Error("two long keys share a wire key")
	}
}

func TestParseToken(t *testing.T) {
	for tok, vault := range map[string]string{"approval": "", "vault:8kk8451t": "8kk8451t", "vault:abc_DEF-123": "abc_DEF-123"} {
		if got, err := parseToken(tok); err != nil || got.vaultID != vault {
			t.Errorf("parseToken(%q) = %+v, %v, want vault ID %q", tok, got, err, vault)
		}
	}
	for _, tok := range []string{"", "Approval", "8kk8451t", "vault:", "vault:short", "vault:" + strings.Repeat("a", 37), "vault:a/b/c/d/e"} {
		if _, err := parseToken(tok); err == nil {
			t.Errorf("parseToken(%q) = nil error, want one", tok)
		}
	}
}
