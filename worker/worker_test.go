package worker

import (
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
