package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/workflows/contract"
)

// Two purchases await their payer at the sandbox when an operator ends
// their workflows; one payer approves after. The reconciliation expires
// both: the charge never approved is voided, the approved one refunded, so
// no money stays moved for an invoice nothing collects. A second run does
// nothing more.
func TestReconciliationExpiresPaymentsWhoseWorkflowIsGone(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := context.Background()
	purchase := func() (path, approval string) {
		r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, s.pdf, sandbox.TokenAsync), s.bob...)
		if r.Status != 201 {
			t.Fatalf("purchase = %d %+v", r.Status, r.Errors)
		}
		path = "/v1/payments/" + r.Result["id"].(string)
		waitFor(t, path+" to await its payer", func() bool {
			approval, _ = s.get(t, path)["approvalUrl"].(string)
			return approval != ""
		})
		id := uuid.MustParse(r.Result["id"].(string))
		if err := s.env.Temporal.TerminateWorkflow(ctx, contract.PaymentWorkflowID(id), "", "ended by an operator"); err != nil {
			t.Fatal(err)
		}
		return path, approval
	}
	never, _ := purchase()
	late, approval := purchase()
	resp, err := s.env.HTTP.PostForm(approval, url.Values{"decision": {sandbox.DecisionApprove}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the late approval = %d, want 303", resp.StatusCode)
	}

	stale := contract.ReconcileInput{EventAge: time.Nanosecond, PendingAge: time.Nanosecond}
	s.reconcileNow(t, stale)
	s.reconcileNow(t, stale)

	for path, want := range map[string]string{never: "voided", late: "refunded"} {
		p := s.get(t, path)
		attempts := p["attempts"].([]any)
		if p["status"] != "expired" || p["approvalUrl"] != nil || len(attempts) != 1 || attempts[0].(map[string]any)["status"] != want {
			t.Errorf("payment %s = %v; want expired, its charge %s", path, p, want)
		}
		if inv := s.get(t, "/v1/invoices/"+p["invoiceId"].(string)); inv["status"] != "uncollectible" {
			t.Errorf("invoice of %s = %v, want uncollectible", path, inv["status"])
		}
	}
	ledger := callList(t, s.env, "/v1/sandbox/ledger", s.admin...).results
	refunded, voided := 0, 0
	for _, c := range ledger {
		if c["refundKey"] != nil && c["refundKey"] != "" {
			refunded++
		}
		if c["status"] == "voided" {
			voided++
		}
	}
	if refunded != 1 || voided != 1 {
		t.Errorf("ledger = %v; want one charge voided and one refunded, once", ledger)
	}
	expired := 0
	for _, f := range callList(t, s.env, "/v1/reconciliation", s.owner...).results {
		if f["kind"] == "stale_payment" && f["action"] == "expired" {
			expired++
		}
	}
	if expired != 2 {
		t.Errorf("%d stale payments expired in the findings, want 2", expired)
	}
}
