package paypaltest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	seq                   int    // the order the server made its refunds in
	reason                string // status_details.reason
	amount                amount
	totalRefunded         int64 // of the capture, this refund included
	refundNotes
	created, updated time.Time
}

// refundNotes are refund_request's free-text fields, which the refund keeps
// as given and the refund schema returns.
type refundNotes struct {
	customID, invoiceID, noteToPayer string
}

// RefundOutcome sets the status later refunds end in: "COMPLETED" (the
// default), "PENDING" (with status_details.reason ECHECK, until
// SettleRefund), "FAILED" or "CANCELLED". It applies to refunds made in
// the dashboard (RefundInDashboard) too.
func (s *Server) RefundOutcome(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refundWith = status
}

// refundCapture is captures.refund (POST
// /v2/payments/captures/{capture_id}/refund): the refund_request is
// validated (readRefundNotes) and the capture refunded (refund). A
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
	notes, refused := readRefundNotes(&req)
	if refused != nil {
		s.writeRefusal(w, refused)
		return
	}
	rf, refused := s.refund(c, req.Amount, notes)
	if refused != nil {
		s.writeRefusal(w, refused)
		return
	}
	s.remember(op, requestID, rf.id)
	s.writeJSON(w, http.StatusCreated, s.refundJSON(rf))
}

// RefundInDashboard is the merchant refunding the capture in PayPal's
// dashboard, outside the API: value, in the capture's currency ("" for
// what remains), is refunded and refused as captures.refund would, but
// with no custom_id, invoice_id or note_to_payer. The refund ends as
// RefundOutcome says, and a completed one is reported
// (PAYMENT.CAPTURE.REFUNDED) as an API refund is. It returns the refund's
// ID.
func (s *Server) RefundInDashboard(captureID, value string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.captures[captureID]
	if !ok {
		return "", fmt.Errorf("paypaltest: no capture %s", captureID)
	}
	var want *moneyJSON
	if value != "" {
		want = &moneyJSON{CurrencyCode: c.amount.currency, Value: value}
	}
	rf, refused := s.refund(c, want, refundNotes{})
	if refused != nil {
		return "", fmt.Errorf("paypaltest: refund of capture %s refused: %w", captureID, refused)
	}
	return rf.id, nil
}

// readRefundNotes validates refund_request's custom_id and invoice_id (1
// to 127 characters) and note_to_payer (1 to 255), all of pattern ^.*$: 400
// INVALID_STRING_LENGTH or INVALID_PARAMETER_SYNTAX (captures.refund-400).
func readRefundNotes(req *refundRequestJSON) (refundNotes, *refusal) {
	var n refundNotes
	if refused := readStrings(
		stringField{req.CustomID, 127, &n.customID, "/custom_id"},
		stringField{req.InvoiceID, 127, &n.invoiceID, "/invoice_id"},
		stringField{req.NoteToPayer, 255, &n.noteToPayer, "/note_to_payer"},
	); refused != nil {
		return refundNotes{}, refused
	}
	return n, nil
}

// stringField is an optional string member of a request body, kept once
// checked.
type stringField struct {
	value *string
	max   int
	into  *string
	path  string // the member's JSON pointer
}

// readStrings checks each field given with checkLine, and keeps it.
func readStrings(fields ...stringField) *refusal {
	for _, f := range fields {
		if f.value == nil {
			continue
		}
		if refused := checkLine(*f.value, f.max, f.path); refused != nil {
			return refused
		}
		*f.into = *f.value
	}
	return nil
}

// checkLine checks a string field of 1 to max characters (JSON Schema's
// lengths count characters, not bytes) and of pattern ^.*$, one line:
// ECMA-262's "." matches any character but the line terminators LF, CR,
// U+2028 and U+2029.
func checkLine(v string, max int, field string) *refusal {
	if n := utf8.RuneCountInString(v); n < 1 || n > max {
		return refuse(http.StatusBadRequest, "INVALID_STRING_LENGTH", field)
	}
	if strings.ContainsAny(v, "\n\r\u2028\u2029") {
		return refuse(http.StatusBadRequest, "INVALID_PARAMETER_SYNTAX", field)
	}
	return nil
}

// refund refunds want of capture c (nil: what remains, as "For a full
// refund, include an empty request body"), keeping notes. The refund ends
// as RefundOutcome says, and a completed one is reported
// (PAYMENT.CAPTURE.REFUNDED). The refusals are captures.refund-422's (see
// refundable and refundAmount).
func (s *Server) refund(c *captureState, want *moneyJSON, notes refundNotes) (*refundState, *refusal) {
	if refused := refundable(c); refused != nil {
		return nil, refused
	}
	a, refused := refundAmount(c, want)
	if refused != nil {
		return nil, refused
	}
	now := s.now()
	rf := &refundState{
		id: newID(17), seq: len(s.refunds), captureID: c.id, status: s.refundWith, amount: a,
		refundNotes: notes, created: now, updated: now,
	}
	if rf.status == refundPending {
		rf.reason = pendingRefundReason
	}
	if rf.status == refundCompleted || rf.status == refundPending {
		s.addRefunded(c, a.n)
	}
	rf.totalRefunded = c.refunded
	s.refunds[rf.id] = rf
	if rf.status == refundCompleted {
		s.emitRefunded(rf)
	}
	return rf, nil
}

// refundable refuses a refund of a capture that is PENDING
// (PENDING_CAPTURE), DECLINED (REFUND_NOT_ALLOWED) or REFUNDED
// (CAPTURE_FULLY_REFUNDED), all 422.
func refundable(c *captureState) *refusal {
	name := map[string]string{
		capturePending:  "PENDING_CAPTURE",
		captureDeclined: "REFUND_NOT_ALLOWED",
		captureRefunded: "CAPTURE_FULLY_REFUNDED",
	}[c.status]
	if name == "" {
		return nil
	}
	return &refusal{status: http.StatusUnprocessableEntity, detail: issue(name, "", "")}
}

// refundAmount is what a refund of want takes from capture c: what remains
// for nil, else want, which must be in the capture's currency (422
// REFUND_CAPTURE_CURRENCY_MISMATCH), a valid amount (readAmount) and no
// more than remains (422 REFUND_AMOUNT_EXCEEDED).
func refundAmount(c *captureState, want *moneyJSON) (amount, *refusal) {
	remaining := c.amount.n - c.refunded
	if want == nil {
		return amount{currency: c.amount.currency, n: remaining, decimals: c.amount.decimals}, nil
	}
	if want.CurrencyCode != c.amount.currency {
		return amount{}, refuse(http.StatusUnprocessableEntity, "REFUND_CAPTURE_CURRENCY_MISMATCH", "/amount/currency_code")
	}
	a, refused := readAmount(want, "/amount", true)
	if refused != nil {
		return amount{}, refused
	}
	if a.n > remaining {
		return amount{}, refuse(http.StatusUnprocessableEntity, "REFUND_AMOUNT_EXCEEDED", "/amount/value")
	}
	return a, nil
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

// refundsOf are the refunds of a capture, oldest first; refunds made at
// the same time in the order they were made.
func (s *Server) refundsOf(captureID string) []*refundState {
	var out []*refundState
	for _, rf := range s.refunds {
		if rf.captureID == captureID {
			out = append(out, rf)
		}
	}
	slices.SortFunc(out, func(a, b *refundState) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.seq, b.seq))
	})
	return out
}

// refundJSON renders a refund.
func (s *Server) refundJSON(rf *refundState) refundJSON {
	total := amount{currency: rf.amount.currency, n: rf.totalRefunded, decimals: rf.amount.decimals}
	out := refundJSON{
		ID: rf.id, Status: rf.status, Amount: rf.amount.json(),
		CustomID: rf.customID, InvoiceID: rf.invoiceID, NoteToPayer: rf.noteToPayer,
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
