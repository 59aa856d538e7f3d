package connected

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// scripted is a connected gateway whose calls answer err.
type scripted struct {
	acct gateways.Account
	err  error
}

func (s *scripted) Name() string { return "scripted" }
func (s *scripted) Charge(context.Context, gateways.ChargeRequest) (gateways.ChargeResult, error) {
	return gateways.ChargeResult{Status: gateways.Succeeded}, s.err
}
func (s *scripted) Lookup(context.Context, string) (gateways.ChargeResult, error) {
	return gateways.ChargeResult{}, s.err
}
func (s *scripted) Find(context.Context, string) (gateways.ChargeResult, error) {
	return gateways.ChargeResult{}, s.err
}
func (s *scripted) Void(context.Context, gateways.VoidRequest) (gateways.ChargeResult, error) {
	return gateways.ChargeResult{}, s.err
}
func (s *scripted) Refund(context.Context, gateways.RefundRequest) (gateways.RefundResult, error) {
	return gateways.RefundResult{}, s.err
}
func (s *scripted) LookupRefund(context.Context, string) (gateways.RefundResult, error) {
	return gateways.RefundResult{}, s.err
}
func (s *scripted) ReadReturn(url.Values) (string, string, bool)                { return "", "", false }
func (s *scripted) CheckMethod(_ context.Context, token string) (string, error) { return token, s.err }
func (s *scripted) ReadWebhook(context.Context, http.Header, []byte) (gateways.Event, error) {
	return gateways.Event{}, s.err
}

type scriptedConnector struct{ made []*scripted }

func (c *scriptedConnector) Kind() string { return "scripted" }
func (c *scriptedConnector) Credentials() []gateways.Credential {
	return []gateways.Credential{{Name: "apiKey", Secret: true}, {Name: "merchant"}, {Name: "region", Optional: true}}
}
func (c *scriptedConnector) Connect(acct gateways.Account) (gateways.ConnectedGateway, error) {
	if acct.Mode == gateways.ModeLive && acct.Credentials["apiKey"] == "test_key" {
		return nil, errors.New("credentials.apiKey: a test key in live mode")
	}
	g := &scripted{acct: acct}
	c.made = append(c.made, g)
	return g, nil
}

type accountsByID map[uuid.UUID]gatewayaccounts.Opened

func (a accountsByID) Open(_ context.Context, id uuid.UUID) (gatewayaccounts.Opened, error) {
	if o, ok := a[id]; ok {
		return o, nil
	}
	return gatewayaccounts.Opened{}, models.ErrNotFound
}

type note struct {
	at      time.Time
	failure string
}

type healthNotes struct {
	mu    sync.Mutex
	notes []note
}

func (h *healthNotes) RecordGatewayAnswer(_ context.Context, _ uuid.UUID, at time.Time, failure string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notes = append(h.notes, note{at, failure})
	return nil
}

func TestConnectorsDescribeTheirCredentials(t *testing.T) {
	c := Connectors{"scripted": &scriptedConnector{}}
	fields, ok := c.Fields("scripted")
	want := []gatewayaccounts.Field{{Name: "apiKey", Secret: true}, {Name: "merchant"}, {Name: "region", Optional: true}}
	if !ok || !slices.Equal(fields, want) {
		t.Errorf("Fields = %v, %v; want %v", fields, ok, want)
	}
	if _, ok := c.Fields("nowhere"); ok {
		t.Error("Fields(nowhere) found a gateway")
	}
	if err := c.Check("scripted", "live", map[string]string{"apiKey": "test_key"}); err == nil {
		t.Error("Check took a test key in live mode")
	}
	if err := c.Check("scripted", "test", map[string]string{"apiKey": "test_key"}); err != nil {
		t.Errorf("Check = %v", err)
	}
	if names := c.Names(); !slices.Equal(names, []string{"scripted"}) {
		t.Errorf("Names = %v", names)
	}
}

func TestConnect(t *testing.T) {
	id, other := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	opened := accountsByID{
		id:    {Account: models.GatewayAccount{ID: id, Gateway: "scripted", Mode: "test", UpdatedAt: time.Unix(1, 0)}, Credentials: map[string]string{"apiKey": "k"}},
		other: {Account: models.GatewayAccount{ID: other, Gateway: "stripe", Mode: "test"}},
	}
	conn := &scriptedConnector{}
	a := &Accounts{Connectors: Connectors{"scripted": conn}, Opener: opened, Health: &healthNotes{}, BaseURL: "https://billgate.example"}
	ctx := context.Background()

	g, err := a.Connect(ctx, "scripted", id)
	if err != nil {
		t.Fatal(err)
	}
	made := conn.made[0].acct
	if made.ID != id || made.Credentials["apiKey"] != "k" || made.WebhookURL != "https://billgate.example/webhooks/scripted/"+id.String() ||
		made.ReturnURL != "https://billgate.example/gateways/scripted/"+id.String()+"/return" {
		t.Errorf("connected with %+v", made)
	}
	if again, _ := a.Connect(ctx, "scripted", id); again != g || len(conn.made) != 1 {
		t.Errorf("an unchanged account was connected again (%d times)", len(conn.made))
	}
	rotated := opened[id]
	rotated.Account.UpdatedAt, rotated.Credentials = time.Unix(2, 0), map[string]string{"apiKey": "k2"}
	opened[id] = rotated
	if _, err := a.Connect(ctx, "scripted", id); err != nil || len(conn.made) != 2 || conn.made[1].acct.Credentials["apiKey"] != "k2" {
		t.Errorf("a rotated account was not connected anew: %d connections, %v", len(conn.made), err)
	}

	for name, tt := range map[string]struct {
		kind string
		id   uuid.UUID
	}{"unknown account": {"scripted", uuid.Must(uuid.NewV7())}, "account at another gateway": {"scripted", other}, "gateway not connected": {"stripe", other}} {
		_, err := a.Connect(ctx, tt.kind, tt.id)
		if !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrUnknownAccount) {
			t.Errorf("%s: Connect = %v, want a permanent ErrUnknownAccount", name, err)
		}
	}
}

func TestRouterFindsLocalAndConnectedGateways(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	a := &Accounts{Connectors: Connectors{"scripted": &scriptedConnector{}}, Health: &healthNotes{},
		Opener: accountsByID{id: {Account: models.GatewayAccount{ID: id, Gateway: "scripted", Mode: "test"}}}}
	var local gateways.Registry
	r := gateways.Router{Local: &local, Accounts: a}
	if g, err := r.Gateway(context.Background(), contract.GatewayRoute("scripted", id)); err != nil || g.Name() != "scripted" {
		t.Errorf("Gateway(connected route) = %v, %v", g, err)
	}
	for _, route := range []string{"sandbox", "scripted/not-a-uuid", "Bad/" + id.String(), contract.GatewayRoute("scripted", uuid.Must(uuid.NewV7()))} {
		if _, err := r.Gateway(context.Background(), route); !gateways.IsPermanent(err) {
			t.Errorf("Gateway(%q) = %v, want a permanent error", route, err)
		}
	}
}

func TestHealthNotesAnswersAndFailures(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	now := time.Unix(1000, 0).UTC()
	health := &healthNotes{}
	conn := &scriptedConnector{}
	a := &Accounts{Connectors: Connectors{"scripted": conn}, Health: health, Now: func() time.Time { return now },
		Opener: accountsByID{id: {Account: models.GatewayAccount{ID: id, Gateway: "scripted", Mode: "test"}}}}
	g, err := a.Connect(context.Background(), "scripted", id)
	if err != nil {
		t.Fatal(err)
	}
	call := func(err error) {
		conn.made[0].err = err
		_, _ = g.Charge(context.Background(), gateways.ChargeRequest{})
	}
	call(nil)                                                    // noted: the first outcome
	call(gateways.Permanent("scripted", errors.New("declined"))) // an answer again, too soon: not noted
	call(gateways.Transient("scripted", errors.New("timeout")))  // a change: noted
	call(gateways.Transient("scripted", errors.New("timeout")))  // the same, too soon: not noted
	now = now.Add(reportEvery)
	call(gateways.Transient("scripted", errors.New("timeout"))) // the same, but due again
	call(nil)                                                   // a change: noted

	want := []note{{time.Unix(1000, 0).UTC(), ""}, {time.Unix(1000, 0).UTC(), "scripted gateway: transient error: timeout"},
		{now, "scripted gateway: transient error: timeout"}, {now, ""}}
	if !slices.Equal(health.notes, want) {
		t.Errorf("notes = %v\nwant %v", health.notes, want)
	}
}

// Calls to a gateway wait their turn under its rate, all its accounts
// together; a call whose context ends first is a transient error that
// reached no gateway and says nothing of its health.
func TestRateLimitsEachGateway(t *testing.T) {
	one, two := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	health := &healthNotes{}
	conn := &scriptedConnector{}
	a := &Accounts{Connectors: Connectors{"scripted": conn}, Health: health, Rate: 1,
		Opener: accountsByID{
			one: {Account: models.GatewayAccount{ID: one, Gateway: "scripted", Mode: "test"}},
			two: {Account: models.GatewayAccount{ID: two, Gateway: "scripted", Mode: "test"}},
		}}
	ctx := context.Background()
	first, _ := a.Connect(ctx, "scripted", one)
	second, _ := a.Connect(ctx, "scripted", two)
	if _, err := first.Charge(ctx, gateways.ChargeRequest{}); err != nil {
		t.Fatalf("the first call = %v", err)
	}
	hurried, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := second.Charge(hurried, gateways.ChargeRequest{}); !gateways.IsTransient(err) {
		t.Errorf("a second call within the second, through another account = %v, want a transient rate-limit error", err)
	}
	if len(health.notes) != 1 {
		t.Errorf("notes = %v, want only the first call's", health.notes)
	}
}

// listing is a scripted gateway that lists its refunds.
type listing struct {
	scripted
	refunds []gateways.ListedRefund
}

func (l *listing) ListRefunds(context.Context, string) ([]gateways.ListedRefund, error) {
	return l.refunds, l.err
}

type listingConnector struct{ made *listing }

func (c *listingConnector) Kind() string                       { return "listing" }
func (c *listingConnector) Credentials() []gateways.Credential { return nil }
func (c *listingConnector) Connect(acct gateways.Account) (gateways.ConnectedGateway, error) {
	return c.made, nil
}

// A connected account's gateway lists the refunds its adapter lists, in
// its turn and noting the outcome, and none when the adapter cannot list
// them (Skrill's).
func TestConnectedGatewaysListRefunds(t *testing.T) {
	listed, plain := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	health := &healthNotes{}
	lister := &listingConnector{made: &listing{refunds: []gateways.ListedRefund{{RefundResult: gateways.RefundResult{Reference: "re_1"}}}}}
	a := &Accounts{Connectors: Connectors{"listing": lister, "scripted": &scriptedConnector{}}, Health: health,
		Opener: accountsByID{
			listed: {Account: models.GatewayAccount{ID: listed, Gateway: "listing", Mode: "test"}},
			plain:  {Account: models.GatewayAccount{ID: plain, Gateway: "scripted", Mode: "test"}},
		}}
	ctx := context.Background()
	for _, tt := range []struct {
		kind string
		id   uuid.UUID
		want int
	}{{"listing", listed, 1}, {"scripted", plain, 0}} {
		g, err := a.Connect(ctx, tt.kind, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		l, ok := g.(gateways.RefundLister)
		if !ok {
			t.Fatalf("the %s account's gateway lists no refunds", tt.kind)
		}
		if refunds, err := l.ListRefunds(ctx, "ch_1"); err != nil || len(refunds) != tt.want {
			t.Errorf("%s: ListRefunds = %v, %v; want %d", tt.kind, refunds, err, tt.want)
		}
	}
	lister.made.err = gateways.Transient("listing", errors.New("timeout"))
	g, _ := a.Connect(ctx, "listing", listed)
	if _, err := g.(gateways.RefundLister).ListRefunds(ctx, "ch_1"); !gateways.IsTransient(err) {
		t.Errorf("ListRefunds = %v, want the adapter's transient error", err)
	}
	if n := len(health.notes); n != 2 || health.notes[1].failure == "" {
		t.Errorf("health notes = %v; want the answer, then the failure", health.notes)
	}
}
