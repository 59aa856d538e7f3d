package workflows

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

// clockTest runs a TestClockWorkflow against a scripted database: each
// read of the clock's progress returns the next of reads (the last one
// again once they run out), and every signal and cancellation is recorded.
type clockTest struct {
	mu      sync.Mutex // the mocks run on the workflow's and the activities' goroutines
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	change  contract.TestClockChange
	reads   []activities.ClockProgress
	read    int
	told    map[string][]any // workflow ID → what it was told, in order
	gone    map[string]bool  // workflows that no longer exist
	finish  []bool           // each FinishClockChange's failed
	failing map[string]int   // activity → how many of its next calls fail
}

func newClockTest(t *testing.T, ch contract.TestClockChange, reads ...activities.ClockProgress) *clockTest {
	var s testsuite.WorkflowTestSuite
	ct := &clockTest{t: t, env: s.NewTestWorkflowEnvironment(), change: ch, reads: reads,
		told: map[string][]any{}, gone: map[string]bool{}, failing: map[string]int{}}
	ct.env.RegisterWorkflow(TestClockWorkflow)
	ct.env.RegisterActivity(&activities.Activities{})
	var a *activities.Activities
	ct.env.OnActivity(a.TestClockProgress, mock.Anything, mock.Anything).Return(ct.progress)
	ct.env.OnActivity(a.FinishClockChange, mock.Anything, mock.Anything, mock.Anything).Return(ct.finished)
	ct.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", mock.Anything, mock.Anything).Return(
		func(_ string, workflowID, _, signal string, arg any) error { return ct.tell(workflowID, signal, arg) })
	return ct
}

// fails reports whether this call of the activity is one to fail.
func (ct *clockTest) fails(activity string) bool {
	if ct.failing[activity] == 0 {
		return false
	}
	ct.failing[activity]--
	return true
}

func (ct *clockTest) progress(_ context.Context, ch activities.ClockChange) (activities.ClockProgress, error) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ch != (activities.ClockChange{ClockID: ct.change.ClockID, To: ct.change.To, Delete: ct.change.Delete}) {
		ct.t.Errorf("progress read for %+v, want %+v", ch, ct.change)
	}
	if ct.fails("progress") {
		return activities.ClockProgress{}, errors.New("database away")
	}
	p := ct.reads[min(ct.read, len(ct.reads)-1)]
	ct.read++
	return p, nil
}

func (ct *clockTest) finished(_ context.Context, _ activities.ClockChange, failed bool) error {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.fails("finish") {
		return errors.New("database away")
	}
	ct.finish = append(ct.finish, failed)
	return nil
}

func (ct *clockTest) tell(workflowID, signal string, arg any) error {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.gone[workflowID] {
		return &temporal.UnknownExternalWorkflowExecutionError{}
	}
	ct.told[workflowID] = append(ct.told[workflowID], []any{signal, arg})
	return nil
}

func (ct *clockTest) run() {
	ct.t.Helper()
	ct.env.ExecuteWorkflow(TestClockWorkflow, ct.change)
	if !ct.env.IsWorkflowCompleted() || ct.env.GetWorkflowError() != nil {
		ct.t.Fatalf("workflow completed %v, error %v", ct.env.IsWorkflowCompleted(), ct.env.GetWorkflowError())
	}
}

var clockTarget = time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)

func lagging(subs ...uuid.UUID) activities.ClockProgress {
	return activities.ClockProgress{Current: true, Subscriptions: subs}
}

// Each subscription lagging behind the target is told the target at every
// read until it has caught up: the same advance again, which a subscription
// that has reached it takes as a no-op (TestSubscriptionTakesARepeatedAdvanceAsANoOp).
// Once none lags, the clock is ready.
func TestTestClockWorkflowTellsWhatLagsUntilItCatchesUp(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), To: clockTarget}, lagging(a, b), lagging(b), lagging(b), lagging())
	ct.run()
	advance := []any{contract.ClockAdvanceSignal, clockTarget}
	if got := ct.told[contract.SubscriptionWorkflowID(a)]; len(got) != 1 || !slices.Equal(got[0].([]any), advance) {
		t.Errorf("a was told %v, want the advance once", got)
	}
	if got := ct.told[contract.SubscriptionWorkflowID(b)]; len(got) != 3 {
		t.Errorf("b was told %v, want the advance at each of the three reads it lagged", got)
	}
	if !slices.Equal(ct.finish, []bool{false}) {
		t.Errorf("finished %v, want once, ready", ct.finish)
	}
}

// A database that fails, on a read and on the final write, delays the
// advance but does not end it: the workflow retries until it has set the
// clock ready.
func TestTestClockWorkflowResumesAfterAFailure(t *testing.T) {
	a := uuid.New()
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), To: clockTarget}, lagging(a), lagging())
	ct.failing["progress"], ct.failing["finish"] = 3, 2
	ct.run()
	if got := ct.told[contract.SubscriptionWorkflowID(a)]; len(got) != 1 {
		t.Errorf("a was told %v, want the advance once", got)
	}
	if !slices.Equal(ct.finish, []bool{false}) || ct.failing["progress"]+ct.failing["finish"] != 0 {
		t.Errorf("finished %v with failures left %v, want ready after every failure", ct.finish, ct.failing)
	}
}

// A subscription whose workflow is gone can never catch up: the advance
// does not wait for it.
func TestTestClockWorkflowDoesNotWaitForAGoneWorkflow(t *testing.T) {
	gone := uuid.New()
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), To: clockTarget}, lagging(gone))
	ct.gone[contract.SubscriptionWorkflowID(gone)] = true
	ct.run()
	if !slices.Equal(ct.finish, []bool{false}) {
		t.Errorf("finished %v, want once, ready", ct.finish)
	}
}

// An advance that has not caught up within clockGiveUp leaves the clock
// internal_failure, as Stripe's.
func TestTestClockWorkflowGivesUpOnAStuckAdvance(t *testing.T) {
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), To: clockTarget}, lagging(uuid.New()))
	ct.run()
	if !slices.Equal(ct.finish, []bool{true}) {
		t.Errorf("finished %v, want once, failed", ct.finish)
	}
	if ct.read < 3 {
		t.Errorf("%d reads, want it to have waited", ct.read)
	}
}

// A change the clock no longer takes (it was deleted while advancing, or
// finished already) stops the workflow, changing nothing.
func TestTestClockWorkflowStopsWhenTheClockMovedOn(t *testing.T) {
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), To: clockTarget}, activities.ClockProgress{})
	ct.run()
	if len(ct.finish) != 0 || len(ct.told) != 0 {
		t.Errorf("finished %v, told %v; want nothing", ct.finish, ct.told)
	}
}

// Deleting a clock cancels its subscriptions now and withdraws its
// purchases, then marks it deleted.
func TestTestClockWorkflowDeletesAClock(t *testing.T) {
	sub, purchase := uuid.New(), uuid.New()
	running := activities.ClockProgress{Current: true, Subscriptions: []uuid.UUID{sub}, Purchases: []uuid.UUID{purchase}}
	ct := newClockTest(t, contract.TestClockChange{ClockID: uuid.New(), Delete: true}, running, activities.ClockProgress{Current: true})
	ct.run()
	if got := ct.told[contract.SubscriptionWorkflowID(sub)]; len(got) != 1 || !slices.Equal(got[0].([]any), []any{contract.CancelSignal, contract.Cancel{}}) {
		t.Errorf("the subscription was told %v, want canceled now", got)
	}
	if got := ct.told[contract.PaymentWorkflowID(purchase)]; len(got) != 1 || !slices.Equal(got[0].([]any), []any{contract.WithdrawSignal, contract.Withdraw{Open: true}}) {
		t.Errorf("the purchase was told %v, want it withdrawn", got)
	}
	if !slices.Equal(ct.finish, []bool{false}) {
		t.Errorf("finished %v, want once", ct.finish)
	}
}
