package chaos

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/billgate/billgate/internal/apicall"
)

// settle is how long the run waits, after the kills, for every order to
// reach the state its payer implies.
const settle = 5 * time.Minute

// check proves the run lost nothing, and records each finding in r.
func check(ctx context.Context, s *shop, orders []*order, r *Report) {
	// Every order whose payer decided reaches its end; then a day passes on
	// the clocks, which expires the charges nobody approved.
	decided := func(o *order) bool { return o.payer.approves || o.payer.token != "sandbox_async" }
	r.check("stuck workflows", s.settled(ctx, orders, decided))
	if err := s.advanceClocks(ctx, clockStart.Add(25*time.Hour)); err != nil {
		r.check("test clocks advance", []string{err.Error()})
		return
	}
	r.check("stuck workflows after a day", s.settled(ctx, orders, func(*order) bool { return true }))
	r.check("client requests lost", s.replays(ctx, orders))
	doubles, lost := s.ledger(ctx)
	r.check("double charges", doubles)
	r.check("lost payments", lost)
	r.check("projection differs from workflow", s.projections(ctx, orders))
}

// want is the state an order ends in: a subscription's status and its
// first payment's. A decline with no retry left, as the run's prices
// allow none, expires the payment as an unapproved charge does: failed is
// for a charge the gateway can never accept.
func want(o *order) (subscription, payment string) {
	if o.payer.paid {
		return "active", "paid"
	}
	return "expired", "expired"
}

// settled waits until every order that which selects ends as want says,
// and names those that do not.
func (s *shop) settled(ctx context.Context, orders []*order, which func(*order) bool) []string {
	deadline := time.Now().Add(settle)
	var stuck []string
	for {
		stuck = stuck[:0]
		for _, o := range orders {
			if !which(o) {
				continue
			}
			if got := s.state(ctx, o); got != "" {
				stuck = append(stuck, got)
			}
		}
		if len(stuck) == 0 || time.Now().After(deadline) {
			return stuck
		}
		time.Sleep(time.Second)
	}
}

// state is "" when the order is where it should end, or what it is.
func (s *shop) state(ctx context.Context, o *order) string {
	wantSub, wantPayment := want(o)
	if !o.purchase {
		a, err := s.seller.call(ctx, http.MethodGet, "/v1/subscriptions/"+o.first.id(), "", "")
		if err != nil || a.Status != http.StatusOK {
			return fmt.Sprintf("subscription %s: %v %v", o.first.id(), a, err)
		}
		if got := a.Result["status"]; got != wantSub {
			return fmt.Sprintf("subscription %s (%s) is %v, want %s", o.first.id(), o.payer.name, got, wantSub)
		}
	}
	p, err := s.payment(ctx, o)
	if err != nil || p == nil {
		return fmt.Sprintf("%s %s (%s): no payment: %v", o.path(), o.first.id(), o.payer.name, err)
	}
	if got := p["status"]; got != wantPayment {
		return fmt.Sprintf("payment %v of %s %s (%s) is %v, want %s", p["id"], o.path(), o.first.id(), o.payer.name, got, wantPayment)
	}
	return ""
}

// advanceClocks moves every clock to to and waits until each is there.
func (s *shop) advanceClocks(ctx context.Context, to time.Time) error {
	for _, clock := range s.clocks {
		a, err := s.seller.call(ctx, http.MethodPost, "/v1/test-clocks/"+clock+"/advance", apicall.JSON(map[string]string{"to": to.Format(time.RFC3339)}), "")
		if err != nil || a.Status != http.StatusOK {
			return fmt.Errorf("advance %s: %v %v", clock, a, err)
		}
	}
	deadline := time.Now().Add(settle)
	for _, clock := range s.clocks {
		for {
			a, err := s.seller.call(ctx, http.MethodGet, "/v1/test-clocks/"+clock, "", "")
			if err != nil {
				return err
			}
			if a.Result["status"] == "ready" && a.Result["frozenTime"] == to.Format(time.RFC3339) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("clock %s: %v after %v, want ready at %v", clock, a.Result, settle, to)
			}
			time.Sleep(time.Second)
		}
	}
	return nil
}

// replays sends every order again with its key: each must get billgate's
// first answer, and not a second subscription or purchase.
func (s *shop) replays(ctx context.Context, orders []*order) []string {
	var lost []string
	for _, o := range orders {
		a, err := s.seller.call(ctx, http.MethodPost, o.path(), o.body, o.key)
		if err != nil || a.Status != o.first.Status || a.id() != o.first.id() {
			lost = append(lost, fmt.Sprintf("%s with key %s: first %s, again %v %v", o.path(), o.key, o.first, a, err))
		}
	}
	return lost
}

// ledger reads the sandbox gateway's ledger against billgate's payments.
// A double charge is an invoice with two charges that took money and kept
// it; a lost payment is a charge that kept money for a payment billgate
// does not call paid, or a paid payment with no such charge.
func (s *shop) ledger(ctx context.Context) (doubles, lost []string) {
	charges, err := s.admin.list(ctx, "/v1/sandbox/ledger")
	if err != nil {
		return []string{err.Error()}, []string{err.Error()}
	}
	payments, err := s.seller.list(ctx, "/v1/payments")
	if err != nil {
		return []string{err.Error()}, []string{err.Error()}
	}
	byID := map[string]map[string]any{}
	for _, p := range payments {
		byID[p["id"].(string)] = p
	}
	kept := map[string][]string{} // invoice → keys of charges that kept money
	keptBy := map[string]bool{}   // payment → one of its charges kept money
	keys := map[string]int{}
	for _, c := range charges {
		key, _ := c["idempotencyKey"].(string)
		keys[key]++
		if keys[key] == 2 {
			doubles = append(doubles, "two charges under key "+key)
		}
		if c["status"] != "succeeded" || c["voidKey"] != nil || c["refundKey"] != nil {
			continue
		}
		paymentID, _, _ := strings.Cut(key, "/")
		p, ok := byID[paymentID]
		if !ok {
			lost = append(lost, fmt.Sprintf("charge %s took %v for no payment billgate knows", key, c["amount"]))
			continue
		}
		keptBy[paymentID] = true
		invoice := p["invoiceId"].(string)
		kept[invoice] = append(kept[invoice], key)
		if p["status"] != "paid" {
			lost = append(lost, fmt.Sprintf("charge %s took money for payment %s, which is %v", key, paymentID, p["status"]))
		}
	}
	for invoice, keys := range kept {
		if len(keys) > 1 {
			doubles = append(doubles, fmt.Sprintf("invoice %s charged %d times: %v", invoice, len(keys), keys))
		}
	}
	for id, p := range byID {
		if p["status"] == "paid" && !keptBy[id] {
			lost = append(lost, fmt.Sprintf("payment %s is paid, but no charge of the gateway's kept its money", id))
		}
	}
	return doubles, lost
}

// projections compares, for every subscription, billgate's projection (a
// plain read) with the workflow's own state (a consistent read, which
// queries the workflow).
func (s *shop) projections(ctx context.Context, orders []*order) []string {
	var differ []string
	for _, o := range orders {
		if o.purchase {
			continue
		}
		path := "/v1/subscriptions/" + o.first.id()
		projected, err1 := s.seller.call(ctx, http.MethodGet, path, "", "")
		live, err2 := s.seller.call(ctx, http.MethodGet, path+"?consistent=true", "", "")
		if err1 != nil || err2 != nil || projected.Status != http.StatusOK || live.Status != http.StatusOK {
			differ = append(differ, fmt.Sprintf("%s: %v %v %v %v", path, projected, live, err1, err2))
			continue
		}
		for _, field := range []string{"status", "currentPeriodStart", "currentPeriodEnd", "latestInvoiceId", "cancelAtPeriodEnd", "endedAt"} {
			if fmt.Sprint(projected.Result[field]) != fmt.Sprint(live.Result[field]) {
				differ = append(differ, fmt.Sprintf("%s: %s is %v in the projection, %v in the workflow", path, field, projected.Result[field], live.Result[field]))
			}
		}
	}
	return differ
}
