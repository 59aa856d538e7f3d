// Package demo seeds a demo business through billgate's public API, for
// `billgate dev --demo`: a catalog, customers, and subscriptions in every
// state on a test clock that starts 60 days ago and is advanced to now,
// so that the console's dashboard, the Temporal UI and the reports have
// something to show at once.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Password is every demo account's password (the admin's aside).
const Password = "billgate-demo"

// Business is the demo business's login.
const Business = "demo"

// Customers are the demo customers' logins, and what each one's
// subscription shows.
var Customers = []struct{ Login, Shows string }{
	{"alice", "active, renewed monthly"},
	{"frank", "active, yearly"},
	{"heidi", "active again: a renewal declined, then recovered with a new card"},
	{"carol", "past_due: its renewal two days ago was declined and is being retried"},
	{"dave", "canceled"},
	{"gina", "expired: its renewal was declined until the retries ran out"},
	{"judy", "paused"},
	{"ivan", "trialing"},
	{"erin", "pending: its first payment waits for approval"},
}

// Seed makes the demo under the business login (which must exist), on
// billgate at base, with now as the test clock's end. It returns once the
// clock has caught up and every subscription is in its state.
func Seed(ctx context.Context, base, login string, now time.Time) error {
	c := &client{http: &http.Client{Timeout: 30 * time.Second}, base: base}
	var session struct{ Token string }
	if err := c.do(ctx, "POST", "/auth/session", map[string]string{"login": login, "password": Password}, &session); err != nil {
		return fmt.Errorf("log in as %s: %w", login, err)
	}
	c.token = session.Token

	var pro, starter, setup struct {
		Prices []struct{ ID string }
	}
	if err := c.do(ctx, "POST", "/v1/products", map[string]any{"name": "Pro", "description": "Everything, for teams", "prices": []any{
		map[string]any{"amount": 3000, "currency": "USD", "type": "recurring", "interval": "month"},
		map[string]any{"amount": 30000, "currency": "USD", "type": "recurring", "interval": "year"},
		map[string]any{"amount": 3000, "currency": "USD", "type": "recurring", "interval": "month", "trialDays": 14},
	}}, &pro); err != nil {
		return err
	}
	if err := c.do(ctx, "POST", "/v1/products", map[string]any{"name": "Starter", "prices": []any{
		map[string]any{"amount": 1000, "currency": "USD", "type": "recurring", "interval": "month"},
	}}, &starter); err != nil {
		return err
	}
	if err := c.do(ctx, "POST", "/v1/products", map[string]any{"name": "Onboarding session", "prices": []any{
		map[string]any{"amount": 5000, "currency": "USD", "type": "one_time"},
	}}, &setup); err != nil {
		return err
	}
	monthly, yearly, trial, small := pro.Prices[0].ID, pro.Prices[1].ID, pro.Prices[2].ID, starter.Prices[0].ID

	customers := map[string]string{}
	for _, cu := range Customers {
		var made struct{ ID string }
		if err := c.do(ctx, "POST", "/v1/clients", map[string]any{"login": cu.Login, "password": Password, "email": cu.Login + "@demo.example"}, &made); err != nil {
			return err
		}
		customers[cu.Login] = made.ID
	}

	start := now.UTC().AddDate(0, 0, -60).Truncate(time.Hour)
	var clock struct{ ID string }
	if err := c.do(ctx, "POST", "/v1/test-clocks", map[string]any{"name": "demo", "frozenTime": start}, &clock); err != nil {
		return err
	}
	subs := map[string]string{}
	subscribe := func(who, price, token string) error {
		var sub struct{ ID string }
		err := c.do(ctx, "POST", "/v1/subscriptions", map[string]any{"priceId": price, "customerId": customers[who], "testClockId": clock.ID,
			"paymentMethod": map[string]string{"gateway": "sandbox", "token": token}}, &sub)
		subs[who] = sub.ID
		return err
	}
	advance := func(to time.Time) error {
		if err := c.do(ctx, "POST", "/v1/test-clocks/"+clock.ID+"/advance", map[string]any{"to": to}, nil); err != nil {
			return err
		}
		return c.await(ctx, "/v1/test-clocks/"+clock.ID, func(v map[string]any) bool { return v["status"] == "ready" })
	}
	change := func(who, what string, body any) error {
		return c.do(ctx, "POST", "/v1/subscriptions/"+subs[who]+"/"+what, body, nil)
	}
	declineRenewal := "sandbox_decline_after_1"
	steps := []func() error{
		func() error { return subscribe("alice", monthly, "sandbox_ok") },
		func() error { return subscribe("frank", yearly, "sandbox_ok") },
		func() error { return subscribe("dave", small, "sandbox_ok") },
		func() error { return subscribe("gina", small, declineRenewal) },
		func() error { return subscribe("heidi", monthly, declineRenewal) },
		func() error { return subscribe("judy", small, "sandbox_ok") },
		func() error {
			return c.do(ctx, "POST", "/v1/purchases", map[string]any{"priceId": setup.Prices[0].ID, "customerId": customers["alice"], "testClockId": clock.ID,
				"paymentMethod": map[string]string{"gateway": "sandbox", "token": "sandbox_ok"}}, nil)
		},
		// carol's renewal falls two days before now, declined.
		func() error { return advance(now.UTC().AddDate(0, -1, -2).Truncate(time.Hour)) },
		func() error { return subscribe("carol", small, declineRenewal) },
		// A month in: gina's and heidi's renewals are declined; heidi
		// pays with another card, which recovers hers at once.
		func() error { return advance(start.AddDate(0, 1, 0).Add(2 * time.Hour)) },
		func() error {
			return change("heidi", "payment-method", map[string]any{"paymentMethod": map[string]string{"gateway": "sandbox", "token": "sandbox_ok"}})
		},
		func() error { return advance(start.AddDate(0, 0, 40)) },
		func() error { return change("dave", "cancel", map[string]any{}) },
		func() error { return change("judy", "pause", nil) },
		func() error { return advance(now.UTC().Truncate(time.Second)) },
		func() error { return subscribe("ivan", trial, "sandbox_ok") },
		func() error { return subscribe("erin", small, "sandbox_async") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// client calls the API as the demo business.
type client struct {
	http  *http.Client
	base  string
	token string
}

// do sends body as JSON and decodes the envelope's result into out (nil:
// ignored). A POST carries a fresh Idempotency-Key.
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", uuid.NewString())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var envelope struct {
		Result json.RawMessage
		Errors []struct{ Code, Message, Field string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s %s: %d, %w", method, path, resp.StatusCode, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %+v", method, path, resp.StatusCode, envelope.Errors)
	}
	if out == nil || envelope.Result == nil {
		return nil
	}
	return json.Unmarshal(envelope.Result, out)
}

// await polls path until ready says its result is, for at most 2 minutes.
func (c *client) await(ctx context.Context, path string, ready func(map[string]any) bool) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var v map[string]any
		if err := c.do(ctx, "GET", path, nil, &v); err != nil {
			return err
		}
		if ready(v) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
