package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// SandboxGateway is what the sandbox gateway's routes need of it: its
// approval page, the payer's decisions taken there, and its webhooks read
// back. The API declares it so that it compiles no gateway; internal/app
// adapts the sandbox to it.
type SandboxGateway interface {
	// ApprovalPage renders the page of the charge with reference, and the
	// Content-Security-Policy to serve it under. It fails with
	// ErrUnknownSandboxCharge.
	ApprovalPage(ctx context.Context, reference string) (page []byte, csp string, err error)
	// Decide approves or declines the pending charge with reference, and
	// returns the webhook announcing it: its body and signature. It fails
	// with ErrUnknownSandboxCharge or ErrSandboxChargeDecided.
	Decide(ctx context.Context, reference string, approve bool) (body []byte, signature string, err error)
	// ReadWebhook verifies a webhook's signature and decodes its event.
	ReadWebhook(signature string, body []byte) (GatewayEvent, error)
}

// The refusals of a SandboxGateway, wrapped or not.
var (
	ErrUnknownSandboxCharge = errors.New("unknown sandbox charge")
	ErrSandboxChargeDecided = errors.New("sandbox charge is no longer pending")
)

// GatewayEvent is a verified webhook: a gateway's decision on a pending
// charge.
type GatewayEvent struct {
	Gateway string // the gateway's name
	// ID is the event's; a resent event keeps it.
	ID string
	// IdempotencyKey is the charge's: "<payment ID>/<attempt>" for
	// billgate's payments.
	IdempotencyKey string
	Reference      string
	Succeeded      bool
	DeclineCode    string // why, when not Succeeded
}

// SandboxLedger lists the sandbox's charges, oldest first, each as it is
// written in JSON.
type SandboxLedger interface {
	Charges(ctx context.Context) ([]any, error)
}

// Webhooks keeps inbound gateway events by ID.
type Webhooks interface {
	RecordWebhookEvent(ctx context.Context, e models.WebhookEvent) (models.WebhookEvent, bool, error)
	MarkWebhookDelivered(ctx context.Context, id string, at time.Time) error
}

// Signaler delivers signals to workflows (the Temporal client).
type Signaler interface {
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// sandboxSignatureHeader carries a sandbox webhook's signature.
const sandboxSignatureHeader = "Billgate-Signature"

var errBadSignature = &Problem{Status: http.StatusBadRequest, Detail: Error{Code: "INVALID_SIGNATURE", Message: "the webhook signature does not verify", Field: sandboxSignatureHeader}}

func sandboxProblem(err error) error {
	switch {
	case errors.Is(err, ErrUnknownSandboxCharge):
		return errNotFound
	case errors.Is(err, ErrSandboxChargeDecided):
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: "ALREADY_DECIDED", Message: "this charge was already approved, declined or voided"}}
	}
	return err
}

// approvalPage is GET /sandbox/approve/{ref}: the payer's Approve and
// Decline buttons.
func (h *handlers) approvalPage(c *gin.Context) error {
	page, csp, err := h.Sandbox.ApprovalPage(c.Request.Context(), c.Param("ref"))
	if err != nil {
		return sandboxProblem(err)
	}
	setCSP(c, csp)
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
	return nil
}

// decide is POST /sandbox/approve/{ref} (form decision=approve|decline):
// it settles the charge and delivers the signed webhook, as a real
// gateway would, then shows the page again.
func (h *handlers) decide(c *gin.Context) error {
	decision := c.PostForm("decision")
	if decision != "approve" && decision != "decline" {
		return Invalid("decision", "decision must be approve or decline", decision)
	}
	body, signature, err := h.Sandbox.Decide(c.Request.Context(), c.Param("ref"), decision == "approve")
	if err != nil {
		return sandboxProblem(err)
	}
	if err := h.receiveSandboxEvent(c.Request.Context(), signature, body); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, c.Request.URL.Path)
	return nil
}

func (h *handlers) sandboxWebhook(c *gin.Context) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			return bodyTooLarge(tooLarge.Limit)
		}
		return Invalid("body", "could not read the request body", nil)
	}
	if err := h.receiveSandboxEvent(c.Request.Context(), c.GetHeader(sandboxSignatureHeader), body); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"received": true})
	return nil
}

// receiveSandboxEvent verifies an event, keeps it, and signals its
// payment's workflow. A repeat of a delivered event is acknowledged and
// dropped; an event whose workflow does not exist (yet, or any more) is
// kept undelivered and acknowledged, never lost; Temporal being down is a
// 503 so the sender retries.
func (h *handlers) receiveSandboxEvent(ctx context.Context, signature string, body []byte) error {
	ev, err := h.Sandbox.ReadWebhook(signature, body)
	if err != nil {
		return errBadSignature
	}
	now := h.Now().UTC()
	stored, _, err := h.Webhooks.RecordWebhookEvent(ctx, models.WebhookEvent{ID: ev.ID, Gateway: ev.Gateway, Payload: string(body), ReceivedAt: now})
	if err != nil {
		return err
	}
	if stored.DeliveredAt != nil {
		return nil
	}
	key, _, _ := strings.Cut(ev.IdempotencyKey, "/")
	paymentID, err := uuid.Parse(key)
	if err != nil {
		return nil // not a billgate payment: kept, never delivered
	}
	signal := contract.GatewayEvent{Reference: ev.Reference, Succeeded: ev.Succeeded, DeclineCode: ev.DeclineCode}
	err = h.Signaler.SignalWorkflow(ctx, contract.PaymentWorkflowID(paymentID), "", contract.GatewayEventSignal, signal)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return nil
	case err != nil:
		return errUnavailable
	}
	return h.Webhooks.MarkWebhookDelivered(ctx, ev.ID, now)
}

// sandboxLedger is GET /v1/sandbox/ledger (admins): every sandbox charge,
// so tests can prove each invoice was charged exactly once.
func (h *handlers) sandboxLedger(c *gin.Context) error {
	charges, err := h.SandboxLedger.Charges(c.Request.Context())
	if err != nil {
		return err
	}
	respondList(c, charges, "")
	return nil
}
