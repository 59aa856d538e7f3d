package billing

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func utc(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestPeriodEndMonthClamping walks monthly periods from anchors on the 29th,
// 30th and 31st, in leap and non-leap years: the day is clamped to short
// months and comes back afterwards.
func TestPeriodEndMonthClamping(t *testing.T) {
	monthly := Recurrence{Month, 1}
	tests := []struct {
		anchor string
		want   []string // PeriodEnd for n = 1, 2, ...
	}{
		{"2023-01-31", []string{"2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30", "2023-07-31",
			"2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31"}},
		{"2024-01-31", []string{"2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31",
			"2024-08-31", "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31"}},
		{"2023-01-30", []string{"2023-02-28", "2023-03-30", "2023-04-30", "2023-05-30"}},
		{"2024-01-30", []string{"2024-02-29", "2024-03-30", "2024-04-30", "2024-05-30"}},
		{"2023-01-29", []string{"2023-02-28", "2023-03-29", "2023-04-29"}},
		{"2024-01-29", []string{"2024-02-29", "2024-03-29", "2024-04-29"}},
		{"2024-02-29", []string{"2024-03-29", "2024-04-29", "2024-05-29"}},
		{"2023-12-31", []string{"2024-01-31", "2024-02-29", "2024-03-31"}},
		{"2024-12-31", []string{"2025-01-31", "2025-02-28", "2025-03-31"}},
		{"2023-03-31", []string{"2023-04-30", "2023-05-31", "2023-06-30"}},
		{"2100-01-31", []string{"2100-02-28", "2100-03-31"}}, // 2100 is not a leap year
		{"2000-01-31", []string{"2000-02-29", "2000-03-31"}}, // 2000 is
		{"2024-01-15", []string{"2024-02-15", "2024-03-15", "2024-04-15"}},
	}
	for _, tt := range tests {
		anchor := date(tt.anchor)
		if got := monthly.PeriodEnd(anchor, 0); !got.Equal(anchor) {
			t.Errorf("PeriodEnd(%s, 0) = %s, want the anchor", tt.anchor, got.Format(time.DateOnly))
		}
		for i, w := range tt.want {
			if got := monthly.PeriodEnd(anchor, i+1).Format(time.DateOnly); got != w {
				t.Errorf("PeriodEnd(%s, %d) = %s, want %s", tt.anchor, i+1, got, w)
			}
		}
	}
}

func TestPeriodEnd(t *testing.T) {
	noon := utc(2024, 2, 29, 12, 0, 0)
	tests := []struct {
		r      Recurrence
		anchor time.Time
		n      int
		want   time.Time
	}{
		// Years from Feb 29.
		{Recurrence{Year, 1}, noon, 1, utc(2025, 2, 28, 12, 0, 0)},
		{Recurrence{Year, 1}, noon, 2, utc(2026, 2, 28, 12, 0, 0)},
		{Recurrence{Year, 1}, noon, 3, utc(2027, 2, 28, 12, 0, 0)},
		{Recurrence{Year, 1}, noon, 4, utc(2028, 2, 29, 12, 0, 0)},
		{Recurrence{Year, 2}, noon, 1, utc(2026, 2, 28, 12, 0, 0)},
		{Recurrence{Year, 2}, noon, 2, utc(2028, 2, 29, 12, 0, 0)},
		{Recurrence{Year, 5}, utc(2023, 6, 30, 0, 0, 0), 1, utc(2028, 6, 30, 0, 0, 0)},
		{Recurrence{Year, 1}, utc(2023, 12, 31, 23, 59, 59), 1, utc(2024, 12, 31, 23, 59, 59)},
		// Days and weeks, across Feb 29 and year ends.
		{Recurrence{Day, 1}, utc(2024, 2, 28, 8, 0, 0), 1, utc(2024, 2, 29, 8, 0, 0)},
		{Recurrence{Day, 1}, utc(2024, 2, 28, 8, 0, 0), 2, utc(2024, 3, 1, 8, 0, 0)},
		{Recurrence{Day, 30}, utc(2024, 1, 1, 0, 0, 0), 1, utc(2024, 1, 31, 0, 0, 0)},
		{Recurrence{Day, 30}, utc(2024, 1, 1, 0, 0, 0), 2, utc(2024, 3, 1, 0, 0, 0)},
		{Recurrence{Day, 365}, utc(2024, 1, 1, 0, 0, 0), 1, utc(2024, 12, 31, 0, 0, 0)},
		{Recurrence{Week, 1}, utc(2024, 12, 30, 9, 0, 0), 1, utc(2025, 1, 6, 9, 0, 0)},
		{Recurrence{Week, 2}, utc(2024, 2, 22, 0, 0, 0), 1, utc(2024, 3, 7, 0, 0, 0)},
		{Recurrence{Week, 52}, utc(2024, 1, 1, 0, 0, 0), 1, utc(2024, 12, 30, 0, 0, 0)},
		// Months, count > 1.
		{Recurrence{Month, 3}, utc(2023, 11, 30, 0, 0, 0), 1, utc(2024, 2, 29, 0, 0, 0)},
		{Recurrence{Month, 3}, utc(2023, 11, 30, 0, 0, 0), 2, utc(2024, 5, 30, 0, 0, 0)},
		{Recurrence{Month, 6}, utc(2024, 8, 31, 0, 0, 0), 1, utc(2025, 2, 28, 0, 0, 0)},
		{Recurrence{Month, 6}, utc(2024, 8, 31, 0, 0, 0), 2, utc(2025, 8, 31, 0, 0, 0)},
		{Recurrence{Month, 24}, utc(2024, 2, 29, 0, 0, 0), 1, utc(2026, 2, 28, 0, 0, 0)},
		{Recurrence{Month, 1}, utc(2024, 1, 31, 0, 0, 0), 120, utc(2034, 1, 31, 0, 0, 0)},
		{Recurrence{Month, 1}, utc(2024, 1, 31, 0, 0, 0), 121, utc(2034, 2, 28, 0, 0, 0)},
		// Time of day, nanoseconds included, is kept.
		{Recurrence{Month, 1}, time.Date(2024, 1, 31, 23, 59, 59, 999999999, time.UTC), 1,
			time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC)},
		{Recurrence{Day, 1}, time.Date(2024, 3, 9, 10, 30, 15, 123, time.UTC), 1,
			time.Date(2024, 3, 10, 10, 30, 15, 123, time.UTC)},
		// Non-UTC anchors are converted first: this one is Feb 1 in UTC.
		{Recurrence{Month, 1}, time.Date(2024, 1, 31, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), 1,
			utc(2024, 3, 1, 1, 0, 0)},
		// ... and this one is Jan 31 in UTC.
		{Recurrence{Month, 1}, time.Date(2024, 2, 1, 8, 0, 0, 0, time.FixedZone("JST", 9*3600)), 1,
			utc(2024, 2, 29, 23, 0, 0)},
		{Recurrence{Day, 1}, time.Date(2024, 3, 9, 23, 0, 0, 0, time.FixedZone("PST", -8*3600)), 1,
			utc(2024, 3, 11, 7, 0, 0)},
	}
	for _, tt := range tests {
		got := tt.r.PeriodEnd(tt.anchor, tt.n)
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("%v.PeriodEnd(%s, %d) = %s, want %s", tt.r, tt.anchor.Format(time.RFC3339Nano), tt.n,
				got.Format(time.RFC3339Nano), tt.want.Format(time.RFC3339Nano))
		}
	}
}

func TestPeriodEndPanics(t *testing.T) {
	tests := []struct {
		r Recurrence
		n int
	}{
		{Recurrence{Month, 0}, 1},
		{Recurrence{"fortnight", 1}, 1},
		{Recurrence{Day, 366}, 1},
		{Recurrence{Month, 1}, -1},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v.PeriodEnd(anchor, %d) did not panic", tt.r, tt.n)
				}
			}()
			tt.r.PeriodEnd(date("2024-01-31"), tt.n)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Recurrence{month 0}.PeriodAt(...) did not panic")
		}
	}()
	Recurrence{Month, 0}.PeriodAt(date("2024-01-31"), date("2024-03-01"))
}

func TestPeriodAt(t *testing.T) {
	monthly := Recurrence{Month, 1}
	anchor := utc(2024, 1, 31, 10, 0, 0)
	tests := []struct {
		r          Recurrence
		anchor, at time.Time
		start, end time.Time
		n          int
	}{
		{monthly, anchor, anchor, anchor, utc(2024, 2, 29, 10, 0, 0), 1},
		{monthly, anchor, utc(2024, 2, 29, 9, 59, 59), anchor, utc(2024, 2, 29, 10, 0, 0), 1},
		{monthly, anchor, utc(2024, 2, 29, 10, 0, 0), utc(2024, 2, 29, 10, 0, 0), utc(2024, 3, 31, 10, 0, 0), 2},
		{monthly, anchor, utc(2024, 3, 31, 9, 0, 0), utc(2024, 2, 29, 10, 0, 0), utc(2024, 3, 31, 10, 0, 0), 2},
		{monthly, anchor, utc(2024, 4, 1, 0, 0, 0), utc(2024, 3, 31, 10, 0, 0), utc(2024, 4, 30, 10, 0, 0), 3},
		{monthly, anchor, utc(2034, 2, 28, 10, 0, 0), utc(2034, 2, 28, 10, 0, 0), utc(2034, 3, 31, 10, 0, 0), 122},
		{monthly, anchor, anchor.Add(-time.Nanosecond), time.Time{}, time.Time{}, 0},
		{monthly, anchor, time.Date(2024, 2, 29, 5, 0, 0, 0, time.FixedZone("EST", -5*3600)),
			utc(2024, 2, 29, 10, 0, 0), utc(2024, 3, 31, 10, 0, 0), 2},
		{Recurrence{Year, 1}, utc(2024, 2, 29, 0, 0, 0), utc(2027, 2, 28, 0, 0, 0),
			utc(2027, 2, 28, 0, 0, 0), utc(2028, 2, 29, 0, 0, 0), 4},
		{Recurrence{Year, 1}, utc(2024, 2, 29, 0, 0, 0), utc(2027, 2, 27, 23, 0, 0),
			utc(2026, 2, 28, 0, 0, 0), utc(2027, 2, 28, 0, 0, 0), 3},
		{Recurrence{Week, 2}, utc(2024, 1, 1, 12, 0, 0), utc(2024, 1, 29, 11, 59, 59),
			utc(2024, 1, 15, 12, 0, 0), utc(2024, 1, 29, 12, 0, 0), 2},
		{Recurrence{Day, 1}, utc(2024, 1, 1, 12, 0, 0), utc(2024, 1, 1, 11, 0, 0), time.Time{}, time.Time{}, 0},
		{Recurrence{Day, 1}, utc(2024, 1, 1, 12, 0, 0), utc(2024, 1, 2, 11, 0, 0),
			utc(2024, 1, 1, 12, 0, 0), utc(2024, 1, 2, 12, 0, 0), 1},
	}
	for _, tt := range tests {
		start, end, n := tt.r.PeriodAt(tt.anchor, tt.at)
		if !start.Equal(tt.start) || !end.Equal(tt.end) || n != tt.n {
			t.Errorf("%v.PeriodAt(%s, %s) = %s, %s, %d, want %s, %s, %d", tt.r,
				tt.anchor.Format(time.RFC3339), tt.at.Format(time.RFC3339),
				start.Format(time.RFC3339), end.Format(time.RFC3339), n,
				tt.start.Format(time.RFC3339), tt.end.Format(time.RFC3339), tt.n)
		}
	}
}

func TestRecurrenceValidate(t *testing.T) {
	tests := []struct {
		r       Recurrence
		wantErr string
	}{
		{Recurrence{Day, 1}, ""},
		{Recurrence{Day, 365}, ""},
		{Recurrence{Day, 366}, "out of range 1..365"},
		{Recurrence{Week, 52}, ""},
		{Recurrence{Week, 53}, "out of range 1..52"},
		{Recurrence{Month, 24}, ""},
		{Recurrence{Month, 25}, "out of range 1..24"},
		{Recurrence{Year, 5}, ""},
		{Recurrence{Year, 6}, "out of range 1..5"},
		{Recurrence{Month, 0}, "out of range"},
		{Recurrence{Month, -1}, "out of range"},
		{Recurrence{"Month", 1}, "unknown interval"},
		{Recurrence{"", 1}, "unknown interval"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Recurrence%+v.Validate() = %v, want %q", tt.r, err, tt.wantErr)
		}
	}
}

func TestParseInterval(t *testing.T) {
	tests := []struct {
		in      string
		want    Interval
		wantErr bool
	}{
		{"day", Day, false}, {"Week", Week, false}, {" MONTH ", Month, false}, {"year", Year, false},
		{"", "", true}, {"days", "", true}, {"quarter", "", true},
	}
	for _, tt := range tests {
		got, err := ParseInterval(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseInterval(%q) = %q, %v, want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRecurrenceString(t *testing.T) {
	tests := []struct {
		r    Recurrence
		want string
	}{
		{Recurrence{Month, 1}, "every month"},
		{Recurrence{Week, 2}, "every 2 weeks"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Recurrence%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

func randRecurrence(r *rand.Rand) Recurrence {
	i := []Interval{Day, Week, Month, Year}[r.IntN(4)]
	count := 1
	if r.IntN(2) == 0 {
		count = 1 + r.IntN(i.MaxCount())
	}
	return Recurrence{i, count}
}

// randAnchor favours the ends of months, where clamping happens.
func randAnchor(r *rand.Rand) time.Time {
	y := 1970 + r.IntN(200)
	m := time.Month(1 + r.IntN(12))
	d := 1 + r.IntN(daysIn(y, m))
	if r.IntN(2) == 0 {
		d = max(daysIn(y, m)-r.IntN(3), 1)
	}
	return time.Date(y, m, d, r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1e9), time.UTC)
}

// Periods follow each other with no gap or overlap, each strictly after the
// last, keep the anchor's day (clamped) and time of day, and PeriodAt finds
// the same periods for instants inside them.
func TestPeriodProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20240131, 4))
	for range 3000 {
		rec, anchor := randRecurrence(r), randAnchor(r)
		if r.IntN(4) == 0 {
			anchor = anchor.In(time.FixedZone("X", (r.IntN(27)-12)*3600))
		}
		ua := anchor.UTC()
		prevEnd := ua
		for n := 1; n <= 30; n++ {
			start, end := rec.PeriodEnd(anchor, n-1), rec.PeriodEnd(anchor, n)
			if !start.Equal(prevEnd) {
				t.Fatalf("%v from %s: period %d starts at %s, want the previous end %s", rec, ua, n, start, prevEnd)
			}
			if !end.After(start) {
				t.Fatalf("%v from %s: period %d = [%s, %s), not increasing", rec, ua, n, start, end)
			}
			prevEnd = end
			if end.Hour() != ua.Hour() || end.Minute() != ua.Minute() || end.Second() != ua.Second() || end.Nanosecond() != ua.Nanosecond() {
				t.Fatalf("%v.PeriodEnd(%s, %d) = %s, time of day lost", rec, ua, n, end)
			}
			switch rec.Interval {
			case Day, Week:
				days := rec.Count
				if rec.Interval == Week {
					days *= 7
				}
				if got := end.Sub(start); got != time.Duration(days)*24*time.Hour {
					t.Fatalf("%v from %s: period %d lasts %s, want %d days", rec, ua, n, got, days)
				}
			default:
				if want := min(ua.Day(), daysIn(end.Year(), end.Month())); end.Day() != want {
					t.Fatalf("%v.PeriodEnd(%s, %d) = %s, want day %d", rec, ua, n, end, want)
				}
			}
			for _, at := range []time.Time{start, end.Add(-time.Nanosecond), start.Add(time.Duration(r.Int64N(int64(end.Sub(start)))))} {
				s, e, k := rec.PeriodAt(anchor, at)
				if k != n || !s.Equal(start) || !e.Equal(end) {
					t.Fatalf("%v.PeriodAt(%s, %s) = %s, %s, %d, want %s, %s, %d", rec, ua, at, s, e, k, start, end, n)
				}
			}
		}
	}
}

func BenchmarkPeriodEnd(b *testing.B) {
	rec := Recurrence{Month, 1}
	anchor := utc(2024, 1, 31, 10, 30, 0)
	for i := 0; b.Loop(); i++ {
		rec.PeriodEnd(anchor, i%240)
	}
}

func BenchmarkPeriodAt(b *testing.B) {
	rec := Recurrence{Month, 1}
	anchor := utc(2024, 1, 31, 10, 30, 0)
	at := utc(2031, 7, 15, 0, 0, 0)
	for b.Loop() {
		rec.PeriodAt(anchor, at)
	}
}
