package models

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestTestClocks(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		f := newBillingFixture(t, s)
		clock := &TestClock{TenantID: f.shop.ID, Name: "q1", FrozenTime: at(1), CreatedAt: at(1), UpdatedAt: at(1)}
		if err := s.CreateTestClock(ctx, clock); err != nil {
			t.Fatal(err)
		}
		got, err := s.TestClockByID(ctx, clock.ID)
		if err != nil || got.Name != "q1" || !got.FrozenTime.Equal(at(1)) {
			t.Fatalf("TestClockByID = %+v, %v", got, err)
		}
		if list, err := s.TestClocks(ctx, &f.shop.ID, uuid.Nil, 10); err != nil || len(list) != 1 {
			t.Errorf("TestClocks = %d, %v; want the one", len(list), err)
		}
		if list, _ := s.TestClocks(ctx, &f.bob.ID, uuid.Nil, 10); len(list) != 0 {
			t.Errorf("another tenant's TestClocks = %d, want none", len(list))
		}

		// What runs on the clock, and what lags behind a time.
		running := f.subscription(f.bob, 1)
		running.TestClockID, running.ClockTime = &clock.ID, ptr(at(1))
		lagging := f.subscription(f.eve, 1)
		lagging.TestClockID = &clock.ID
		ended := f.subscription(f.eve, 1)
		ended.TestClockID, ended.Status = &clock.ID, "canceled"
		for _, sub := range []*Subscription{running, lagging, ended, f.subscription(f.bob, 1)} {
			if _, err := s.UpsertSubscription(ctx, sub); err != nil {
				t.Fatal(err)
			}
		}
		inv := f.invoice(nil, f.bob, 1)
		purchase := f.payment(inv, 1)
		purchase.SubscriptionID, purchase.TestClockID, purchase.Status = nil, &clock.ID, "pending"
		if _, err := s.ProjectPayment(ctx, purchase, inv); err != nil {
			t.Fatal(err)
		}
		bound, err := s.ClockBound(ctx, clock.ID, nil)
		if err != nil || !slices.Equal(bound.Subscriptions, sortedIDs(running.ID, lagging.ID)) || !slices.Equal(bound.Purchases, []uuid.UUID{purchase.ID}) {
			t.Errorf("ClockBound = %+v, %v; want the two running subscriptions and the purchase", bound, err)
		}
		behind, err := s.ClockBound(ctx, clock.ID, ptr(at(1)))
		if err != nil || !slices.Equal(behind.Subscriptions, []uuid.UUID{lagging.ID}) || len(behind.Purchases) != 1 {
			t.Errorf("ClockBound(behind %v) = %+v, %v; want the one with no clock time, and the purchase", at(1), behind, err)
		}

		// The clock's state machine: each move is a compare-and-set.
		status := func(want ClockStatus, frozen time.Time) {
			t.Helper()
			if got, _ := s.TestClockByID(ctx, clock.ID); got.Status != want || !got.FrozenTime.Equal(frozen) {
				t.Errorf("clock = %s at %v, want %s at %v", got.Status, got.FrozenTime, want, frozen)
			}
		}
		if err := s.StartAdvance(ctx, clock.ID, at(1), at(20), at(2)); err != nil {
			t.Fatal(err)
		}
		status(ClockAdvancing, at(1))
		if err := s.StartAdvance(ctx, clock.ID, at(1), at(25), at(2)); !errors.Is(err, ErrConflict) {
			t.Errorf("a second advance while advancing = %v, want ErrConflict", err)
		}
		if err := s.FinishAdvance(ctx, clock.ID, at(25), false, at(3)); !errors.Is(err, ErrConflict) {
			t.Errorf("finishing another advance = %v, want ErrConflict", err)
		}
		if err := s.FinishAdvance(ctx, clock.ID, at(20), false, at(3)); err != nil {
			t.Fatal(err)
		}
		status(ClockReady, at(20))
		if err := s.StartAdvance(ctx, clock.ID, at(1), at(25), at(4)); !errors.Is(err, ErrConflict) {
			t.Errorf("advance from a stale time = %v, want ErrConflict", err)
		}
		if err := s.StartAdvance(ctx, clock.ID, at(20), at(25), at(4)); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishAdvance(ctx, clock.ID, at(25), true, at(5)); err != nil {
			t.Fatal(err)
		}
		status(ClockInternalFailure, at(20))
		// The advance that finished is an event; the one that failed is none.
		ready, _ := s.Events(ctx, EventFilter{ObjectID: &clock.ID, Limit: 10})
		if len(ready) != 1 || ready[0].Type != EventTestClockReady || ready[0].TenantID != clock.TenantID || ready[0].CustomerID != nil {
			t.Errorf("the clock's events = %+v, want test_clock.ready once", ready)
		}

		if err := s.StartDelete(ctx, clock.ID, at(6)); err != nil {
			t.Fatal(err)
		}
		status(ClockDeleting, at(20))
		if list, _ := s.TestClocks(ctx, &f.shop.ID, uuid.Nil, 10); len(list) != 0 {
			t.Errorf("TestClocks after a delete = %d, want none", len(list))
		}
		if err := s.StartDelete(ctx, clock.ID, at(6)); !errors.Is(err, ErrConflict) {
			t.Errorf("a second delete = %v, want ErrConflict", err)
		}
		if err := s.FinishDelete(ctx, clock.ID, at(7)); err != nil {
			t.Fatal(err)
		}
		status(ClockDeleted, at(20))
		if _, err := s.TestClockByID(ctx, uuid.New()); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown clock = %v, want ErrNotFound", err)
		}
	})
}

func sortedIDs(ids ...uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return ids
}
