package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// An async sandbox payment waits for its approval; the payer approves on
// the sandbox page, whose signed webhook signals the workflow, which is
// paid. The ledger shows one charge.
func TestAsyncPaymentApproval(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	in := paymentInput(t, env, sandbox.TokenAsync, billing.DunningSchedule{})
	run := startPayment(ctx, t, env, in)
	state := waitForPayment(ctx, t, env, run, "the payment to await approval", func(st contract.PaymentState) bool { return st.ApprovalURL != "" })
	if !strings.HasPrefix(state.ApprovalURL, env.URL+sandbox.ApprovePath) {
		t.Fatalf("approval URL = %q, want one on this API (%s)", state.ApprovalURL, env.URL)
	}
	page := env.Get(strings.TrimPrefix(state.ApprovalURL, env.URL))
	if body(t, page); page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("approval page = %d %s", page.StatusCode, page.Header.Get("Content-Type"))
	}

	decide := func(decision string) *http.Response {
		resp, err := env.HTTP.PostForm(state.ApprovalURL, url.Values{"decision": {decision}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := decide("approve"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve = %d, want 303", resp.StatusCode)
	}
	var result contract.PaymentState
	if err := run.Get(ctx, &result); err != nil || result.Status != contract.PaymentPaid {
		t.Fatalf("payment after approval = %+v, %v, want paid", result, err)
	}
	if resp := decide("decline"); resp.StatusCode != http.StatusConflict {
		t.Errorf("the other decision = %d, want 409", resp.StatusCode)
	}
	// The same decision again delivers its webhook again: billgate has it
	// already, and nothing changes.
	if resp := decide("approve"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the same decision again = %d, want 303", resp.StatusCode)
	}

	ledger := callList(t, env, "/v1/sandbox/ledger", admin...)
	if key := in.PaymentID.String() + "/1"; len(ledger.results) != 1 || ledger.results[0]["idempotencyKey"] != key || ledger.results[0]["status"] != "succeeded" {
		t.Errorf("ledger = %v, want one succeeded charge for %s", ledger.results, key)
	}
	pay, err := env.Store().PaymentByID(ctx, in.PaymentID)
	if err != nil || pay.Status != "paid" || len(pay.Attempts) != 1 || pay.Attempts[0].Status != "succeeded" {
		t.Errorf("projected payment = %+v, %v; want paid after one attempt", pay, err)
	}
	inv, err := env.Store().InvoiceByID(ctx, in.InvoiceID)
	if err != nil || inv.Status != "paid" || inv.AmountDue != 4200 {
		t.Errorf("projected invoice = %+v, %v; want paid, 4200 due", inv, err)
	}
}

// startPayment runs PaymentWorkflow directly, as a purchase does.
func startPayment(ctx context.Context, t *testing.T, env *testenv.Env, in contract.PaymentInput) client.WorkflowRun {
	t.Helper()
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: contract.PaymentWorkflowID(in.PaymentID), TaskQueue: contract.SubscriptionsTaskQueue},
		contract.PaymentWorkflowType, in)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// waitForPayment waits until the running payment's state is as ready
// says, and returns it.
func waitForPayment(ctx context.Context, t *testing.T, env *testenv.Env, run client.WorkflowRun, what string, ready func(contract.PaymentState) bool) contract.PaymentState {
	t.Helper()
	var state contract.PaymentState
	waitFor(t, what, func() bool {
		v, err := env.Temporal.QueryWorkflow(ctx, run.GetID(), "", contract.PaymentStateQuery)
		return err == nil && v.Get(&state) == nil && ready(state)
	})
	return state
}

// paymentInput is a purchase of 42.00 EUR by a new customer of a new
// tenant, for driving PaymentWorkflow directly.
func paymentInput(t *testing.T, env *testenv.Env, token string, dunning billing.DunningSchedule) contract.PaymentInput {
	t.Helper()
	suffix := uuid.NewString()[:8]
	business := env.CreateClient(nil, "shop-"+suffix, goodPassword, "business")
	customer := env.CreateClient(&business.ID, "buyer-"+suffix, goodPassword, "customer")
	return contract.PaymentInput{
		PaymentIdentity: contract.PaymentIdentity{
			PaymentID: uuid.Must(uuid.NewV7()), InvoiceID: uuid.Must(uuid.NewV7()), TenantID: business.ID, CustomerID: customer.ID, Gateway: sandbox.Name,
		},
		Invoice: contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.OneTime, Description: "Widget", Amount: billing.Money{Amount: 4200, Currency: "EUR"}, Quantity: 1}}},
		Token:   token, Dunning: dunning,
	}
}

func TestSandboxWebhook(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	post := func(body, signature string) reply {
		return call(t, env, "POST", "/webhooks/sandbox", body, "Billgate-Signature", signature)
	}
	event := `{"id":"evt_ch_1","type":"charge.succeeded","reference":"ch_1","idempotencyKey":"pay_nowhere/1","created":"2026-01-01T00:00:00Z"}`
	good := sandbox.Sign([]byte(testenv.SandboxSecret), time.Now(), []byte(event))

	post(event, "t=1,v1=00").is(t, "a bad signature", 400, "INVALID_SIGNATURE", "the webhook signature does not verify")
	post(event, sandbox.Sign([]byte("another secret"), time.Now(), []byte(event))).is(t, "another secret", 400, "INVALID_SIGNATURE", "the webhook signature does not verify")
	post(event, sandbox.Sign([]byte(testenv.SandboxSecret), time.Now().Add(-10*time.Minute), []byte(event))).is(t, "an old signature", 400, "INVALID_SIGNATURE", "the webhook signature does not verify")
	for range 2 { // an unknown payment's event is kept and acknowledged, also when repeated
		if r := post(event, good); r.Status != 200 {
			t.Errorf("event for an unknown payment = %d %+v, want 200", r.Status, r.Errors)
		}
	}
	stored, fresh, err := env.Store().RecordWebhookEvent(context.Background(), modelsEvent("evt_ch_1"))
	if err != nil || fresh || stored.Payload != event || stored.DeliveredAt != nil {
		t.Errorf("stored event = %+v fresh %v, %v; want it kept once, undelivered", stored, fresh, err)
	}
}

func modelsEvent(id string) models.WebhookEvent {
	return models.WebhookEvent{ID: id, Gateway: sandbox.Name, Payload: "{}", ReceivedAt: time.Now().UTC()}
}
