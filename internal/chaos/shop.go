package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/billgate/billgate/internal/apicall"
	"github.com/billgate/billgate/internal/topology"
)

// password is every account's the run creates.
const password = "chaos-run-password"

// clockStart is where the run's test clocks begin.
var clockStart = time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)

// shop is the business the run sells for, with what it needs.
type shop struct {
	seller, admin     *client
	monthly, once     string // price IDs
	customers, clocks []string
}

// setUp creates, before any kill, an admin and a business with
// `billgate admin import-clients`, and through the API the business's
// catalog, customers and test clocks.
func setUp(ctx context.Context, stack *topology.Stack, c *client, o Options) (*shop, error) {
	if err := stack.ImportClients(ctx,
		fmt.Sprintf(`{"login":"chaos-admin","role":"admin","password":%q}`, password),
		fmt.Sprintf(`{"login":"chaos-shop","role":"business","password":%q}`, password)); err != nil {
		return nil, err
	}
	s := &shop{}
	for _, who := range []struct {
		login string
		as    **client
	}{{"chaos-admin", &s.admin}, {"chaos-shop", &s.seller}} {
		a, err := c.call(ctx, http.MethodPost, "/auth/session", apicall.JSON(map[string]string{"login": who.login, "password": password}), "")
		if err != nil || a.Status != http.StatusOK {
			return nil, fmt.Errorf("log in %s: %v %v", who.login, a, err)
		}
		*who.as = &client{base: c.base, http: newHTTPClient(), token: a.Result["token"].(string), retries: c.retries}
	}
	product, err := s.seller.created(ctx, "/v1/products", map[string]any{"name": "Chaos", "prices": []map[string]any{
		{"amount": 3000, "currency": "USD", "type": "recurring", "interval": "month", "dunning": []string{}},
		{"amount": 1500, "currency": "USD", "type": "one_time", "dunning": []string{}},
	}})
	if err != nil {
		return nil, err
	}
	prices := product["prices"].([]any)
	s.monthly, s.once = prices[0].(map[string]any)["id"].(string), prices[1].(map[string]any)["id"].(string)
	for i := range max(1, o.Clients/2) {
		customer, err := s.seller.created(ctx, "/v1/clients", map[string]any{"login": fmt.Sprintf("customer-%d", i), "password": password})
		if err != nil {
			return nil, err
		}
		s.customers = append(s.customers, customer["id"].(string))
	}
	for i := range 4 {
		clock, err := s.seller.created(ctx, "/v1/test-clocks", map[string]any{"name": fmt.Sprintf("chaos-%d", i), "frozenTime": clockStart.Format(time.RFC3339)})
		if err != nil {
			return nil, err
		}
		s.clocks = append(s.clocks, clock["id"].(string))
	}
	return s, nil
}

// created POSTs body and wants a 201.
func (c *client) created(ctx context.Context, path string, body any) (map[string]any, error) {
	a, err := c.call(ctx, http.MethodPost, path, apicall.JSON(body), "")
	if err != nil {
		return nil, err
	}
	if a.Status != http.StatusCreated {
		return nil, fmt.Errorf("POST %s: %s", path, a)
	}
	return a.Result, nil
}

// orders are the run's subscriptions and purchases, each payer kind in
// turn, on random customers and clocks.
func (s *shop) orders(o Options, rng *rand.Rand) []*order {
	var orders []*order
	add := func(purchase bool, i int) {
		ord := &order{purchase: purchase, payer: payers[i%len(payers)],
			customer: s.customers[rng.IntN(len(s.customers))], clock: s.clocks[rng.IntN(len(s.clocks))]}
		price, kind := s.monthly, "subscription"
		if purchase {
			price, kind = s.once, "purchase"
		}
		ord.key = fmt.Sprintf("chaos-%d-%s-%d", o.Seed, kind, i)
		ord.body = apicall.JSON(map[string]any{"priceId": price, "customerId": ord.customer, "testClockId": ord.clock,
			"paymentMethod": map[string]string{"gateway": "sandbox", "token": ord.payer.token}})
		orders = append(orders, ord)
	}
	for i := range o.Subscriptions {
		add(false, i)
	}
	for i := range o.Purchases {
		add(true, i)
	}
	rng.Shuffle(len(orders), func(i, j int) { orders[i], orders[j] = orders[j], orders[i] })
	return orders
}

// place makes an order as its client would, and approves its charge when
// its payer does.
func (s *shop) place(ctx context.Context, ord *order) error {
	a, err := s.seller.call(ctx, http.MethodPost, ord.path(), ord.body, ord.key)
	if err != nil {
		return err
	}
	if a.Status != http.StatusCreated && a.Status != http.StatusAccepted || a.id() == "" {
		return fmt.Errorf("POST %s (%s): %s", ord.path(), ord.payer.name, a)
	}
	ord.first = a
	if !ord.payer.approves {
		return nil
	}
	approval, err := s.approvalURL(ctx, ord)
	if err != nil {
		return err
	}
	return s.seller.approve(ctx, approval)
}

// payment is the order's one payment, once it has it. A subscription's
// payments withdrawn as remints (models.WithdrawRemints) do not count; two
// others are an error.
func (s *shop) payment(ctx context.Context, ord *order) (map[string]any, error) {
	if ord.purchase {
		a, err := s.seller.call(ctx, http.MethodGet, "/v1/payments/"+ord.first.id(), "", "")
		if err != nil || a.Status != http.StatusOK {
			return nil, fmt.Errorf("payment %s: %v %v", ord.first.id(), a, err)
		}
		return a.Result, nil
	}
	payments, err := s.seller.list(ctx, "/v1/payments?subscriptionId="+ord.first.id())
	if err != nil {
		return nil, err
	}
	var live []map[string]any
	for _, p := range payments {
		if p["status"] != "canceled" {
			live = append(live, p)
		}
	}
	switch len(live) {
	case 0:
		return nil, nil
	case 1:
		return live[0], nil
	}
	return nil, fmt.Errorf("%d payments, want one: %v", len(live), live)
}

// approvalURL waits for the order's charge to await its payer.
func (s *shop) approvalURL(ctx context.Context, ord *order) (string, error) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		p, err := s.payment(ctx, ord)
		if err != nil {
			return "", err
		}
		if url, _ := p["approvalUrl"].(string); url != "" {
			return url, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("%s %s: no approval URL after 5 minutes", ord.path(), ord.first.id())
}
