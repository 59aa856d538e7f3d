package stripetest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// The test hooks below play the payer, the business at its Dashboard, the
// bank and the card network. Each records the events Stripe would send.

// SaveMethod is a Customer with a test PaymentMethod (one of the Method
// constants) attached, as a business's checkout leaves it: what billgate
// stores and charges off-session later. A card that declines cannot be
// saved (see MethodChargeCustomerFail).
func (s *Server) SaveMethod(testMethod string) (customerID, paymentMethodID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := testMethods[testMethod]; !ok {
		return "", "", fmt.Errorf("%s is not one of Stripe's test payment methods", testMethod)
	}
	m, _ := s.methodFor(testMethod, "payment_method")
	c := &Customer{ID: newID("cus"), Object: "customer", Created: s.now().Unix(), Metadata: map[string]string{}}
	if resp := attachable(m, c.ID, "payment_method"); resp != nil {
		return "", "", hookError("attach "+testMethod, resp)
	}
	store(&s.state, s.state.customers, c.ID, c)
	s.emit(nil, "customer.created", c, nil)
	s.attach(nil, m, c.ID)
	return c.ID, m.obj.ID, nil
}

// CompleteAction is the payer at the authentication page of a
// requires_action PaymentIntent: authenticated, the payment proceeds (and
// may still be declined); not, it fails with
// payment_intent_authentication_failure and the PaymentIntent returns to
// requires_payment_method (docs.stripe.com/payments/3d-secure).
func (s *Server) CompleteAction(paymentIntentID string, authenticated bool) (PaymentIntent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.state.intents[paymentIntentID]
	if !ok || pi.Status != statusRequiresAction {
		return PaymentIntent{}, fmt.Errorf("no PaymentIntent %s requires action", paymentIntentID)
	}
	m := s.state.intentMethods[pi.ID]
	if authenticated {
		s.pay(nil, pi, m)
		return *pi, nil
	}
	pi.Status, pi.NextAction, pi.PaymentMethod = statusRequiresPaymentMethod, nil, nil
	pi.LastPaymentError = &Error{Type: typeInvalidRequest, Code: "payment_intent_authentication_failure",
		DocURL: docURL("payment_intent_authentication_failure"), PaymentMethod: m.obj,
		Message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."}
	s.emit(nil, "payment_intent.payment_failed", pi, nil)
	return *pi, nil
}

// RefundInDashboard is the business refunding a succeeded PaymentIntent in
// the Stripe Dashboard rather than through billgate
// (docs.stripe.com/refunds, "Issue refunds"): amount of it, 0 for whatever
// remains unrefunded. The refund is made as POST /v1/refunds makes it, with
// the same events (refund.created, charge.refunded), but carries no
// metadata and came with no idempotency key. Stripe's refusals (a disputed
// charge, one refunded in full, an amount above what remains) are errors.
func (s *Server) RefundInDashboard(paymentIntentID string, amount int64) (refundID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.state.intents[paymentIntentID]; !ok {
		return "", fmt.Errorf("no PaymentIntent %s", paymentIntentID)
	}
	if amount < 0 {
		return "", fmt.Errorf("refund amount %d is negative", amount)
	}
	ch, resp := s.refundable(paymentIntentID, "")
	if resp != nil {
		return "", hookError("refund "+paymentIntentID, resp)
	}
	re, resp := s.refund(nil, ch, refundRequest{amount: amount, metadata: map[string]string{}})
	if resp != nil {
		return "", hookError("refund "+paymentIntentID, resp)
	}
	return re.ID, nil
}

// Settle completes what a bank does later: a processing PaymentIntent
// (pi_…, a bank debit) succeeds, a pending Refund (re_… or pyr_…) succeeds
// (docs.stripe.com/testing, "Refunds": refund.updated).
func (s *Server) Settle(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pi, ok := s.state.intents[id]; ok && pi.Status == statusProcessing {
		s.succeed(nil, pi, s.state.charges[*pi.LatestCharge])
		return nil
	}
	if re, ok := s.state.refunds[id]; ok && *re.Status == refundPendingStatus {
		previous := map[string]any{"status": *re.Status, "pending_reason": re.PendingReason}
		re.Status, re.PendingReason, re.BalanceTransaction = ptr(refundSucceeded), "", ptr(newID("txn"))
		s.emit(nil, "refund.updated", re, previous)
		return nil
	}
	return fmt.Errorf("nothing to settle: %s is neither a processing PaymentIntent nor a pending Refund", id)
}

// refundFailureReasons are the failure_reason values of a Refund
// (docs.stripe.com/api/refunds/object).
var refundFailureReasons = []string{
	"lost_or_stolen_card", "expired_or_canceled_card", "charge_for_pending_refund_disputed",
	"insufficient_funds", "declined", "merchant_request", "unknown",
}

// FailRefund is the payer's bank refusing a refund: a pending Refund, or
// a succeeded one of MethodRefundFail (which Stripe fails "some time
// later", docs.stripe.com/testing, "Refunds"), fails with failureReason,
// one of Stripe's. The money returns to the business's balance
// (failure_balance_transaction, when the refund had moved any) and the
// amount counts as unrefunded on the Charge again, so it can be refunded
// anew. It sends refund.updated and refund.failed.
func (s *Server) FailRefund(refundID, failureReason string) (Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(refundFailureReasons, failureReason) {
		return Refund{}, fmt.Errorf("failure reason %q is not one of Stripe's: %v", failureReason, refundFailureReasons)
	}
	re, ok := s.state.refunds[refundID]
	if !ok {
		return Refund{}, fmt.Errorf("no Refund %s", refundID)
	}
	ch := s.state.charges[*re.Charge]
	m := s.state.methods[*ch.PaymentMethod]
	if *re.Status != refundPendingStatus && (*re.Status != refundSucceeded || m.refund != refundFailsLater) {
		return Refund{}, fmt.Errorf("refund %s is %s and cannot fail: only a pending one, or a succeeded one of %s, can", refundID, *re.Status, MethodRefundFail)
	}
	previous := map[string]any{"status": *re.Status, "failure_reason": nil}
	re.Status, re.FailureReason, re.PendingReason = ptr(refundFailed), failureReason, ""
	if re.BalanceTransaction != nil {
		re.FailureBalanceTransaction = newID("txn")
		previous["failure_balance_transaction"] = nil
	}
	ch.AmountRefunded -= re.Amount
	ch.Refunded = false
	s.emit(nil, "refund.updated", re, previous)
	s.emit(nil, "refund.failed", re, nil)
	return copyOf(re), nil
}

// Dispute is the cardholder disputing the whole payment of a succeeded
// PaymentIntent: a Dispute that needs the business's response, and
// charge.dispute.created (docs.stripe.com/disputes/how-disputes-work).
func (s *Server) Dispute(paymentIntentID string) (Dispute, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.state.intents[paymentIntentID]
	if !ok || pi.Status != statusSucceeded {
		return Dispute{}, fmt.Errorf("no PaymentIntent %s succeeded", paymentIntentID)
	}
	if ch := s.state.charges[*pi.LatestCharge]; ch.Disputed {
		return Dispute{}, fmt.Errorf("the payment of %s is disputed already", paymentIntentID)
	}
	return *s.dispute(nil, pi), nil
}

func (s *Server) dispute(r *request, pi *PaymentIntent) *Dispute {
	ch := s.state.charges[*pi.LatestCharge]
	ch.Disputed = true
	dp := &Dispute{
		ID: newID("dp"), Object: "dispute", Amount: ch.Amount - ch.AmountRefunded, BalanceTransactions: []any{},
		Charge: ch.ID, Created: s.now().Unix(), Currency: ch.Currency, EnhancedEligibilityTypes: []string{},
		Metadata: map[string]string{}, PaymentIntent: ptr(pi.ID), Reason: "fraudulent", Status: "needs_response",
		EvidenceDetails: EvidenceDetails{DueBy: ptr(s.now().AddDate(0, 0, 7).Unix())},
	}
	store(&s.state, s.state.disputes, dp.ID, dp)
	s.emit(r, "charge.dispute.created", dp, nil)
	return dp
}

// PaymentIntent is a PaymentIntent as it stands.
func (s *Server) PaymentIntent(id string) (PaymentIntent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi, ok := s.state.intents[id]
	if !ok {
		return PaymentIntent{}, false
	}
	return copyOf(pi), true
}

// PaymentIntents is every PaymentIntent, oldest first.
func (s *Server) PaymentIntents() []PaymentIntent { return all(s, s.state.intents) }

// Refunds is every Refund, oldest first.
func (s *Server) Refunds() []Refund { return all(s, s.state.refunds) }

// all is a copy of every object of a map, in creation order.
func all[T any](s *Server, objects map[string]*T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []T
	for _, id := range s.state.order {
		if obj, ok := objects[id]; ok {
			out = append(out, copyOf(obj))
		}
	}
	return out
}

// copyOf is a deep copy, by JSON, so that callers never share the server's
// objects.
func copyOf[T any](obj *T) T {
	var out T
	b, err := json.Marshal(obj)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		panic(fmt.Sprintf("stripetest: copy %T: %v", obj, err))
	}
	return out
}
