package worker

import (
	"testing"

	"github.com/billgate/billgate/activities"
)

// Start refuses before it dials anything, so a nil client is never used.
func TestStartRefusesUnknownQueues(t *testing.T) {
	g, err := Start(nil, []string{"payments", "nope"}, &activities.Activities{}, 0)
	if want := `worker: unknown queue "nope"`; err == nil || err.Error() != want {
		t.Errorf("Start: got %v, %v; want error %q", g, err, want)
	}
}

// Every queue --queues names has work registered: a worker polling one
// with nothing to run would only look alive.
func TestEveryQueueHasWork(t *testing.T) {
	for name, queue := range TaskQueues {
		if registrations[queue] == nil {
			t.Errorf("queue %s (%s) has nothing registered", name, queue)
		}
	}
}
