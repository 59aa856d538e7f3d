package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// benchShop is a tenant with a monthly price and a session for a business,
// which subscribes its customers.
type benchShop struct {
	env       *testenv.Env
	c         *http.Client
	auth      string
	price     string
	customers []string
}

func newBenchShop(b *testing.B, customers int) *benchShop {
	b.Helper()
	env := testenv.Start(b, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	s := &benchShop{env: env, c: benchHTTP(b)}
	s.auth = "Bearer " + s.mustPost(b, "/auth/session", `{"login":"shop","password":"`+goodPassword+`"}`, http.StatusOK)["token"].(string)
	product := s.mustPost(b, "/v1/products", `{"name":"Pro","prices":[{"amount":3000,"currency":"USD","type":"recurring","interval":"month"}]}`, http.StatusCreated)
	s.price = product["prices"].([]any)[0].(map[string]any)["id"].(string)
	s.addCustomers(b, customers)
	return s
}

func (s *benchShop) addCustomers(b *testing.B, n int) {
	b.Helper()
	for range n {
		login := "c" + uuid.NewString()[:12]
		s.customers = append(s.customers, s.mustPost(b, "/v1/clients", newAccount(login, ""), http.StatusCreated)["id"].(string))
	}
}

// post sends body and decodes the result; mustPost fails the benchmark at
// once, post (safe in RunParallel) reports the error.
func (s *benchShop) post(path, body string, want int) (map[string]any, error) {
	req, err := http.NewRequest(http.MethodPost, s.env.URL+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env struct {
		Result map[string]any `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != want {
		return nil, fmt.Errorf("POST %s = %d (%v), want %d", path, resp.StatusCode, err, want)
	}
	return env.Result, nil
}

func (s *benchShop) mustPost(b *testing.B, path, body string, want int) map[string]any {
	b.Helper()
	r, err := s.post(path, body, want)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// subscribe subscribes a customer with sandbox_ok through the API and waits
// until its first payment is paid: the subscription workflow's first child
// (the payment) has completed. It waits on Temporal's long poll of the
// history, as the raw baseline waits on its workflow's result, rather than
// polling the API.
func (s *benchShop) subscribe(b *testing.B, customer string) string {
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.price, customer)
	r, err := s.post("/v1/subscriptions", body, http.StatusCreated)
	if err != nil {
		b.Error(err)
		return ""
	}
	id := r["id"].(string)
	iter := s.env.Temporal.GetWorkflowHistory(context.Background(), contract.SubscriptionWorkflowID(uuid.MustParse(id)), "", true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			b.Error(err)
			return ""
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED {
			return id
		}
	}
	b.Errorf("subscription %s ended before its first payment", id)
	return ""
}

const benchQueue = "bench-raw"

func rawActivity(context.Context) error { return nil }

// rawWorkflow is the baseline: one activity, nothing else.
func rawWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	return workflow.ExecuteActivity(ctx, rawActivity).Get(ctx, nil)
}

// rawParent is the floor of any design with a child workflow per invoice:
// a parent that starts one raw child and waits for it.
func rawParent(ctx workflow.Context) error {
	return workflow.ExecuteChildWorkflow(ctx, rawWorkflow).Get(ctx, nil)
}

// executeParallel starts wf on the baseline's queue and awaits its result,
// from 16 goroutines a core.
func (s *benchShop) executeParallel(b *testing.B, wf any) {
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			run, err := s.env.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: benchQueue}, wf)
			if err == nil {
				err = run.Get(context.Background(), nil)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSubscriptions measures subscriptions on the embedded Temporal
// server, against a baseline on the same server in the same run:
//
//   - "raw-workflow": a one-activity workflow started and awaited through
//     the Temporal client (workflows/s);
//   - "floor-parent-child": a parent workflow that starts a raw child and
//     awaits it, the least any design with a child workflow per invoice
//     does before its first invoice is paid (vs-raw);
//   - "create-until-paid": POST /v1/subscriptions, then wait until its
//     first payment is paid (subscriptions/s, vs-raw with a target of
//     0.5, and vs-floor);
//   - "history": the events one renewal adds to a subscription's history
//     in real time (target ≤ 12), from the first payment's completion to
//     the next period's invoice started; and the same per period on a test
//     clock, which adds its own signals;
//   - "idle-memory": the worker's memory per cached idle subscription:
//     the heap released when the SDK's workflow cache is purged, divided
//     by the subscriptions it held.
func BenchmarkSubscriptions(b *testing.B) {
	s := newBenchShop(b, 0)
	w := sdkworker.New(s.env.Temporal, benchQueue, sdkworker.Options{})
	w.RegisterWorkflow(rawWorkflow)
	w.RegisterWorkflow(rawParent)
	w.RegisterActivity(rawActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)

	var baseline, floor float64
	b.Run("raw-workflow", func(b *testing.B) {
		s.executeParallel(b, rawWorkflow)
		baseline = benchNsPerOp(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workflows/s")
	})

	b.Run("floor-parent-child", func(b *testing.B) {
		s.executeParallel(b, rawParent)
		floor = benchNsPerOp(b)
		if baseline > 0 {
			b.ReportMetric(baseline/benchNsPerOp(b), "vs-raw")
		}
	})

	b.Run("create-until-paid", func(b *testing.B) {
		start := len(s.customers)
		s.addCustomers(b, b.N)
		var next atomic.Int64
		b.ResetTimer()
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.subscribe(b, s.customers[start+int(next.Add(1))-1])
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "subscriptions/s")
		if baseline > 0 {
			b.ReportMetric(baseline/benchNsPerOp(b), "vs-raw")
		}
		if floor > 0 {
			b.ReportMetric(floor/benchNsPerOp(b), "vs-floor")
		}
	})

	b.Run("history", func(b *testing.B) {
		for range b.N {
			s.addCustomers(b, 1)
			id := s.subscribe(b, s.customers[len(s.customers)-1])
			b.ReportMetric(float64(renewalEvents(b, s, id)), "events/renewal")
		}
		b.ReportMetric(s.clockEventsPerPeriod(b, 12), "events/period-on-test-clock")
	})

	b.Run("idle-memory", func(b *testing.B) {
		const idle = 200
		s.addCustomers(b, idle)
		for _, c := range s.customers[len(s.customers)-idle:] {
			s.subscribe(b, c)
		}
		for range b.N {
			held := heapInUse()
			sdkworker.PurgeStickyWorkflowCache()
			released := held - heapInUse()
			b.ReportMetric(float64(released)/idle, "bytes/idle-subscription")
		}
	})
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

func history(b *testing.B, env *testenv.Env, workflowID string) []*historypb.HistoryEvent {
	b.Helper()
	var events []*historypb.HistoryEvent
	iter := env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			b.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// renewalEvents counts what one renewal costs an active subscription's
// history: everything after its first payment completed, once the next
// period's invoice has started and the workflow has gone idle.
func renewalEvents(b *testing.B, s *benchShop, id string) int {
	b.Helper()
	workflowID := contract.SubscriptionWorkflowID(uuid.MustParse(id))
	for {
		events := history(b, s.env, workflowID)
		first, children := -1, 0
		for i, e := range events {
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
				if first < 0 {
					first = i
				}
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
				children++
			}
		}
		last := events[len(events)-1].GetEventType()
		if first >= 0 && children == 2 && last == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			return len(events) - first
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clockEventsPerPeriod subscribes a customer on a test clock, advances it
// periods months, and divides the history's growth by periods.
func (s *benchShop) clockEventsPerPeriod(b *testing.B, periods int) float64 {
	b.Helper()
	start := time.Date(2031, 1, 31, 9, 30, 0, 0, time.UTC)
	clock := s.mustPost(b, "/v1/test-clocks", fmt.Sprintf(`{"frozenTime":%q}`, start.Format(time.RFC3339)), http.StatusCreated)["id"].(string)
	s.addCustomers(b, 1)
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`,
		s.price, s.customers[len(s.customers)-1], clock)
	id := s.mustPost(b, "/v1/subscriptions", body, http.StatusCreated)["id"].(string)
	s.waitClockReady(b, clock)
	workflowID := contract.SubscriptionWorkflowID(uuid.MustParse(id))
	before := len(history(b, s.env, workflowID))
	s.mustPost(b, "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, start.AddDate(0, periods, 0).Add(time.Hour).Format(time.RFC3339)), http.StatusOK)
	s.waitClockReady(b, clock)
	return float64(len(history(b, s.env, workflowID))-before) / float64(periods)
}

func (s *benchShop) waitClockReady(b *testing.B, clock string) {
	b.Helper()
	for {
		req, _ := http.NewRequest(http.MethodGet, s.env.URL+"/v1/test-clocks/"+clock, nil)
		req.Header.Set("Authorization", s.auth)
		resp, err := s.c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var env struct {
			Result struct {
				Status string `json:"status"`
			} `json:"result"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&env)
		_ = resp.Body.Close()
		if env.Result.Status == "ready" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
