package billing

import (
	"errors"
	"fmt"
	"time"
)

// LineKind is what an invoice line charges or credits.
type LineKind string

// The invoice line kinds.
const (
	// PeriodCharge is a recurring price for one full period.
	PeriodCharge LineKind = "period"
	// ProrationCredit gives back the unused time on a price; never positive.
	ProrationCredit LineKind = "proration_credit"
	// ProrationDebit charges the remaining time on a price; never negative.
	ProrationDebit LineKind = "proration_debit"
	// OneTime is a one-time purchase.
	OneTime LineKind = "one_time"
)

// Valid reports whether k is one of the four line kinds.
func (k LineKind) Valid() bool {
	switch k {
	case PeriodCharge, ProrationCredit, ProrationDebit, OneTime:
		return true
	}
	return false
}

// Line is one invoice line. Amount is the line's total, quantity included;
// Quantity is informational. The period is zero for one-time lines.
type Line struct {
	Kind        LineKind  `json:"kind"`
	Description string    `json:"description"`
	Amount      Money     `json:"amount"`
	Quantity    int64     `json:"quantity"`
	PeriodStart time.Time `json:"periodStart,omitzero"`
	PeriodEnd   time.Time `json:"periodEnd,omitzero"`
}

// Validate checks the kind, the currency, the sign the kind requires, and that
// a period, when given, is not reversed.
func (l Line) Validate() error {
	if !l.Kind.Valid() {
		return fmt.Errorf("invoice line: unknown kind %q", l.Kind)
	}
	if err := l.Amount.Validate(); err != nil {
		return fmt.Errorf("invoice line: %w", err)
	}
	if l.Kind == ProrationCredit && l.Amount.IsPositive() {
		return fmt.Errorf("invoice line: a proration credit of %s is positive", l.Amount)
	}
	if l.Kind != ProrationCredit && l.Amount.IsNegative() {
		return fmt.Errorf("invoice line: a %s line of %s is negative", l.Kind, l.Amount)
	}
	if l.PeriodEnd.Before(l.PeriodStart) {
		return fmt.Errorf("invoice line: period ends before it starts")
	}
	return nil
}

// ErrNoLines is returned for an invoice without lines, whose currency is
// unknown.
var ErrNoLines = errors.New("invoice has no lines")

// Total adds up valid lines of one currency. It may be negative when credits
// exceed charges; Settle turns that into a credit balance.
func Total(lines []Line) (Money, error) {
	if len(lines) == 0 {
		return Money{}, ErrNoLines
	}
	total := Money{Currency: lines[0].Amount.Currency}
	for i, l := range lines {
		if err := l.Validate(); err != nil {
			return Money{}, fmt.Errorf("line %d: %w", i, err)
		}
		var err error
		if total, err = total.Add(l.Amount); err != nil {
			return Money{}, fmt.Errorf("line %d: %w", i, err)
		}
	}
	return total, nil
}

// Settle returns what the customer owes for the lines. An invoice never asks
// for a negative amount: when credits exceed charges, due is zero and the
// excess is creditCarried, a customer credit balance for later invoices (see
// ApplyCredit), as Stripe does. Both are in the lines' currency and never
// negative.
func Settle(lines []Line) (due, creditCarried Money, err error) {
	total, err := Total(lines)
	if err != nil {
		return Money{}, Money{}, err
	}
	zero := Money{Currency: total.Currency}
	if !total.IsNegative() {
		return total, zero, nil
	}
	credit, err := total.Neg()
	if err != nil {
		return Money{}, Money{}, err
	}
	return zero, credit, nil
}

// ApplyCredit pays as much of due as the customer's credit balance covers. It
// returns what is left to charge and what is left of the balance. Both
// arguments must be non-negative and in one currency.
func ApplyCredit(due, balance Money) (charge, balanceLeft Money, err error) {
	if err := due.sameCurrency(balance); err != nil {
		return Money{}, Money{}, err
	}
	if due.IsNegative() || balance.IsNegative() {
		return Money{}, Money{}, fmt.Errorf("apply credit: negative amount (due %s, balance %s)", due, balance)
	}
	used := min(due.Amount, balance.Amount)
	return Money{due.Amount - used, due.Currency}, Money{balance.Amount - used, due.Currency}, nil
}
