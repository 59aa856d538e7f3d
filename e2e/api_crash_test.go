package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// An API process killed after it started a purchase's workflow and before
// it answered loses nothing (issue 10, crash test): the client's retry
// under the same Idempotency-Key waits out the dead request's hold on the
// key, then gets that purchase, and the gateway's ledger shows one charge.
// No worker runs the workflows until the API is dead, so the create is
// still waiting for it when the kill comes.
func TestAPIKilledBetweenStartAndAnswer(t *testing.T) {
	t.Parallel()
	k := newCluster(t)
	first := k.api()
	k.worker("payments,events")
	waitStatus(t, k.http, k.base+"/healthz", http.StatusOK)

	auth := k.login("shop")
	customer := k.do("POST", "/v1/clients", newAccount("buyer", ""), auth...)["id"].(string)
	purchase := k.purchase(customer, "sandbox_ok")
	key := append([]string{"Idempotency-Key", "killed-mid-request"}, auth...)
	go func() { _, _ = k.http.Do(purchaseRequest(t, k.base, purchase, key)) }() // its answer never comes
	started := startedPayment(t, k.temporalHostPort, k.namespace)
	first.kill(t)
	k.api()
	k.worker("subscriptions")
	waitStatus(t, k.http, k.base+"/readyz", http.StatusOK)

	var retry reply
	deadline := time.Now().Add(2 * time.Minute)
	for {
		retry = callAt(t, k.http, k.base, "POST", "/v1/purchases", purchase, key...)
		if retry.Status != http.StatusConflict || time.Now().After(deadline) {
			break
		}
		if retry.Errors[0].Code != "IDEMPOTENCY_KEY_IN_PROGRESS" {
			t.Fatalf("a retry while the dead request holds the key = %+v", retry.Errors)
		}
		time.Sleep(3 * time.Second)
	}
	if retry.Status != http.StatusCreated || retry.Result["id"] != started {
		t.Fatalf("the retry = %d %+v %v, want 201 with payment %s", retry.Status, retry.Errors, retry.Result["id"], started)
	}
	waitFor(t, "the purchase to be paid", func() bool { return k.do("GET", "/v1/payments/"+started, "", auth...)["status"] == "paid" })
	if charges := callAt(t, k.http, k.base, "GET", "/v1/sandbox/ledger", "", k.login("root")...); len(charges.Results) != 1 {
		t.Errorf("ledger = %v, want one charge", charges.Results)
	}
}

func purchaseRequest(t *testing.T, base, body string, header []string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/v1/purchases", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// startedPayment waits for the one PaymentWorkflow Temporal has, and
// returns its payment ID.
func startedPayment(t *testing.T, hostPort, namespace string) string {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	var id string
	waitFor(t, "the purchase's workflow to start", func() bool {
		res, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, Query: "WorkflowType = 'PaymentWorkflow'"})
		if err != nil || len(res.Executions) != 1 {
			return false
		}
		id = strings.TrimPrefix(res.Executions[0].Execution.WorkflowId, "payment/")
		return true
	})
	return id
}
