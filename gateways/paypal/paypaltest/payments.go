package paypaltest

import (
	"net/http"
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

// captureState is a captured payment as the server keeps it.
type captureState struct {
	id, orderID, status string
	reason              string // status_details.reason
	amount              amount
	refunded            int64 // by COMPLETED and PENDING refunds
	invoiceID, customID string
	created, updated    time.Time
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

// refusesInvoice answers 422 DUPLICATE_INVOICE_ID (listed by the 422 schema
// of orders.create and by orders.capture-422) when the order would capture
// an invoice_id another order's capture already has, unless the account
// allows duplicate invoice IDs. It reports whether it answered. A declined
// capture took no money and does not count.
func (s *Server) refusesInvoice(w http.ResponseWriter, o *orderState) bool {
	if s.opts.AllowDuplicateInvoiceIDs || o.invoiceID == "" {
		return false
	}
	for _, c := range s.captures {
		if c.invoiceID == o.invoiceID && c.orderID != o.id && c.status != captureDeclined {
			s.writeError(w, http.StatusUnprocessableEntity, issue("DUPLICATE_INVOICE_ID", "", ""))
			return true
		}
	}
	return false
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
