package stripetest

import (
	"fmt"
	"net/http"
	"strings"
)

// The statuses of a Refund stripetest reaches (docs.stripe.com/api/refunds/object).
const (
	refundPendingStatus = "pending"
	refundSucceeded     = "succeeded"
	refundFailed        = "failed"
)

// refundPrefix is the ID prefix of a refund of the charge chID: re_ for a
// card's Charge (ch_…), pyr_ for another payment method's (py_…).
func refundPrefix(chID string) string {
	if strings.HasPrefix(chID, "py_") {
		return "pyr"
	}
	return "re"
}

// createRefund is POST /v1/refunds (docs.stripe.com/api/refunds/create):
// the whole unrefunded amount of a PaymentIntent's or Charge's successful
// payment, or amount of it. A card refund succeeds at once; a bank debit's,
// or one of MethodPendingRefund, is pending until Settle or FailRefund.
func (s *Server) createRefund(r *request) response {
	piID, hasPI := r.form.str("payment_intent")
	chID, hasCharge := r.form.str("charge")
	amount, hasAmount := r.form.int("amount")
	reason, hasReason := r.form.oneOf("reason", "duplicate", "fraudulent", "requested_by_customer")
	want := refundRequest{amount: amount, metadata: r.form.mapOf("metadata")}
	if err := r.form.check(); err != nil {
		return *err
	}
	if hasPI == hasCharge {
		return paramError("payment_intent", "Pass one of payment_intent or charge.")
	}
	if hasAmount && amount < 1 {
		return paramError("amount", "This value must be greater than or equal to 1.")
	}
	if hasReason {
		want.reason = ptr(reason)
	}
	ch, resp := s.refundable(piID, chID)
	if resp != nil {
		return *resp
	}
	re, resp := s.refund(r, ch, want)
	if resp != nil {
		return *resp
	}
	return ok200(re)
}

// refundRequest is what a refund asks for.
type refundRequest struct {
	amount   int64 // 0: whatever remains unrefunded
	reason   *string
	metadata map[string]string
}

// refund refunds a successful charge, or refuses as Stripe does: a
// disputed charge, one refunded in full, an amount above what remains. It
// sends refund.created and charge.refunded; r is the API request that asked
// for it, nil for a test hook's.
func (s *Server) refund(r *request, ch *Charge, want refundRequest) (*Refund, *response) {
	if resp := refundRefusal(ch, want.amount); resp != nil {
		return nil, resp
	}
	amount := want.amount
	if amount == 0 {
		amount = ch.Amount - ch.AmountRefunded
	}
	re := &Refund{
		ID: newID(refundPrefix(ch.ID)), Object: "refund", Amount: amount, Charge: ptr(ch.ID), Created: s.now().Unix(), Currency: ch.Currency,
		Metadata: want.metadata, PaymentIntent: ch.PaymentIntent, Reason: want.reason, Status: ptr(refundSucceeded),
		BalanceTransaction: ptr(newID("txn")),
	}
	if m := s.state.methods[*ch.PaymentMethod]; m != nil && m.refund == refundPending {
		re.Status, re.PendingReason, re.BalanceTransaction = ptr(refundPendingStatus), "processing", nil
	}
	store(&s.state, s.state.refunds, re.ID, re)
	previous := map[string]any{"amount_refunded": ch.AmountRefunded, "refunded": ch.Refunded}
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == ch.Amount
	s.emit(r, "refund.created", re, nil)
	s.emit(r, "charge.refunded", ch, previous)
	return re, nil
}

// refundRefusal is Stripe's refusal to refund amount (0: whatever
// remains) of ch, or nil.
func refundRefusal(ch *Charge, amount int64) *response {
	var e *Error
	remaining := ch.Amount - ch.AmountRefunded
	switch {
	case ch.Disputed:
		e = &Error{Code: "charge_disputed", Message: fmt.Sprintf("Charge %s has been charged back; cannot issue a refund.", ch.ID)}
	case remaining == 0:
		e = &Error{Code: "charge_already_refunded", Message: fmt.Sprintf("Charge %s has already been refunded.", ch.ID)}
	case amount > remaining:
		// Stripe writes the amounts in major units ("$25.00"); stripetest
		// in the currency's smallest unit.
		e = &Error{Code: "amount_too_large", Param: "amount", Message: fmt.Sprintf(
			"Refund amount (%d %s) is greater than unrefunded amount on charge (%d %s)", amount, ch.Currency, remaining, ch.Currency)}
	default:
		return nil
	}
	resp := refusal(e)
	return &resp
}

// listRefunds is GET /v1/refunds (docs.stripe.com/api/refunds/list): the
// refunds, of one PaymentIntent or one Charge if given, newest first, a
// page at a time. Stripe documents an error for a charge it does not have,
// and none for a PaymentIntent: an unknown one is a filter that matches
// nothing.
func (s *Server) listRefunds(r *request) response {
	piID, hasPI := r.form.str("payment_intent")
	chID, hasCharge := r.form.str("charge")
	limit := r.form.limit()
	after, _ := r.form.str("starting_after")
	if err := r.form.check(); err != nil {
		return *err
	}
	if _, ok := s.state.charges[chID]; hasCharge && !ok {
		return missing(http.StatusBadRequest, "charge", "charge", chID)
	}
	if _, ok := s.state.refunds[after]; after != "" && !ok {
		return missing(http.StatusBadRequest, "starting_after", "refund", after)
	}
	matches := func(re *Refund) bool {
		return (!hasPI || re.PaymentIntent != nil && *re.PaymentIntent == piID) && (!hasCharge || *re.Charge == chID)
	}
	return ok200(page(&s.state, s.state.refunds, "/v1/refunds", limit, after, matches))
}

// refundable is the successful charge a refund names, or the refusal.
func (s *Server) refundable(piID, chID string) (*Charge, *response) {
	var resp response
	if piID != "" {
		pi, ok := s.state.intents[piID]
		switch {
		case !ok:
			resp = missing(http.StatusBadRequest, "payment_intent", "payment_intent", piID)
		case pi.Status != statusSucceeded || pi.LatestCharge == nil:
			resp = refusal(&Error{Param: "payment_intent", Message: fmt.Sprintf("This PaymentIntent (%s) does not have a successful charge to refund.", piID)})
		default:
			return s.state.charges[*pi.LatestCharge], nil
		}
		return nil, &resp
	}
	ch, ok := s.state.charges[chID]
	switch {
	case !ok:
		resp = missing(http.StatusBadRequest, "charge", "charge", chID)
	case ch.Status != "succeeded":
		resp = refusal(&Error{Param: "charge", Message: fmt.Sprintf("Charge %s has not succeeded; there is nothing to refund.", chID)})
	default:
		return ch, nil
	}
	return nil, &resp
}
