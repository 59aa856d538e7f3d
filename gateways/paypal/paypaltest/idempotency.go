package paypaltest

import (
	"strings"
	"time"
)

// How long PayPal holds a PayPal-Request-Id: checkout_orders_v2's
// paypal_request_id parameter, "The server stores keys for 6 hours. The
// API callers can request the times to up to 72 hours by speaking to
// their Account Manager", and payments_payment_v2's, "The server stores
// keys for 45 days."
const (
	DefaultOrderRequestIDRetention = 6 * time.Hour
	paymentsRequestIDRetention     = 45 * 24 * time.Hour
)

// heldRequest is what a PayPal-Request-Id made, and when.
type heldRequest struct {
	id string
	at time.Time
}

// remember records that requestID of operation op made resource id.
func (s *Server) remember(op, requestID, id string) {
	if requestID == "" {
		return
	}
	if s.requestIDs[op] == nil {
		s.requestIDs[op] = map[string]heldRequest{}
	}
	s.requestIDs[op][requestID] = heldRequest{id: id, at: s.now()}
}

// recalled is the resource requestID of op made, if the server still holds
// the ID: once its retention is over, the ID is new again.
func (s *Server) recalled(op, requestID string) (string, bool) {
	held, ok := s.requestIDs[op][requestID]
	if !ok || requestID == "" {
		return "", false
	}
	if s.now().Sub(held.at) >= s.requestIDRetention(op) {
		delete(s.requestIDs[op], requestID)
		return "", false
	}
	return held.id, true
}

// requestIDRetention is how long operation op holds its PayPal-Request-Ids.
func (s *Server) requestIDRetention(op string) time.Duration {
	if strings.HasPrefix(op, "orders.") {
		return s.opts.OrderRequestIDRetention
	}
	return paymentsRequestIDRetention
}
