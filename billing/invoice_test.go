package billing

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func line(kind LineKind, m Money) Line { return Line{Kind: kind, Amount: m, Quantity: 1} }

func TestLineValidate(t *testing.T) {
	start, end := date("2024-06-01"), date("2024-07-01")
	tests := []struct {
		l       Line
		wantErr string
	}{
		{line(PeriodCharge, usd(1000)), ""},
		{line(OneTime, usd(0)), ""},
		{line(ProrationDebit, usd(1)), ""},
		{line(ProrationCredit, usd(-1)), ""},
		{line(ProrationCredit, usd(0)), ""},
		{Line{Kind: PeriodCharge, Amount: usd(1), PeriodStart: start, PeriodEnd: end}, ""},
		{line(PeriodCharge, usd(-1)), "negative"},
		{line(OneTime, usd(-1)), "negative"},
		{line(ProrationDebit, usd(-1)), "negative"},
		{line(ProrationCredit, usd(1)), "positive"},
		{line("discount", usd(-1)), "unknown kind"},
		{line(PeriodCharge, Money{1, "usd"}), "currency"},
		{Line{Kind: PeriodCharge, Amount: usd(1), PeriodStart: end, PeriodEnd: start}, "period ends before it starts"},
	}
	for _, tt := range tests {
		err := tt.l.Validate()
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Line%+v.Validate() = %v, want %q", tt.l, err, tt.wantErr)
		}
	}
}

func TestTotalAndSettle(t *testing.T) {
	tests := []struct {
		name               string
		lines              []Line
		total, due, credit Money
		wantErr            error
		wantErrText        string
	}{
		{"charges", []Line{line(PeriodCharge, usd(3000)), line(OneTime, usd(500))}, usd(3500), usd(3500), usd(0), nil, ""},
		{"upgrade mid-period", []Line{line(ProrationCredit, usd(-667)), line(ProrationDebit, usd(2000))}, usd(1333), usd(1333), usd(0), nil, ""},
		{"downgrade leaves a credit", []Line{line(ProrationCredit, usd(-2000)), line(ProrationDebit, usd(667))}, usd(-1333), usd(0), usd(1333), nil, ""},
		{"credit and renewal", []Line{line(ProrationCredit, usd(-2000)), line(ProrationDebit, usd(667)), line(PeriodCharge, usd(1000))},
			usd(-333), usd(0), usd(333), nil, ""},
		{"nothing due", []Line{line(ProrationCredit, usd(-500)), line(ProrationDebit, usd(500))}, usd(0), usd(0), usd(0), nil, ""},
		{"JPY", []Line{line(PeriodCharge, Money{1200, "JPY"})}, Money{1200, "JPY"}, Money{1200, "JPY"}, Money{0, "JPY"}, nil, ""},
		{"no lines", nil, Money{}, Money{}, Money{}, ErrNoLines, ""},
		{"two currencies", []Line{line(PeriodCharge, usd(1)), line(PeriodCharge, Money{1, "EUR"})}, Money{}, Money{}, Money{}, ErrCurrencyMismatch, "line 1"},
		{"overflow", []Line{line(PeriodCharge, usd(math.MaxInt64)), line(OneTime, usd(1))}, Money{}, Money{}, Money{}, ErrOverflow, "line 1"},
		{"credit overflow", []Line{line(ProrationCredit, usd(math.MinInt64))}, usd(math.MinInt64), Money{}, Money{}, ErrOverflow, ""},
		{"invalid line", []Line{line(PeriodCharge, usd(1)), line(ProrationCredit, usd(5))}, Money{}, Money{}, Money{}, nil, "line 1: invoice line"},
	}
	for _, tt := range tests {
		total, err := Total(tt.lines)
		due, credit, serr := Settle(tt.lines)
		if tt.wantErr == nil && tt.wantErrText == "" {
			if err != nil || total != tt.total {
				t.Errorf("%s: Total(...) = %v, %v, want %v", tt.name, total, err, tt.total)
			}
			if serr != nil || due != tt.due || credit != tt.credit {
				t.Errorf("%s: Settle(...) = %v, %v, %v, want %v, %v", tt.name, due, credit, serr, tt.due, tt.credit)
			}
			continue
		}
		if serr == nil || (tt.wantErr != nil && !errors.Is(serr, tt.wantErr)) || !strings.Contains(serr.Error(), tt.wantErrText) {
			t.Errorf("%s: Settle(...) = %v, %v, %v, want error %v %q", tt.name, due, credit, serr, tt.wantErr, tt.wantErrText)
		}
		if tt.name == "credit overflow" {
			if err != nil || total != tt.total {
				t.Errorf("%s: Total(...) = %v, %v, want %v", tt.name, total, err, tt.total)
			}
		} else if err == nil {
			t.Errorf("%s: Total(...) = %v, nil, want an error", tt.name, total)
		}
	}
}

func TestApplyCredit(t *testing.T) {
	tests := []struct {
		due, balance        Money
		charge, balanceLeft Money
		wantErr             bool
	}{
		{usd(1000), usd(0), usd(1000), usd(0), false},
		{usd(1000), usd(300), usd(700), usd(0), false},
		{usd(1000), usd(1000), usd(0), usd(0), false},
		{usd(1000), usd(1500), usd(0), usd(500), false},
		{usd(0), usd(1500), usd(0), usd(1500), false},
		{usd(1000), Money{1, "EUR"}, Money{}, Money{}, true},
		{usd(-1), usd(1), Money{}, Money{}, true},
		{usd(1), usd(-1), Money{}, Money{}, true},
	}
	for _, tt := range tests {
		charge, left, err := ApplyCredit(tt.due, tt.balance)
		if charge != tt.charge || left != tt.balanceLeft || (err != nil) != tt.wantErr {
			t.Errorf("ApplyCredit(%v, %v) = %v, %v, %v, want %v, %v, error %v", tt.due, tt.balance, charge, left, err,
				tt.charge, tt.balanceLeft, tt.wantErr)
		}
	}
}

// Settle never asks for a negative amount and loses nothing: due − credit is
// the total, and at most one of them is non-zero.
func TestSettleProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	kinds := []LineKind{PeriodCharge, ProrationCredit, ProrationDebit, OneTime}
	for range 10000 {
		lines := make([]Line, 1+r.IntN(8))
		for i := range lines {
			k := kinds[r.IntN(len(kinds))]
			a := r.Int64N(MaxAmount)
			if r.IntN(3) == 0 {
				a = r.Int64N(10000)
			}
			if k == ProrationCredit {
				a = -a
			}
			lines[i] = line(k, Money{a, "EUR"})
		}
		total, err := Total(lines)
		if err != nil {
			t.Fatalf("Total(%v) = %v", lines, err)
		}
		due, credit, err := Settle(lines)
		if err != nil || due.IsNegative() || credit.IsNegative() || (!due.IsZero() && !credit.IsZero()) {
			t.Fatalf("Settle(%v) = %v, %v, %v, want non-negative, at most one non-zero", lines, due, credit, err)
		}
		if back, _ := due.Sub(credit); back != total {
			t.Fatalf("Settle(%v) = %v, %v: due − credit = %v, want the total %v", lines, due, credit, back, total)
		}
		charge, left, err := ApplyCredit(due, Money{r.Int64N(MaxAmount), "EUR"})
		if err != nil || charge.IsNegative() || left.IsNegative() || charge.Amount > due.Amount {
			t.Fatalf("ApplyCredit(%v, ...) = %v, %v, %v", due, charge, left, err)
		}
	}
}

func TestLineJSON(t *testing.T) {
	l := Line{Kind: OneTime, Description: "Setup", Amount: usd(500), Quantity: 1}
	b, err := json.Marshal(l)
	want := `{"kind":"one_time","description":"Setup","amount":{"amount":500,"currency":"USD"},"quantity":1}`
	if err != nil || string(b) != want {
		t.Errorf("json.Marshal(%+v) = %s, %v, want %s", l, b, err, want)
	}
	l.Kind, l.PeriodStart, l.PeriodEnd = PeriodCharge, date("2024-06-01"), date("2024-07-01")
	b, _ = json.Marshal(l)
	var back Line
	if err := json.Unmarshal(b, &back); err != nil || !back.PeriodStart.Equal(l.PeriodStart) || !back.PeriodEnd.Equal(l.PeriodEnd) || back.Amount != l.Amount {
		t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", b, back, err, l)
	}
	if !strings.Contains(string(b), `"periodStart":"2024-06-01T00:00:00Z"`) {
		t.Errorf("json.Marshal(%+v) = %s, want an RFC 3339 UTC periodStart", l, b)
	}
}

// TestWorkedExamples checks the examples in docs/billing.md.
func TestWorkedExamples(t *testing.T) {
	start, end := date("2024-06-01"), date("2024-07-01")
	day10 := date("2024-06-10")
	p30 := PriceTerms{Amount: usd(3000), Quantity: 1}
	p50 := PriceTerms{Amount: usd(5000), Quantity: 1}

	up, err := PlanPriceChange(p30, p50, start, end, day10, CreateProrations)
	if err != nil || len(up.Lines) != 2 || up.Lines[0].Amount != usd(-2100) || up.Lines[1].Amount != usd(3500) {
		t.Fatalf("PlanPriceChange(30 → 50, day 10) = %+v, %v, want −21.00 and +35.00", up, err)
	}
	if due, credit, err := Settle(up.Lines); err != nil || due != usd(1400) || !credit.IsZero() {
		t.Errorf("Settle(upgrade) = %v, %v, %v, want USD 14.00, 0", due, credit, err)
	}

	down, err := PlanPriceChange(p50, p30, start, end, day10, CreateProrations)
	if err != nil {
		t.Fatalf("PlanPriceChange(50 → 30, day 10) = %v", err)
	}
	due, credit, err := Settle(down.Lines)
	if err != nil || !due.IsZero() || credit != usd(1400) {
		t.Fatalf("Settle(downgrade) = %v, %v, %v, want 0, USD 14.00", due, credit, err)
	}
	charge, left, err := ApplyCredit(usd(3000), credit)
	if err != nil || charge != usd(1600) || !left.IsZero() {
		t.Errorf("ApplyCredit(USD 30.00, %v) = %v, %v, %v, want USD 16.00, 0", credit, charge, left, err)
	}

	used, rem, err := Split(usd(1000), start, end, date("2024-06-11"))
	if err != nil || used != usd(333) || rem != usd(667) {
		t.Errorf("Split(USD 10.00, 20 of 30 days left) = %v, %v, %v, want USD 3.33, USD 6.67", used, rem, err)
	}
}
