package models

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/dbtest"
)

func TestRefundLogs(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		const charge = "acct/pay_5F1_2F1"
		later := RefundLogEntry{Key: "acct/r2", Charge: charge, Record: `{"n":2}`, InFlight: true, At: at(3)}
		first := RefundLogEntry{Key: "acct/r1", Charge: charge, Reference: "acct/9001", Record: `{"n":1}`, At: at(2)}
		other := RefundLogEntry{Key: "acct/r3", Charge: "acct/pay_5F2_2F1", Reference: "acct/9003", Record: `{}`, At: at(1)}
		for _, e := range []RefundLogEntry{later, first, other} {
			if err := s.PutRefundLog(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.RefundLogByKey(ctx, "acct/r2"); err != nil || !sameEntry(got, later) {
			t.Errorf("RefundLogByKey = %+v, %v; want %+v", got, err, later)
		}
		if got, err := s.RefundLogByReference(ctx, "acct/9001"); err != nil || !sameEntry(got, first) {
			t.Errorf("RefundLogByReference = %+v, %v; want %+v", got, err, first)
		}
		list, err := s.RefundLogOfCharge(ctx, charge)
		if err != nil || len(list) != 2 || !sameEntry(list[0], first) || !sameEntry(list[1], later) {
			t.Errorf("RefundLogOfCharge = %+v, %v; want r1 then r2", list, err)
		}

		// The answer came: the entry is replaced, reference and all.
		answered := later
		answered.Reference, answered.Record, answered.InFlight, answered.At = "acct/9002", `{"n":2,"status":"succeeded"}`, false, at(4)
		if err := s.PutRefundLog(ctx, answered); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RefundLogByReference(ctx, "acct/9002"); err != nil || !sameEntry(got, answered) {
			t.Errorf("after the answer = %+v, %v; want %+v", got, err, answered)
		}

		if err := s.DeleteRefundLog(ctx, "acct/r1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRefundLog(ctx, "acct/r1"); err != nil {
			t.Errorf("deleting again = %v, want nil", err)
		}
		for what, err := range map[string]error{
			"RefundLogByKey(deleted)":       second(s.RefundLogByKey(ctx, "acct/r1")),
			"RefundLogByReference(deleted)": second(s.RefundLogByReference(ctx, "acct/9001")),
			"RefundLogByReference(empty)":   second(s.RefundLogByReference(ctx, "")),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s = %v, want ErrNotFound", what, err)
			}
		}
		if list, _ := s.RefundLogOfCharge(ctx, "acct/none"); len(list) != 0 {
			t.Errorf("refunds of a charge without any = %+v", list)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func sameEntry(a, b RefundLogEntry) bool {
	return a.Key == b.Key && a.Charge == b.Charge && a.Reference == b.Reference && a.Record == b.Record &&
		a.InFlight == b.InFlight && a.At.Equal(b.At)
}

// lockWithin tries to lock charge within d.
func lockWithin(s *Store, charge string, d time.Duration) (func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.LockRefundCharge(ctx, charge)
}

func TestLockRefundChargeExcludes(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		unlock, err := lockWithin(s, "acct/a", 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lockWithin(s, "acct/a", 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a second lock of a held charge = %v, want it to wait until its deadline", err)
		}
		unlockB, err := lockWithin(s, "acct/b", 5*time.Second)
		if err != nil {
			t.Fatalf("another charge's lock = %v, want it free", err)
		}
		unlockB()
		unlock()
		unlock() // harmless
		again, err := lockWithin(s, "acct/a", 5*time.Second)
		if err != nil {
			t.Fatalf("lock after unlock = %v", err)
		}
		again()
	})
}

// More holders than the pool has connections, each writing while it holds
// its lock: none waits forever for a connection.
func TestLockRefundChargeManyHolders(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 30)
		for i := range 30 {
			wg.Go(func() {
				charge := fmt.Sprintf("acct/charge-%d", i)
				unlock, err := s.LockRefundCharge(ctx, charge)
				if err != nil {
					errs <- err
					return
				}
				defer unlock()
				errs <- s.PutRefundLog(ctx, RefundLogEntry{Key: charge + "/r", Charge: charge, Record: "{}", At: at(1)})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Two processes on one Postgres database: a charge's lock held by one
// keeps the other waiting until it is released.
func TestLockRefundChargeAcrossProcesses(t *testing.T) {
	dsn := dbtest.Postgres(t)
	if dsn == "" {
		t.Skip("set TEST_DATABASE_URL: only Postgres is shared by processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open := func() *Store {
		s, err := Open(ctx, dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	one, two := open(), open()
	migrated(t, one)
	unlock, err := one.LockRefundCharge(ctx, "acct/a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockWithin(two, "acct/a", 300*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the other process's lock of a held charge = %v, want it to wait until its deadline", err)
	}
	if unlockB, err := lockWithin(two, "acct/b", 5*time.Second); err != nil {
		t.Fatalf("the other process's lock of another charge = %v", err)
	} else {
		unlockB()
	}
	got := make(chan error, 1)
	go func() {
		unlockTwo, err := two.LockRefundCharge(ctx, "acct/a")
		if err == nil {
			unlockTwo()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the other process locked a held charge (%v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("the other process's lock once released = %v", err)
	}
}
