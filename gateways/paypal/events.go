package paypal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/billgate/billgate/gateways"
)

// The webhook events billgate reads; subscribe the account's webhook to
// them. Every other verified event is gateways.EventOther.
const (
	EventOrderApproved    = "CHECKOUT.ORDER.APPROVED"
	EventCaptureCompleted = "PAYMENT.CAPTURE.COMPLETED"
	EventCaptureDeclined  = "PAYMENT.CAPTURE.DECLINED"
	EventCaptureDenied    = "PAYMENT.CAPTURE.DENIED"
	EventCaptureRefunded  = "PAYMENT.CAPTURE.REFUNDED"
	EventCaptureReversed  = "PAYMENT.CAPTURE.REVERSED"
	EventDisputeCreated   = "CUSTOMER.DISPUTE.CREATED"
)

// event is notifications_webhooks_v1 event.
type event struct {
	ID        string          `json:"id"`
	EventType string          `json:"event_type"`
	Resource  json.RawMessage `json:"resource"`
}

// dispute is customer_disputes_v1 dispute, the fields billgate reads.
type dispute struct {
	DisputeID            string `json:"dispute_id"`
	DisputedTransactions []struct {
		SellerTransactionID string `json:"seller_transaction_id"`
		InvoiceNumber       string `json:"invoice_number"`
	} `json:"disputed_transactions"`
	DisputeAmount *money `json:"dispute_amount"`
}

// readEvent reads a verified delivery. Reference is always the order ID,
// as Charge returned it; the IdempotencyKey is the charge's key (its wire
// form: see wireKey), from the order's or the capture's invoice_id:
//
//	CHECKOUT.ORDER.APPROVED          approved  the order, the resource
//	PAYMENT.CAPTURE.COMPLETED        succeeded the capture's related order
//	PAYMENT.CAPTURE.DECLINED/DENIED  failed    likewise, with a decline code
//	PAYMENT.CAPTURE.REFUNDED/REVERSED refunded the refund's capture's order (captures.get), Amount refunded
//	CUSTOMER.DISPUTE.CREATED         disputed  the disputed capture's order (captures.get), Amount disputed
func (g *Gateway) readEvent(ctx context.Context, body []byte) (gateways.Event, error) {
	var e event
	if err := json.Unmarshal(body, &e); err != nil {
		return gateways.Event{}, permanent(fmt.Errorf("webhook event: %w", err))
	}
	if e.ID == "" || e.EventType == "" {
		return gateways.Event{}, permanent(errors.New("webhook event: no id or event_type"))
	}
	out := gateways.Event{ID: e.ID, Type: gateways.EventOther}
	var err error
	switch e.EventType {
	case EventOrderApproved:
		out.Type = gateways.EventChargeApproved
		err = readOrderEvent(e, &out)
	case EventCaptureCompleted:
		out.Type = gateways.EventChargeSucceeded
		err = readCaptureEvent(e, &out)
	case EventCaptureDeclined, EventCaptureDenied:
		out.Type = gateways.EventChargeFailed
		err = readCaptureEvent(e, &out)
	case EventCaptureRefunded, EventCaptureReversed:
		out.Type = gateways.EventChargeRefunded
		err = g.readRefundEvent(ctx, e, &out)
	case EventDisputeCreated:
		out.Type = gateways.EventChargeDisputed
		err = g.readDisputeEvent(ctx, e, &out)
	}
	if err != nil {
		return gateways.Event{}, err
	}
	return out, nil
}

func readOrderEvent(e event, out *gateways.Event) error {
	var o order
	if err := decodeResource(e, &o); err != nil {
		return err
	}
	if o.ID == "" {
		return resourceError(e, "the order has no id")
	}
	out.Reference, out.IdempotencyKey = o.ID, o.unit().InvoiceID
	return nil
}

func readCaptureEvent(e event, out *gateways.Event) error {
	var c capture
	if err := decodeResource(e, &c); err != nil {
		return err
	}
	if out.Reference = c.orderID(); out.Reference == "" {
		return resourceError(e, "capture "+c.ID+" names no order (supplementary_data.related_ids.order_id)")
	}
	out.IdempotencyKey = c.InvoiceID
	if out.Type == gateways.EventChargeFailed {
		out.DeclineCode = gateways.CodeCardDeclined
		if c.Status == captureFailed {
			out.DeclineCode = codeCaptureFailed
		}
	}
	return nil
}

func (g *Gateway) readRefundEvent(ctx context.Context, e event, out *gateways.Event) error {
	var r refund
	if err := decodeResource(e, &r); err != nil {
		return err
	}
	if r.Amount != nil {
		amount, err := fromMoney(*r.Amount)
		if err != nil {
			return resourceError(e, "refund amount: "+err.Error())
		}
		out.Amount = amount
	}
	if r.captureID() == "" {
		return resourceError(e, "refund "+r.ID+" has no link up to its capture")
	}
	return g.fillFromCapture(ctx, r.captureID(), out)
}

func (g *Gateway) readDisputeEvent(ctx context.Context, e event, out *gateways.Event) error {
	var d dispute
	if err := decodeResource(e, &d); err != nil {
		return err
	}
	if d.DisputeAmount != nil {
		amount, err := fromMoney(*d.DisputeAmount)
		if err != nil {
			return resourceError(e, "dispute amount: "+err.Error())
		}
		out.Amount = amount
	}
	if len(d.DisputedTransactions) == 0 || d.DisputedTransactions[0].SellerTransactionID == "" {
		return resourceError(e, "dispute "+d.DisputeID+" names no seller_transaction_id")
	}
	out.IdempotencyKey = d.DisputedTransactions[0].InvoiceNumber
	return g.fillFromCapture(ctx, d.DisputedTransactions[0].SellerTransactionID, out)
}

// fillFromCapture sets the event's Reference (and IdempotencyKey, when the
// resource had none) from the capture captureID (captures.get), since
// refunds and disputes name the capture, not the order.
func (g *Gateway) fillFromCapture(ctx context.Context, captureID string, out *gateways.Event) error {
	if !validID(captureID) {
		return permanent(fmt.Errorf("webhook event %s: %q is not a PayPal capture ID", out.ID, captureID))
	}
	var c capture
	err := g.api.do(ctx, request{op: "captures.get", method: http.MethodGet, path: "/v2/payments/captures/" + captureID}, &c)
	if err != nil {
		return failure(err)
	}
	if out.Reference = c.orderID(); out.Reference == "" {
		return permanent(fmt.Errorf("webhook event %s: capture %s names no order", out.ID, captureID))
	}
	if out.IdempotencyKey == "" {
		out.IdempotencyKey = c.InvoiceID
	}
	return nil
}

func decodeResource(e event, v any) error {
	if err := json.Unmarshal(e.Resource, v); err != nil {
		return resourceError(e, err.Error())
	}
	return nil
}

func resourceError(e event, why string) error {
	return permanent(fmt.Errorf("webhook event %s (%s): %s", e.ID, e.EventType, why))
}
