package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// Issue 10, hole 3: an async purchase whose approval window passes voids
// its charge at the gateway. The approval page then refuses the payer, the
// ledger shows the charge voided, and the API shows the attempt voided.
func TestExpiredAsyncPaymentVoidsItsCharge(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	admin := as(t, env, creds("root", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	in := paymentInput(t, env, sandbox.TokenAsync, billing.DunningSchedule{})
	in.ApprovalWindow = 3 * time.Second
	run := startPayment(ctx, t, env, in)
	state := waitForPayment(ctx, t, env, run, "the payment to await approval", func(st contract.PaymentState) bool { return st.ApprovalURL != "" })
	var result contract.PaymentState
	if err := run.Get(ctx, &result); err != nil || result.Status != contract.PaymentExpired {
		t.Fatalf("payment after its window = %+v, %v, want expired", result, err)
	}

	page := env.Get(strings.TrimPrefix(state.ApprovalURL, env.URL))
	if html := body(t, page); page.StatusCode != http.StatusOK || !strings.Contains(html, "voided") || strings.Contains(html, `value="approve"`) {
		t.Errorf("approval page after the window = %d %s, want the charge shown voided, without buttons", page.StatusCode, html)
	}
	resp, err := env.HTTP.PostForm(state.ApprovalURL, url.Values{"decision": {sandbox.DecisionApprove}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("approving after the window = %d, want 409", resp.StatusCode)
	}

	key := gateways.IdempotencyKey(in.PaymentID.String(), 1)
	ledger := callList(t, env, "/v1/sandbox/ledger", admin...)
	if len(ledger.results) != 1 || ledger.results[0]["status"] != "voided" || ledger.results[0]["voidKey"] != gateways.VoidKey(key) {
		t.Errorf("ledger = %v, want the one charge voided under %s", ledger.results, gateways.VoidKey(key))
	}
	payment := call(t, env, "GET", "/v1/payments/"+in.PaymentID.String(), "", admin...)
	attempts, _ := payment.Result["attempts"].([]any)
	if payment.Result["status"] != "expired" || len(attempts) != 1 || attempts[0].(map[string]any)["status"] != "voided" || payment.Result["approvalUrl"] != nil {
		t.Errorf("payment = %v, want expired, its one attempt voided, no approval URL", payment.Result)
	}
}
