package billing

import (
	"fmt"
	"strings"
	"time"
)

// Interval is the calendar unit of a recurring price.
type Interval string

// The intervals a recurring price may use.
const (
	Day   Interval = "day"
	Week  Interval = "week"
	Month Interval = "month"
	Year  Interval = "year"
)

// maxCount bounds Recurrence.Count per interval: up to a year in days or
// weeks, two years in months, five years in years.
var maxCount = map[Interval]int{Day: 365, Week: 52, Month: 24, Year: 5}

// ParseInterval accepts an interval in any case and returns it lower-case.
func ParseInterval(s string) (Interval, error) {
	i := Interval(strings.ToLower(strings.TrimSpace(s)))
	if !i.Valid() {
		return "", fmt.Errorf("unknown interval %q: want day, week, month or year", s)
	}
	return i, nil
}

// Valid reports whether i is one of Day, Week, Month and Year.
func (i Interval) Valid() bool {
	_, ok := maxCount[i]
	return ok
}

// MaxCount is the largest Recurrence.Count allowed with i, 0 if i is invalid.
func (i Interval) MaxCount() int { return maxCount[i] }

// Recurrence is "every Count Intervals", for example every 3 months.
type Recurrence struct {
	Interval Interval `json:"interval"`
	Count    int      `json:"intervalCount"`
}

// Validate checks the interval and that Count is within 1..Interval.MaxCount.
func (r Recurrence) Validate() error {
	if !r.Interval.Valid() {
		return fmt.Errorf("unknown interval %q: want day, week, month or year", r.Interval)
	}
	if maxN := r.Interval.MaxCount(); r.Count < 1 || r.Count > maxN {
		return fmt.Errorf("interval count %d out of range 1..%d for %s", r.Count, maxN, r.Interval)
	}
	return nil
}

func (r Recurrence) String() string {
	if r.Count == 1 {
		return "every " + string(r.Interval)
	}
	return fmt.Sprintf("every %d %ss", r.Count, r.Interval)
}

// PeriodEnd is the end of the n-th period that starts at anchor (n ≥ 1), and
// the anchor itself for n = 0. Period n is [PeriodEnd(n-1), PeriodEnd(n)).
//
// Each end is computed from the anchor, never from the previous end, so month
// and year periods keep the anchor's day: anchored on Jan 31, the ends are
// Feb 28 (29 in leap years), Mar 31, Apr 30, May 31. A day past the end of the
// target month is clamped to its last day, which also turns Feb 29 into Feb 28
// in non-leap years. The anchor's time of day is kept. Everything is in UTC:
// the anchor is converted first, and the result is in UTC.
//
// PeriodEnd panics if r is invalid or n is negative: validate prices first.
func (r Recurrence) PeriodEnd(anchor time.Time, n int) time.Time {
	if err := r.Validate(); err != nil {
		panic("billing: PeriodEnd: " + err.Error())
	}
	if n < 0 {
		panic(fmt.Sprintf("billing: PeriodEnd: negative period number %d", n))
	}
	anchor = anchor.UTC()
	switch r.Interval {
	case Day:
		return anchor.AddDate(0, 0, n*r.Count)
	case Week:
		return anchor.AddDate(0, 0, 7*n*r.Count)
	case Month:
		return addMonthsClamped(anchor, n*r.Count)
	default: // Year
		return addMonthsClamped(anchor, 12*n*r.Count)
	}
}

// addMonthsClamped moves t (UTC) by months calendar months, keeping the day
// of month unless the target month is shorter. time.AddDate would normalise
// Jan 31 + 1 month to Mar 3 instead.
func addMonthsClamped(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	idx := int(m) - 1 + months
	y += idx / 12
	idx %= 12
	target := time.Month(idx + 1)
	if last := daysIn(y, target); d > last {
		d = last
	}
	h, mi, s := t.Clock()
	return time.Date(y, target, d, h, mi, s, t.Nanosecond(), time.UTC)
}

func daysIn(y int, m time.Month) int {
	// Day 0 of the next month is the last day of m.
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// PeriodAt finds the period [start, end) that contains t and its number n
// (1 for the period starting at the anchor). An instant equal to a period end
// belongs to the next period. For t before the anchor it returns zero times
// and n = 0. The results are in UTC. It panics if r is invalid.
func (r Recurrence) PeriodAt(anchor, t time.Time) (start, end time.Time, n int) {
	if err := r.Validate(); err != nil {
		panic("billing: PeriodAt: " + err.Error())
	}
	anchor, t = anchor.UTC(), t.UTC()
	if t.Before(anchor) {
		return time.Time{}, time.Time{}, 0
	}
	n = r.estimate(anchor, t)
	// The estimate is off by at most one or two periods (month lengths, time
	// of day); step to the exact one.
	for !r.PeriodEnd(anchor, n).After(t) {
		n++
	}
	for n > 1 && r.PeriodEnd(anchor, n-1).After(t) {
		n--
	}
	return r.PeriodEnd(anchor, n-1), r.PeriodEnd(anchor, n), n
}

// estimate guesses the number of the period containing t ≥ anchor.
func (r Recurrence) estimate(anchor, t time.Time) int {
	var n int
	switch r.Interval {
	case Day, Week:
		days := r.Count
		if r.Interval == Week {
			days *= 7
		}
		n = int((t.Unix()-anchor.Unix())/(int64(days)*86400)) + 1
	default:
		months := r.Count
		if r.Interval == Year {
			months *= 12
		}
		ay, am, _ := anchor.Date()
		ty, tm, _ := t.Date()
		n = ((ty-ay)*12+int(tm-am))/months + 1
	}
	return max(n, 1)
}
