package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/models"
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

// addCustomers adds n customers, 8 at a time, and returns them.
func (s *benchShop) addCustomers(b *testing.B, n int) []string {
	b.Helper()
	added := make([]string, n)
	err := inParallel(n, 8, func(i int) error {
		r, err := s.post("/v1/clients", newAccount("c"+uuid.NewString()[:12], ""), http.StatusCreated)
		if err == nil {
			added[i] = r["id"].(string)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s.customers = append(s.customers, added...)
	return added
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

// create subscribes customer with sandbox_ok through the API, on clock
// unless it is empty, and returns the subscription and the payment of its
// first invoice. The 201 names the invoice (latestInvoiceId): the workflow
// writes it, with its payment, before the API answers, and the invoice's
// row names the payment.
func (s *benchShop) create(customer, clock string) (sub, payment uuid.UUID, err error) {
	onClock := ""
	if clock != "" {
		onClock = fmt.Sprintf(`,"testClockId":%q`, clock)
	}
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q%s,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.price, customer, onClock)
	r, err := s.post("/v1/subscriptions", body, http.StatusCreated)
	if err != nil {
		return sub, payment, err
	}
	if sub, err = uuid.Parse(fmt.Sprint(r["id"])); err != nil {
		return sub, payment, err
	}
	invoice, err := uuid.Parse(fmt.Sprint(r["latestInvoiceId"]))
	if err != nil {
		return sub, payment, fmt.Errorf("subscription %s: latestInvoiceId: %w", sub, err)
	}
	inv, err := s.env.Store().InvoiceByID(context.Background(), invoice)
	if err != nil {
		return sub, payment, err
	}
	if inv.PaymentID == nil {
		return sub, payment, fmt.Errorf("invoice %s has no payment", invoice)
	}
	return sub, *inv.PaymentID, nil
}

// subscribed is a subscription subscribe created, with the client's times.
type subscribed struct {
	sub, payment           uuid.UUID
	posted, answered, paid time.Time // POST sent, 201 read, payment's result read
}

// subscribe creates a subscription and waits until its first payment is
// paid: it awaits the payment workflow's result, as the raw baseline
// awaits its workflow's (one long poll for the close event), and checks
// that it is paid.
func (s *benchShop) subscribe(customer, clock string) (subscribed, error) {
	var r subscribed
	var err error
	r.posted = time.Now()
	r.sub, r.payment, err = s.create(customer, clock)
	r.answered = time.Now()
	if err != nil {
		return r, err
	}
	var paid struct{ Status string }
	for {
		err = s.env.Temporal.GetWorkflow(context.Background(), contract.PaymentWorkflowID(r.payment), "").Get(context.Background(), &paid)
		var notYet *serviceerror.NotFound
		if !errors.As(err, &notYet) {
			break
		}
		// The API answers once the subscription has written the payment
		// and asked for it to start; Temporal starts it a moment later.
		time.Sleep(2 * time.Millisecond)
	}
	r.paid = time.Now()
	if err != nil {
		return r, fmt.Errorf("subscription %s: first payment: %w", r.sub, err)
	}
	if paid.Status != "paid" {
		return r, fmt.Errorf("subscription %s: first payment ended %s", r.sub, paid.Status)
	}
	return r, nil
}

// inParallel calls fn(0) … fn(n-1) from workers goroutines and returns the
// first error.
func inParallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
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

// rawAnsweredParent is rawParent answering an update in its first task, as
// a subscription answers the API's sync update once it has written itself:
// the floor of a design that answers its caller only once its parent runs.
func rawAnsweredParent(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, contract.SyncUpdate, func(workflow.Context) error { return nil }); err != nil {
		return err
	}
	return rawParent(ctx)
}

// sleepUntil sleeps on a timer until at, if it is to come.
func sleepUntil(ctx workflow.Context, at time.Time) error {
	if d := at.Sub(workflow.Now(ctx)); d > 0 {
		return workflow.Sleep(ctx, d)
	}
	return nil
}

// rawRenewal is the floor of a renewal: a parent whose timer fires at at,
// then starts one raw child and waits for it.
func rawRenewal(ctx workflow.Context, at time.Time) error {
	if err := sleepUntil(ctx, at); err != nil {
		return err
	}
	return rawParent(ctx)
}

// rawCycles is the floor of a billing cycle: a parent that sleeps for a
// period on a timer, starts one raw child and waits for it, and continues
// as new at the boundary, cycles times.
func rawCycles(ctx workflow.Context, period time.Duration, cycles int) error {
	if err := workflow.Sleep(ctx, period); err != nil {
		return err
	}
	if err := rawParent(ctx); err != nil {
		return err
	}
	if cycles > 1 {
		return workflow.NewContinueAsNewError(ctx, rawCycles, period, cycles-1)
	}
	return nil
}

// rawNoop does nothing: starting it measures how fast workflows start.
func rawNoop(workflow.Context) error { return nil }

// rawIdle is a workflow idle on a timer, the floor of an idle subscription.
func rawIdle(ctx workflow.Context) error {
	return workflow.Sleep(ctx, 365*24*time.Hour)
}

// executed is a workflow executeParallel ran, with the client's times.
type executed struct {
	workflowID      string
	started, result time.Time
}

// benchWorkflowParallelism is the goroutines per GOMAXPROCS that start
// workflows and await them: 8 on 2 cores, which keep the embedded server as
// busy as more do, while an operation waits less behind the others, so
// that a run of a few seconds is many rounds of operations, not one burst.
const benchWorkflowParallelism = 4

// executeParallel starts wf on the baseline's queue and awaits its result,
// from benchWorkflowParallelism goroutines a core.
// executeAnswered starts rawAnsweredParent with its update, as the API
// starts a subscription, then awaits its result, from
// benchWorkflowParallelism goroutines a core.
func (s *benchShop) executeAnswered(b *testing.B) {
	b.SetParallelism(benchWorkflowParallelism)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			start := s.env.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
				ID: uuid.NewString(), TaskQueue: benchQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			}, rawAnsweredParent)
			update, err := s.env.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
				StartWorkflowOperation: start,
				UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: contract.SyncUpdate, WaitForStage: client.WorkflowUpdateStageCompleted},
			})
			if err == nil {
				err = update.Get(ctx, nil)
			}
			if err == nil {
				err = s.env.Temporal.GetWorkflow(ctx, update.WorkflowID(), "").Get(ctx, nil)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
}

func (s *benchShop) executeParallel(b *testing.B, wf any) []executed {
	done := make([]executed, b.N)
	var next atomic.Int64
	b.SetParallelism(benchWorkflowParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := executed{started: time.Now()}
			run, err := s.env.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: benchQueue}, wf)
			if err == nil {
				err = run.Get(context.Background(), nil)
				r.workflowID, r.result = run.GetID(), time.Now()
			}
			if err != nil {
				b.Error(err)
				return
			}
			done[next.Add(1)-1] = r
		}
	})
	b.StopTimer()
	return done
}

// Sizes of the measurements that are not loops of b.N operations.
const (
	cyclesCounted = 3   // billing cycles whose history events are counted
	idleCount     = 200 // idle workflows whose memory is measured, of each kind
)

// BenchmarkSubscriptions measures subscriptions on the embedded Temporal
// server against floors of the same design measured on the same server in
// the same run (docs/benchmarks.md):
//
//   - "raw-workflow": the baseline, a one-activity workflow started and
//     awaited through the Temporal client (workflows/s);
//   - "floor-parent-child": a parent that starts a raw child and awaits
//     it, the least a design with a child workflow per invoice does before
//     its first invoice is paid (vs-raw);
//   - "create-until-paid": POST /v1/subscriptions, then await the first
//     payment's workflow as the floor awaits its parent (subscriptions/s,
//     vs-raw, and vs-floor with a target of 0.8);
//   - "floor-renewal-storm": stormSize raw parents whose timers fire at the
//     same moment, each starting a raw child and awaiting it (children/s);
//   - "renewal-storm": stormSize subscriptions on one test clock, advanced
//     one period, until every one has renewed (renewals/s, vs-floor);
//   - "events-per-cycle": the history events of a billing cycle, the
//     subscription's run and its payment workflow (on a test clock: a
//     month cannot pass in real time), beside the floor's (a parent on a
//     timer that starts a raw child and continues as new);
//   - "idle-memory": the worker's heap per cached idle subscription, beside
//     a raw workflow idle on a timer (vs-raw, with a target of 1.5).
func BenchmarkSubscriptions(b *testing.B) {
	s := newBenchShop(b, 0)
	w := sdkworker.New(s.env.Temporal, benchQueue, sdkworker.Options{})
	w.RegisterWorkflow(rawWorkflow)
	w.RegisterWorkflow(rawParent)
	w.RegisterWorkflow(rawAnsweredParent)
	w.RegisterWorkflow(rawRenewal)
	w.RegisterWorkflow(rawCycles)
	w.RegisterWorkflow(rawIdle)
	w.RegisterWorkflow(rawNoop)
	w.RegisterActivity(rawActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	s.warmUp(b)

	var baseline, floor, answeredFloor float64
	b.Run("raw-workflow", func(b *testing.B) {
		s.executeParallel(b, rawWorkflow)
		baseline = benchNsPerOp(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workflows/s")
	})

	b.Run("floor-parent-child", func(b *testing.B) {
		done := s.executeParallel(b, rawParent)
		floor = benchNsPerOp(b)
		b.Logf("where the floor's time goes, mean of %d: %s", b.N, s.floorPhases(b, done))
		if baseline > 0 {
			b.ReportMetric(baseline/benchNsPerOp(b), "vs-raw")
		}
	})

	b.Run("floor-answered-parent-child", func(b *testing.B) {
		s.executeAnswered(b)
		answeredFloor = benchNsPerOp(b)
		if floor > 0 {
			b.ReportMetric(floor/benchNsPerOp(b), "vs-floor")
		}
	})

	b.Run("create-until-paid", func(b *testing.B) {
		customers := s.addCustomers(b, b.N)
		done := make([]subscribed, b.N)
		var next atomic.Int64
		b.ResetTimer()
		b.SetParallelism(benchWorkflowParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1) - 1
				r, err := s.subscribe(customers[i], "")
				if err != nil {
					b.Error(err)
					return
				}
				done[i] = r
			}
		})
		b.StopTimer()
		b.Logf("where a create's time goes, mean of %d: %s", b.N, s.createPhases(b, done))
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "subscriptions/s")
		if baseline > 0 {
			b.ReportMetric(baseline/benchNsPerOp(b), "vs-raw")
		}
		if floor > 0 {
			b.ReportMetric(floor/benchNsPerOp(b), "vs-floor")
		}
		if answeredFloor > 0 {
			b.ReportMetric(answeredFloor/benchNsPerOp(b), "vs-answered-floor")
		}
	})

	// Each operation of the storms is a whole storm, timed from the moment
	// the renewals fall due; what sets it up is not timed.
	var floorStorm float64 // children per second
	b.Run("floor-renewal-storm", func(b *testing.B) {
		for range b.N {
			s.floorStorm(b, stormSize())
		}
		floorStorm = float64(stormSize()*b.N) / b.Elapsed().Seconds()
		b.ReportMetric(floorStorm, "children/s")
	})

	b.Run("renewal-storm", func(b *testing.B) {
		var ready time.Duration
		for range b.N {
			ready += s.renewalStorm(b, stormSize())
		}
		renewals := float64(stormSize()*b.N) / b.Elapsed().Seconds()
		b.ReportMetric(renewals, "renewals/s")
		if floorStorm > 0 {
			b.ReportMetric(renewals/floorStorm, "vs-floor")
		}
		b.ReportMetric(ready.Seconds()/float64(b.N), "s-to-ready")
	})

	b.Run("events-per-cycle", func(b *testing.B) {
		var billgate, raw cycleEvents
		for range b.N {
			raw = s.floorCycles(b, cyclesCounted)
			billgate = s.clockCycles(b, cyclesCounted)
		}
		b.ReportMetric(billgate.perCycle(), "events/cycle")
		b.ReportMetric(raw.perCycle(), "floor-events/cycle")
		b.Logf("billgate, per cycle: %s", billgate)
		b.Logf("floor, per cycle: %s", raw)
	})

	b.Run("idle-memory", func(b *testing.B) {
		var raw, sub idleMemory
		for range b.N {
			raw = s.idleMemory(b, idleCount, false, func(int) (string, error) {
				run, err := s.env.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: benchQueue}, rawIdle)
				if err != nil {
					return "", err
				}
				return run.GetID(), nil
			})
			customers := s.addCustomers(b, idleCount)
			sub = s.idleMemory(b, idleCount, true, func(i int) (string, error) {
				r, err := s.subscribe(customers[i], "")
				return contract.SubscriptionWorkflowID(r.sub), err
			})
		}
		b.ReportMetric(sub.heap, "bytes/idle-subscription")
		b.ReportMetric(raw.heap, "bytes/idle-raw")
		if raw.heap > 0 {
			b.ReportMetric(sub.heap/raw.heap, "vs-raw")
		}
		b.Logf("idle subscription: %s; idle raw workflow: %s", sub, raw)
	})
}

// warmUp runs a few of each kind of workflow before anything is measured:
// the first workflows on a fresh server and task queue can wait seconds.
func (s *benchShop) warmUp(b *testing.B) {
	b.Helper()
	customers := s.addCustomers(b, 8)
	err := inParallel(8, 8, func(i int) error {
		run, err := s.env.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{TaskQueue: benchQueue}, rawParent)
		if err == nil {
			err = run.Get(context.Background(), nil)
		}
		if err == nil {
			_, err = s.subscribe(customers[i], "")
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// floorStorm starts n rawRenewal parents whose timers fire at the same
// moment, and times them from that moment until every one has ended.
func (s *benchShop) floorStorm(b *testing.B, n int) {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	// Time enough to start them all before the timers fire: twice what
	// starting as many at the rate of a sample takes now (starts slow down
	// as the server fills).
	const sample = 64
	begun := time.Now()
	err := inParallel(sample, 32, func(int) error {
		_, err := s.env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: benchQueue}, rawNoop)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	perStart := time.Since(begun) / sample
	begun = time.Now()
	at := begun.Add(3*time.Second + 2*time.Duration(n)*perStart)
	runs := make([]client.WorkflowRun, n)
	err = inParallel(n, 32, func(i int) (err error) {
		runs[i], err = s.env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: benchQueue}, rawRenewal, at)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if time.Now().After(at) {
		b.Fatalf("starting %d parents took %v, past their timers: give them more time", n, time.Since(begun))
	}
	b.Logf("%d parents started in %v, their timers set %v after the first", n, time.Since(begun).Round(time.Millisecond), at.Sub(begun).Round(time.Millisecond))
	time.Sleep(time.Until(at))
	b.StartTimer()
	if err := inParallel(n, 64, func(i int) error { return runs[i].Get(ctx, nil) }); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}

// renewalStorm subscribes n customers on one test clock, then times the
// clock's advance by one period until every subscription has caught up
// with it: its renewal paid and its next period started. It returns the
// time from the advance until the clock says ready.
func (s *benchShop) renewalStorm(b *testing.B, n int) time.Duration {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	start := time.Date(2031, 1, 15, 9, 30, 0, 0, time.UTC)
	setup := time.Now()
	clock := s.newClock(b, start)
	customers := s.addCustomers(b, n)
	subs := make([]string, n)
	// As many at a time as create-until-paid: more only wait longer, and
	// past the API's 15 s an answer is a 503.
	err := inParallel(n, benchWorkflowParallelism*runtime.GOMAXPROCS(0), func(i int) error {
		r, err := s.subscribe(customers[i], clock.String())
		subs[i] = contract.SubscriptionWorkflowID(r.sub)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s.waitIdle(b, subs, true)
	s.waitClockReady(b, clock.String())
	b.Logf("%d subscriptions on a test clock created and idle in %v", n, time.Since(setup).Round(time.Millisecond))

	target := start.AddDate(0, 1, 0).Add(time.Hour)
	before := uuid.Must(uuid.NewV7()) // payments minted from now on sort after it
	b.StartTimer()
	advanced := time.Now()
	s.mustPost(b, "/v1/test-clocks/"+clock.String()+"/advance", fmt.Sprintf(`{"to":%q}`, target.Format(time.RFC3339)), http.StatusOK)
	for {
		// What the clock's workflow reads too: the subscriptions still
		// behind the target. A subscription reaches it once its renewal is
		// paid and its next run has started.
		behind, err := s.env.Store().ClockBound(ctx, clock, &target)
		if err != nil {
			b.Fatal(err)
		}
		if len(behind.Subscriptions) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()
	s.waitClockReady(b, clock.String())
	ready := time.Since(advanced)

	renewed, err := s.env.Store().Payments(ctx, models.PaymentFilter{
		Statuses: []string{"paid"}, After: before, Limit: n + 1,
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(renewed) != n {
		b.Fatalf("%d renewals paid, want %d", len(renewed), n)
	}
	return ready
}

func (s *benchShop) newClock(b *testing.B, at time.Time) uuid.UUID {
	b.Helper()
	r := s.mustPost(b, "/v1/test-clocks", fmt.Sprintf(`{"frozenTime":%q}`, at.Format(time.RFC3339)), http.StatusCreated)
	return uuid.MustParse(r["id"].(string))
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

// waitIdle waits until each workflow is idle: its latest run has no
// workflow task to do, and, if continued, is not its first run.
func (s *benchShop) waitIdle(b *testing.B, workflowIDs []string, continued bool) {
	b.Helper()
	err := inParallel(len(workflowIDs), 16, func(i int) error {
		for {
			d, err := s.env.Temporal.DescribeWorkflowExecution(context.Background(), workflowIDs[i], "")
			if err != nil {
				return err
			}
			info := d.GetWorkflowExecutionInfo()
			if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				return fmt.Errorf("%s is %s, not idle", workflowIDs[i], info.GetStatus())
			}
			if d.GetPendingWorkflowTask() == nil && info.GetHistoryLength() > 2 &&
				(!continued || info.GetExecution().GetRunId() != info.GetFirstRunId()) {
				return nil
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
}

// cycleEvents counts the history events of billing cycles.
type cycleEvents struct {
	cycles           int
	parent, children map[string]int // by event type
}

func (c cycleEvents) total() (parent, children int) {
	for _, n := range c.parent {
		parent += n
	}
	for _, n := range c.children {
		children += n
	}
	return parent, children
}

func (c cycleEvents) perCycle() float64 {
	parent, children := c.total()
	return float64(parent+children) / float64(c.cycles)
}

func (c cycleEvents) String() string {
	per := func(m map[string]int) string {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, fmt.Sprintf("%s %.4g", k, float64(m[k])/float64(c.cycles)))
		}
		return strings.Join(parts, ", ")
	}
	parent, children := c.total()
	return fmt.Sprintf("parent %.4g (%s); child %.4g (%s)",
		float64(parent)/float64(c.cycles), per(c.parent), float64(children)/float64(c.cycles), per(c.children))
}

// countCycles counts the events of cycles runs of workflowID, from runID
// on, each followed to the run it continued as, and of the child
// workflows each run started.
func (s *benchShop) countCycles(b *testing.B, workflowID, runID string, cycles int) cycleEvents {
	b.Helper()
	c := cycleEvents{cycles: cycles, parent: map[string]int{}, children: map[string]int{}}
	for range cycles {
		if runID == "" {
			b.Fatalf("%s ended before %d cycles", workflowID, cycles)
		}
		next := ""
		s.eachEvent(b, workflowID, runID, func(e eventType, attrs eventAttributes) {
			c.parent[e.short()]++
			switch {
			case attrs.child != nil:
				s.eachEvent(b, attrs.child.GetWorkflowId(), attrs.child.GetRunId(), func(e eventType, _ eventAttributes) {
					c.children[e.short()]++
				})
			case attrs.continuedAs != "":
				next = attrs.continuedAs
			}
		})
		runID = next
	}
	return c
}

type eventType enumspb.EventType

func (e eventType) short() string {
	return strings.TrimPrefix(enumspb.EventType(e).String(), "EVENT_TYPE_")
}

// eventAttributes are what countCycles follows: a child started, and the
// run a run continued as.
type eventAttributes struct {
	child interface {
		GetWorkflowId() string
		GetRunId() string
	}
	continuedAs string
}

func (s *benchShop) eachEvent(b *testing.B, workflowID, runID string, fn func(eventType, eventAttributes)) {
	b.Helper()
	iter := s.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			b.Fatal(err)
		}
		var attrs eventAttributes
		if started := e.GetChildWorkflowExecutionStartedEventAttributes(); started != nil {
			attrs.child = started.GetWorkflowExecution()
		}
		if can := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); can != nil {
			attrs.continuedAs = can.GetNewExecutionRunId()
		}
		fn(eventType(e.GetEventType()), attrs)
	}
}

// floorCycles runs rawCycles for cycles periods of a short timer and
// counts its events.
func (s *benchShop) floorCycles(b *testing.B, cycles int) cycleEvents {
	b.Helper()
	ctx := context.Background()
	run, err := s.env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: benchQueue}, rawCycles, 100*time.Millisecond, cycles)
	if err != nil {
		b.Fatal(err)
	}
	first := run.GetRunID() // Get follows the run to the last it continued as
	if err := run.Get(ctx, nil); err != nil {
		b.Fatal(err)
	}
	return s.countCycles(b, run.GetID(), first, cycles)
}

// clockCycles subscribes a customer on a test clock and advances the clock
// one period at a time, cycles times. A subscription's run lasts a
// period: it starts at a boundary, waits for the next period to fall due,
// starts its payment and continues as new once it is paid. The events of
// those runs and of their payments are counted.
//
// On a test clock the subscription's timer is the clock's: the advance
// comes as a signal, and each payment reports to its subscription when it
// has done what fell due; the breakdown shows those signals.
func (s *benchShop) clockCycles(b *testing.B, cycles int) cycleEvents {
	b.Helper()
	start := time.Date(2031, 1, 15, 9, 30, 0, 0, time.UTC)
	clock := s.newClock(b, start).String()
	customer := s.addCustomers(b, 1)[0]
	r, err := s.subscribe(customer, clock)
	if err != nil {
		b.Fatal(err)
	}
	workflowID := contract.SubscriptionWorkflowID(r.sub)
	s.waitIdle(b, []string{workflowID}, true)
	d, err := s.env.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		b.Fatal(err)
	}
	first := d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	for n := 1; n <= cycles; n++ {
		to := start.AddDate(0, n, 0).Add(time.Hour)
		s.mustPost(b, "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, to.Format(time.RFC3339)), http.StatusOK)
		s.waitClockReady(b, clock)
	}
	return s.countCycles(b, workflowID, first, cycles)
}

// idleMemory is what one idle workflow holds in the worker's cache.
type idleMemory struct {
	heap, stack, goroutines float64
}

func (m idleMemory) String() string {
	return fmt.Sprintf("heap %.0f B, stack %.0f B, %.2g goroutines", m.heap, m.stack, m.goroutines)
}

// idleMemory starts n workflows with start, waits until each is idle in
// the worker's cache (continued: in a continued run), and measures what
// purging the cache releases, per workflow. The cache is purged first, so
// that it holds these n alone.
func (s *benchShop) idleMemory(b *testing.B, n int, continued bool, start func(i int) (workflowID string, err error)) idleMemory {
	b.Helper()
	sdkworker.PurgeStickyWorkflowCache()
	ids := make([]string, n)
	err := inParallel(n, benchWorkflowParallelism*runtime.GOMAXPROCS(0), func(i int) (err error) {
		ids[i], err = start(i)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s.waitIdle(b, ids, continued)
	held := memoryInUse()
	sdkworker.PurgeStickyWorkflowCache()
	// The evicted workflows' goroutines end on their own.
	time.Sleep(200 * time.Millisecond)
	left := memoryInUse()
	return idleMemory{
		heap:       float64(held.heap-left.heap) / float64(n),
		stack:      float64(held.stack-left.stack) / float64(n),
		goroutines: float64(held.goroutines-left.goroutines) / float64(n),
	}
}

type memory struct{ heap, stack, goroutines int64 }

func memoryInUse() memory {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{heap: int64(m.HeapInuse), stack: int64(m.StackInuse), goroutines: int64(runtime.NumGoroutine())}
}

// stormSize is how many subscriptions renew at once, and how many floor
// parents: BILLGATE_BENCH_STORM, or issue 10's 1,000 (the whole benchmark
// then takes about 9 minutes on 2 cores).
func stormSize() int {
	if n, err := strconv.Atoi(os.Getenv("BILLGATE_BENCH_STORM")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// createPhases reads where the creates' time went, from the client's
// times and the events of the subscriptions' first runs and their
// payments, and describes the mean of each phase.
func (s *benchShop) createPhases(b *testing.B, done []subscribed) string {
	b.Helper()
	names := []string{
		"POST until the subscription starts",
		"until its first workflow task starts",
		"its first workflow task (projection, payment started, sync update)",
		"until the 201 is read",
		"until the payment starts",
		"until the payment's first workflow task completes",
		"until the charge starts (payments queue)",
		"the charge",
		"until the payment completes (projection)",
		"until the client reads its result",
	}
	runs := make([][]time.Time, len(done))
	for i, r := range done {
		var sub []time.Time
		s.eachTimedEvent(b, contract.SubscriptionWorkflowID(r.sub), func(e eventType, at time.Time) {
			switch enumspb.EventType(e) {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				if len(sub) < 3 {
					sub = append(sub, at)
				}
			}
		})
		pay := s.childMarks(b, contract.PaymentWorkflowID(r.payment))
		if len(sub) != 3 || len(pay) != 5 {
			b.Fatalf("subscription %s: unexpected histories (%d, %d marks)", r.sub, len(sub), len(pay))
		}
		runs[i] = []time.Time{r.posted, sub[0], sub[1], sub[2], r.answered, pay[0], pay[1], pay[2], pay[3], pay[4], r.paid}
	}
	return meanPhases(names, runs)
}

// floorPhases is createPhases for the floor's parents and children.
func (s *benchShop) floorPhases(b *testing.B, done []executed) string {
	b.Helper()
	names := []string{
		"start until the parent starts",
		"until its first workflow task starts",
		"its first workflow task (child started)",
		"until the child starts",
		"until the child's first workflow task completes",
		"until the activity starts",
		"the activity",
		"until the child completes",
		"until the parent completes",
		"until the client reads its result",
	}
	runs := make([][]time.Time, len(done))
	for i, r := range done {
		var parent []time.Time
		childID := ""
		s.eachTimedEvent(b, r.workflowID, func(e eventType, at time.Time) {
			switch enumspb.EventType(e) {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
				enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
				parent = append(parent, at)
			}
		})
		s.eachEvent(b, r.workflowID, "", func(_ eventType, attrs eventAttributes) {
			if attrs.child != nil {
				childID = attrs.child.GetWorkflowId()
			}
		})
		child := s.childMarks(b, childID)
		if len(parent) < 4 || len(child) != 5 {
			b.Fatalf("%s: unexpected histories (%d, %d marks)", r.workflowID, len(parent), len(child))
		}
		runs[i] = []time.Time{r.started, parent[0], parent[1], parent[2], child[0], child[1], child[2], child[3], child[4], parent[len(parent)-1], r.result}
	}
	return meanPhases(names, runs)
}

// childMarks are the times a one-activity child's phases turn at: its
// start, its activity scheduled, started and completed, and its end.
func (s *benchShop) childMarks(b *testing.B, workflowID string) []time.Time {
	var marks []time.Time
	s.eachTimedEvent(b, workflowID, func(e eventType, at time.Time) {
		switch enumspb.EventType(e) {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
			enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			marks = append(marks, at)
		}
	})
	return marks
}

// meanPhases describes the mean of each named phase over runs, each run
// the times its phases turn at (one more than the names). A phase counts
// from the latest mark before its end: the 201 may come after the payment
// started.
func meanPhases(names []string, runs [][]time.Time) string {
	sums := make([]time.Duration, len(names))
	for _, marks := range runs {
		for i := range names {
			from := marks[0]
			for _, m := range marks[:i+1] {
				if m.After(from) {
					from = m
				}
			}
			if d := marks[i+1].Sub(from); d > 0 {
				sums[i] += d
			}
		}
	}
	var parts []string
	for i, name := range names {
		parts = append(parts, fmt.Sprintf("%s %v", name, (sums[i]/time.Duration(len(runs))).Round(100*time.Microsecond)))
	}
	return strings.Join(parts, "; ")
}

// eachTimedEvent calls fn with each event of workflowID's first run.
func (s *benchShop) eachTimedEvent(b *testing.B, workflowID string, fn func(eventType, time.Time)) {
	b.Helper()
	d, err := s.env.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		b.Fatal(err)
	}
	iter := s.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, d.GetWorkflowExecutionInfo().GetFirstRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			b.Fatal(err)
		}
		fn(eventType(e.GetEventType()), e.GetEventTime().AsTime())
	}
}
