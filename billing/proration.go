package billing

import (
	"fmt"
	"math/bits"
	"time"
)

// Prorate returns the part of full that falls in [from, periodEnd):
//
//	remaining = full × remainingSeconds / periodSeconds
//
// rounded to the nearest minor unit, halves away from zero. Seconds are whole
// Unix seconds of each instant, and the product is taken in 128 bits, so no
// amount or period length can overflow. from must lie in
// [periodStart, periodEnd], and the period must last at least one second.
func Prorate(full Money, periodStart, periodEnd, from time.Time) (Money, error) {
	_, remaining, err := Split(full, periodStart, periodEnd, from)
	return remaining, err
}

// Split divides full at the instant at into the used part, for
// [periodStart, at), and the remaining part, for [at, periodEnd). The
// remaining part is Prorate's; the used part is full minus it, so the two
// always add up to full exactly, and each lies between zero and full.
func Split(full Money, periodStart, periodEnd, at time.Time) (used, remaining Money, err error) {
	if !periodStart.Before(periodEnd) {
		return Money{}, Money{}, fmt.Errorf("proration: period start %s is not before its end %s",
			periodStart.UTC().Format(time.RFC3339), periodEnd.UTC().Format(time.RFC3339))
	}
	if at.Before(periodStart) || at.After(periodEnd) {
		return Money{}, Money{}, fmt.Errorf("proration: %s is outside the period [%s, %s]",
			at.UTC().Format(time.RFC3339), periodStart.UTC().Format(time.RFC3339), periodEnd.UTC().Format(time.RFC3339))
	}
	period := periodEnd.Unix() - periodStart.Unix()
	if period <= 0 {
		return Money{}, Money{}, fmt.Errorf("proration: period is shorter than one second")
	}
	rest := periodEnd.Unix() - at.Unix()
	remaining = Money{mulDivRound(full.Amount, uint64(rest), uint64(period)), full.Currency}
	// Cannot overflow: remaining has full's sign and is no larger in size.
	used = Money{full.Amount - remaining.Amount, full.Currency}
	return used, remaining, nil
}

// mulDivRound is a×num/den rounded half away from zero, for num ≤ den, den > 0.
func mulDivRound(a int64, num, den uint64) int64 {
	ua := abs64(a)
	hi, lo := bits.Mul64(ua, num)
	// hi < den because num ≤ den, so the quotient fits in 64 bits.
	q, r := bits.Div64(hi, lo, den)
	// r < den ≤ 2^63, so 2r cannot overflow.
	if 2*r >= den {
		q++
	}
	// q ≤ |a| (with num < den, q×den + r < |a|×den, so q+1 ≤ |a| too).
	if a < 0 {
		return int64(-q)
	}
	return int64(q)
}

// ProrationMode says what a price change does about the time already paid
// for, with Stripe's proration_behavior semantics.
type ProrationMode string

// The proration modes.
const (
	// CreateProrations credits the unused time on the old price and charges
	// the remaining time on the new one; the lines wait for the next invoice.
	CreateProrations ProrationMode = "create_prorations"
	// AlwaysInvoice computes the same lines and invoices them at once.
	AlwaysInvoice ProrationMode = "always_invoice"
	// NoProration changes the price from the next period on, with no lines.
	NoProration ProrationMode = "none"
)

// ParseProrationMode accepts the three modes; an empty string is the default,
// CreateProrations, as in Stripe.
func ParseProrationMode(s string) (ProrationMode, error) {
	switch m := ProrationMode(s); m {
	case "":
		return CreateProrations, nil
	case CreateProrations, AlwaysInvoice, NoProration:
		return m, nil
	}
	return "", fmt.Errorf("unknown proration mode %q: want create_prorations, always_invoice or none", s)
}

// PriceTerms is what a subscription item pays per period: a unit amount and a
// quantity. Name, if set, is used in line descriptions.
type PriceTerms struct {
	Name     string `json:"name,omitempty"`
	Amount   Money  `json:"amount"`
	Quantity int64  `json:"quantity"`
}

// Total is Amount × Quantity.
func (p PriceTerms) Total() (Money, error) { return p.Amount.MulInt(p.Quantity) }

func (p PriceTerms) label() string {
	if p.Name != "" {
		return p.Name
	}
	if p.Quantity == 1 {
		return p.Amount.String()
	}
	return fmt.Sprintf("%d × %s", p.Quantity, p.Amount)
}

// PriceChangePlan is what a price change in the middle of a period adds to
// the customer's bill.
type PriceChangePlan struct {
	// Lines are a proration_credit line (negative) for the unused time on the
	// old price and, when the interval is kept, a proration_debit line for
	// the remaining time on the new one. Lines that would be zero are left
	// out.
	Lines []Line `json:"lines"`
	// InvoiceNow is true for AlwaysInvoice and for every interval change:
	// the caller invoices the lines at once. Otherwise they are pending items
	// for the next period's invoice.
	InvoiceNow bool `json:"invoiceNow"`
}

// PlanPriceChange plans a change from oldPrice to newPrice at the instant at,
// inside the current period [periodStart, periodEnd), for two prices of the
// same interval: the billing cycle is kept. Both totals (amount × quantity)
// are prorated over [at, periodEnd) with Prorate. Mode NoProration returns
// no lines; an empty mode is CreateProrations. The currencies must match,
// and amounts and quantities must not be negative.
func PlanPriceChange(oldPrice, newPrice PriceTerms, periodStart, periodEnd, at time.Time, mode ProrationMode) (PriceChangePlan, error) {
	change, err := checkPriceChange(oldPrice, newPrice, mode)
	if err != nil {
		return PriceChangePlan{}, err
	}
	credit, err := unusedTimeCredit(oldPrice, change.oldTotal, periodStart, periodEnd, at)
	if err != nil {
		return PriceChangePlan{}, err
	}
	debit, err := Prorate(change.newTotal, periodStart, periodEnd, at)
	if err != nil {
		return PriceChangePlan{}, err
	}
	plan := PriceChangePlan{InvoiceNow: change.mode == AlwaysInvoice}
	if change.mode == NoProration {
		return plan, nil
	}
	plan.Lines = credit
	if !debit.IsZero() {
		plan.Lines = append(plan.Lines, Line{
			Kind:        ProrationDebit,
			Description: "Remaining time on " + newPrice.label() + " after " + at.UTC().Format(time.DateOnly),
			Amount:      debit,
			Quantity:    newPrice.Quantity,
			PeriodStart: at.UTC(),
			PeriodEnd:   periodEnd.UTC(),
		})
	}
	return plan, nil
}

// PlanIntervalChange plans a change from oldPrice to newPrice of another
// interval (or interval count) at the instant at, inside the current period
// [periodStart, periodEnd). As in Stripe, the billing cycle restarts at at:
// the caller invoices the new price's first period, [at, at + its interval),
// in full and at once, with the plan's lines on that invoice. So InvoiceNow
// is true whatever the mode. The lines are a proration_credit line for the
// unused time on the old price, [at, periodEnd), left out when it would be
// zero. Mode NoProration gives no credit, as Stripe's proration_behavior=none
// does: the cycle still restarts and the new period is still charged at
// once. The checks are PlanPriceChange's.
func PlanIntervalChange(oldPrice, newPrice PriceTerms, periodStart, periodEnd, at time.Time, mode ProrationMode) (PriceChangePlan, error) {
	change, err := checkPriceChange(oldPrice, newPrice, mode)
	if err != nil {
		return PriceChangePlan{}, err
	}
	credit, err := unusedTimeCredit(oldPrice, change.oldTotal, periodStart, periodEnd, at)
	if err != nil {
		return PriceChangePlan{}, err
	}
	plan := PriceChangePlan{InvoiceNow: true}
	if change.mode != NoProration {
		plan.Lines = credit
	}
	return plan, nil
}

// priceChange is a checked price change: its mode, with the default filled
// in, and both prices' totals.
type priceChange struct {
	mode               ProrationMode
	oldTotal, newTotal Money
}

func checkPriceChange(oldPrice, newPrice PriceTerms, mode ProrationMode) (priceChange, error) {
	mode, err := ParseProrationMode(string(mode))
	if err != nil {
		return priceChange{}, err
	}
	if err := oldPrice.Amount.sameCurrency(newPrice.Amount); err != nil {
		return priceChange{}, fmt.Errorf("price change: %w", err)
	}
	for _, p := range []PriceTerms{oldPrice, newPrice} {
		if p.Amount.IsNegative() || p.Quantity < 0 {
			return priceChange{}, fmt.Errorf("price change: negative amount or quantity in %s × %d", p.Amount, p.Quantity)
		}
	}
	oldTotal, err := oldPrice.Total()
	if err != nil {
		return priceChange{}, fmt.Errorf("price change: old price: %w", err)
	}
	newTotal, err := newPrice.Total()
	if err != nil {
		return priceChange{}, fmt.Errorf("price change: new price: %w", err)
	}
	return priceChange{mode: mode, oldTotal: oldTotal, newTotal: newTotal}, nil
}

// unusedTimeCredit is the proration_credit line, negative, for the part of
// oldTotal that falls in [at, periodEnd): none when that part is zero.
func unusedTimeCredit(oldPrice PriceTerms, oldTotal Money, periodStart, periodEnd, at time.Time) ([]Line, error) {
	unused, err := Prorate(oldTotal, periodStart, periodEnd, at)
	if err != nil || unused.IsZero() {
		return nil, err
	}
	// unused is positive here, so its negation cannot overflow.
	return []Line{{
		Kind:        ProrationCredit,
		Description: "Unused time on " + oldPrice.label() + " after " + at.UTC().Format(time.DateOnly),
		Amount:      Money{-unused.Amount, unused.Currency},
		Quantity:    oldPrice.Quantity,
		PeriodStart: at.UTC(),
		PeriodEnd:   periodEnd.UTC(),
	}}, nil
}
