package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// TestClock is a tenant's simulated time. Subscriptions and purchases bound
// to one live on its time; advancing it moves them.
type TestClock struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	TenantID   uuid.UUID
	Name       string
	FrozenTime time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreateTestClock stores a new test clock.
func (s *Store) CreateTestClock(ctx context.Context, c *TestClock) error {
	c.ID = uuid.Must(uuid.NewV7())
	if err := translate(s.db.WithContext(ctx).Create(c).Error); err != nil {
		return fmt.Errorf("create test clock: %w", err)
	}
	return nil
}

// TestClockByID finds a test clock.
func (s *Store) TestClockByID(ctx context.Context, id uuid.UUID) (*TestClock, error) {
	var c TestClock
	if err := translate(s.db.WithContext(ctx).Take(&c, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("test clock %s: %w", id, err)
	}
	return &c, nil
}

// TestClocks pages through a tenant's test clocks (every tenant's with a
// nil TenantID).
func (s *Store) TestClocks(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]TestClock, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	if tenant != nil {
		q = q.Where("tenant_id = ?", *tenant)
	}
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return findReadable[TestClock](s, q)
}

// AdvanceTestClock moves a clock from one time to a later one. It is a
// compare-and-set: ErrConflict when the clock is no longer at from.
func (s *Store) AdvanceTestClock(ctx context.Context, id uuid.UUID, from, to, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&TestClock{}).Where("id = ? AND frozen_time = ?", id, from).
		Updates(map[string]any{"frozen_time": to, "updated_at": now})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("test clock %s moved meanwhile: %w", id, ErrConflict)
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
	endedSubscription = []string{"canceled", "expired"}
	settledPayment    = []string{"paid", "expired", "failed", "canceled"}
)

// ClockBound lists what runs on a clock; with behind set, only what has not
// caught up with that time yet.
func (s *Store) ClockBound(ctx context.Context, clockID uuid.UUID, behind *time.Time) (ClockBound, error) {
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
