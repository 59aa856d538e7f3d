package paypaltest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// The refund statuses (refund_status.status).
const (
	refundCancelled = "CANCELLED"
	refundFailed    = "FAILED"
	refundPending   = "PENDING"
	refundCompleted = "COMPLETED"
)

// pendingRefundReason is refund_status_details.reason of a PENDING refund:
// the only reason the spec enumerates ("The reason why the refund has the
// PENDING or FAILED status"), ECHECK, a refund waiting on the payer's bank.
const pendingRefundReason = "ECHECK"

// refundState is a refund as the server keeps it.
type refundState struct {
	id, captureID, status string
	reason                string // status_details.reason
	amount                amount
	totalRefunded         int64 // of the capture, this refund included
	created, updated      time.Time
}

// RefundOutcome sets the status later refunds end in: "COMPLETED" (the
// default), "PENDING" (with status_details.reason ECHECK, until
// SettleRefund), "FAILED" or "CANCELLED".
func (s *Server) RefundOutcome(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refundWith = status
}

// refundCapture is captures.refund (POST
// /v2/payments/captures/{capture_id}/refund). "For a full refund, include
// an empty request body": without an amount, what remains is refunded. The
// refusals are captures.refund-422's: PENDING_CAPTURE,
// REFUND_NOT_ALLOWED (a declined capture), CAPTURE_FULLY_REFUNDED,
// REFUND_CAPTURE_CURRENCY_MISMATCH and REFUND_AMOUNT_EXCEEDED. A
// PayPal-Request-Id the server holds gets the refund it made.
func (s *Server) refundCapture(w http.ResponseWriter, r *http.Request) {
	const op = "captures.refund"
	requestID, answered := s.requestID(w, r)
	if answered {
		return
	}
	c, ok := s.captures[r.PathValue("id")]
	if !ok {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "", "path"))
		return
	}
	if id, ok := s.recalled(op, requestID); ok {
		s.writeJSON(w, http.StatusCreated, s.refundJSON(s.refunds[id]))
		return
	}
	b, ok := s.jsonBody(w, r, true)
	if !ok {
		return
	}
	var req refundRequestJSON
	if b != nil && s.decodeStrict(w, b, &req) {
		return
	}
	refusal := ""
	switch c.status {
	case capturePending:
		refusal = "PENDING_CAPTURE"
	case captureDeclined:
		refusal = "REFUND_NOT_ALLOWED"
	case captureRefunded:
		refusal = "CAPTURE_FULLY_REFUNDED"
	}
	if refusal != "" {
		s.writeError(w, http.StatusUnprocessableEntity, issue(refusal, "", ""))
		return
	}
	remaining := c.amount.n - c.refunded
	a := amount{currency: c.amount.currency, n: remaining, decimals: c.amount.decimals}
	if req.Amount != nil {
		if req.Amount.CurrencyCode != c.amount.currency {
			s.writeError(w, http.StatusUnprocessableEntity, issue("REFUND_CAPTURE_CURRENCY_MISMATCH", "/amount/currency_code", "body"))
			return
		}
		if a, answered = s.parseAmount(w, req.Amount, "/amount", true); answered {
			return
		}
		if a.n > remaining {
			s.writeError(w, http.StatusUnprocessableEntity, issue("REFUND_AMOUNT_EXCEEDED", "/amount/value", "body"))
			return
		}
	}
	now := s.now()
	rf := &refundState{id: newID(17), captureID: c.id, status: s.refundWith, amount: a, created: now, updated: now}
	if rf.status == refundPending {
		rf.reason = pendingRefundReason
	}
	if rf.status == refundCompleted || rf.status == refundPending {
		s.addRefunded(c, a.n)
	}
	rf.totalRefunded = c.refunded
	s.refunds[rf.id] = rf
	s.remember(op, requestID, rf.id)
	if rf.status == refundCompleted {
		s.emitRefunded(rf)
	}
	s.writeJSON(w, http.StatusCreated, s.refundJSON(rf))
}

// addRefunded counts n more (or, negative, fewer) refunded units against
// the capture, whose status follows: PARTIALLY_REFUNDED, REFUNDED, or
// COMPLETED again when nothing is left refunded.
func (s *Server) addRefunded(c *captureState, n int64) {
	c.refunded += n
	c.updated = s.now()
	switch {
	case c.refunded == 0:
		c.status = captureCompleted
	case c.refunded == c.amount.n:
		c.status = captureRefunded
	default:
		c.status = capturePartiallyRefunded
	}
}

// getRefund is refunds.get (GET /v2/payments/refunds/{refund_id}): the
// refund schema, or 404 with the 404 schema's INVALID_RESOURCE_ID.
func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) {
	rf, ok := s.refunds[r.PathValue("id")]
	if !ok {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "", "path"))
		return
	}
	s.writeJSON(w, http.StatusOK, s.refundJSON(rf))
}

// SettleRefund ends a PENDING refund (see RefundOutcome) as status:
// "COMPLETED" (PAYMENT.CAPTURE.REFUNDED is reported), "FAILED" (keeping
// the ECHECK reason) or "CANCELLED". A refund that does not complete gives
// its amount back to the capture, which can be refunded again.
func (s *Server) SettleRefund(refundID, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf, ok := s.refunds[refundID]
	if !ok || rf.status != refundPending {
		return fmt.Errorf("paypaltest: no pending refund %s", refundID)
	}
	c := s.captures[rf.captureID]
	switch status {
	case refundCompleted, refundCancelled:
		rf.reason = ""
	case refundFailed:
	default:
		return fmt.Errorf("paypaltest: a pending refund ends COMPLETED, FAILED or CANCELLED, not %q", status)
	}
	rf.status, rf.updated = status, s.now()
	if status == refundCompleted {
		s.emitRefunded(rf)
	} else {
		s.addRefunded(c, -rf.amount.n)
	}
	return nil
}

// emitRefunded reports a completed refund.
func (s *Server) emitRefunded(rf *refundState) {
	a := units(rf.amount.n, rf.amount.decimals) + " " + rf.amount.currency
	s.emit("PAYMENT.CAPTURE.REFUNDED", "refund", "A "+a+" capture payment was refunded", s.refundJSON(rf))
}

// refundsOf are the refunds of a capture, oldest first.
func (s *Server) refundsOf(captureID string) []*refundState {
	var out []*refundState
	for _, rf := range s.refunds {
		if rf.captureID == captureID {
			out = append(out, rf)
		}
	}
	slices.SortFunc(out, func(a, b *refundState) int { return a.created.Compare(b.created) })
	return out
}

// refundJSON renders a refund.
func (s *Server) refundJSON(rf *refundState) refundJSON {
	total := amount{currency: rf.amount.currency, n: rf.totalRefunded, decimals: rf.amount.decimals}
	out := refundJSON{
		ID: rf.id, Status: rf.status, Amount: rf.amount.json(),
		SellerPayableBreakdown: &sellerPayableBreakdownJSON{GrossAmount: rf.amount.json(), TotalRefundedAmount: total.json()},
		Links: []linkJSON{
			{Href: s.ts.URL + "/v2/payments/refunds/" + rf.id, Rel: "self", Method: "GET"},
			{Href: s.ts.URL + "/v2/payments/captures/" + rf.captureID, Rel: "up", Method: "GET"},
		},
		CreateTime: timestamp(rf.created), UpdateTime: timestamp(rf.updated),
	}
	if rf.reason != "" {
		out.StatusDetails = &statusDetailsJSON{Reason: rf.reason}
	}
	return out
}
