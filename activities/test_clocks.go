package activities

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// ClockChange is one change a TestClockWorkflow carries out on a clock:
// an advance to To, or, with Delete, the clock's deletion.
type ClockChange struct {
	ClockID uuid.UUID
	To      time.Time
	Delete  bool
}

// ClockProgress is how far a ClockChange has come.
type ClockProgress struct {
	// Current is false once the change no longer applies: the clock
	// finished it, or moved on to another (a deletion ends an advance).
	Current bool
	// What runs on the clock and has not followed yet: for an advance,
	// what lags behind To; for a deletion, what has not ended.
	Subscriptions []uuid.UUID
	Purchases     []uuid.UUID
}

// TestClockProgress reads how far a change to a test clock has come.
func (a *Activities) TestClockProgress(ctx context.Context, ch ClockChange) (ClockProgress, error) {
	clock, err := a.Store.TestClockByID(ctx, ch.ClockID)
	if errors.Is(err, models.ErrNotFound) {
		return ClockProgress{}, nil
	}
	if err != nil {
		return ClockProgress{}, err
	}
	if !ch.current(clock) {
		return ClockProgress{}, nil
	}
	var behind *time.Time
	if !ch.Delete {
		behind = &ch.To
	}
	bound, err := a.Store.ClockBound(ctx, ch.ClockID, behind)
	return ClockProgress{Current: true, Subscriptions: bound.Subscriptions, Purchases: bound.Purchases}, err
}

func (ch ClockChange) current(c *models.TestClock) bool {
	if ch.Delete {
		return c.Status == models.ClockDeleting
	}
	return c.Status == models.ClockAdvancing && c.TargetTime != nil && c.TargetTime.Equal(ch.To)
}

// FinishClockChange ends a change to a test clock: an advance leaves the
// clock ready at its target, or internal_failure when failed; a deletion
// leaves it deleted. A change that no longer applies is left alone.
func (a *Activities) FinishClockChange(ctx context.Context, ch ClockChange, failed bool) error {
	var err error
	if ch.Delete {
		err = a.Store.FinishDelete(ctx, ch.ClockID, a.now())
	} else {
		err = a.Store.FinishAdvance(ctx, ch.ClockID, ch.To, failed, a.now())
	}
	if errors.Is(err, models.ErrConflict) {
		return nil
	}
	return err
}
