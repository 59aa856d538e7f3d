package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/workflows/contract"
)

// PurgeSessionsEvery is how often the session purge runs.
const PurgeSessionsEvery = time.Hour

// ReconcileEvery is how often the reconciliation runs.
const ReconcileEvery = 10 * time.Minute

// Schedules lists the Temporal Schedules billgate runs.
func Schedules() []client.ScheduleOptions {
	return []client.ScheduleOptions{{
		ID:      contract.ReconcileScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: ReconcileEvery}}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:        contract.ReconcileScheduleID,
			Workflow:  contract.ReconcileWorkflowType,
			Args:      []any{contract.ReconcileInput{}},
			TaskQueue: contract.SubscriptionsTaskQueue,
		},
		Note: "Created by billgate at start; see docs/gateways.md (Reconciliation).",
	}, {
		ID:      contract.PurgeSessionsScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: PurgeSessionsEvery}}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:        contract.PurgeSessionsScheduleID,
			Workflow:  contract.PurgeSessionsWorkflowType,
			Args:      []any{contract.PurgeSessionsWorkflowInput{}},
			TaskQueue: contract.SubscriptionsTaskQueue,
		},
		Note: "Created by billgate at start; see docs/operations.md (Housekeeping).",
	}}
}

// EnsureSchedules creates each of billgate's Schedules that does not exist
// yet. One that exists is left as it is, an operator's pause or edit
// included, so every replica may call this at start: the first creates,
// the others find it there.
func EnsureSchedules(ctx context.Context, c client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, opts := range Schedules() {
		_, err := c.ScheduleClient().Create(ctx, opts)
		if err != nil && !scheduleExists(err) {
			return fmt.Errorf("temporal: create schedule %s: %w", opts.ID, err)
		}
	}
	return nil
}

// scheduleExists tells whether Create failed because the schedule is
// already there. The SDK reports it as ErrScheduleAlreadyRunning; the
// service's AlreadyExists is accepted too, should a server or SDK version
// answer that way.
func scheduleExists(err error) bool {
	var exists *serviceerror.AlreadyExists
	return errors.Is(err, temporal.ErrScheduleAlreadyRunning) || errors.As(err, &exists)
}

// ownsSchedules tells whether a process serving these --queues ensures the
// Schedules at start: the workers of the queue their workflows run on do,
// so a process that could run them also makes sure they exist.
func ownsSchedules(queues []string) bool {
	return slices.Contains(queues, "subscriptions")
}
