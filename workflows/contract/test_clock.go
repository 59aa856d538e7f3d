package contract

import (
	"time"

	"github.com/google/uuid"
)

// TestClockChange is what a TestClockWorkflow carries out on a test clock
// the API has already set advancing (or deleting): an advance to To, or,
// with Delete, the clock's deletion.
type TestClockChange struct {
	ClockID uuid.UUID
	To      time.Time
	Delete  bool
	// GiveUpAt is when an advance that has not caught up is declared an
	// internal_failure; the first run sets it, continued runs keep it.
	GiveUpAt time.Time
}

// TestClockWorkflowID names the workflow of one change to a clock: a
// retried advance to the same time, or a retried deletion, joins the
// workflow its first try started.
func TestClockWorkflowID(ch TestClockChange) string {
	id := "test-clock/" + ch.ClockID.String()
	if ch.Delete {
		return id + "/delete"
	}
	return id + "/advance/" + ch.To.UTC().Format(time.RFC3339)
}

// ClockAdvanceSignal carries the time (time.Time) a bound workflow's clock
// moves to.
const ClockAdvanceSignal = "clock-advance"

// TestClock binds a workflow to a test clock at the clock's time. Target,
// when later, is where an advance under way is taking it.
type TestClock struct {
	ID     uuid.UUID
	Now    time.Time
	Target time.Time
}
