package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	cutoff         = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	keyCutoff      = time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	throttleCutoff = time.Date(2026, 3, 7, 13, 0, 0, 0, time.UTC)
	sigCutoff      = time.Date(2026, 3, 8, 11, 55, 0, 0, time.UTC)
)

func newPurgeEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(PurgeSessionsWorkflow)
	env.RegisterActivity(&activities.Activities{})
	return env
}

// onKeyPurge expects the Idempotency-Key purge once, with Stripe's 24 hours,
// then the login-throttle purge once, with a day, then the seen-signature
// purge once, with five minutes.
func onKeyPurge(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	env.OnActivity(a.PurgeIdempotencyKeys, mock.Anything, activities.PurgeIdempotencyKeysInput{Retention: 24 * time.Hour}).
		Return(activities.PurgeIdempotencyKeysResult{Purged: 5, Cutoff: keyCutoff}, nil).Once()
	env.OnActivity(a.PurgeLoginThrottles, mock.Anything, activities.PurgeLoginThrottlesInput{Retention: 24 * time.Hour}).
		Return(activities.PurgeLoginThrottlesResult{Purged: 7, Cutoff: throttleCutoff}, nil).Once()
	env.OnActivity(a.PurgeSeenSignatures, mock.Anything, activities.PurgeSeenSignaturesInput{Retention: 5 * time.Minute}).
		Return(activities.PurgeSeenSignaturesResult{Purged: 11, Cutoff: sigCutoff}, nil).Once()
}

// noKeyPurge fails the test if the Idempotency-Key purge runs.
func noKeyPurge(t *testing.T, env *testsuite.TestWorkflowEnvironment, why string) {
	var a *activities.Activities
	env.OnActivity(a.PurgeIdempotencyKeys, mock.Anything, mock.Anything).
		Return(func(context.Context, activities.PurgeIdempotencyKeysInput) (activities.PurgeIdempotencyKeysResult, error) {
			t.Errorf("PurgeIdempotencyKeys ran %s", why)
			return activities.PurgeIdempotencyKeysResult{}, nil
		}).Maybe()
}

func TestPurgeSessionsWorkflowPassesRetention(t *testing.T) {
	for _, retention := range []time.Duration{0, 24 * time.Hour} {
		t.Run(retention.String(), func(t *testing.T) {
			env := newPurgeEnv(t)
			var a *activities.Activities
			env.OnActivity(a.PurgeSessions, mock.Anything, activities.PurgeSessionsInput{Retention: retention}).
				Return(activities.PurgeSessionsResult{Purged: 3, Cutoff: cutoff}, nil).Once()
			onKeyPurge(env)

			env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{Retention: retention})

			if !env.IsWorkflowCompleted() {
				t.Fatal("PurgeSessionsWorkflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("PurgeSessionsWorkflow() error = %v, want nil", err)
			}
			var got contract.PurgeSessionsWorkflowResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			want := contract.PurgeSessionsWorkflowResult{Purged: 3, Cutoff: cutoff, IdempotencyKeysPurged: 5, IdempotencyKeysCutoff: keyCutoff,
				LoginThrottlesPurged: 7, LoginThrottlesCutoff: throttleCutoff, SeenSignaturesPurged: 11, SeenSignaturesCutoff: sigCutoff}
			if got != want {
				t.Errorf("PurgeSessionsWorkflow() = %+v, want %+v", got, want)
			}
			env.AssertExpectations(t)
		})
	}
}

// A run begun before purge-seen-signatures replays without that step.
func TestPurgeSessionsWorkflowBeforeSeenSignatures(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	env.OnGetVersion(purgeSeenSignaturesVersion, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnActivity(a.PurgeSessions, mock.Anything, mock.Anything).
		Return(activities.PurgeSessionsResult{Purged: 3, Cutoff: cutoff}, nil).Once()
	env.OnActivity(a.PurgeIdempotencyKeys, mock.Anything, mock.Anything).
		Return(activities.PurgeIdempotencyKeysResult{Purged: 5, Cutoff: keyCutoff}, nil).Once()
	env.OnActivity(a.PurgeLoginThrottles, mock.Anything, mock.Anything).
		Return(activities.PurgeLoginThrottlesResult{Purged: 7, Cutoff: throttleCutoff}, nil).Once()
	env.OnActivity(a.PurgeSeenSignatures, mock.Anything, mock.Anything).
		Return(func(context.Context, activities.PurgeSeenSignaturesInput) (activities.PurgeSeenSignaturesResult, error) {
			t.Error("PurgeSeenSignatures ran in a run begun before purge-seen-signatures")
			return activities.PurgeSeenSignaturesResult{}, nil
		}).Maybe()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("PurgeSessionsWorkflow() error = %v", err)
	}
	var got contract.PurgeSessionsWorkflowResult
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.LoginThrottlesPurged != 7 || got.SeenSignaturesPurged != 0 || !got.SeenSignaturesCutoff.IsZero() {
		t.Errorf("PurgeSessionsWorkflow() = %+v, want login throttles purged and no seen signatures", got)
	}
	env.AssertExpectations(t)
}

func TestPurgeSessionsWorkflowRetriesFailures(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	in := activities.PurgeSessionsInput{}
	env.OnActivity(a.PurgeSessions, mock.Anything, in).
		Return(activities.PurgeSessionsResult{}, errors.New("purge sessions: database unavailable")).Twice()
	env.OnActivity(a.PurgeSessions, mock.Anything, in).
		Return(activities.PurgeSessionsResult{Purged: 1, Cutoff: cutoff}, nil).Once()
	onKeyPurge(env)

	env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want success on the third attempt", err)
	}
	var got contract.PurgeSessionsWorkflowResult
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got.Purged != 1 || got.IdempotencyKeysPurged != 5 {
		t.Errorf("PurgeSessionsWorkflow() = %+v, want 1 session and 5 keys purged", got)
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
	noKeyPurge(t, env, "after the session purge failed")
	start := env.Now()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{})

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
	noKeyPurge(t, env, "after the session purge failed")

	env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{Retention: -time.Hour})

	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.InvalidInputError {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want an %s application error", err, activities.InvalidInputError)
	}
	env.AssertExpectations(t)
}

// A key purge that keeps failing fails the run, like the session purge,
// before the next hourly run.
func TestPurgeSessionsWorkflowGivesUpOnKeys(t *testing.T) {
	env := newPurgeEnv(t)
	var a *activities.Activities
	env.OnActivity(a.PurgeSessions, mock.Anything, mock.Anything).
		Return(activities.PurgeSessionsResult{Purged: 1, Cutoff: cutoff}, nil).Once()
	attempts := 0
	env.OnActivity(a.PurgeIdempotencyKeys, mock.Anything, mock.Anything).
		Return(func(context.Context, activities.PurgeIdempotencyKeysInput) (activities.PurgeIdempotencyKeysResult, error) {
			attempts++
			return activities.PurgeIdempotencyKeysResult{}, errors.New("purge idempotency keys: database unavailable")
		})
	start := env.Now()

	env.ExecuteWorkflow(PurgeSessionsWorkflow, contract.PurgeSessionsWorkflowInput{})

	var actErr *temporal.ActivityError
	if err := env.GetWorkflowError(); !errors.As(err, &actErr) {
		t.Fatalf("PurgeSessionsWorkflow() error = %v, want the key purge's failure", err)
	}
	if elapsed := env.Now().Sub(start); elapsed > time.Hour {
		t.Errorf("PurgeSessionsWorkflow() gave up after %v, want before the next hourly run", elapsed)
	}
	if attempts != purgeSessionsMaxAttempts {
		t.Errorf("PurgeIdempotencyKeys attempts = %d, want %d", attempts, purgeSessionsMaxAttempts)
	}
	env.AssertExpectations(t)
}
