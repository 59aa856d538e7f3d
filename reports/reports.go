// Package reports is the business dashboard's series: monthly recurring
// revenue and paying subscriptions, revenue, failed and recovered
// payments, and churn, one point a day. The database computes them
// (models.Reports); this package decides the window and fills the days
// with nothing to count, so that a chart has every day.
package reports

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

const (
	// DefaultDays is the window when none is asked: the last 30 days.
	DefaultDays = 30
	// MaxDays bounds a window, and with it the query.
	MaxDays = 366
)

// Window is the UTC days a report covers, From to To, both included.
type Window struct {
	From, To time.Time
}

// ParseWindow reads a window's from and to (YYYY-MM-DD, UTC, both
// optional): by default the DefaultDays ending today, or ending on to.
func ParseWindow(from, to string, now time.Time) (Window, error) {
	w := Window{To: day(now)}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return w, fault.Invalid("to", "to must be a date, YYYY-MM-DD", to)
		}
		w.To = t
	}
	w.From = w.To.AddDate(0, 0, 1-DefaultDays)
	if from != "" {
		f, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return w, fault.Invalid("from", "from must be a date, YYYY-MM-DD", from)
		}
		w.From = f
	}
	switch n := w.days(); {
	case n < 1:
		return w, fault.Invalid("from", "from must not be after to", from)
	case n > MaxDays:
		return w, fault.Invalid("from", "a report covers at most 366 days", from)
	}
	return w, nil
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (w Window) days() int { return int(w.To.Sub(w.From).Hours()/24) + 1 }

// Days are the window's days, as the store counts them.
func (w Window) Days() []models.Day {
	out := make([]models.Day, w.days())
	for i := range out {
		start := w.From.AddDate(0, 0, i)
		out[i] = models.Day{Start: start, End: start.AddDate(0, 0, 1)}
	}
	return out
}

// date is day n of w, as the API writes it.
func (w Window) date(n int) string { return w.From.AddDate(0, 0, n).Format(time.DateOnly) }

// Store computes the series.
type Store interface {
	MRR(ctx context.Context, tenant uuid.UUID, days []models.Day) ([]models.MRRRow, error)
	Revenue(ctx context.Context, tenant uuid.UUID, days []models.Day) ([]models.RevenueRow, error)
	PaymentHealth(ctx context.Context, tenant uuid.UUID, days []models.Day) ([]models.PaymentHealthRow, error)
	Churn(ctx context.Context, tenant uuid.UUID, days []models.Day) ([]models.ChurnRow, error)
}

// Service answers the dashboard's reports.
type Service struct {
	Store Store
}

// MRRPoint is a day's monthly recurring revenue in a currency, at the
// day's end, and the subscriptions paying it.
type MRRPoint struct {
	Date     string `json:"date"`
	Currency string `json:"currency"`
	MRR      int64  `json:"mrr"`
	Active   int64  `json:"activeSubscriptions"`
}

// RevenuePoint is what a day collected and refunded in a currency.
type RevenuePoint struct {
	Date      string `json:"date"`
	Currency  string `json:"currency"`
	Collected int64  `json:"collected"`
	Refunded  int64  `json:"refunded"`
	Net       int64  `json:"net"`
}

// PaymentsPoint is a day's declined attempts, and payments recovered
// after a decline or lost to one.
type PaymentsPoint struct {
	Date      string `json:"date"`
	Failed    int64  `json:"failed"`
	Recovered int64  `json:"recovered"`
	Lost      int64  `json:"lost"`
}

// ChurnPoint is a day's paying subscriptions that ended: canceled, or
// expired when their retries ran out.
type ChurnPoint struct {
	Date     string `json:"date"`
	Canceled int64  `json:"canceled"`
	Expired  int64  `json:"expired"`
}

// MRR is w's monthly recurring revenue, a point a day in each currency.
func (s *Service) MRR(ctx context.Context, tenant uuid.UUID, w Window) ([]MRRPoint, error) {
	rows, err := s.Store.MRR(ctx, tenant, w.Days())
	return byCurrency(w, rows, err, func(r models.MRRRow) (int, string) { return r.N, r.Currency },
		func(date, currency string, r models.MRRRow) MRRPoint {
			return MRRPoint{Date: date, Currency: currency, MRR: r.MRR, Active: r.Active}
		})
}

// Revenue is w's money in and out, a point a day in each currency.
func (s *Service) Revenue(ctx context.Context, tenant uuid.UUID, w Window) ([]RevenuePoint, error) {
	rows, err := s.Store.Revenue(ctx, tenant, w.Days())
	return byCurrency(w, rows, err, func(r models.RevenueRow) (int, string) { return r.N, r.Currency },
		func(date, currency string, r models.RevenueRow) RevenuePoint {
			return RevenuePoint{Date: date, Currency: currency, Collected: r.Collected, Refunded: r.Refunded, Net: r.Collected - r.Refunded}
		})
}

// Payments is w's payment health, a point a day.
func (s *Service) Payments(ctx context.Context, tenant uuid.UUID, w Window) ([]PaymentsPoint, error) {
	rows, err := s.Store.PaymentHealth(ctx, tenant, w.Days())
	return daily(w, rows, err, func(r models.PaymentHealthRow) int { return r.N },
		func(date string, r models.PaymentHealthRow) PaymentsPoint {
			return PaymentsPoint{Date: date, Failed: r.Failed, Recovered: r.Recovered, Lost: r.Lost}
		})
}

// Churn is w's churn, a point a day.
func (s *Service) Churn(ctx context.Context, tenant uuid.UUID, w Window) ([]ChurnPoint, error) {
	rows, err := s.Store.Churn(ctx, tenant, w.Days())
	return daily(w, rows, err, func(r models.ChurnRow) int { return r.N },
		func(date string, r models.ChurnRow) ChurnPoint {
			return ChurnPoint{Date: date, Canceled: r.Canceled, Expired: r.Expired}
		})
}

// daily is a point for every day of w: its row's, or a zero row's.
func daily[R, P any](w Window, rows []R, err error, n func(R) int, point func(string, R) P) ([]P, error) {
	if err != nil {
		return nil, err
	}
	byDay := make(map[int]R, len(rows))
	for _, r := range rows {
		byDay[n(r)] = r
	}
	out := make([]P, w.days())
	for i := range out {
		out[i] = point(w.date(i), byDay[i])
	}
	return out, nil
}

// byCurrency is a point for every day of w in every currency the rows
// name, ordered by currency, then day.
func byCurrency[R, P any](w Window, rows []R, err error, key func(R) (int, string), point func(string, string, R) P) ([]P, error) {
	if err != nil {
		return nil, err
	}
	type at struct {
		n        int
		currency string
	}
	found := make(map[at]R, len(rows))
	var currencies []string
	for _, r := range rows {
		n, c := key(r)
		found[at{n, c}] = r
		if !slices.Contains(currencies, c) {
			currencies = append(currencies, c)
		}
	}
	slices.Sort(currencies)
	out := make([]P, 0, len(currencies)*w.days())
	for _, c := range currencies {
		for i := range w.days() {
			out = append(out, point(w.date(i), c, found[at{i, c}]))
		}
	}
	return out, nil
}
