package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// hmacGateway is a connected gateway whose webhooks are JSON events
// signed in X-Signature with the account's webhookSecret (HMAC-SHA256).
type hmacGateway struct {
	gateways.ConnectedGateway // never called
	secret                    string
}

type hmacEvent struct {
	ID, Type, Reference, Key, DeclineCode string
}

func (g hmacGateway) ReadWebhook(_ context.Context, header http.Header, body []byte) (gateways.Event, error) {
	if !hmac.Equal([]byte(header.Get("X-Signature")), []byte(sign(g.secret, body))) {
		return gateways.Event{}, gateways.ErrBadSignature
	}
	var e hmacEvent
	if err := json.Unmarshal(body, &e); err != nil {
		return gateways.Event{}, gateways.Permanent("hmac", err)
	}
	if e.Type == "unreachable" {
		return gateways.Event{}, gateways.Transient("hmac", errors.New("the certificate could not be fetched"))
	}
	return gateways.Event{ID: e.ID, Type: gateways.EventType(e.Type), Reference: e.Reference, IdempotencyKey: e.Key, DeclineCode: e.DeclineCode}, nil
}

func (hmacGateway) ReadReturn(q url.Values) (string, string, bool) {
	return q.Get("ref"), q.Get(gateways.ReturnKeyParam), q.Get("ref") != ""
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

type hmacConnector struct{}

func (hmacConnector) Kind() string { return "hmac" }
func (hmacConnector) Credentials() []gateways.Credential {
	return []gateways.Credential{{Name: "webhookSecret", Secret: true}}
}
func (hmacConnector) Connect(a gateways.Account) (gateways.ConnectedGateway, error) {
	return hmacGateway{secret: a.Credentials["webhookSecret"]}, nil
}

// connectedWebhookServer is the API with a connected account's webhook
// route as app wires it: the router, the accounts over a migrated SQLite
// store, their secrets sealed.
type connectedWebhookServer struct {
	sandboxRouteServer
	accounts map[string]uuid.UUID // by tenant login
	tenants  map[string]uuid.UUID // by login
}

func newConnectedWebhookServer(t *testing.T) *connectedWebhookServer {
	ctx := context.Background()
	store, err := OpenStore(ctx, "sqlite::memory:", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("k")})
	if err != nil {
		t.Fatal(err)
	}
	connectors := connected.Connectors{"hmac": hmacConnector{}}
	svc := &gatewayaccounts.Service{Store: store.GatewayAccounts, Gateways: connectors, Secrets: box, Now: time.Now}
	router := gateways.Router{Local: &gateways.Registry{}, Accounts: &connected.Accounts{Connectors: connectors, Opener: svc, Health: store.GatewayAccounts}}
	s := &connectedWebhookServer{sandboxRouteServer: sandboxRouteServer{t: t, store: store, signals: &signals{}}, accounts: map[string]uuid.UUID{}, tenants: map[string]uuid.UUID{}}
	for _, login := range []string{"shop", "other"} {
		tenant := &models.Client{Login: login}
		if err := store.CreateClient(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		a, err := svc.Connect(ctx, tenancy.Caller{ID: tenant.ID, Level: models.LevelBusiness},
			gatewayaccounts.New{Gateway: "hmac", Mode: "test", Credentials: map[string]string{"webhookSecret": login + "-secret"}})
		if err != nil {
			t.Fatal(err)
		}
		s.accounts[login], s.tenants[login] = a.ID, tenant.ID
	}
	deps := api.Deps{Authn: struct{ api.RequestAuthenticator }{}, Webhooks: store.WebhookEvents, Signaler: s.signals, Now: time.Now,
		ConnectedWebhooks: connectedWebhooks{router}, EventPayments: store.Billing}
	s.srv = httptest.NewServer(api.NewServer(deps))
	t.Cleanup(s.srv.Close)
	return s
}

// payment stores a pending payment of a customer of tenant, collected
// through the tenant's account, and returns its ID.
func (s *connectedWebhookServer) payment(tenant string) uuid.UUID {
	s.t.Helper()
	ctx := context.Background()
	tenantID := s.tenants[tenant]
	customer := &models.Client{Login: "buyer-" + uuid.NewString(), TenantID: &tenantID}
	if err := s.store.CreateClient(ctx, customer); err != nil {
		s.t.Fatal(err)
	}
	now := time.Now().UTC()
	inv := &models.Invoice{ID: uuid.Must(uuid.NewV7()), TenantID: tenantID, CustomerID: customer.ID, Status: "open", Currency: "USD", Total: 100, AmountDue: 100,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	p := &models.Payment{ID: uuid.Must(uuid.NewV7()), TenantID: tenantID, CustomerID: customer.ID, InvoiceID: inv.ID, Amount: 100, Currency: "USD",
		Gateway: contract.GatewayRoute("hmac", s.accounts[tenant]), Status: "pending", Version: 1, CreatedAt: now, UpdatedAt: now}
	if _, err := s.store.ProjectPayment(ctx, p, inv); err != nil {
		s.t.Fatal(err)
	}
	return p.ID
}

// post sends an event to path signed with secret.
func (s *connectedWebhookServer) post(path, secret string, e hmacEvent) answer {
	s.t.Helper()
	body, _ := json.Marshal(e)
	req, err := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(string(body)))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("X-Signature", sign(secret, body))
	return s.do(req)
}

// A connected account's webhook is verified with that account's own
// secret, kept once under its account, and signals the payment it names
// when it settles a charge; refunds and disputes are kept for the
// reconciliation; an account's events cannot shadow another's.
func TestConnectedWebhookRoute(t *testing.T) {
	s := newConnectedWebhookServer(t)
	shop, other := s.accounts["shop"], s.accounts["other"]
	path := "/webhooks/hmac/" + shop.String()
	payment := s.payment("shop")
	paid := hmacEvent{ID: "evt_1", Type: string(gateways.EventChargeSucceeded), Reference: "ch_1", Key: payment.String() + "/1"}

	badSig := `{"errors":[{"code":"INVALID_SIGNATURE","message":"the webhook signature does not verify","field":"signature"}]}`
	s.post(path, "other-secret", paid).is(t, "an event signed with another account's secret", 400, badSig)
	s.post("/webhooks/hmac/"+uuid.NewString(), "shop-secret", paid).is(t, "an event of no such account", 404, notFound)
	s.post("/webhooks/stripe/"+shop.String(), "shop-secret", paid).is(t, "an event of the account under another gateway", 404, notFound)
	s.post("/webhooks/hmac/not-a-uuid", "shop-secret", paid).is(t, "an event of a malformed account", 404, notFound)
	if len(s.signals.sent) != 0 {
		t.Fatalf("refused events signalled %+v", s.signals.sent)
	}

	s.post(path, "shop-secret", paid).received(t, "a signed event")
	s.post(path, "shop-secret", paid).received(t, "the same event again")
	want := signal{contract.PaymentWorkflowID(payment), "", contract.GatewayEventSignal, contract.GatewayEvent{Reference: "ch_1", Succeeded: true}}
	if len(s.signals.sent) != 1 || s.signals.sent[0] != want {
		t.Errorf("signals = %+v, want one %+v", s.signals.sent, want)
	}

	// The other account reuses the event ID: kept under its own account,
	// and delivered, rather than taken for a repeat of shop's.
	declined := hmacEvent{ID: "evt_1", Type: string(gateways.EventChargeFailed), Reference: "ch_9", Key: s.payment("other").String() + "/2", DeclineCode: "card_declined"}
	s.post("/webhooks/hmac/"+other.String(), "other-secret", declined).received(t, "another account's event of the same ID")
	if len(s.signals.sent) != 2 || s.signals.sent[1].arg != (contract.GatewayEvent{Reference: "ch_9", DeclineCode: "card_declined"}) {
		t.Errorf("signals = %+v, want the other account's decline too", s.signals.sent)
	}

	for _, typ := range []gateways.EventType{gateways.EventChargeRefunded, gateways.EventChargeDisputed, gateways.EventOther} {
		s.post(path, "shop-secret", hmacEvent{ID: "evt_" + string(typ), Type: string(typ), Reference: "ch_1", Key: payment.String() + "/1"}).received(t, string(typ))
	}
	if len(s.signals.sent) != 2 {
		t.Errorf("events that settle no charge signalled: %+v", s.signals.sent[2:])
	}
	for _, id := range []string{"evt_1", "evt_" + string(gateways.EventChargeRefunded), "evt_" + string(gateways.EventChargeDisputed)} {
		var stored models.WebhookEvent
		route := contract.GatewayRoute("hmac", shop)
		if err := s.store.DB().Take(&stored, "id = ?", route+"/"+id).Error; err != nil || stored.Gateway != route {
			t.Errorf("event %s kept as %+v, %v; want it under %s", id, stored, err, route)
		}
	}

	s.post(path, "shop-secret", hmacEvent{ID: "evt_2", Type: "unreachable"}).is(t, "an event the gateway cannot verify now", 503, unavailable)
	// Another account's event naming shop's payment is kept, never told to
	// the payment: one business's gateway account speaks of its own only.
	intruder := hmacEvent{ID: "evt_intruder", Type: string(gateways.EventChargeSucceeded), Reference: "ch_1", Key: payment.String() + "/1"}
	s.post("/webhooks/hmac/"+other.String(), "other-secret", intruder).received(t, "another account's event naming shop's payment")
	if len(s.signals.sent) != 2 {
		t.Errorf("another account's event signalled shop's payment: %+v", s.signals.sent[2:])
	}

	s.signals.err = serviceerror.NewUnavailable("down")
	s.post(path, "shop-secret", hmacEvent{ID: "evt_3", Type: string(gateways.EventChargeSucceeded), Reference: "ch_3", Key: s.payment("shop").String() + "/1"}).
		is(t, "an event while Temporal is down", 503, unavailable)
}

// The payer's return tells the payment to look its charge up; the page is
// billgate's, under a CSP that allows nothing.
func TestGatewayReturnRoute(t *testing.T) {
	s := newConnectedWebhookServer(t)
	shop := s.accounts["shop"]
	payment := s.payment("shop")
	base := "/gateways/hmac/" + shop.String() + "/return"
	q := url.Values{"ref": {"ch_7"}, gateways.ReturnKeyParam: {payment.String() + "/1"}}
	page := s.get(base + "?" + q.Encode())
	if page.status != 200 || page.header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" || !strings.Contains(page.body, "being confirmed") {
		t.Errorf("the return = %d %v %s", page.status, page.header, page.body)
	}
	want := signal{contract.PaymentWorkflowID(payment), "", contract.GatewayEventSignal, contract.GatewayEvent{Reference: "ch_7", Succeeded: true}}
	if len(s.signals.sent) != 1 || s.signals.sent[0] != want {
		t.Errorf("signals = %+v, want %+v", s.signals.sent, want)
	}
	noCharge := `{"errors":[{"code":"INVALID","message":"the return names no charge of billgate's","field":"query"}]}`
	s.get(base).is(t, "a return naming nothing", 400, noCharge)
	s.get(base+"?ref=ch_7&billgate_key=not-ours").is(t, "a return of another's charge", 400, noCharge)
	s.get("/gateways/hmac/"+uuid.NewString()+"/return?"+q.Encode()).is(t, "a return to no such account", 404, notFound)
	if page := s.get("/gateways/hmac/" + s.accounts["other"].String() + "/return?" + q.Encode()); page.status != 200 {
		t.Errorf("a return to another account naming shop's payment = %d, want the page", page.status)
	}
	if len(s.signals.sent) != 1 {
		t.Errorf("refused returns, or another account's, signalled %+v", s.signals.sent[1:])
	}
}
