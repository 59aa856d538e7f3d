package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/activities"
)

var cutoff = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newPurgeEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(PurgeSessionsWorkflow)
	env.RegisterActivity(&activities.Activities{})
	return env
}

func TestPurgeSessionsWorkflowPassesRetention(t *testing.T) {
	for _, retention := range []time.Duration{0, 24 * time.Hour} {
		t.Run(retention.String(), func(t *testing.T) {
			env := newPurgeEnv(t)
			var a *activities.Activities
			env.OnActivity(a.PurgeSessions, mock.Anything, activities.PurgeSessionsInput{Retention: retention}).
				Return(activities.PurgeSessionsResult{Purged: 3, Cutoff: cutoff}, nil).Once()

			env.ExecuteWorkflow(PurgeSessionsWorkflow, PurgeSessionsWorkflowInput{Retention: retention})

			if !env.IsWorkflowCompleted() {
				t.Fatal("PurgeSessionsWorkflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("PurgeSessionsWorkflow() error = %v, want nil", err)
			}
			var got PurgeSessionsWorkflowResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if want := (PurgeSessionsWorkflowResult{Purged: 3, Cutoff: cutoff}); got != want {
				t.Errorf("PurgeSessionsWorkflow() = %+v, want %+v", got, want)
			}
			env.AssertExpectations(t)
		})
	}
}

func TestPurgeSessionsWorkflowRetriesFailures(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	in := activities.PurgeSessionsInput{}
	env.OnActivity(a.PurgeSessions, mock.Anything, in).
		Return(activities.PurgeSessionsResult{}, errors.New("purge sessions: database unavailable")).Twice()
	env.OnActivity(a.PurgeSessions, mock.Anything, in).
		Return(activities.PurgeSessionsResult{Purged: 1, Cutoff: cutoff}, nil).Once()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, PurgeSessionsWorkflowInput{})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want success on the third attempt", err)
	}
	var got PurgeSessionsWorkflowResult
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Purged != 1 {
		t.Errorf("PurgeSessionsWorkflow().Purged = %d, want 1", got.Purged)
	}
	env.AssertExpectations(t)
}

// A database that stays down fails the run after the last attempt, before
// the next hourly run starts afresh.
func TestPurgeSessionsWorkflowGivesUp(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	attempts := 0
	env.OnActivity(a.PurgeSessions, mock.Anything, mock.Anything).
		Return(func(context.Context, activities.PurgeSessionsInput) (activities.PurgeSessionsResult, error) {
			attempts++
			return activities.PurgeSessionsResult{}, errors.New("purge sessions: database unavailable")
		})
	start := env.Now()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, PurgeSessionsWorkflowInput{})

	var actErr *temporal.ActivityError
	if err := env.GetWorkflowError(); !errors.As(err, &actErr) {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want the activity's failure", err)
	}
	if elapsed := env.Now().Sub(start); elapsed > time.Hour {
		t.Errorf("PurgeSessionsWorkflow() gave up after %v, want before the next hourly run", elapsed)
	}
	if attempts != purgeSessionsMaxAttempts {
		t.Errorf("PurgeSessions attempts = %d, want %d", attempts, purgeSessionsMaxAttempts)
	}
}

// An input no retry can fix fails the run at once.
func TestPurgeSessionsWorkflowDoesNotRetryInvalidInput(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	env.OnActivity(a.PurgeSessions, mock.Anything, mock.Anything).
		Return(activities.PurgeSessionsResult{}, temporal.NewNonRetryableApplicationError("purge sessions: retention -1h0m0s is negative", activities.InvalidInputError, nil)).Once()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, PurgeSessionsWorkflowInput{Retention: -time.Hour})

	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.InvalidInputError {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want an %s application error", err, activities.InvalidInputError)
	}
	env.AssertExpectations(t)
}
