package paypaltest

import (
	"net/http"
	"slices"
	"time"
)

// The capture statuses (capture_status.status).
const (
	captureCompleted         = "COMPLETED"
	captureDeclined          = "DECLINED"
	capturePartiallyRefunded = "PARTIALLY_REFUNDED"
	capturePending           = "PENDING"
	captureRefunded          = "REFUNDED"
)

// The refund statuses (refund_status.status).
const (
	refundCancelled = "CANCELLED"
	refundFailed    = "FAILED"
	refundPending   = "PENDING"
	refundCompleted = "COMPLETED"
)

// captureState is a captured payment as the server keeps it.
type captureState struct {
	id, orderID, status string
	reason              string // status_details.reason
	amount              amount
	refunded            int64 // by COMPLETED and PENDING refunds
	invoiceID, customID string
	created, updated    time.Time
}

// refundState is a refund as the server keeps it.
type refundState struct {
	id, captureID, status string
	amount                amount
	totalRefunded         int64 // of the capture, this refund included
	created               time.Time
}

// getCapture is captures.get (GET /v2/payments/captures/{capture_id}):
// capture-2, with supplementary_data.related_ids.order_id.
func (s *Server) getCapture(w http.ResponseWriter, r *http.Request) {
	c, ok := s.captures[r.PathValue("id")]
	if !ok {
		s.writeError(w, http.StatusNotFound, issue("INVALID_RESOURCE_ID", "", "path"))
		return
	}
	s.writeJSON(w, http.StatusOK, s.captureJSON(c, true))
}

// RefundOutcome sets the status later refunds end in: "COMPLETED" (the
// default), "PENDING", "FAILED" or "CANCELLED".
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
	rf := &refundState{id: newID(17), captureID: c.id, status: s.refundWith, amount: a, created: s.now()}
	if rf.status == refundCompleted || rf.status == refundPending {
		c.refunded += a.n
		c.status, c.updated = capturePartiallyRefunded, rf.created
		if c.refunded == c.amount.n {
			c.status = captureRefunded
		}
	}
	rf.totalRefunded = c.refunded
	s.refunds[rf.id] = rf
	s.remember(op, requestID, rf.id)
	if rf.status == refundCompleted {
		s.emit("PAYMENT.CAPTURE.REFUNDED", "refund", "A "+units(a.n, a.decimals)+" "+a.currency+" capture payment was refunded", s.refundJSON(rf))
	}
	s.writeJSON(w, http.StatusCreated, s.refundJSON(rf))
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

// captureJSON renders a capture; payments adds supplementary_data (the
// capture-2 schema of payments_payment_v2).
func (s *Server) captureJSON(c *captureState, payments bool) captureJSON {
	self := s.ts.URL + "/v2/payments/captures/" + c.id
	out := captureJSON{
		ID: c.id, Status: c.status, Amount: c.amount.json(), InvoiceID: c.invoiceID, CustomID: c.customID,
		FinalCapture: true, SellerProtection: &sellerProtectionJSON{Status: "ELIGIBLE"},
		Links: []linkJSON{
			{Href: self, Rel: "self", Method: "GET"},
			{Href: self + "/refund", Rel: "refund", Method: "POST"},
			{Href: s.ts.URL + "/v2/checkout/orders/" + c.orderID, Rel: "up", Method: "GET"},
		},
		CreateTime: timestamp(c.created), UpdateTime: timestamp(c.updated),
	}
	if c.reason != "" {
		out.StatusDetails = &statusDetailsJSON{Reason: c.reason}
	}
	if payments {
		out.SupplementaryData = &supplementaryDataJSON{RelatedIDs: relatedIDsJSON{OrderID: c.orderID}}
	}
	return out
}

// refundJSON renders a refund.
func (s *Server) refundJSON(rf *refundState) refundJSON {
	total := amount{currency: rf.amount.currency, n: rf.totalRefunded, decimals: rf.amount.decimals}
	return refundJSON{
		ID: rf.id, Status: rf.status, Amount: rf.amount.json(),
		SellerPayableBreakdown: &sellerPayableBreakdownJSON{GrossAmount: rf.amount.json(), TotalRefundedAmount: total.json()},
		Links: []linkJSON{
			{Href: s.ts.URL + "/v2/payments/refunds/" + rf.id, Rel: "self", Method: "GET"},
			{Href: s.ts.URL + "/v2/payments/captures/" + rf.captureID, Rel: "up", Method: "GET"},
		},
		CreateTime: timestamp(rf.created), UpdateTime: timestamp(rf.created),
	}
}
