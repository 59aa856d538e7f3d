package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/stripe"
	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	updateHistories = flag.String("update-histories", "",
		"record again the named histories of workflows/testdata (comma-separated file names without .json), overwriting them")
	recordNewHistories = flag.Bool("record-new-histories", false,
		"record the histories workflows/testdata does not hold yet; existing files are kept as they are")
)

// historiesDir is workflows/testdata, seen from this package.
var historiesDir = filepath.Join("..", "workflows", "testdata")

// TestRecordHistories records real histories from the embedded server,
// which workflows/replay_test.go replays on every run: a change that breaks
// determinism for running workflows then fails CI (docs/versioning.md).
//
// A recorded history is the proof that the workflow code it was recorded
// from still replays, so it is never overwritten unless named:
// -record-new-histories writes only the files that are missing, and
// -update-histories=name,… rewrites the files named. Histories that no
// recording below makes any more (they were recorded from older workflow
// code) stay in testdata for good.
func TestRecordHistories(t *testing.T) {
	t.Parallel()
	if *updateHistories == "" && !*recordNewHistories {
		t.Skip("records histories only with -record-new-histories or -update-histories=name,…")
	}
	all := recordings()
	wanted := historiesToRecord(t, all)
	var due []recording
	for _, rec := range all {
		if slices.ContainsFunc(rec.files(), wanted) {
			due = append(due, rec)
		}
	}
	if len(due) == 0 {
		t.Log("nothing to record: workflows/testdata holds every history")
		return
	}
	srv := stripetest.Start(t, stripetest.Options{})
	pp := paypaltest.New(paypaltest.Options{})
	t.Cleanup(pp.Close)
	sh := newShopWith(t, testenv.Options{WebhookAllow: testenv.Loopback, Connectors: connected.Connectors{
		stripe.Kind: stripe.Connector{BaseURL: srv.URL()},
		paypal.Kind: paypal.Connector{BaseURL: pp.URL(), HTTPClient: pp.Client(), CertHosts: []string{pp.CertHost()}, CertRoots: pp.CertPool()},
	}})
	for _, rec := range due {
		t.Run(rec.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			r := &recorder{t: t, ctx: ctx, shop: sh, stripe: srv, paypal: pp}
			id := rec.drive(r)
			if err := sh.env.Temporal.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
				t.Fatal(err)
			}
			r.save(id, rec.files(), wanted)
		})
	}
}

// A recording drives a workflow down one path, which takes it through
// runs runs, and keeps the history of each as workflows/testdata/<file>.json.
type recording struct {
	name  string
	runs  int
	drive func(r *recorder) (workflowID string)
}

// files names the histories of the recording's runs, oldest first: its
// name alone for one run, else name_run1 … name_runN.
func (rec recording) files() []string {
	if rec.runs == 1 {
		return []string{rec.name}
	}
	names := make([]string, rec.runs)
	for i := range names {
		names[i] = fmt.Sprintf("%s_run%d", rec.name, i+1)
	}
	return names
}

// recordings are the paths the replay tests cover. Each subscription
// continues as new at every period boundary, so its recording is a chain
// of runs. Files in workflows/testdata that none of them names were
// recorded from older workflow code: subscription_lifecycle.json and
// subscription_test_clock.json (runs begun before payments-start-when-due),
// every other subscription_* file whose name lacks _record_state (runs
// begun before record-subscription-state),
// payment_async_approved_unconfirmed.json (before confirm-gateway-events),
// payment_async_approved_record_state.json (before poll-pending-charges),
// and every other payment_* file whose name lacks _record_state (runs begun
// before record-payment-state).
func recordings() []recording {
	return []recording{
		{"payment_paid_record_state", 1, func(r *recorder) string { return r.pay(sandbox.TokenOK, nil, nil) }},
		{"payment_declined_then_expired_record_state", 1, func(r *recorder) string {
			return r.pay(sandbox.TokenDecline, billing.DunningSchedule{time.Second, 2 * time.Second}, nil)
		}},
		{"payment_async_approved_polls", 1, func(r *recorder) string {
			return r.pay(sandbox.TokenAsync, billing.DunningSchedule{}, func(id string) {
				// The payer approves; the sandbox's webhook signals the
				// payment, which confirms the charge with the gateway.
				st := r.awaitPayment(id, func(st contract.PaymentState) bool { return st.ApprovalURL != "" })
				resp, err := r.shop.env.HTTP.PostForm(st.ApprovalURL, url.Values{"decision": {"approve"}})
				if err != nil {
					r.t.Fatal(err)
				}
				resp.Body.Close()
			})
		}},
		{"payment_declined_then_paid_record_state", 1, func(r *recorder) string {
			return r.pay(sandbox.TokenDecline, billing.DunningSchedule{time.Hour}, func(id string) {
				// Declined, it waits an hour to retry; a new payment method
				// retries at once, and is charged.
				r.awaitPayment(id, func(st contract.PaymentState) bool { return st.Status == contract.PaymentRetrying })
				method := contract.PaymentMethod{Gateway: sandbox.Name, Token: sandbox.TokenOK}
				if err := r.shop.env.Temporal.SignalWorkflow(r.ctx, id, "", contract.PaymentMethodSignal, method); err != nil {
					r.t.Fatal(err)
				}
			})
		}},

		// Created and paid, paused and resumed, moved to a yearly price
		// (the cycle restarts), canceled; in real time.
		{"subscription_lifecycle_record_state", 4, func(r *recorder) string {
			sh := r.shop
			id, path := r.subscribe(sh.monthly, sandbox.TokenOK)
			r.awaitRuns(id, 2) // the first payment paid
			r.post(sh.owner, path+"/pause", "")
			r.post(sh.owner, path+"/resume", "")
			r.awaitRuns(id, 3) // the resumed period paid
			r.post(sh.owner, path+"/change-price", `{"priceId":"`+sh.yearly+`","proration":"always_invoice"}`)
			r.awaitRuns(id, 4) // the yearly period paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// A test clock advanced over a declined renewal and all its
		// retries: past_due, then expired. (TokenDeclineAfter counts
		// charges per customer: bob pays with it nowhere else.)
		{"subscription_test_clock_record_state", 2, func(r *recorder) string {
			clock, id, _ := r.subscribeOnClock(r.shop.monthly, sandbox.TokenDeclineAfter(1))
			r.shop.advance(r.t, clock, clockStart.AddDate(0, 2, 0))
			return id
		}},
		// One clock advance over two renewals: each paid period ends its
		// run, and the clock's advance goes on in the next.
		{"subscription_continued_as_new_record_state", 4, func(r *recorder) string {
			sh := r.shop
			clock, id, path := r.subscribeOnClock(sh.monthly, sandbox.TokenOK)
			sh.advance(r.t, clock, clockStart.AddDate(0, 2, 0).Add(time.Hour))
			r.awaitRuns(id, 4)
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// On a clock, 3000 → 6000 per 30 days ten days in, prorated on the
		// renewal's invoice; then to a yearly price, which restarts the
		// cycle with an invoice due at once.
		{"subscription_price_change_record_state", 4, func(r *recorder) string {
			sh := r.shop
			small := sh.price(r.t, `{"amount":3000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
			large := sh.price(r.t, `{"amount":6000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
			clock, id, path := r.subscribeOnClock(small, sandbox.TokenOK)
			r.awaitRuns(id, 2)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 10))
			r.post(sh.owner, path+"/change-price", `{"priceId":"`+large+`"}`)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 31))
			r.awaitRuns(id, 3) // the renewal with its prorations paid
			r.post(sh.owner, path+"/change-price", `{"priceId":"`+sh.yearly+`"}`)
			r.awaitRuns(id, 4) // the yearly period paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// On a clock, paused ten days in and resumed a week later: the new
		// period's invoice, due at once, credits the unused time.
		{"subscription_pause_resume_record_state", 3, func(r *recorder) string {
			sh := r.shop
			clock, id, path := r.subscribeOnClock(sh.monthly, sandbox.TokenOK)
			r.awaitRuns(id, 2)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 10))
			r.post(sh.owner, path+"/pause", "")
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 17))
			r.post(sh.owner, path+"/resume", "")
			r.awaitRuns(id, 3) // the resumed period paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// On a clock, the renewal is declined on a card that declines
		// (past_due); a working card retries it at once and the
		// subscription is active again.
		{"subscription_past_due_recovered_record_state", 3, func(r *recorder) string {
			sh := r.shop
			clock, id, path := r.subscribeOnClock(sh.monthly, sandbox.TokenOK)
			r.awaitRuns(id, 2)
			r.post(sh.bob, path+"/payment-method", `{"paymentMethod":{"gateway":"sandbox","token":"`+sandbox.TokenDecline+`"}}`)
			sh.advance(r.t, clock, time.Date(2031, 2, 28, 10, 30, 0, 0, time.UTC)) // before the first retry
			sh.waitStatus(r.t, path, "past_due")
			r.post(sh.bob, path+"/payment-method", `{"paymentMethod":{"gateway":"sandbox","token":"`+sandbox.TokenOK+`"}}`)
			r.awaitRuns(id, 3) // the renewal paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// On a clock, set to cancel at period end ten days in and
		// reactivated the next day: the period's end renews it.
		{"subscription_reactivated_record_state", 3, func(r *recorder) string {
			sh := r.shop
			clock, id, path := r.subscribeOnClock(sh.monthly, sandbox.TokenOK)
			r.awaitRuns(id, 2)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 10))
			r.post(sh.bob, path+"/cancel", `{"atPeriodEnd":true}`)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 11))
			r.post(sh.bob, path+"/reactivate", "")
			sh.advance(r.t, clock, clockStart.AddDate(0, 1, 1))
			r.awaitRuns(id, 3) // the renewal paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},
		// On a clock, a week's trial ends and the first payment is taken.
		{"subscription_trial_record_state", 2, func(r *recorder) string {
			sh := r.shop
			trial := sh.price(r.t, `{"amount":1000,"currency":"USD","type":"recurring","interval":"month","trialDays":7}`)
			clock, id, path := r.subscribeOnClock(trial, sandbox.TokenOK)
			sh.advance(r.t, clock, clockStart.AddDate(0, 0, 8))
			r.awaitRuns(id, 2) // the first period paid
			r.post(sh.owner, path+"/cancel", "")
			return id
		}},

		// A paid purchase refunded whole, and a refund the gateway refuses
		// (the sandbox refunds no part of a charge).
		{"refund_succeeded", 1, func(r *recorder) string { return r.refund(0) }},
		{"refund_refused", 1, func(r *recorder) string { return r.refund(100) }},
		// A purchase approved at PayPal, whose wallet the payer saved with
		// it: the payment keeps it as bob's payment method.
		{"payment_keeps_payers_method", 1, func(r *recorder) string {
			creds := r.paypal.Credentials("WH0RECORDED")
			cs := connectAccount(r.t, r.shop, "paypal", fmt.Sprintf(`{"clientId":%q,"clientSecret":%q,"webhookId":%q}`, creds["clientId"], creds["clientSecret"], creds["webhookId"]))
			buy := call(r.t, cs.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"paypal","token":"approval"}}`, cs.pdf), cs.bob...)
			if buy.Status != 201 {
				r.t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
			}
			payment := uuid.MustParse(buy.Result["id"].(string))
			back, err := r.paypal.Approve(cs.pendingReference(r.t, "/v1/payments/"+payment.String()), paypaltest.BuyerPays)
			if err != nil {
				r.t.Fatal(err)
			}
			resp, err := http.Get(back)
			if err != nil {
				r.t.Fatal(err)
			}
			resp.Body.Close()
			st := r.awaitPayment(contract.PaymentWorkflowID(payment), func(st contract.PaymentState) bool { return st.Status == contract.PaymentPaid })
			if st.SavedMethod == nil {
				r.t.Fatalf("the approved purchase kept no method: %+v", st)
			}
			return contract.PaymentWorkflowID(payment)
		}},
		// A reconciliation run that expires a purchase whose workflow an
		// operator ended while its charge awaited the payer.
		{"reconcile_orphaned_payment", 1, func(r *recorder) string {
			sh := r.shop
			buy := call(r.t, sh.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, sh.pdf, sandbox.TokenAsync), sh.bob...)
			if buy.Status != 201 {
				r.t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
			}
			id := contract.PaymentWorkflowID(uuid.MustParse(buy.Result["id"].(string)))
			r.awaitPayment(id, func(st contract.PaymentState) bool { return st.ApprovalURL != "" })
			if err := sh.env.Temporal.TerminateWorkflow(r.ctx, id, "", "ended by an operator"); err != nil {
				r.t.Fatal(err)
			}
			return startReconcile(r.t, sh, contract.ReconcileInput{PendingAge: time.Nanosecond})
		}},
		// A reconciliation run that records a refund made in Stripe's
		// Dashboard, beside one of billgate's.
		{"reconcile_gateway_refund", 1, func(r *recorder) string {
			cs := connectAccount(r.t, r.shop, "stripe", stripeCredentials)
			_, card, err := r.stripe.SaveMethod(stripetest.MethodVisa)
			if err != nil {
				r.t.Fatal(err)
			}
			payment := cs.buy(r.t, cs.saveToken(r.t, "stripe", card).Result["id"].(string))
			cs.waitStatus(r.t, payment, "paid")
			cs.refundHereAndAtGateway(r.t, payment, cs.refundInStripeDashboard(r.t, r.stripe))
			return startReconcile(r.t, r.shop, contract.ReconcileInput{EventAge: time.Nanosecond})
		}},
		// An endpoint's deliveries: the first retried after the
		// receiver's Retry-After and delivered; the workflow waits for a
		// wake; the second answered 410, which disables the endpoint and
		// ends the workflow.
		{"webhook_endpoint_retry_wake_gone", 1, func(r *recorder) string {
			sh := r.shop
			rcv := newReceiver(r.t, answer(503, "Retry-After", "1"), answer(http.StatusNoContent), answer(http.StatusGone))
			endpoint, _ := sh.endpoint(r.t, rcv.url(), `["customer.*"]`, `{"scheme":"none"}`)
			sh.newCustomer(r.t, "recorded-"+uuid.NewString()[:8])
			rcv.wait(2)
			sh.newCustomer(r.t, "recorded-"+uuid.NewString()[:8])
			rcv.wait(3)
			return contract.WebhookEndpointWorkflowID(uuid.MustParse(strings.TrimPrefix(endpoint, "/v1/webhook-endpoints/")))
		}},
		// A reconciliation run, over whatever the shop left behind.
		{"reconcile_run", 1, func(r *recorder) string {
			id := contract.ReconcileScheduleID + "-recorded-" + uuid.NewString()
			opts := client.StartWorkflowOptions{ID: id, TaskQueue: contract.SubscriptionsTaskQueue}
			if _, err := r.shop.env.Temporal.ExecuteWorkflow(r.ctx, opts, contract.ReconcileWorkflowType, contract.ReconcileInput{}); err != nil {
				r.t.Fatal(err)
			}
			return id
		}},
	}
}

// refund buys the guide with the sandbox and refunds amount of it (all
// when 0) through the API; it returns the refund's workflow ID.
func (r *recorder) refund(amount int) string {
	sh := r.shop
	buy := call(r.t, sh.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, sh.pdf, sandbox.TokenOK), sh.bob...)
	if buy.Status != 201 {
		r.t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
	}
	sh.waitStatus(r.t, "/v1/payments/"+buy.Result["id"].(string), "paid")
	body := fmt.Sprintf(`{"paymentId":%q}`, buy.Result["id"])
	if amount > 0 {
		body = fmt.Sprintf(`{"paymentId":%q,"amount":%d}`, buy.Result["id"], amount)
	}
	refund := call(r.t, sh.env, "POST", "/v1/refunds", body, sh.owner...)
	if refund.Status != 201 {
		r.t.Fatalf("refund = %d %+v", refund.Status, refund.Errors)
	}
	return contract.RefundWorkflowID(uuid.MustParse(refund.Result["id"].(string)))
}

// historiesToRecord checks the flags against the recordings and says
// which histories to write.
func historiesToRecord(t *testing.T, all []recording) func(name string) bool {
	t.Helper()
	var known []string
	for _, rec := range all {
		known = append(known, rec.files()...)
	}
	named := map[string]bool{}
	for name := range strings.SplitSeq(*updateHistories, ",") {
		if name = strings.TrimSuffix(strings.TrimSpace(name), ".json"); name == "" {
			continue
		}
		if !slices.Contains(known, name) {
			t.Fatalf("-update-histories: no recording makes %q (a history recorded from older workflow code is never rewritten); they are %s",
				name, strings.Join(known, ", "))
		}
		named[name] = true
	}
	return func(name string) bool {
		if named[name] {
			return true
		}
		_, err := os.Stat(historyFile(name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return *recordNewHistories && err != nil
	}
}

func historyFile(name string) string { return filepath.Join(historiesDir, name+".json") }

// recorder drives the recordings over one shop.
type recorder struct {
	t    *testing.T
	ctx  context.Context
	shop *shop
	// The shop may connect accounts at these gateways.
	stripe *stripetest.Server
	paypal *paypaltest.Server
}

// pay runs a PaymentWorkflow for a purchase paid with token; drive, if
// set, acts on it while it runs. It returns the workflow's ID.
func (r *recorder) pay(token string, dunning billing.DunningSchedule, drive func(workflowID string)) string {
	in := paymentInput(r.t, r.shop.env, token, dunning)
	id := contract.PaymentWorkflowID(in.PaymentID)
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: contract.SubscriptionsTaskQueue}
	if _, err := r.shop.env.Temporal.ExecuteWorkflow(r.ctx, opts, contract.PaymentWorkflowType, in); err != nil {
		r.t.Fatal(err)
	}
	if drive != nil {
		drive(id)
	}
	return id
}

// awaitPayment waits until the payment's state satisfies cond.
func (r *recorder) awaitPayment(workflowID string, cond func(contract.PaymentState) bool) contract.PaymentState {
	var st contract.PaymentState
	waitFor(r.t, workflowID+" to reach its next state", func() bool {
		v, err := r.shop.env.Temporal.QueryWorkflow(r.ctx, workflowID, "", contract.PaymentStateQuery)
		return err == nil && v.Get(&st) == nil && cond(st)
	})
	return st
}

// subscribe subscribes bob in real time and waits until it is active.
func (r *recorder) subscribe(price, token string) (workflowID, path string) {
	created := r.shop.subscribe(r.t, price, token)
	if created.Status != 201 {
		r.t.Fatalf("subscribe = %d %+v", created.Status, created.Errors)
	}
	path = "/v1/subscriptions/" + created.Result["id"].(string)
	r.shop.waitStatus(r.t, path, "active")
	return subscriptionWorkflowID(path), path
}

// subscribeOnClock subscribes bob on a new test clock.
func (r *recorder) subscribeOnClock(price, token string) (clock, workflowID, path string) {
	clock = r.shop.newClock(r.t)
	path = r.shop.subscribeOnClock(r.t, clock, price, token)
	return clock, subscriptionWorkflowID(path), path
}

func subscriptionWorkflowID(path string) string {
	return contract.SubscriptionWorkflowID(uuid.MustParse(strings.TrimPrefix(path, "/v1/subscriptions/")))
}

// post sends a change to the API as who, and requires a 200.
func (r *recorder) post(who []string, path, body string) {
	r.t.Helper()
	if resp := call(r.t, r.shop.env, "POST", path, body, who...); resp.Status != 200 {
		r.t.Fatalf("POST %s = %d %+v", path, resp.Status, resp.Errors)
	}
}

// awaitRuns waits until the workflow has continued as new into its nth
// run, so that the next change reaches that run.
func (r *recorder) awaitRuns(workflowID string, n int) {
	r.t.Helper()
	waitFor(r.t, fmt.Sprintf("%s to start run %d", workflowID, n), func() bool { return len(r.runIDs(workflowID)) >= n })
}

// runIDs are the workflow's runs so far, oldest first: each run's start
// names the run it continued.
func (r *recorder) runIDs(workflowID string) []string {
	desc, err := r.shop.env.Temporal.DescribeWorkflowExecution(r.ctx, workflowID, "")
	if err != nil {
		r.t.Fatal(err)
	}
	var ids []string
	for runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId(); runID != ""; {
		ids = append(ids, runID)
		iter := r.shop.env.Temporal.GetWorkflowHistory(r.ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		started, err := iter.Next()
		if err != nil {
			r.t.Fatal(err)
		}
		runID = started.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
	}
	slices.Reverse(ids)
	return ids
}

// save writes the history of each of the workflow's runs that is wanted
// under the name the recording gives it.
func (r *recorder) save(workflowID string, names []string, wanted func(string) bool) {
	ids := r.runIDs(workflowID)
	if len(ids) != len(names) {
		r.t.Fatalf("%s ran %d runs, its recording names %d (%s): the path changed, so record it under a new name",
			workflowID, len(ids), len(names), strings.Join(names, ", "))
	}
	for i, name := range names {
		if wanted(name) {
			r.saveHistory(workflowID, ids[i], name)
		}
	}
}

// saveHistory writes a closed run's history into workflows/testdata, its
// payloads decoded: readable, checked for secrets by
// TestHistoriesHoldNoSecrets, and replayed as plain payloads recorded
// before encryption would be.
func (r *recorder) saveHistory(workflowID, runID, name string) {
	history := &historypb.History{}
	iter := r.shop.env.Temporal.GetWorkflowHistory(r.ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			r.t.Fatal(err)
		}
		history.Events = append(history.Events, event)
	}
	err := proxy.VisitPayloads(r.ctx, history, proxy.VisitPayloadsOptions{
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return r.shop.env.Codec().Decode(p)
		},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(history)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(historyFile(name), b, 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("recorded %s (%d events, run %s)", historyFile(name), len(history.Events), runID)
}
