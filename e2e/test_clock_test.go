package e2e

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// clockStart is where the tests' test clocks begin: the last day of a
// month, so renewals show the month-end clamping.
var clockStart = time.Date(2031, 1, 31, 9, 30, 0, 0, time.UTC)

func (s *shop) newClock(t *testing.T) string {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/test-clocks", fmt.Sprintf(`{"frozenTime":%q,"name":"e2e"}`, clockStart.Format(time.RFC3339)), s.owner...)
	if r.Status != 201 || r.Result["status"] != "ready" {
		t.Fatalf("create test clock = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	return r.Result["id"].(string)
}

// advance moves a clock and waits until everything on it has caught up.
func (s *shop) advance(t *testing.T, clock string, to time.Time) {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", fmt.Sprintf(`{"to":%q}`, to.Format(time.RFC3339)), s.owner...)
	if r.Status != 200 || !headingFor(r.Result, to) {
		t.Fatalf("advance to %v = %d %+v %v", to, r.Status, r.Errors, r.Result)
	}
	s.waitReadyAt(t, clock, to)
}

// headingFor reports whether a clock advances to to, or is there already.
func headingFor(clock map[string]any, to time.Time) bool {
	at := to.Format(time.RFC3339)
	return clock["status"] == "advancing" && clock["advancingTo"] == at || clock["status"] == "ready" && clock["frozenTime"] == at
}

// waitReadyAt waits until the clock is ready, and checks it is at to.
func (s *shop) waitReadyAt(t *testing.T, clock string, to time.Time) {
	t.Helper()
	if got := s.waitStatus(t, "/v1/test-clocks/"+clock, "ready").Result; got["frozenTime"] != to.Format(time.RFC3339) || got["advancingTo"] != nil {
		t.Fatalf("ready clock = %v, want at %v", got, to)
	}
}

func (s *shop) subscribeOnClock(t *testing.T, clock, price, token string) string {
	t.Helper()
	return s.subscribeOnClockPaying(t, clock, price, fmt.Sprintf(`"paymentMethod":{"gateway":"sandbox","token":%q}`, token))
}

// subscribeOnClockPaying subscribes bob on the clock, paying as method (a
// request's paymentMethodId or paymentMethod member) says.
func (s *shop) subscribeOnClockPaying(t *testing.T, clock, price, method string) string {
	t.Helper()
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,%s}`, price, s.bobID, clock, method)
	r := call(t, s.env, "POST", "/v1/subscriptions", body, s.owner...)
	if r.Status != 201 || r.Result["testClockId"] != clock {
		t.Fatalf("subscribe on a clock = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	path := "/v1/subscriptions/" + r.Result["id"].(string)
	waitFor(t, path+" to settle its first payment", func() bool { return s.get(t, path)["status"] != "pending" })
	return path
}

func (s *shop) price(t *testing.T, body string) string {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/products", `{"name":"Clocked","prices":[`+body+`]}`, s.owner...)
	if r.Status != 201 {
		t.Fatalf("create price %s = %d %+v", body, r.Status, r.Errors)
	}
	return r.Result["prices"].([]any)[0].(map[string]any)["id"].(string)
}

func (s *shop) get(t *testing.T, path string) map[string]any {
	t.Helper()
	r := call(t, s.env, "GET", path, "", s.admin...)
	if r.Status != 200 {
		t.Fatalf("GET %s = %d %+v", path, r.Status, r.Errors)
	}
	return r.Result
}

func TestTestClockRenewsAndCancelsAtPeriodEnd(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	sub := s.subscribeOnClock(t, clock, s.monthly, "sandbox_ok")
	if got := s.get(t, sub); got["status"] != "active" || got["currentPeriodStart"] != clockStart.Format(time.RFC3339) {
		t.Fatalf("subscription on the clock = %v, want active from the clock's time", got)
	}

	s.advance(t, clock, clockStart.AddDate(0, 1, 0).Add(time.Hour))
	got := s.get(t, sub)
	if got["status"] != "active" || got["currentPeriodStart"] != "2031-02-28T09:30:00Z" || got["currentPeriodEnd"] != "2031-03-31T09:30:00Z" {
		t.Errorf("after a month = %v, want active in the period from Feb 28 to Mar 31", got)
	}
	if l := callList(t, s.env, "/v1/invoices?status=paid&subscriptionId="+got["id"].(string), s.bob...); len(l.results) != 2 {
		t.Errorf("%d paid invoices, want 2", len(l.results))
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 2 {
		t.Errorf("%d charges, want 2", len(l.results))
	}

	if r := call(t, s.env, "POST", sub+"/cancel", `{"atPeriodEnd":true}`, s.bob...); r.Status != 200 || r.Result["cancelAtPeriodEnd"] != true {
		t.Fatalf("cancel at period end = %d %+v", r.Status, r.Errors)
	}
	s.advance(t, clock, time.Date(2031, 4, 15, 0, 0, 0, 0, time.UTC))
	if got := s.get(t, sub); got["status"] != "canceled" || got["endedAt"] != "2031-03-31T09:30:00Z" {
		t.Errorf("after the period's end = %v, want canceled at Mar 31", got)
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 2 {
		t.Errorf("%d charges after canceling at period end, want still 2", len(l.results))
	}
}

// A trial ends on the clock, its first payment is declined (past_due),
// retried on the dunning schedule, and the subscription expires.
func TestTestClockDunningToExpiry(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	trial := s.price(t, `{"amount":1000,"currency":"USD","type":"recurring","interval":"month","trialDays":7,"dunning":["24h","48h"]}`)
	clock := s.newClock(t)
	sub := s.subscribeOnClock(t, clock, trial, "sandbox_insufficient_funds")
	if got := s.get(t, sub); got["status"] != "trialing" {
		t.Fatalf("subscription = %v, want trialing", got)
	}
	trialEnd := clockStart.AddDate(0, 0, 7)
	s.advance(t, clock, trialEnd.Add(time.Hour))
	if got := s.get(t, sub); got["status"] != "past_due" {
		t.Errorf("after the trial = %v, want past_due", got["status"])
	}
	payments := callList(t, s.env, "/v1/payments?status=retrying", s.bob...)
	if len(payments.results) != 1 || payments.results[0]["nextAttemptAt"] != trialEnd.Add(24*time.Hour).Format(time.RFC3339) {
		t.Errorf("payments = %v, want one retrying a day after the trial", payments.results)
	}
	s.advance(t, clock, trialEnd.Add(72*time.Hour))
	if got := s.get(t, sub); got["status"] != "expired" || got["endedAt"] != trialEnd.Add(48*time.Hour).Format(time.RFC3339) {
		t.Errorf("after the retries = %v, want expired at the last retry", got)
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 3 {
		t.Errorf("%d charges, want 3 declined attempts", len(l.results))
	}
}

// 3000 → 6000 per 30 days, changed 10 days in: a credit of 2000 for the
// unused old price and a debit of 4000 for the new one, on the next
// invoice with its 6000.
func TestTestClockChangePriceProratesExactly(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	small := s.price(t, `{"amount":3000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
	large := s.price(t, `{"amount":6000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
	clock := s.newClock(t)
	sub := s.subscribeOnClock(t, clock, small, "sandbox_ok")
	s.advance(t, clock, clockStart.AddDate(0, 0, 10))
	preview := call(t, s.env, "GET", sub+"/price-change-preview?priceId="+large, "", s.bob...)
	if preview.Status != 200 || preview.Result["invoicedNow"] != nil || preview.Result["prorationDate"] != clockStart.AddDate(0, 0, 10).Format(time.RFC3339) {
		t.Fatalf("preview = %d %+v %v, want the next invoice alone, at the clock's time", preview.Status, preview.Errors, preview.Result)
	}
	if r := call(t, s.env, "POST", sub+"/change-price", fmt.Sprintf(`{"priceId":%q}`, large), s.owner...); r.Status != 200 {
		t.Fatalf("change price = %d %+v", r.Status, r.Errors)
	}
	upcoming := call(t, s.env, "GET", sub+"/upcoming-invoice", "", s.bob...)
	if want := preview.Result["upcomingInvoice"]; !reflect.DeepEqual(upcoming.Result, want) {
		t.Errorf("upcoming invoice after the change = %v, the preview said %v", upcoming.Result, want)
	}
	lines := upcoming.Result["lines"].([]any)
	amount := func(i int) any { return lines[i].(map[string]any)["amount"].(map[string]any)["amount"] }
	if upcoming.Result["amountDue"] != float64(8000) || len(lines) != 3 || amount(0) != float64(6000) || amount(1) != float64(-2000) || amount(2) != float64(4000) {
		t.Errorf("upcoming invoice = %v, want 6000 - 2000 + 4000 = 8000", upcoming.Result)
	}
	s.advance(t, clock, clockStart.AddDate(0, 0, 31))
	ledger := callList(t, s.env, "/v1/sandbox/ledger", s.admin...)
	if len(ledger.results) != 2 || ledger.results[1]["amount"].(map[string]any)["amount"] != float64(8000) {
		t.Errorf("ledger = %v, want 3000 then 8000", ledger.results)
	}
}

// A purchase on a clock that is never approved expires when its approval
// window has passed on the clock.
func TestTestClockExpiresAnUnpaidPurchase(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, s.pdf, s.bobID, clock), s.owner...)
	if r.Status != 201 || r.Result["testClockId"] != clock {
		t.Fatalf("purchase on a clock = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	path := "/v1/payments/" + r.Result["id"].(string)
	if l := callList(t, s.env, "/v1/entitlements", s.bob...); len(l.results) != 1 {
		t.Errorf("entitlements while pending = %v, want the purchase", l.results)
	}
	s.advance(t, clock, clockStart.Add(24*time.Hour))
	if got := s.get(t, path); got["status"] != "expired" {
		t.Errorf("unapproved purchase after a day = %v, want expired", got["status"])
	}
	if l := callList(t, s.env, "/v1/entitlements", s.bob...); len(l.results) != 0 {
		t.Errorf("entitlements after expiry = %v, want none", l.results)
	}
}

func TestTestClockBadInput(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	call(t, s.env, "POST", "/v1/test-clocks", `{}`, s.owner...).is(t, "no frozenTime", 400, "INVALID", "frozenTime is required (RFC 3339)")
	call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", `{"to":"2031-01-01T00:00:00Z"}`, s.owner...).
		is(t, "advance backwards", 400, "INVALID", "to must be after the clock's time, 2031-01-31T09:30:00Z")
	call(t, s.env, "POST", "/v1/test-clocks/"+clock+"/advance", `{"to":"2040-01-01T00:00:00Z"}`, s.owner...).
		is(t, "advance ten years", 400, "INVALID", "a clock moves at most two years at a time")
	call(t, s.env, "GET", "/v1/test-clocks/"+clock, "", s.other...).is(t, "another business reads the clock", 404, "NOT_FOUND", "not found")
	call(t, s.env, "POST", "/v1/test-clocks", `{"frozenTime":"2031-01-01T00:00:00Z"}`, s.bob...).is(t, "a customer creates a clock", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	body := fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.monthly, s.bobID, "019a0000-0000-7000-8000-000000000000")
	call(t, s.env, "POST", "/v1/subscriptions", body, s.owner...).is(t, "an unknown clock", 400, "INVALID", "no such test clock")
}

// sandbox_decline_after_1 pays the first period and declines the renewal:
// past_due. The customer gives a working card, the payment retries at once
// and the subscription is active again.
func TestTestClockPastDueRecovers(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	sub := s.subscribeOnClock(t, clock, s.monthly, "sandbox_decline_after_1")
	s.advance(t, clock, time.Date(2031, 2, 28, 10, 30, 0, 0, time.UTC)) // an hour after the renewal, before its first retry
	if got := s.get(t, sub); got["status"] != "past_due" {
		t.Fatalf("after the declined renewal = %v, want past_due", got["status"])
	}
	r := call(t, s.env, "POST", sub+"/payment-method", `{"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, s.bob...)
	if r.Status != 200 {
		t.Fatalf("change payment method = %d %+v", r.Status, r.Errors)
	}
	got := s.waitStatus(t, sub, "active").Result
	if got["currentPeriodStart"] != "2031-02-28T09:30:00Z" {
		t.Errorf("recovered subscription = %v, want active in the renewed period", got)
	}
	ledger := callList(t, s.env, "/v1/sandbox/ledger", s.admin...)
	if len(ledger.results) != 3 || ledger.results[1]["status"] != "declined" || ledger.results[2]["token"] != "sandbox_ok" {
		t.Errorf("ledger = %v, want the first charge, the declined renewal, its retry on the new card", ledger.results)
	}
	call(t, s.env, "POST", sub+"/payment-method", `{"paymentMethod":{"gateway":"sandbox","token":""}}`, s.bob...).
		is(t, "an empty token", 400, "INVALID", "token must be 1-255 printable characters")
}

// saveMethod saves a sandbox payment method for bob and returns its ID.
func (s *shop) saveMethod(t *testing.T, token string) string {
	t.Helper()
	r := call(t, s.env, "POST", "/v1/customers/"+s.bobID+"/payment-methods", fmt.Sprintf(`{"gateway":"sandbox","token":%q}`, token), s.owner...)
	if r.Status != 201 {
		t.Fatalf("save payment method = %d %+v", r.Status, r.Errors)
	}
	return r.Result["id"].(string)
}

// A saved payment method deleted while a subscription pays with it is never
// charged again, as with Stripe's detached payment methods: the renewal is
// declined with payment_method_removed, the subscription turns past_due,
// and a new method recovers it (issue 10, hole 7).
func TestTestClockDeletedPaymentMethodIsNotCharged(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	clock := s.newClock(t)
	card := s.saveMethod(t, "sandbox_ok")
	sub := s.subscribeOnClockPaying(t, clock, s.monthly, fmt.Sprintf(`"paymentMethodId":%q`, card))
	if got := s.get(t, sub); got["status"] != "active" || got["paymentMethodId"] != card {
		t.Fatalf("subscription = %v, want active, paying with %s", got, card)
	}
	if r := call(t, s.env, "DELETE", "/v1/customers/"+s.bobID+"/payment-methods/"+card, "", s.owner...); r.Status != 204 {
		t.Fatalf("delete payment method = %d %+v", r.Status, r.Errors)
	}

	s.advance(t, clock, time.Date(2031, 2, 28, 10, 30, 0, 0, time.UTC)) // an hour after the renewal, before its first retry
	if got := s.get(t, sub); got["status"] != "past_due" || got["paymentMethodId"] != nil {
		t.Errorf("after the renewal = %v, want past_due with no payment method", got)
	}
	retrying := callList(t, s.env, "/v1/payments?status=retrying", s.bob...)
	if len(retrying.results) != 1 || retrying.results[0]["declineCode"] != "payment_method_removed" {
		t.Errorf("retrying payments = %v, want the renewal declined with payment_method_removed", retrying.results)
	}
	if l := callList(t, s.env, "/v1/sandbox/ledger", s.admin...); len(l.results) != 1 {
		t.Errorf("ledger = %v, want only the first charge", l.results)
	}

	newCard := s.saveMethod(t, "sandbox_ok")
	if r := call(t, s.env, "POST", sub+"/payment-method", fmt.Sprintf(`{"paymentMethodId":%q}`, newCard), s.bob...); r.Status != 200 {
		t.Fatalf("change payment method = %d %+v", r.Status, r.Errors)
	}
	if got := s.waitStatus(t, sub, "active").Result; got["paymentMethodId"] != newCard {
		t.Errorf("recovered subscription = %v, want paying with %s", got, newCard)
	}
	ledger := callList(t, s.env, "/v1/sandbox/ledger", s.admin...)
	if len(ledger.results) != 2 || ledger.results[1]["status"] != "succeeded" {
		t.Errorf("ledger = %v, want the first charge and the renewal on the new method", ledger.results)
	}
}
