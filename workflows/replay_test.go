package workflows

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/internal/payloadcodec"
)

// TestReplayRecordedHistories replays every history in testdata, recorded
// from the embedded server (e2e TestRecordHistories). A change to a
// workflow that running executions could not replay fails here: version
// it with workflow.GetVersion, keep the histories as they are (they are
// the old code paths running workflows are on) and record the new path
// beside them (docs/versioning.md).
//
// The histories hold plain payloads, as those of workflows started before
// payloads were encrypted do; the replayer converts them through the
// payload codec, as every billgate worker does.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("replay")})
	if err != nil {
		t.Fatal(err)
	}
	dc := payloadcodec.DataConverter(payloadcodec.New(box))
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc, FailureConverter: payloadcodec.FailureConverter(dc)})
			if err != nil {
				t.Fatal(err)
			}
			Register(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
}

// TestHistoriesHoldNoSecrets reads every payload of the recorded
// histories, decoded: Temporal keeps them encrypted (payloadcodec), but
// whoever holds BILLGATE_MASTER_KEYS, or decodes through the codec
// endpoint, sees payment-method tokens, though never a password, a
// session, API key or signing key secret, or a webhook secret (issue 9,
// finding 3).
func TestHistoriesHoldNoSecrets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	payload := regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)
	secret := regexp.MustCompile(`(?i)password|bgs_|bgk_|whsec_|secret`)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		matches := payload.FindAllSubmatch(raw, -1)
		if len(matches) == 0 {
			t.Fatalf("%s: no payloads found", file)
		}
		for _, m := range matches {
			data, err := base64.StdEncoding.DecodeString(string(m[1]))
			if err != nil {
				t.Fatalf("%s: payload %.20s…: %v", file, m[1], err)
			}
			if found := secret.Find(data); found != nil {
				t.Errorf("%s: a payload holds %q: %.200s", file, found, data)
			}
		}
	}
}
