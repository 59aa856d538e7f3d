package paypaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// webhook is the registration deliveries go to.
type webhook struct {
	url, id string
}

// Event is a webhook event the server reported.
type Event struct {
	// ID is the event's id (WH-...), kept by redeliveries.
	ID string
	// Type is its event_type, e.g. "PAYMENT.CAPTURE.COMPLETED".
	Type string
	// Body is the JSON delivered.
	Body []byte
	// Delivered reports whether the listener took it (HTTP 2xx).
	Delivered bool
}

// eventJSON is notifications_webhooks_v1 event.
type eventJSON struct {
	ID              string     `json:"id"`
	EventVersion    string     `json:"event_version"`
	CreateTime      string     `json:"create_time"`
	ResourceType    string     `json:"resource_type"`
	ResourceVersion string     `json:"resource_version"`
	EventType       string     `json:"event_type"`
	Summary         string     `json:"summary"`
	Resource        any        `json:"resource"`
	Links           []linkJSON `json:"links"`
}

// RegisterWebhook registers the listener url, to which Deliver posts the
// events, and returns the webhook's ID, part of every signed string (the
// account's webhookId credential).
func (s *Server) RegisterWebhook(url string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhook{url: url, id: newID(17)}
	return s.webhook.id
}

// Events are the events reported so far, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		out[i] = *e
	}
	return out
}

// Deliver posts every event not yet delivered to the registered listener,
// oldest first, each signed afresh (a new transmission) by Signer at the
// server's now. It stops at the first the listener does not take (not
// 2xx), which stays undelivered, as PayPal retries it.
func (s *Server) Deliver(ctx context.Context) error {
	for {
		s.mu.Lock()
		var next *Event
		for _, e := range s.events {
			if !e.Delivered {
				next = e
				break
			}
		}
		hook := s.webhook
		s.mu.Unlock()
		if next == nil {
			return nil
		}
		if hook.url == "" {
			return fmt.Errorf("paypaltest: no webhook registered to deliver %s to", next.ID)
		}
		if err := s.post(ctx, hook, next.Body); err != nil {
			return fmt.Errorf("paypaltest: deliver %s (%s): %w", next.ID, next.Type, err)
		}
		s.mu.Lock()
		next.Delivered = true
		s.mu.Unlock()
	}
}

func (s *Server) post(ctx context.Context, hook webhook, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = s.signer.Sign(hook.id, body, s.now())
	resp, err := s.opts.WebhookClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the listener answered HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

// emit reports an event (the state is locked).
func (s *Server) emit(eventType, resourceType, summary string, resource any) {
	id := "WH-" + newID(17) + "-" + newID(17)
	self := s.ts.URL + "/v1/notifications/webhooks-events/" + id
	body, err := json.Marshal(eventJSON{
		ID: id, EventVersion: "1.0", CreateTime: timestamp(s.now()), ResourceType: resourceType,
		ResourceVersion: "2.0", EventType: eventType, Summary: summary, Resource: resource,
		Links: []linkJSON{{Href: self, Rel: "self", Method: "GET"}, {Href: self + "/resend", Rel: "resend", Method: "POST"}},
	})
	if err != nil {
		panic("paypaltest: " + err.Error())
	}
	s.events = append(s.events, &Event{ID: id, Type: eventType, Body: body})
}

// emitCapture reports a capture's status.
func (s *Server) emitCapture(c *captureState) {
	amount := units(c.amount.n, c.amount.decimals) + " " + c.amount.currency
	switch c.status {
	case captureCompleted:
		s.emit("PAYMENT.CAPTURE.COMPLETED", "capture", "Payment completed for "+amount, s.captureJSON(c, true))
	case capturePending:
		s.emit("PAYMENT.CAPTURE.PENDING", "capture", "Payment pending for "+amount, s.captureJSON(c, true))
	case captureDeclined:
		s.emit("PAYMENT.CAPTURE.DENIED", "capture", "Payment denied for "+amount, s.captureJSON(c, true))
	}
}

// SettleCapture ends a PENDING capture as PayPal does after its review:
// completed (PAYMENT.CAPTURE.COMPLETED) or denied (the capture DECLINED,
// PAYMENT.CAPTURE.DENIED).
func (s *Server) SettleCapture(captureID string, completed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.captures[captureID]
	if !ok || c.status != capturePending {
		return fmt.Errorf("paypaltest: no pending capture %s", captureID)
	}
	c.status, c.reason, c.updated = captureCompleted, "", s.now()
	if !completed {
		c.status = captureDeclined
	}
	s.emitCapture(c)
	return nil
}

// CaptureID is the ID of the order's capture, or "" before one.
func (s *Server) CaptureID(orderID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[orderID]; ok {
		return o.captureID
	}
	return ""
}

// SavedWallet is the vault ID of the wallet the order's capture saved
// (store_in_vault ON_SUCCESS), or "" when it saved none.
func (s *Server) SavedWallet(orderID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[orderID]; ok {
		return o.savedVault
	}
	return ""
}

// OrderStatus is the order's status, and whether the server has it.
func (s *Server) OrderStatus(orderID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", false
	}
	return o.status, true
}

// Orders is how many orders the server holds.
func (s *Server) Orders() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders)
}

// VoidOrder voids an order that is not captured, as PayPal does when all
// its purchase units are voided (order_status VOIDED).
func (s *Server) VoidOrder(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok || o.status == statusCompleted {
		return fmt.Errorf("paypaltest: no uncaptured order %s", orderID)
	}
	o.status, o.updated = statusVoided, s.now()
	return nil
}

// disputeJSON is customer_disputes_v1 dispute, as CUSTOMER.DISPUTE.CREATED
// carries it.
type disputeJSON struct {
	DisputeID             string            `json:"dispute_id"`
	CreateTime            string            `json:"create_time"`
	UpdateTime            string            `json:"update_time"`
	DisputedTransactions  []transactionJSON `json:"disputed_transactions"`
	Reason                string            `json:"reason"`
	Status                string            `json:"status"`
	DisputeAmount         moneyJSON         `json:"dispute_amount"`
	DisputeLifeCycleStage string            `json:"dispute_life_cycle_stage"`
	DisputeChannel        string            `json:"dispute_channel"`
	Links                 []linkJSON        `json:"links"`
}

// transactionJSON is transaction_info.
type transactionJSON struct {
	BuyerTransactionID  string    `json:"buyer_transaction_id"`
	SellerTransactionID string    `json:"seller_transaction_id"`
	CreateTime          string    `json:"create_time"`
	TransactionStatus   string    `json:"transaction_status"`
	GrossAmount         moneyJSON `json:"gross_amount"`
	InvoiceNumber       string    `json:"invoice_number,omitempty"`
	Custom              string    `json:"custom,omitempty"`
}

// OpenDispute is the payer disputing the order's capture, whole: PayPal
// reports CUSTOMER.DISPUTE.CREATED, naming the capture as the seller's
// transaction. It returns the dispute's ID.
func (s *Server) OpenDispute(orderID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", fmt.Errorf("paypaltest: no order %s", orderID)
	}
	c, ok := s.captures[o.captureID]
	if !ok {
		return "", fmt.Errorf("paypaltest: order %s is not captured", orderID)
	}
	now := timestamp(s.now())
	d := disputeJSON{
		DisputeID: "PP-D-" + newID(5), CreateTime: now, UpdateTime: now,
		DisputedTransactions: []transactionJSON{{
			BuyerTransactionID: newID(17), SellerTransactionID: c.id, CreateTime: timestamp(c.created),
			TransactionStatus: "COMPLETED", GrossAmount: c.amount.json(), InvoiceNumber: c.invoiceID, Custom: c.customID,
		}},
		Reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", Status: "OPEN", DisputeAmount: c.amount.json(),
		DisputeLifeCycleStage: "INQUIRY", DisputeChannel: "INTERNAL",
	}
	d.Links = []linkJSON{{Href: s.ts.URL + "/v1/customer/disputes/" + d.DisputeID, Rel: "self", Method: "GET"}}
	s.emit("CUSTOMER.DISPUTE.CREATED", "dispute", "A new dispute opened with Case # "+d.DisputeID, d)
	return d.DisputeID, nil
}
