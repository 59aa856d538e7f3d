package billing

import (
	"encoding/json"
	"fmt"
	"slices"
)

// PriceType says whether a price is paid once or every period.
type PriceType string

// The price types.
const (
	OneTimePrice   PriceType = "one_time"
	RecurringPrice PriceType = "recurring"
)

// Price limits.
const (
	// MaxAmount is the largest price in minor units (USD 10 trillion). It is
	// below 2^53, so the amount survives JSON clients that read numbers as
	// float64, and leaves room for quantities and sums in int64.
	MaxAmount = 1_000_000_000_000_000
	// MaxTrialDays is two years.
	MaxTrialDays = 730
)

// Price is what a product is sold for. Its JSON is flat, as in the API:
// {"amount":1000,"currency":"USD","type":"recurring","interval":"month",
// "intervalCount":1,"trialDays":14,"dunning":["24h","72h"]}.
type Price struct {
	Amount     Money
	Type       PriceType
	Recurrence *Recurrence // set exactly when Type is RecurringPrice
	TrialDays  int
	// Dunning nil means DefaultDunning; an empty, non-nil schedule means no
	// retries.
	Dunning DunningSchedule
}

// FieldError is a validation failure of one field, named as in the JSON.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate returns the first problem found as a *FieldError, or nil. Zero is a
// valid amount (free plans); negative amounts are not.
func (p Price) Validate() error {
	switch {
	case p.Amount.Amount < 0:
		return fieldErr("amount", "must not be negative")
	case p.Amount.Amount > MaxAmount:
		return fieldErr("amount", "must be at most %d minor units", MaxAmount)
	case p.Amount.Currency == "":
		return fieldErr("currency", "is required")
	}
	if err := p.Amount.Validate(); err != nil {
		return fieldErr("currency", "%s", err)
	}
	switch p.Type {
	case RecurringPrice:
		if p.Recurrence == nil || p.Recurrence.Interval == "" {
			return fieldErr("interval", "is required for a recurring price")
		}
		if !p.Recurrence.Interval.Valid() {
			return fieldErr("interval", "must be day, week, month or year, not %q", p.Recurrence.Interval)
		}
		if err := p.Recurrence.Validate(); err != nil {
			return fieldErr("intervalCount", "must be between 1 and %d for %s", p.Recurrence.Interval.MaxCount(), p.Recurrence.Interval)
		}
	case OneTimePrice:
		if p.Recurrence != nil {
			return fieldErr("interval", "must be empty for a one-time price")
		}
		if p.TrialDays != 0 {
			return fieldErr("trialDays", "must be empty for a one-time price")
		}
	case "":
		return fieldErr("type", "is required")
	default:
		return fieldErr("type", "must be one_time or recurring, not %q", p.Type)
	}
	if p.TrialDays < 0 || p.TrialDays > MaxTrialDays {
		return fieldErr("trialDays", "must be between 0 and %d", MaxTrialDays)
	}
	if err := p.Dunning.Validate(); err != nil {
		return fieldErr("dunning", "%s", err)
	}
	return nil
}

// EffectiveDunning is the schedule to use: Dunning, or a copy of
// DefaultDunning if nil.
func (p Price) EffectiveDunning() DunningSchedule {
	if p.Dunning == nil {
		return slices.Clone(DefaultDunning)
	}
	return p.Dunning
}

type priceJSON struct {
	Amount        int64           `json:"amount"`
	Currency      Currency        `json:"currency"`
	Type          PriceType       `json:"type"`
	Interval      Interval        `json:"interval,omitempty"`
	IntervalCount int             `json:"intervalCount,omitempty"`
	TrialDays     int             `json:"trialDays,omitempty"`
	Dunning       DunningSchedule `json:"dunning,omitzero"`
}

// MarshalJSON writes the flat form.
func (p Price) MarshalJSON() ([]byte, error) {
	j := priceJSON{
		Amount:    p.Amount.Amount,
		Currency:  p.Amount.Currency,
		Type:      p.Type,
		TrialDays: p.TrialDays,
		Dunning:   p.Dunning,
	}
	if p.Recurrence != nil {
		j.Interval, j.IntervalCount = p.Recurrence.Interval, p.Recurrence.Count
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the flat form. An interval without intervalCount counts
// 1, as in Stripe. Only the dunning list is checked here, as it must be parsed
// (a bad one is a *FieldError); call Validate for the rest.
func (p *Price) UnmarshalJSON(b []byte) error {
	var j struct {
		priceJSON
		IntervalCount *int      `json:"intervalCount"`
		Dunning       *[]string `json:"dunning"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Price{
		Amount:    Money{j.Amount, j.Currency},
		Type:      j.Type,
		TrialDays: j.TrialDays,
	}
	if j.Interval != "" || j.IntervalCount != nil {
		r := &Recurrence{Interval: j.Interval, Count: 1}
		if j.IntervalCount != nil {
			r.Count = *j.IntervalCount
		}
		p.Recurrence = r
	}
	if j.Dunning != nil && *j.Dunning != nil {
		d, err := ParseDunning(*j.Dunning)
		if err != nil {
			return fieldErr("dunning", "%s", err)
		}
		p.Dunning = d
	}
	return nil
}
