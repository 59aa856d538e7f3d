package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

var sandboxSecret = []byte("secret")

// signal is one SignalWorkflow call.
type signal struct {
	workflowID, runID, name string
	arg                     any
}

// signals records the signals sent, and answers each with err.
type signals struct {
	sent []signal
	err  error
}

func (s *signals) SignalWorkflow(_ context.Context, workflowID, runID, name string, arg any) error {
	s.sent = append(s.sent, signal{workflowID, runID, name, arg})
	return s.err
}

// sandboxRouteServer is the API with the sandbox's routes as app wires
// them, over a memory ledger and a migrated SQLite store.
type sandboxRouteServer struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	store   *models.Store
	signals *signals
	srv     *httptest.Server
}

func newSandboxRouteServer(t *testing.T) *sandboxRouteServer {
	t.Helper()
	sb, err := sandbox.New(sandbox.NewMemoryLedger(), sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: sandboxSecret, Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(context.Background(), "sqlite::memory:", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	s := &sandboxRouteServer{t: t, sb: sb, store: store, signals: &signals{}}
	deps := api.Deps{Authn: struct{ api.RequestAuthenticator }{}, Webhooks: store.WebhookEvents, Signaler: s.signals, Now: time.Now}
	deps.Sandbox, deps.SandboxLedger = sandboxRoutes{sb}, sandboxRoutes{sb}
	s.srv = httptest.NewServer(api.NewServer(deps))
	t.Cleanup(s.srv.Close)
	return s
}

// pending is the reference of a new sandbox_async charge of a payment.
func (s *sandboxRouteServer) pending(payment uuid.UUID) string {
	s.t.Helper()
	r, err := s.sb.Charge(context.Background(), gateways.ChargeRequest{IdempotencyKey: payment.String() + "/1",
		Amount: billing.Money{Amount: 1000, Currency: "USD"}, Token: sandbox.TokenAsync, CustomerID: "cus_1"})
	if err != nil || r.Status != gateways.Pending {
		s.t.Fatalf("Charge(sandbox_async) = %+v, %v", r, err)
	}
	return r.Reference
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (s *sandboxRouteServer) do(req *http.Request) answer {
	s.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(body)}
}

func (s *sandboxRouteServer) get(path string) answer {
	req, err := http.NewRequest("GET", s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.do(req)
}

func (s *sandboxRouteServer) decide(ref, decision string) answer {
	req, err := http.NewRequest("POST", s.srv.URL+sandbox.ApprovePath+url.PathEscape(ref), strings.NewReader(url.Values{"decision": {decision}}.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req)
}

func (s *sandboxRouteServer) webhook(signature string, body []byte) answer {
	req, err := http.NewRequest("POST", s.srv.URL+"/webhooks/sandbox", strings.NewReader(string(body)))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set(sandbox.SignatureHeader, signature)
	return s.do(req)
}

// is checks an error answer, envelope and all.
func (a answer) is(t *testing.T, what string, status int, envelope string) {
	t.Helper()
	if a.status != status || a.body != envelope {
		t.Errorf("%s = %d %s, want %d %s", what, a.status, a.body, status, envelope)
	}
}

// received checks the webhook's acknowledgement.
func (a answer) received(t *testing.T, what string) {
	t.Helper()
	var got struct {
		Result map[string]any `json:"result"`
		Meta   struct {
			RequestID string `json:"requestId"`
		} `json:"meta"`
	}
	if err := json.Unmarshal([]byte(a.body), &got); a.status != http.StatusOK || err != nil || got.Result["received"] != true || len(got.Result) != 1 || got.Meta.RequestID == "" {
		t.Errorf("%s = %d %s, want 200 received", what, a.status, a.body)
	}
}

const (
	notFound       = `{"errors":[{"code":"NOT_FOUND","message":"not found"}]}`
	alreadyDecided = `{"errors":[{"code":"ALREADY_DECIDED","message":"this charge was already approved, declined or voided"}]}`
	badSignature   = `{"errors":[{"code":"INVALID_SIGNATURE","message":"the webhook signature does not verify","field":"Billgate-Signature"}]}`
	unavailable    = `{"errors":[{"code":"UNAVAILABLE","message":"a dependency is unavailable; nothing was changed, retry later"}]}`
)

// The approval page is the sandbox's, under its own CSP; the payer's
// decision settles the charge, signals the payment's workflow through the
// signed webhook and leads back to the page; a second decision is refused.
func TestSandboxApprovalRoutes(t *testing.T) {
	s := newSandboxRouteServer(t)
	payment := uuid.New()
	ref := s.pending(payment)

	page := s.get(sandbox.ApprovePath + ref)
	if page.status != http.StatusOK || page.header.Get("Content-Type") != "text/html; charset=utf-8" ||
		page.header.Get("Content-Security-Policy") != sandbox.ApprovalPageCSP+"; frame-ancestors 'none'" ||
		!strings.Contains(page.body, `value="approve"`) || !strings.Contains(page.body, ref) {
		t.Errorf("GET approval page = %d %v\n%s\nwant 200, the page with its buttons under its CSP", page.status, page.header, page.body)
	}
	s.get(sandbox.ApprovePath+"sbx_nope").is(t, "GET unknown approval page", 404, notFound)

	s.decide(ref, "maybe").is(t, "POST decision=maybe", 400, `{"errors":[{"code":"INVALID","message":"decision must be approve or decline","field":"decision","value":"maybe"}]}`)
	s.decide("sbx_nope", sandbox.DecisionApprove).is(t, "POST decision on an unknown charge", 404, notFound)
	if len(s.signals.sent) != 0 {
		t.Fatalf("refused decisions signalled %+v", s.signals.sent)
	}

	decided := s.decide(ref, sandbox.DecisionApprove)
	if decided.status != http.StatusSeeOther || decided.header.Get("Location") != sandbox.ApprovePath+ref {
		t.Errorf("POST decision=approve = %d, Location %q, want 303 to the page", decided.status, decided.header.Get("Location"))
	}
	want := signal{contract.PaymentWorkflowID(payment), "", contract.GatewayEventSignal, contract.GatewayEvent{Reference: ref, Succeeded: true}}
	if len(s.signals.sent) != 1 || s.signals.sent[0] != want {
		t.Errorf("signals = %+v, want %+v", s.signals.sent, want)
	}
	s.decide(ref, sandbox.DecisionDecline).is(t, "a second decision", 409, alreadyDecided)

	if c, err := s.sb.Lookup(context.Background(), ref); err != nil || c.Status != gateways.Succeeded {
		t.Errorf("the charge after approval = %+v, %v, want succeeded", c, err)
	}
}

// The webhook route takes signed events once: a bad signature is refused,
// a delivered event is acknowledged again without a second signal, an
// event whose workflow is gone is kept undelivered, and Temporal down is a
// 503 so the sandbox retries.
func TestSandboxWebhookRoute(t *testing.T) {
	s := newSandboxRouteServer(t)
	ctx := context.Background()
	payment := uuid.New()
	ref := s.pending(payment)
	_, body, signature, err := s.sb.Decide(ctx, ref, false)
	if err != nil {
		t.Fatal(err)
	}

	s.webhook(sandbox.Sign([]byte("another secret"), time.Now(), body), body).is(t, "a webhook signed with another secret", 400, badSignature)
	s.webhook("", body).is(t, "an unsigned webhook", 400, badSignature)
	s.webhook(signature, []byte(`{"id":"evt_1"}`)).is(t, "a signature of another body", 400, badSignature)

	s.signals.err = errors.New("temporal is down")
	s.webhook(signature, body).is(t, "a webhook while Temporal is down", 503, unavailable)
	s.signals.err = serviceerror.NewNotFound("workflow not found")
	s.webhook(signature, body).received(t, "a webhook whose workflow is gone")
	s.signals.err = nil
	s.webhook(signature, body).received(t, "a webhook")
	s.webhook(signature, body).received(t, "the same webhook again")

	want := signal{contract.PaymentWorkflowID(payment), "", contract.GatewayEventSignal, contract.GatewayEvent{Reference: ref, DeclineCode: gateways.CodeApprovalDeclined}}
	if len(s.signals.sent) != 3 || s.signals.sent[2] != want {
		t.Errorf("signals = %+v, want three tries of %+v", s.signals.sent, want)
	}
	stored, fresh, err := s.store.RecordWebhookEvent(ctx, models.WebhookEvent{ID: "evt_" + ref})
	if err != nil || fresh || stored.Gateway != sandbox.Name || stored.Payload != string(body) || stored.DeliveredAt == nil {
		t.Errorf("the stored event = %+v (fresh %v), %v, want the sandbox's body, delivered", stored, fresh, err)
	}

	// An event that is no billgate payment's is kept, never signalled.
	other := sandbox.Event{ID: "evt_other", Type: sandbox.EventChargeSucceeded, Reference: "sbx_other", IdempotencyKey: "not-a-payment/1", Created: time.Now()}
	otherBody, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	s.webhook(sandbox.Sign(sandboxSecret, time.Now(), otherBody), otherBody).received(t, "a webhook of no billgate payment")
	if len(s.signals.sent) != 3 {
		t.Errorf("signals = %+v, want none for the foreign event", s.signals.sent)
	}
}

// The admins' ledger route lists the sandbox's charges as they are.
func TestSandboxLedgerCharges(t *testing.T) {
	s := newSandboxRouteServer(t)
	ctx := context.Background()
	s.pending(uuid.New())
	want, err := s.sb.Charges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sandboxRoutes{s.sb}.Charges(ctx)
	if err != nil || len(got) != 1 || got[0] != any(want[0]) {
		t.Errorf("Charges() = %+v, %v, want %+v", got, err, want)
	}
}
