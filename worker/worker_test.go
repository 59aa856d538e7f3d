package worker

import (
	"slices"
	"testing"

	"github.com/billgate/billgate/activities"
)

// Start refuses before it dials anything, so a nil client is never used.
func TestStartRefusesQueuesWithNothingToRun(t *testing.T) {
	acts := &activities.Activities{}
	for _, tc := range []struct {
		queues []string
		want   string
	}{
		{[]string{"events"}, "worker: nothing runs on events yet"},
		{[]string{"payments", "nope"}, `worker: unknown queue "nope"`},
	} {
		g, err := Start(nil, tc.queues, acts, 0)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Start(%v): got %v, %v; want error %q", tc.queues, g, err, tc.want)
		}
	}
}

// Readiness waits for a poller on each served queue: never on one that
// nothing runs on, which no deployment gives a worker.
func TestServedTaskQueues(t *testing.T) {
	got := ServedTaskQueues()
	want := []string{TaskQueues["payments"], TaskQueues["subscriptions"]}
	if !slices.Equal(got, want) {
		t.Errorf("ServedTaskQueues() = %v, want %v", got, want)
	}
}
