package billing

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestProrate(t *testing.T) {
	june := date("2024-06-01")
	july := date("2024-07-01") // a 30-day period
	sec := func(n int64) time.Time { return june.Add(time.Duration(n) * time.Second) }
	tenYears := date("2034-06-01")
	tests := []struct {
		name             string
		full             Money
		start, end, from time.Time
		want             Money
		wantErr          string
	}{
		{"USD 30.00 a month, change after 9 days", usd(3000), june, july, june.AddDate(0, 0, 9), usd(2100), ""},
		{"after 10 days", usd(3000), june, july, june.AddDate(0, 0, 10), usd(2000), ""},
		{"from the start is the full price", usd(3000), june, july, june, usd(3000), ""},
		{"from the end is nothing", usd(3000), june, july, july, usd(0), ""},
		{"one third rounds down", usd(1000), june, sec(3), sec(2), usd(333), ""},
		{"two thirds round up", usd(1000), june, sec(3), sec(1), usd(667), ""},
		{"a half rounds away from zero", usd(1), june, sec(2), sec(1), usd(1), ""},
		{"2.5 rounds to 3, not to even", usd(5), june, sec(2), sec(1), usd(3), ""},
		{"-2.5 rounds to -3", usd(-5), june, sec(2), sec(1), usd(-3), ""},
		{"1.5 rounds to 2", usd(3), june, sec(2), sec(1), usd(2), ""},
		{"JPY", Money{1000, "JPY"}, june, july, june.AddDate(0, 0, 20), Money{333, "JPY"}, ""},
		{"sub-second instants count whole seconds", usd(1000), june, sec(3), sec(2).Add(999 * time.Millisecond), usd(333), ""},
		{"MaxInt64 over ten years cannot overflow", usd(math.MaxInt64), june, tenYears, june.AddDate(5, 0, 0),
			usd(bigProrate(math.MaxInt64, tenYears.Unix()-date("2029-06-01").Unix(), tenYears.Unix()-june.Unix())), ""},
		{"MinInt64, all of it", usd(math.MinInt64), june, tenYears, june, usd(math.MinInt64), ""},
		{"MinInt64, half", usd(math.MinInt64), june, sec(2), sec(1), usd(math.MinInt64 / 2), ""},
		{"non-UTC instants", usd(3000), june.In(time.FixedZone("X", 3600)), july, june.AddDate(0, 0, 9).In(time.FixedZone("Y", -7200)), usd(2100), ""},
		{"from before the period", usd(3000), june, july, june.Add(-time.Second), Money{}, "outside the period"},
		{"from after the period", usd(3000), june, july, july.Add(time.Nanosecond), Money{}, "outside the period"},
		{"empty period", usd(3000), june, june, june, Money{}, "not before its end"},
		{"reversed period", usd(3000), july, june, june, Money{}, "not before its end"},
		{"period under a second", usd(3000), june, june.Add(time.Millisecond), june, Money{}, "shorter than one second"},
	}
	for _, tt := range tests {
		got, err := Prorate(tt.full, tt.start, tt.end, tt.from)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: Prorate(%v, %s, %s, %s) = %v, %v, want an error containing %q", tt.name, tt.full,
					tt.start, tt.end, tt.from, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: Prorate(%v, %s, %s, %s) = %v, %v, want %v", tt.name, tt.full, tt.start, tt.end, tt.from, got, err, tt.want)
		}
	}
}

// bigProrate is the reference: a×num/den rounded half away from zero, in big
// integers.
func bigProrate(a, num, den int64) int64 {
	p := new(big.Int).Mul(big.NewInt(a), big.NewInt(num))
	p.Mul(p, big.NewInt(2))
	d := big.NewInt(2 * den)
	if p.Sign() >= 0 {
		p.Add(p, big.NewInt(den))
	} else {
		p.Sub(p, big.NewInt(den))
	}
	return p.Quo(p, d).Int64() // Quo truncates toward zero
}

func TestSplit(t *testing.T) {
	june, july := date("2024-06-01"), date("2024-07-01")
	tests := []struct {
		full                Money
		at                  time.Time
		wantUsed, wantRemai Money
	}{
		{usd(3000), june.AddDate(0, 0, 9), usd(900), usd(2100)},
		{usd(1000), june.AddDate(0, 0, 10), usd(333), usd(667)},
		{usd(1000), june.AddDate(0, 0, 20), usd(667), usd(333)},
		{usd(999), june, usd(0), usd(999)},
		{usd(999), july, usd(999), usd(0)},
		{usd(-1000), june.AddDate(0, 0, 10), usd(-333), usd(-667)},
	}
	for _, tt := range tests {
		used, rem, err := Split(tt.full, june, july, tt.at)
		if err != nil || used != tt.wantUsed || rem != tt.wantRemai {
			t.Errorf("Split(%v, %s) = %v, %v, %v, want %v, %v", tt.full, tt.at.Format(time.DateOnly), used, rem, err, tt.wantUsed, tt.wantRemai)
		}
	}
	if _, _, err := Split(usd(1), june, july, july.AddDate(0, 0, 1)); err == nil {
		t.Errorf("Split(at after the end) = nil error, want an error")
	}
}

// checkSplit asserts the proration invariants for one split.
func checkSplit(t *testing.T, full Money, start, end, at time.Time) {
	t.Helper()
	used, rem, err := Split(full, start, end, at)
	if err != nil {
		t.Fatalf("Split(%v, %s, %s, %s) = %v", full, start, end, at, err)
	}
	if sum, err := used.Add(rem); err != nil || sum != full {
		t.Fatalf("Split(%v, %s, %s, %s) = %v + %v = %v, %v, want %v exactly", full, start, end, at, used, rem, sum, err, full)
	}
	for _, part := range []Money{used, rem} {
		if part.Currency != full.Currency || !between(part.Amount, full.Amount) {
			t.Fatalf("Split(%v, %s, %s, %s) = %v, %v, want parts between 0 and the full amount", full, start, end, at, used, rem)
		}
	}
	period, rest := end.Unix()-start.Unix(), end.Unix()-at.Unix()
	if want := bigProrate(full.Amount, rest, period); rem.Amount != want {
		t.Fatalf("Prorate(%v, %s, %s, %s) = %v, want %d", full, start, end, at, rem, want)
	}
	// Rounding the used part on its own would be within one minor unit.
	if indep := bigProrate(full.Amount, period-rest, period); indep-used.Amount > 1 || used.Amount-indep > 1 {
		t.Fatalf("Split(%v, %s, %s, %s) used %v, independently rounded %d: more than one unit apart", full, start, end, at, used, indep)
	}
}

func between(part, full int64) bool {
	if full >= 0 {
		return part >= 0 && part <= full
	}
	return part <= 0 && part >= full
}

func TestProrationProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 10))
	for range 20000 {
		full := usd(randAmount(r))
		if r.IntN(2) == 0 {
			full = usd(r.Int64N(1_000_000))
		}
		rec, anchor := randRecurrence(r), randAnchor(r)
		n := 1 + r.IntN(24)
		start, end := rec.PeriodEnd(anchor, n-1), rec.PeriodEnd(anchor, n)
		at := start.Add(time.Duration(r.Int64N(int64(end.Sub(start)) + 1)))
		checkSplit(t, full, start, end, at)
		// A later change never leaves more to prorate.
		later := at.Add(time.Duration(r.Int64N(int64(end.Sub(at)) + 1)))
		a, _ := Prorate(full, start, end, at)
		b, err := Prorate(full, start, end, later)
		if err != nil || abs64(b.Amount) > abs64(a.Amount) {
			t.Fatalf("Prorate(%v, %s, %s, %s) = %v, %v, more than %v at %s", full, start, end, later, b, err, a, at)
		}
	}
}

func FuzzProrate(f *testing.F) {
	f.Add(int64(3000), int64(1717200000), int64(30*86400), int64(9*86400))
	f.Add(int64(math.MaxInt64), int64(0), int64(1), int64(0))
	f.Add(int64(math.MinInt64), int64(-1), int64(3), int64(2))
	f.Add(int64(5), int64(1), int64(2), int64(1))
	f.Add(int64(100), int64(0), int64(0), int64(-1))
	f.Fuzz(func(t *testing.T, amount, startSec, lengthNanos, offsetNanos int64) {
		// Fold the inputs onto periods of up to ~290 years (in nanoseconds)
		// starting in years 1..9999, and instants up to a second outside them.
		const lo, span = -62135596800, 315537897599
		start := time.Unix(lo+mod(startSec, span), 0)
		length := time.Duration(mod(lengthNanos, math.MaxInt64/2))
		end := start.Add(length)
		at := start.Add(time.Duration(mod(offsetNanos, int64(length)+2*int64(time.Second))) - time.Second)
		full := usd(amount)
		used, rem, err := Split(full, start, end, at)
		valid := end.Unix() > start.Unix() && !at.Before(start) && !at.After(end)
		if err != nil {
			if valid {
				t.Fatalf("Split(%v, %s, %s, %s) = %v, want no error", full, start, end, at, err)
			}
			return
		}
		if !valid {
			t.Fatalf("Split(%v, %s, %s, %s) = %v, %v, nil, want an error", full, start, end, at, used, rem)
		}
		checkSplit(t, full, start, end, at)
	})
}

// mod is a mod m in [0, m), for m > 0.
func mod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

func TestParseProrationMode(t *testing.T) {
	tests := []struct {
		in      string
		want    ProrationMode
		wantErr bool
	}{
		{"", CreateProrations, false},
		{"create_prorations", CreateProrations, false},
		{"always_invoice", AlwaysInvoice, false},
		{"none", NoProration, false},
		{"None", "", true},
		{"prorate", "", true},
	}
	for _, tt := range tests {
		got, err := ParseProrationMode(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseProrationMode(%q) = %q, %v, want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPlanPriceChange(t *testing.T) {
	start, end := date("2024-06-01"), date("2024-07-01")
	at := start.AddDate(0, 0, 10) // 20 of 30 days left
	basic := PriceTerms{Name: "Basic", Amount: usd(1000), Quantity: 1}
	pro := PriceTerms{Name: "Pro", Amount: usd(3000), Quantity: 1}
	credit := func(amount int64, qty int64, label string) Line {
		return Line{ProrationCredit, "Unused time on " + label + " after 2024-06-11", usd(amount), qty, at, end}
	}
	debit := func(amount int64, qty int64, label string) Line {
		return Line{ProrationDebit, "Remaining time on " + label + " after 2024-06-11", usd(amount), qty, at, end}
	}
	tests := []struct {
		name     string
		old, new PriceTerms
		at       time.Time
		mode     ProrationMode
		want     PriceChangePlan
		wantErr  string
	}{
		{"upgrade, create_prorations", basic, pro, at, CreateProrations,
			PriceChangePlan{Lines: []Line{credit(-667, 1, "Basic"), debit(2000, 1, "Pro")}}, ""},
		{"upgrade, always_invoice", basic, pro, at, AlwaysInvoice,
			PriceChangePlan{Lines: []Line{credit(-667, 1, "Basic"), debit(2000, 1, "Pro")}, InvoiceNow: true}, ""},
		{"upgrade, default mode", basic, pro, at, "",
			PriceChangePlan{Lines: []Line{credit(-667, 1, "Basic"), debit(2000, 1, "Pro")}}, ""},
		{"upgrade, none", basic, pro, at, NoProration, PriceChangePlan{}, ""},
		{"downgrade", pro, basic, at, CreateProrations,
			PriceChangePlan{Lines: []Line{credit(-2000, 1, "Pro"), debit(667, 1, "Basic")}}, ""},
		{"quantity change, unnamed", PriceTerms{Amount: usd(1000), Quantity: 2}, PriceTerms{Amount: usd(1000), Quantity: 5}, at, CreateProrations,
			PriceChangePlan{Lines: []Line{credit(-1333, 2, "2 × USD 10.00"), debit(3333, 5, "5 × USD 10.00")}}, ""},
		{"one unit, unnamed", PriceTerms{Amount: usd(1000), Quantity: 1}, pro, at, CreateProrations,
			PriceChangePlan{Lines: []Line{credit(-667, 1, "USD 10.00"), debit(2000, 1, "Pro")}}, ""},
		{"from a free plan", PriceTerms{Name: "Free", Amount: usd(0), Quantity: 1}, pro, at, CreateProrations,
			PriceChangePlan{Lines: []Line{debit(2000, 1, "Pro")}}, ""},
		{"at the period end", basic, pro, end, CreateProrations, PriceChangePlan{}, ""},
		{"currency mismatch", basic, PriceTerms{Amount: Money{3000, "EUR"}, Quantity: 1}, at, CreateProrations, PriceChangePlan{}, "currency mismatch"},
		{"currency mismatch with none", basic, PriceTerms{Amount: Money{3000, "EUR"}, Quantity: 1}, at, NoProration, PriceChangePlan{}, "currency mismatch"},
		{"negative quantity", basic, PriceTerms{Amount: usd(3000), Quantity: -1}, at, CreateProrations, PriceChangePlan{}, "negative"},
		{"negative amount", basic, PriceTerms{Amount: usd(-3000), Quantity: 1}, at, CreateProrations, PriceChangePlan{}, "negative"},
		{"total overflows", basic, PriceTerms{Amount: usd(math.MaxInt64), Quantity: 2}, at, CreateProrations, PriceChangePlan{}, "out of range"},
		{"outside the period", basic, pro, end.Add(time.Second), CreateProrations, PriceChangePlan{}, "outside the period"},
		{"unknown mode", basic, pro, at, "prorate", PriceChangePlan{}, "unknown proration mode"},
	}
	for _, tt := range tests {
		got, err := PlanPriceChange(tt.old, tt.new, start, end, tt.at, tt.mode)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: PlanPriceChange(...) = %+v, %v, want an error containing %q", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: PlanPriceChange(...) = %+v, %v, want %+v", tt.name, got, err, tt.want)
		}
		if len(got.Lines) > 0 {
			if _, err := Total(got.Lines); err != nil {
				t.Errorf("%s: Total(PlanPriceChange lines) = %v, want valid lines", tt.name, err)
			}
		}
	}
	if _, err := PlanPriceChange(basic, PriceTerms{Amount: Money{1, "EUR"}, Quantity: 1}, start, end, at, ""); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("PlanPriceChange(USD, EUR) = %v, want ErrCurrencyMismatch", err)
	}
}

// An interval change credits the unused time of the old price and no more:
// the new price's first period, which starts at the change, is invoiced in
// full beside the credit, at once.
func TestPlanIntervalChange(t *testing.T) {
	jan1, feb1, jan1Next := date("2030-01-01"), date("2030-02-01"), date("2031-01-01")
	jan8 := date("2030-01-08")
	jan11 := date("2030-01-11")                   // 21 of January's 31 days left
	jan3 := date("2030-01-03").Add(6 * time.Hour) // 4¾ of a week's 7 days left
	jul2 := date("2030-07-02")                    // 183 of 2030's 365 days left
	monthly := PriceTerms{Name: "Monthly", Amount: usd(3000), Quantity: 1}
	yearly := PriceTerms{Name: "Yearly", Amount: usd(30000), Quantity: 1}
	weekly := PriceTerms{Name: "Weekly", Amount: usd(1000), Quantity: 1}
	credit := func(amount int64, label string, at, end time.Time) []Line {
		return []Line{{ProrationCredit, "Unused time on " + label + " after " + at.Format(time.DateOnly), usd(amount), 1, at, end}}
	}
	tests := []struct {
		name       string
		old, new   PriceTerms
		start, end time.Time
		at         time.Time
		mode       ProrationMode
		want       PriceChangePlan
		wantErr    string
	}{
		// 3000 × 21/31 = 2032.26
		{"monthly to yearly", monthly, yearly, jan1, feb1, jan11, CreateProrations,
			PriceChangePlan{Lines: credit(-2032, "Monthly", jan11, feb1), InvoiceNow: true}, ""},
		{"monthly to yearly, always_invoice", monthly, yearly, jan1, feb1, jan11, AlwaysInvoice,
			PriceChangePlan{Lines: credit(-2032, "Monthly", jan11, feb1), InvoiceNow: true}, ""},
		{"monthly to yearly, default mode", monthly, yearly, jan1, feb1, jan11, "",
			PriceChangePlan{Lines: credit(-2032, "Monthly", jan11, feb1), InvoiceNow: true}, ""},
		{"monthly to yearly, none: no credit, still invoiced now", monthly, yearly, jan1, feb1, jan11, NoProration,
			PriceChangePlan{InvoiceNow: true}, ""},
		// 30000 × 183/365 = 15041.10
		{"yearly to monthly", yearly, monthly, jan1, jan1Next, jul2, CreateProrations,
			PriceChangePlan{Lines: credit(-15041, "Yearly", jul2, jan1Next), InvoiceNow: true}, ""},
		// 1000 × 410400/604800 s = 678.57
		{"weekly to monthly", weekly, monthly, jan1, jan8, jan3, CreateProrations,
			PriceChangePlan{Lines: credit(-679, "Weekly", jan3, jan8), InvoiceNow: true}, ""},
		// 3000 × 2484000/2678400 s = 2782.26
		{"monthly to weekly", monthly, weekly, jan1, feb1, jan3, CreateProrations,
			PriceChangePlan{Lines: credit(-2782, "Monthly", jan3, feb1), InvoiceNow: true}, ""},
		{"from a free plan", PriceTerms{Name: "Free", Amount: usd(0), Quantity: 1}, yearly, jan1, feb1, jan11, CreateProrations,
			PriceChangePlan{InvoiceNow: true}, ""},
		{"at the period end", monthly, yearly, jan1, feb1, feb1, CreateProrations, PriceChangePlan{InvoiceNow: true}, ""},
		{"outside the period", monthly, yearly, jan1, feb1, feb1.Add(time.Second), CreateProrations, PriceChangePlan{}, "outside the period"},
		{"outside the period with none", monthly, yearly, jan1, feb1, feb1.Add(time.Second), NoProration, PriceChangePlan{}, "outside the period"},
		{"currency mismatch", monthly, PriceTerms{Amount: Money{30000, "EUR"}, Quantity: 1}, jan1, feb1, jan11, NoProration, PriceChangePlan{}, "currency mismatch"},
		{"negative amount", monthly, PriceTerms{Amount: usd(-1), Quantity: 1}, jan1, feb1, jan11, CreateProrations, PriceChangePlan{}, "negative"},
		{"total overflows", monthly, PriceTerms{Amount: usd(math.MaxInt64), Quantity: 2}, jan1, feb1, jan11, CreateProrations, PriceChangePlan{}, "out of range"},
		{"unknown mode", monthly, yearly, jan1, feb1, jan11, "prorate", PriceChangePlan{}, "unknown proration mode"},
	}
	for _, tt := range tests {
		got, err := PlanIntervalChange(tt.old, tt.new, tt.start, tt.end, tt.at, tt.mode)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: PlanIntervalChange(...) = %+v, %v, want an error containing %q", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: PlanIntervalChange(...) = %+v, %v, want %+v", tt.name, got, err, tt.want)
		}
	}
}

func BenchmarkProrate(b *testing.B) {
	start, end := date("2024-06-01"), date("2024-07-01")
	at := start.Add(9*24*time.Hour + 37*time.Minute)
	full := usd(2999)
	for b.Loop() {
		if _, err := Prorate(full, start, end, at); err != nil {
			b.Fatal(err)
		}
	}
}
