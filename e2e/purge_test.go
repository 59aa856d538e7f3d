package e2e

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/internal/app"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// billgate creates the session purge schedule at start; a triggered run
// deletes the sessions that died more than the retention ago, and only
// those.
func TestPurgeSessionsSchedule(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	handle := env.Temporal.ScheduleClient().GetHandle(ctx, contract.PurgeSessionsScheduleID)
	desc, err := handle.Describe(ctx)
	if err != nil {
		t.Fatalf("describe schedule %s after start: %v", contract.PurgeSessionsScheduleID, err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != time.Hour {
		t.Errorf("schedule intervals = %+v, want every hour", iv)
	}
	if got := desc.Schedule.Policy.Overlap; got != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
		t.Errorf("schedule overlap = %v, want SKIP", got)
	}
	action, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || action.Workflow != "PurgeSessionsWorkflow" || action.TaskQueue != contract.SubscriptionsTaskQueue {
		t.Errorf("schedule action = %+v, want PurgeSessionsWorkflow on %s", desc.Schedule.Action, contract.SubscriptionsTaskQueue)
	}
	if desc.Info.NumActions != 0 {
		t.Errorf("schedule actions taken at start = %d, want 0 (no immediate trigger)", desc.Info.NumActions)
	}

	// Replicas starting together all ensure the schedule; none fails.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := app.EnsureSchedules(ctx, env.Temporal); err != nil {
				t.Errorf("EnsureSchedules() on an existing schedule = %v, want nil", err)
			}
		})
	}
	wg.Wait()

	store := env.Store()
	owner := &models.Client{Login: "purge-owner", PasswordHash: "x"}
	if err := store.CreateClient(ctx, owner); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	newSession := func(expires time.Time) uuid.UUID {
		t.Helper()
		s := &models.Session{ClientID: owner.ID, SecretHash: uuid.NewString(),
			CreatedAt: expires.Add(-24 * time.Hour), LastSeenAt: expires.Add(-time.Hour),
			ExpiresAt: expires, AbsoluteExpiresAt: expires}
		if err := store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	expired := newSession(now.Add(-30 * 24 * time.Hour))
	recent := newSession(now.Add(-24 * time.Hour)) // within the 7-day retention
	live := newSession(now.Add(time.Hour))

	if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("trigger schedule: %v", err)
	}
	var started *client.ScheduleWorkflowExecution
	waitFor(t, "the triggered purge to start", func() bool {
		desc, err := handle.Describe(ctx)
		if err != nil || len(desc.Info.RecentActions) == 0 {
			return false
		}
		started = desc.Info.RecentActions[0].StartWorkflowResult
		return started != nil
	})
	var res contract.PurgeSessionsWorkflowResult
	if err := env.Temporal.GetWorkflow(ctx, started.WorkflowID, started.FirstExecutionRunID).Get(ctx, &res); err != nil {
		t.Fatalf("purge workflow %s: %v", started.WorkflowID, err)
	}
	if res.Purged != 1 {
		t.Errorf("purge workflow result = %+v, want 1 purged", res)
	}

	// Every unrevoked session the owner has left, dead or alive.
	left, err := store.ClientSessions(ctx, owner.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, s := range left {
		ids = append(ids, s.ID)
	}
	if slices.Contains(ids, expired) || !slices.Contains(ids, recent) || !slices.Contains(ids, live) || len(ids) != 2 {
		t.Errorf("sessions left = %v, want the recent %v and the live %v, not the expired %v", ids, recent, live, expired)
	}
}
