package e2e

import (
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/sandbox"
)

// A subscription on a test clock, renewed once, shows in the business's
// reports on the clock's days: its MRR from the day it was paid, and its
// two payments as revenue. A customer may not read reports, and a bad
// window is INVALID.
func TestReportsFollowASubscription(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	s.subscribeOnClock(t, clock, s.monthly, sandbox.TokenOK)
	s.advance(t, clock, clockStart.AddDate(0, 1, 1))

	const window = "?from=2031-01-30&to=2031-03-01"
	mrr := call(t, s.env, "GET", "/v1/reports/mrr"+window, "", s.owner...)
	if mrr.Status != 200 {
		t.Fatalf("mrr = %d %+v", mrr.Status, mrr.Errors)
	}
	points := mrr.Result["points"].([]any)
	if len(points) != 31 {
		t.Fatalf("%d points, want one a day from Jan 30 to Mar 1", len(points))
	}
	point := func(i int) map[string]any { return points[i].(map[string]any) }
	if p := point(0); p["date"] != "2031-01-30" || p["mrr"] != float64(0) {
		t.Errorf("the day before: %v, want nothing", p)
	}
	if p := point(30); p["date"] != "2031-03-01" || p["mrr"] != float64(3000) || p["activeSubscriptions"] != float64(1) || p["currency"] != "USD" {
		t.Errorf("a month on: %v, want one subscription at 3000", p)
	}

	revenue := call(t, s.env, "GET", "/v1/reports/revenue"+window, "", s.owner...)
	var collected float64
	for _, p := range revenue.Result["points"].([]any) {
		collected += p.(map[string]any)["collected"].(float64)
	}
	if collected != 6000 {
		t.Errorf("revenue = %v, want two payments of 3000", revenue.Result)
	}
	for _, name := range []string{"payments", "churn"} {
		if r := call(t, s.env, "GET", "/v1/reports/"+name+window, "", s.owner...); r.Status != 200 || len(r.Result["points"].([]any)) != 31 {
			t.Errorf("%s = %d %+v", name, r.Status, r.Errors)
		}
	}

	call(t, s.env, "GET", "/v1/reports/mrr", "", s.bob...).is(t, "a customer", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, s.env, "GET", "/v1/reports/mrr?from=2031-03-02&to=2031-03-01", "", s.owner...).
		is(t, "a window backwards", 400, "INVALID", "from must not be after to")
	call(t, s.env, "GET", "/v1/reports/mrr?to=31.01.2031", "", s.owner...).
		is(t, "a date in another format", 400, "INVALID", "to must be a date, YYYY-MM-DD")
	if r := call(t, s.env, "GET", "/v1/reports/churn", "", s.owner...); r.Status != 200 || r.Result["to"] != time.Now().UTC().Format(time.DateOnly) {
		t.Errorf("the default window = %d %v, want 30 days to today", r.Status, r.Result)
	}
}
