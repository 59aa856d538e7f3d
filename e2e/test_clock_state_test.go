package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/testenv"
)

// Issue 10, hole 12: the test clock is a state machine, as Stripe's. An
// advance sets it advancing (a compare-and-set), a TestClockWorkflow
// brings everything on it to the target and then sets it ready there.

// subscribeNow subscribes bob on the clock without waiting for anything.
func (s *shop) subscribeNow(t *testing.T, clock string) reply {
	t.Helper()
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.monthly, s.bobID, clock)
	return call(t, s.env, "POST", "/v1/subscriptions", body, s.owner...)
}

// wantPeriodFrom checks each subscription is active in the period that
// starts at start: it has caught up with the clock, and gone no further.
func (s *shop) wantPeriodFrom(t *testing.T, start string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if got := s.get(t, sub); got["status"] != "active" || got["currentPeriodStart"] != start {
			t.Errorf("%s = %v, want active from %s", sub, got, start)
		}
	}
}

// Two advances at once: one wins, the other is 409, and every subscription
// ends at the winner's time, not ahead of the clock.
func TestTestClockConcurrentAdvancesOneWins(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	subs := []string{s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok"), s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok"), s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok")}
	targets := []time.Time{clockStart.AddDate(0, 1, 0).Add(time.Hour), clockStart.AddDate(0, 2, 0).Add(time.Hour)}
	periodStarts := []string{"2031-02-28T09:30:00Z", "2031-03-31T09:30:00Z"}

	replies := make([]reply, len(targets))
	var wg sync.WaitGroup
	for i, to := range targets {
		wg.Go(func() {
			replies[i] = call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, to.Format(time.RFC3339)), s.owner...)
		})
	}
	wg.Wait()
	won := -1
	for i, r := range replies {
		switch {
		case r.Status == 200 && headingFor(r.Result, targets[i]) && won < 0:
			won = i
		case r.Status == 409 && len(r.Errors) == 1 && r.Errors[0].Code == "CLOCK_ADVANCING":
		default:
			t.Errorf("advance to %v = %d %+v %v, want 200 advancing for one, 409 CLOCK_ADVANCING for the other", targets[i], r.Status, r.Errors, r.Result)
		}
	}
	if won < 0 {
		t.Fatal("no advance won")
	}
	s.waitReadyAt(t, clock, targets[won])
	s.wantPeriodFrom(t, periodStarts[won], subs...)
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 3*(won+2) {
		t.Errorf("%d charges, want %d: each subscription renewed up to the winner's time only", len(l.results), 3*(won+2))
	}
}

// Creating on a ready clock never makes the next create or advance wait:
// subscriptions and a purchase back to back, then an advance at once.
func TestTestClockBackToBackCreates(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	var subs []string
	for range 3 {
		r := s.subscribeNow(t, clock)
		if r.Status != 201 {
			t.Fatalf("subscription %d on a ready clock = %d %+v", len(subs)+1, r.Status, r.Errors)
		}
		subs = append(subs, "/v1/subscriptions/"+r.Result["id"].(string))
	}
	purchase := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.pdf, s.bobID, clock), s.owner...)
	if purchase.Status != 201 {
		t.Fatalf("purchase on a ready clock = %d %+v", purchase.Status, purchase.Errors)
	}
	if r := s.subscribeNow(t, clock); r.Status != 201 {
		t.Fatalf("subscription after a purchase = %d %+v", r.Status, r.Errors)
	} else {
		subs = append(subs, "/v1/subscriptions/"+r.Result["id"].(string))
	}
	s.advance(t, clock, clockStart.AddDate(0, 1, 0).Add(time.Hour))
	s.wantPeriodFrom(t, "2031-02-28T09:30:00Z", subs...)
}

// A subscription is refused while its clock advances (Stripe refuses
// changes on an advancing clock), with a clear 409.
func TestTestClockRefusesASaleWhileAdvancing(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{Queues: []string{"payments", "events"}})
	workers := s.env.StartWorkers("subscriptions")
	clock := s.newClock(t)
	s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok")
	workers.Stop() // the advance cannot finish
	to := clockStart.AddDate(0, 1, 0)
	if r := call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, to.Format(time.RFC3339)), s.owner...); r.Status != 200 || r.Result["status"] != "advancing" {
		t.Fatalf("advance = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	s.subscribeNow(t, clock).is(t, "a subscription on an advancing clock", 409, "CLOCK_ADVANCING", "the test clock is still advancing; wait until it is ready")
	s.env.StartWorkers("subscriptions")
	s.waitReadyAt(t, clock, to)
}

// An advance whose fan-out is interrupted (the workers stop mid-advance)
// resumes when they are back, and ends ready with everything caught up;
// meanwhile the clock says where it is going, and has not moved yet.
func TestTestClockInterruptedAdvanceResumes(t *testing.T) {
	t.Parallel()
	s := newShopWith(t, testenv.Options{Queues: []string{"payments", "events"}})
	workers := s.env.StartWorkers("subscriptions")
	clock := s.newClock(t)
	subs := []string{s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok"), s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok")}
	to := clockStart.AddDate(1, 0, 0).Add(time.Hour)
	r := call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, to.Format(time.RFC3339)), s.owner...)
	if r.Status != 200 {
		t.Fatalf("advance = %d %+v", r.Status, r.Errors)
	}
	workers.Stop()
	got := s.get(t, "/v1/test-clocks/"+clock)
	if got["status"] != "advancing" || got["advancingTo"] != to.Format(time.RFC3339) || got["frozenTime"] != clockStart.Format(time.RFC3339) {
		t.Errorf("clock with its workers stopped = %v, want advancing to %v from %v", got, to, clockStart)
	}
	time.Sleep(time.Second)
	if got := s.get(t, "/v1/test-clocks/"+clock); got["status"] != "advancing" {
		t.Errorf("clock with its workers stopped = %v, want still advancing", got)
	}
	s.env.StartWorkers("subscriptions")
	s.waitReadyAt(t, clock, to)
	s.wantPeriodFrom(t, "2032-01-31T09:30:00Z", subs...)
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 2*13 {
		t.Errorf("%d charges, want 26: thirteen periods for each subscription", len(l.results))
	}
}

// Deleting a clock ends what runs on it (its subscriptions are canceled
// now, its unsettled purchases canceled) and the clock is gone.
func TestTestClockDelete(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	subs := []string{s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok"), s.subscribeOnClock(t, clock, s.yearly, "sandbox_ok")}
	r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, s.pdf, s.bobID, clock), s.owner...)
	if r.Status != 201 {
		t.Fatalf("purchase on a clock = %d %+v", r.Status, r.Errors)
	}
	purchase := "/v1/payments/" + r.Result["id"].(string)

	if r := call(t, s.env, "DELETE", "/v1/test-clocks/"+clock, "", s.owner...); r.Status != 204 {
		t.Fatalf("delete the clock = %d %+v", r.Status, r.Errors)
	}
	call(t, s.env, "GET", "/v1/test-clocks/"+clock, "", s.owner...).is(t, "a deleted clock", 404, "NOT_FOUND", "not found")
	if l := callList(t, s.env, "/v1/test-clocks", s.owner...); len(l.results) != 0 {
		t.Errorf("clocks after the delete = %v, want none", l.results)
	}
	for _, sub := range subs {
		s.waitStatus(t, sub, "canceled")
	}
	s.waitStatus(t, purchase, "canceled")
	s.subscribeNow(t, clock).is(t, "a subscription on a deleted clock", 400, "INVALID", "no such test clock")
	// Deleting again joins the deletion while it runs, and finds nothing once it is done.
	waitFor(t, "the deletion to finish", func() bool {
		return call(t, s.env, "DELETE", "/v1/test-clocks/"+clock, "", s.owner...).Status == 404
	})
}
