package e2e

import (
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows"
)

var updateHistories = flag.Bool("update-histories", false, "record workflow histories into workflows/testdata for the replay tests")

// TestRecordHistories records real histories from the embedded server,
// which workflows/replay_test.go replays on every run: a change that breaks
// determinism for running workflows then fails CI. Run it with
// -update-histories after a deliberate, versioned workflow change.
func TestRecordHistories(t *testing.T) {
	if !*updateHistories {
		t.Skip("records golden histories only with -update-histories")
	}
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	scenarios := []struct {
		file  string
		in    workflows.PaymentInput
		drive func(id string)
	}{
		{"payment_paid.json", paymentInput(t, env, sandbox.TokenOK, nil), nil},
		{"payment_declined_then_expired.json", paymentInput(t, env, sandbox.TokenDecline, billing.DunningSchedule{time.Second, 2 * time.Second}), nil},
		{"payment_async_approved.json", paymentInput(t, env, sandbox.TokenAsync, billing.DunningSchedule{}), func(id string) {
			var st workflows.PaymentState
			waitFor(t, "the approval URL", func() bool {
				v, err := env.Temporal.QueryWorkflow(ctx, id, "", workflows.PaymentStateQuery)
				return err == nil && v.Get(&st) == nil && st.ApprovalURL != ""
			})
			// The payer approves; the sandbox's webhook signals the payment,
			// which confirms the charge with the gateway.
			resp, err := env.HTTP.PostForm(st.ApprovalURL, url.Values{"decision": {"approve"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}},
	}
	for _, sc := range scenarios {
		id := workflows.PaymentWorkflowID(sc.in.PaymentID)
		run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.SubscriptionsTaskQueue}, workflows.PaymentWorkflow, sc.in)
		if err != nil {
			t.Fatal(err)
		}
		if sc.drive != nil {
			sc.drive(id)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
		saveHistory(ctx, t, env, id, run.GetRunID(), sc.file)
	}

	// A subscription's life over HTTP: created and paid, paused, resumed,
	// moved to another price, canceled.
	sh := newShop(t)
	sub := sh.subscribe(t, sh.monthly, sandbox.TokenOK).Result["id"].(string)
	path := "/v1/subscriptions/" + sub
	sh.waitStatus(t, path, "active")
	for _, step := range []struct{ path, body string }{
		{"/pause", ""}, {"/resume", ""}, {"/change-price", `{"priceId":"` + sh.yearly + `","proration":"always_invoice"}`}, {"/cancel", ""},
	} {
		if step.path == "/change-price" {
			// A price change waits until the resumed period's invoice is paid.
			waitFor(t, "the resumed period's invoice to be paid", func() bool {
				return len(callList(t, sh.env, "/v1/invoices?status=paid&subscriptionId="+sub, sh.owner...).results) == 2
			})
		}
		if r := call(t, sh.env, "POST", path+step.path, step.body, sh.owner...); r.Status != 200 {
			t.Fatalf("%s = %d %+v", step.path, r.Status, r.Errors)
		}
	}
	id := workflows.SubscriptionWorkflowID(uuid.MustParse(sub))
	if err := sh.env.Temporal.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	saveHistory(ctx, t, sh.env, id, "", "subscription_lifecycle.json")

	// A subscription on a test clock, advanced over a declined renewal and
	// its retries.
	clock := sh.newClock(t)
	path = sh.subscribeOnClock(t, clock, sh.monthly, sandbox.TokenDeclineAfter(1))
	sh.advance(t, clock, clockStart.AddDate(0, 2, 0))
	id = workflows.SubscriptionWorkflowID(uuid.MustParse(strings.TrimPrefix(path, "/v1/subscriptions/")))
	if err := sh.env.Temporal.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	saveHistory(ctx, t, sh.env, id, "", "subscription_test_clock.json")
}

// saveHistory writes a closed workflow's history into workflows/testdata,
// its payloads decoded: readable, checked for secrets by
// TestHistoriesHoldNoSecrets, and replayed as plain payloads recorded
// before encryption would be.
func saveHistory(ctx context.Context, t *testing.T, env *testenv.Env, workflowID, runID, file string) {
	t.Helper()
	history := &historypb.History{}
	iter := env.Temporal.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, event)
	}
	err := proxy.VisitPayloads(ctx, history, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return env.Codec().Decode(p)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(history)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "workflows", "testdata", file), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
