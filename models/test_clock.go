package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/billgate/billgate/workflows/contract"
)

// Clocks keeps the test clocks and finds what runs on one.
type Clocks struct{ *conn }

// TestClock is a tenant's simulated time. Subscriptions and purchases bound
// to one live on its time; advancing it moves them.
type TestClock struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	TenantID   uuid.UUID
	Name       string
	FrozenTime time.Time
	Status     ClockStatus
	TargetTime *time.Time // where an advance under way takes the clock
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ClockStatus is where a test clock is in its life: ready, advancing to
// its TargetTime, internal_failure when an advance gave up, deleting while
// what runs on it ends, and deleted.
type ClockStatus string

// A test clock's statuses.
const (
	ClockReady           ClockStatus = "ready"
	ClockAdvancing       ClockStatus = "advancing"
	ClockInternalFailure ClockStatus = "internal_failure"
	ClockDeleting        ClockStatus = "deleting"
	ClockDeleted         ClockStatus = "deleted"
)

// goneClocks are the statuses of a deleted clock: its row stays, as what
// ran on it refers to it, but nobody sees it.
var goneClocks = []ClockStatus{ClockDeleting, ClockDeleted}

// Gone reports whether the clock was deleted.
func (c *TestClock) Gone() bool { return slices.Contains(goneClocks, c.Status) }

// CreateTestClock stores a new test clock.
func (s *Clocks) CreateTestClock(ctx context.Context, c *TestClock) error {
	c.ID, c.Status, c.TargetTime = uuid.Must(uuid.NewV7()), ClockReady, nil
	if err := translate(s.db.WithContext(ctx).Create(c).Error); err != nil {
		return fmt.Errorf("create test clock: %w", err)
	}
	return nil
}

// TestClockByID finds a test clock.
func (s *Clocks) TestClockByID(ctx context.Context, id uuid.UUID) (*TestClock, error) {
	var c TestClock
	if err := translate(s.db.WithContext(ctx).Take(&c, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("test clock %s: %w", id, err)
	}
	return &c, nil
}

// TestClocks pages through a tenant's test clocks (every tenant's with a
// nil TenantID), less the deleted ones.
func (s *Clocks) TestClocks(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]TestClock, error) {
	q := s.db.WithContext(ctx).Where("status NOT IN ?", goneClocks).Order("id").Limit(limit)
	if tenant != nil {
		q = q.Where("tenant_id = ?", *tenant)
	}
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return findReadable[TestClock](s.conn, q)
}

// StartAdvance sets a ready clock at from advancing to to. It is a
// compare-and-set: ErrConflict when the clock is not ready at from.
func (s *Clocks) StartAdvance(ctx context.Context, id uuid.UUID, from, to, now time.Time) error {
	return s.moveClock(ctx, s.db.Where("id = ? AND status = ? AND frozen_time = ?", id, ClockReady, from),
		map[string]any{"status": ClockAdvancing, "target_time": to, "updated_at": now})
}

// FinishAdvance ends the advance to to: the clock is ready at to, or, when
// the advance gave up, internal_failure where it was. ErrConflict when the
// clock is not advancing to to (it was deleted meanwhile, or it already
// finished).
func (s *Clocks) FinishAdvance(ctx context.Context, id uuid.UUID, to time.Time, failed bool, now time.Time) error {
	set := map[string]any{"status": ClockReady, "frozen_time": to, "target_time": nil, "updated_at": now}
	if failed {
		set = map[string]any{"status": ClockInternalFailure, "target_time": nil, "updated_at": now}
	}
	return inTx(ctx, s.conn, func(tx *Clocks) error {
		if err := tx.moveClock(ctx, tx.db.Where("id = ? AND status = ? AND target_time = ?", id, ClockAdvancing, to), set); err != nil || failed {
			return err
		}
		c, err := tx.TestClockByID(ctx, id)
		if err != nil {
			return err
		}
		return recordChanges(tx.db.WithContext(ctx), subject{ObjectTestClock, id, c.TenantID, uuid.Nil, now}, &TestClock{}, []change{{EventTestClockReady, unixKey(&to)}})
	})
}

// StartDelete sets a clock deleting, whatever it was doing; ErrConflict
// when it is deleted already.
func (s *Clocks) StartDelete(ctx context.Context, id uuid.UUID, now time.Time) error {
	return s.moveClock(ctx, s.db.Where("id = ? AND status NOT IN ?", id, goneClocks),
		map[string]any{"status": ClockDeleting, "target_time": nil, "updated_at": now})
}

// FinishDelete marks a deleting clock deleted; ErrConflict when it is not
// deleting.
func (s *Clocks) FinishDelete(ctx context.Context, id uuid.UUID, now time.Time) error {
	return s.moveClock(ctx, s.db.Where("id = ? AND status = ?", id, ClockDeleting),
		map[string]any{"status": ClockDeleted, "updated_at": now})
}

// moveClock updates the clock that where selects, if it still matches.
func (s *Clocks) moveClock(ctx context.Context, where *gorm.DB, set map[string]any) error {
	res := where.WithContext(ctx).Model(&TestClock{}).Updates(set)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("test clock moved meanwhile: %w", ErrConflict)
	}
	return nil
}

// ClockBound is what runs on a test clock: subscriptions not ended and
// purchases not settled. Their workflows take the clock's advances.
type ClockBound struct {
	Subscriptions []uuid.UUID
	Purchases     []uuid.UUID
}

var (
	endedSubscription = contract.Strings(contract.SubscriptionCanceled, contract.SubscriptionExpired)
	settledPayment    = contract.Strings(contract.PaymentPaid, contract.PaymentExpired, contract.PaymentFailed, contract.PaymentCanceled)
)

// ClockBound lists what runs on a clock; with behind set, only what has not
// caught up with that time yet.
func (s *Clocks) ClockBound(ctx context.Context, clockID uuid.UUID, behind *time.Time) (ClockBound, error) {
	var out ClockBound
	subs := s.db.WithContext(ctx).Model(&Subscription{}).Where("test_clock_id = ? AND status NOT IN ?", clockID, endedSubscription)
	purchases := s.db.WithContext(ctx).Model(&Payment{}).
		Where("test_clock_id = ? AND subscription_id IS NULL AND status NOT IN ?", clockID, settledPayment)
	if behind != nil {
		subs = subs.Where("(clock_time IS NULL OR clock_time < ?)", *behind)
		purchases = purchases.Where("(clock_time IS NULL OR clock_time < ?)", *behind)
	}
	if err := subs.Order("id").Pluck("id", &out.Subscriptions).Error; err != nil {
		return out, translate(err)
	}
	return out, translate(purchases.Order("id").Pluck("id", &out.Purchases).Error)
}
