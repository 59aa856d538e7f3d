package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// GatewayEvent is a verified webhook in billgate's terms.
type GatewayEvent struct {
	// Gateway is the gateway's name, or the route of a connected account.
	Gateway string
	// ID is the event's as billgate keeps it; a resent event keeps it.
	ID string
	// Kind is what the event reports (a gateways.EventType), kept for the
	// reconciliation.
	Kind string
	// IdempotencyKey is the charge's: "<payment ID>/<attempt>" for
	// billgate's payments.
	IdempotencyKey string
	Reference      string
	// Settles is set on an event that may decide a pending charge, which
	// its payment is told of: Succeeded, or declined for DeclineCode.
	// Other events (refunds, disputes) are kept for the reconciliation.
	Settles     bool
	Succeeded   bool
	DeclineCode string
	// Disputed is set on a dispute (a chargeback) of the charge.
	Disputed bool
}

// Webhooks keeps inbound gateway events by ID.
type Webhooks interface {
	RecordWebhookEvent(ctx context.Context, e models.WebhookEvent) (models.WebhookEvent, bool, error)
	MarkWebhookDelivered(ctx context.Context, id string, at time.Time) error
}

// EventPayments are the payments gateway events speak of (models.Billing):
// whose gateway each is collected through, and the dispute mark.
type EventPayments interface {
	PaymentByID(ctx context.Context, id uuid.UUID) (*models.Payment, error)
	MarkDisputed(ctx context.Context, paymentID uuid.UUID, gateway string, at time.Time) error
}

// Signaler delivers signals to workflows (the Temporal client).
type Signaler interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// ConnectedWebhooks verifies and reads the webhooks of businesses'
// connected gateway accounts; internal/app adapts the gateways to it.
type ConnectedWebhooks interface {
	// ReadWebhook fails with ErrUnknownGatewayAccount,
	// ErrBadWebhookSignature, or an error wrapping fault.ErrUnavailable
	// when the gateway could not be asked (a certificate to fetch).
	ReadWebhook(ctx context.Context, gateway string, account uuid.UUID, header http.Header, body []byte) (GatewayEvent, error)
	// ReadReturn reads the query a payer came back from the gateway with:
	// the charge's reference and idempotency key. ok is false when it names
	// none. It fails with ErrUnknownGatewayAccount.
	ReadReturn(ctx context.Context, gateway string, account uuid.UUID, query url.Values) (ev GatewayEvent, ok bool, err error)
}

// The refusals of ConnectedWebhooks, wrapped or not.
var (
	ErrUnknownGatewayAccount = errors.New("no such gateway account")
	ErrBadWebhookSignature   = errors.New("the webhook signature does not verify")
)

func badSignature(field string) *Problem {
	return &Problem{Status: http.StatusBadRequest, Detail: Error{Code: "INVALID_SIGNATURE", Message: "the webhook signature does not verify", Field: field}}
}

var errBadGatewaySignature = badSignature("signature")

// readBody reads a webhook's body whole, within the body limit.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := c.GetRawData()
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			return nil, bodyTooLarge(tooLarge.Limit)
		}
		return nil, Invalid("body", "could not read the request body", nil)
	}
	return body, nil
}

// gatewayWebhook is POST /webhooks/{gateway}/{accountId}: an event of a
// business's connected account, proven by the account's own secret.
func (h *handlers) gatewayWebhook(c *gin.Context) error {
	account, err := uuid.Parse(c.Param("accountId"))
	if err != nil {
		return errNotFound
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	ev, err := h.ConnectedWebhooks.ReadWebhook(c.Request.Context(), c.Param("gateway"), account, c.Request.Header, body)
	switch {
	case errors.Is(err, ErrUnknownGatewayAccount):
		return errNotFound
	case errors.Is(err, ErrBadWebhookSignature):
		return errBadGatewaySignature
	case err != nil:
		return err
	}
	if err := h.receiveGatewayEvent(c.Request.Context(), ev, body); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"received": true})
	return nil
}

// receiveGatewayEvent keeps a verified event and, when it settles a
// charge, signals its payment's workflow; a dispute marks the payment. A repeat of a delivered event is
// acknowledged and dropped; an event whose workflow does not exist (yet,
// or any more), or that settles nothing, is kept undelivered and
// acknowledged, never lost; Temporal being down is a 503 so the sender
// retries. The answer comes only once the event is stored.
func (h *handlers) receiveGatewayEvent(ctx context.Context, ev GatewayEvent, body []byte) error {
	now := h.Now().UTC()
	paymentID, ours := paymentOf(ev.IdempotencyKey)
	record := models.WebhookEvent{ID: ev.ID, Gateway: ev.Gateway, Payload: string(body), ReceivedAt: now, Kind: ev.Kind, Reference: ev.Reference}
	if ours {
		record.PaymentID = &paymentID
	}
	stored, _, err := h.Webhooks.RecordWebhookEvent(ctx, record)
	if err != nil {
		return err
	}
	if stored.DeliveredAt != nil || !ev.Settles && !ev.Disputed || !ours {
		return nil // not a billgate payment's, or nothing to tell it: kept, never delivered
	}
	if mine, err := h.collectedThrough(ctx, paymentID, ev.Gateway); !mine {
		return err // kept, never delivered
	}
	if ev.Disputed {
		if err := h.EventPayments.MarkDisputed(ctx, paymentID, ev.Gateway, now); err != nil {
			return err
		}
		return h.Webhooks.MarkWebhookDelivered(ctx, ev.ID, now)
	}
	if told, err := h.signalPayment(ctx, paymentID, ev); !told {
		return err
	}
	return h.Webhooks.MarkWebhookDelivered(ctx, ev.ID, now)
}

// collectedThrough reports whether the payment is collected through the
// connected account route: a business's account speaks of its own
// payments only, so that one signed with its own secret never reaches
// another's. The sandbox's events are signed with billgate's own secret.
func (h *handlers) collectedThrough(ctx context.Context, paymentID uuid.UUID, route string) (bool, error) {
	if _, account, err := contract.ParseGatewayRoute(route); err != nil || account == uuid.Nil {
		return err == nil, nil
	}
	p, err := h.EventPayments.PaymentByID(ctx, paymentID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return p.Gateway == route, nil
}

// signalPayment tells the payment what ev says of its charge. A payment
// whose workflow does not exist (yet, or any more) is not told; Temporal
// down is errUnavailable, for the sender to retry.
func (h *handlers) signalPayment(ctx context.Context, paymentID uuid.UUID, ev GatewayEvent) (told bool, err error) {
	signal := contract.GatewayEvent{Reference: ev.Reference, Succeeded: ev.Succeeded, DeclineCode: ev.DeclineCode}
	err = h.Signaler.SignalWorkflow(ctx, contract.PaymentWorkflowID(paymentID), "", contract.GatewayEventSignal, signal)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return false, nil
	case err != nil:
		return false, errUnavailable
	}
	return true, nil
}

// paymentOf is the payment a charge's idempotency key names, if any.
func paymentOf(key string) (uuid.UUID, bool) {
	head, _, _ := strings.Cut(key, "/")
	id, err := uuid.Parse(head)
	return id, err == nil
}

// returnPage is what a payer sees back from the gateway.
var returnPage = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payment</title></head>` +
	`<body><h1>Thank you</h1><p>Your payment is being confirmed with the gateway. You may close this page.</p></body></html>`)

// gatewayReturn is GET /gateways/{gateway}/{accountId}/return: the payer
// back from approving (or refusing) a charge at the gateway. It tells the
// payment to look the charge up, which PayPal's capture needs; the webhook
// tells it too, and whichever comes first settles it, once. The query is
// no proof: the payment believes only what the gateway answers.
func (h *handlers) gatewayReturn(c *gin.Context) error {
	account, err := uuid.Parse(c.Param("accountId"))
	if err != nil {
		return errNotFound
	}
	ev, ok, err := h.ConnectedWebhooks.ReadReturn(c.Request.Context(), c.Param("gateway"), account, c.Request.URL.Query())
	switch {
	case errors.Is(err, ErrUnknownGatewayAccount):
		return errNotFound
	case err != nil:
		return err
	}
	paymentID, named := paymentOf(ev.IdempotencyKey)
	if !ok || !named {
		return Invalid("query", "the return names no charge of billgate's", nil)
	}
	mine, err := h.collectedThrough(c.Request.Context(), paymentID, ev.Gateway)
	if err != nil {
		return err
	}
	if mine {
		if _, err := h.signalPayment(c.Request.Context(), paymentID, ev); err != nil {
			return err
		}
	}
	setCSP(c, "default-src 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", returnPage)
	return nil
}
