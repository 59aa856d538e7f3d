package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays histories recorded from the embedded
// server (e2e TestRecordHistories). A change to a workflow that running
// executions could not replay fails here: version it with
// workflow.GetVersion, then record the histories again.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(PaymentWorkflow)
			replayer.RegisterWorkflow(SubscriptionWorkflow)
			replayer.RegisterWorkflow(PurgeSessionsWorkflow)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}
