package stripe

import (
	"errors"
	"math"
	"testing"

	"github.com/billgate/billgate/billing"
)

// docs.stripe.com/currencies: Stripe's units are ISO 4217's minor units
// except MGA (zero-decimal at Stripe) and ISK (two-decimal at Stripe).
func TestToStripe(t *testing.T) {
	tests := []struct {
		money        billing.Money
		wantAmount   int64
		wantCurrency string
		wantErr      bool
	}{
		{billing.Money{Amount: 1999, Currency: "USD"}, 1999, "usd", false},
		{billing.Money{Amount: 500, Currency: "JPY"}, 500, "jpy", false},
		{billing.Money{Amount: 1230, Currency: "KWD"}, 1230, "kwd", false},
		{billing.Money{Amount: 500, Currency: "ISK"}, 50000, "isk", false},
		{billing.Money{Amount: 150000, Currency: "MGA"}, 1500, "mga", false},
		{billing.Money{Amount: 150050, Currency: "MGA"}, 0, "", true}, // 1500.50 ariary: Stripe has no unit for it
		{billing.Money{Amount: math.MaxInt64 / 10, Currency: "ISK"}, 0, "", true},
	}
	for _, tt := range tests {
		a, c, err := toStripe(tt.money)
		if a != tt.wantAmount || c != tt.wantCurrency || (err != nil) != tt.wantErr {
			t.Errorf("toStripe(%v) = %d, %q, %v; want %d, %q, error %t", tt.money, a, c, err, tt.wantAmount, tt.wantCurrency, tt.wantErr)
		}
	}
}

func TestFromStripe(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     billing.Money
		wantErr  bool
	}{
		{1999, "usd", billing.Money{Amount: 1999, Currency: "USD"}, false},
		{50000, "isk", billing.Money{Amount: 500, Currency: "ISK"}, false},
		{1500, "mga", billing.Money{Amount: 150000, Currency: "MGA"}, false},
		{50050, "isk", billing.Money{}, true}, // a fractional króna
		{100, "xyz", billing.Money{}, true},
	}
	for _, tt := range tests {
		got, err := fromStripe(tt.amount, tt.currency)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("fromStripe(%d, %q) = %v, %v; want %v, error %t", tt.amount, tt.currency, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := fromStripe(math.MaxInt64, "mga"); !errors.Is(err, billing.ErrOverflow) {
		t.Errorf("fromStripe(MaxInt64, mga) = %v, want ErrOverflow", err)
	}
}
