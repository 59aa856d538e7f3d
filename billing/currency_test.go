package billing

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseCurrency(t *testing.T) {
	tests := []struct {
		in      string
		want    Currency
		wantErr string // substring of the error; empty means success
	}{
		{"USD", "USD", ""},
		{"usd", "USD", ""},
		{" Jpy ", "JPY", ""},
		{"kwd", "KWD", ""},
		{"XOF", "XOF", ""},
		{"XCG", "XCG", ""},
		{"ZWG", "ZWG", ""},
		{"ves", "VES", ""},
		{"", "", `unknown currency ""`},
		{"ABC", "", `unknown currency "ABC"`},
		{"US", "", `unknown currency "US"`},
		{"USDD", "", `unknown currency "USDD"`},
		{"usd\x00", "", "unknown currency"},
		{"BGN", "", `unknown currency "BGN"`}, // replaced by EUR on 2026-01-01
		{"ANG", "", `unknown currency "ANG"`}, // replaced by XCG
		{"xau", "", `"XAU" is not accepted: it is a precious metal`},
		{"XAG", "", "precious metal"},
		{"XXX", "", "no currency"},
		{"XTS", "", "testing"},
		{"XDR", "", "unit of account"},
		{"CLF", "", "fund code"},
		{"USN", "", "fund code"},
	}
	for _, tt := range tests {
		got, err := ParseCurrency(tt.in)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseCurrency(%q) = %q, %v, want %q, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseCurrency(%q) = %q, %v, want an error containing %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestCurrencyExponent(t *testing.T) {
	tests := []struct {
		c    Currency
		want int
	}{
		{"JPY", 0}, {"USD", 2}, {"EUR", 2}, {"KWD", 3}, {"BHD", 3}, {"CLP", 0},
		{"ISK", 0}, {"IQD", 3}, {"JOD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
		{"KRW", 0}, {"VND", 0}, {"XAF", 0}, {"XPF", 0}, {"COP", 2}, {"IDR", 2},
		{"HUF", 2}, {"UGX", 0}, {"PYG", 0},
		{"usd", -1}, {"XAU", -1}, {"ABC", -1}, {"", -1},
	}
	for _, tt := range tests {
		if got := tt.c.Exponent(); got != tt.want {
			t.Errorf("Currency(%q).Exponent() = %d, want %d", tt.c, got, tt.want)
		}
	}
}

func TestCurrencyTable(t *testing.T) {
	all := Currencies()
	if len(all) < 150 {
		t.Errorf("len(Currencies()) = %d, want at least 150", len(all))
	}
	for _, c := range all {
		if len(c) != 3 || strings.ToUpper(string(c)) != string(c) || strings.Trim(string(c), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("currency %q is not three upper-case letters", c)
		}
		if e := c.Exponent(); e < 0 || e > 3 {
			t.Errorf("Currency(%q).Exponent() = %d, want 0..3", c, e)
		}
		if _, ok := notPayable[c]; ok {
			t.Errorf("currency %q is both accepted and refused", c)
		}
		if got, err := ParseCurrency(strings.ToLower(string(c))); err != nil || got != c {
			t.Errorf("ParseCurrency(%q) = %q, %v, want %q, nil", strings.ToLower(string(c)), got, err, c)
		}
	}
	for c := range notPayable {
		if c.Valid() {
			t.Errorf("Currency(%q).Valid() = true, want false", c)
		}
	}
}

func TestCurrencyUnmarshalText(t *testing.T) {
	var got struct{ C Currency }
	if err := json.Unmarshal([]byte(`{"C":" eur "}`), &got); err != nil || got.C != "EUR" {
		t.Errorf("json.Unmarshal(eur) = %q, %v, want EUR, nil", got.C, err)
	}
}

func FuzzParseCurrency(f *testing.F) {
	for _, s := range []string{"USD", "usd", " jpy", "XAU", "", "ÜSD", "KWD\n", "\xff\xfe\xfd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCurrency(s)
		if err != nil {
			if c != "" {
				t.Errorf("ParseCurrency(%q) = %q, %v, want an empty currency with the error", s, c, err)
			}
			return
		}
		if !c.Valid() || c.Exponent() < 0 || len(c) != 3 {
			t.Errorf("ParseCurrency(%q) = %q, an invalid currency", s, c)
		}
		if !strings.EqualFold(strings.TrimSpace(s), string(c)) {
			t.Errorf("ParseCurrency(%q) = %q, not the input up to case and spaces", s, c)
		}
		if again, err := ParseCurrency(string(c)); err != nil || again != c {
			t.Errorf("ParseCurrency(%q) = %q, %v, want %q, nil", c, again, err, c)
		}
	})
}
