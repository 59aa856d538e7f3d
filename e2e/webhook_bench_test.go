package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/billgate/billgate/internal/testenv"
)

// benchEndpoints is how many endpoints the deliveries benchmark sends to:
// as many as the goroutines that run the raw baseline (4 a core on 2
// cores), since each endpoint's workflow sends one delivery at a time.
const benchEndpoints = 8

// BenchmarkWebhookDeliveries measures webhook deliveries against a
// baseline measured on the same server in the same run
// (docs/benchmarks.md):
//
//   - "raw-workflow": the baseline, a one-activity workflow started and
//     awaited through the Temporal client, benchWorkflowParallelism a core
//     (workflows/s);
//   - "deliveries": customers created, each a customer.created event that
//     the relay fans out to benchEndpoints endpoints, each endpoint's
//     workflow sending its deliveries, signed, to a local receiver that
//     answers 204 at once; timed from the first event until the receiver
//     has them all (deliveries/s, vs-raw).
func BenchmarkWebhookDeliveries(b *testing.B) {
	env := testenv.Start(b, testenv.Options{WebhookAllow: testenv.Loopback})
	w := sdkworker.New(env.Temporal, benchQueue, sdkworker.Options{})
	w.RegisterWorkflow(rawWorkflow)
	w.RegisterActivity(rawActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	var received atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(receiver.Close)
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	s := &benchShop{env: env, c: benchHTTP(b)}
	s.auth = "Bearer " + s.mustPost(b, "/auth/session", `{"login":"shop","password":"`+goodPassword+`"}`, http.StatusOK)["token"].(string)
	for range benchEndpoints {
		s.mustPost(b, "/v1/webhook-endpoints", fmt.Sprintf(`{"url":%q,"eventTypes":["customer.created"]}`, receiver.URL), http.StatusCreated)
	}
	deliver := func(b *testing.B, events int) {
		want := received.Load() + int64(events*benchEndpoints)
		for range events {
			env.CreateClient(&shop.ID, "c"+uuid.NewString()[:12], goodPassword, "customer")
		}
		for deadline := time.Now().Add(5 * time.Minute); received.Load() < want; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d deliveries within 5 minutes", received.Load(), want)
			}
		}
	}
	deliver(b, 2) // starts every endpoint's workflow
	for range 8 {
		run, err := env.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: benchQueue}, rawWorkflow)
		if err == nil {
			err = run.Get(context.Background(), nil)
		}
		if err != nil {
			b.Fatal(err)
		}
	}

	var baseline float64
	b.Run("raw-workflow", func(b *testing.B) {
		s.executeParallel(b, rawWorkflow)
		baseline = benchNsPerOp(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workflows/s")
	})
	b.Run("deliveries", func(b *testing.B) {
		events := (b.N + benchEndpoints - 1) / benchEndpoints
		b.ResetTimer()
		deliver(b, events)
		b.StopTimer()
		perDelivery := float64(b.Elapsed().Nanoseconds()) / float64(events*benchEndpoints)
		b.ReportMetric(1e9/perDelivery, "deliveries/s")
		if baseline > 0 {
			b.ReportMetric(baseline/perDelivery, "vs-raw")
		}
	})
}
