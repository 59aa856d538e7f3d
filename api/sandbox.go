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

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// SandboxGateway is the sandbox gateway's HTTP face: its approval page and
// the decisions taken there.
type SandboxGateway interface {
	ApprovalPage(ctx context.Context, reference string) ([]byte, error)
	Decide(ctx context.Context, reference string, approve bool) (sandbox.Event, []byte, string, error)
}

// SandboxLedger lists the sandbox's charges.
type SandboxLedger interface {
	Charges(ctx context.Context) ([]sandbox.Charge, error)
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

var errBadSignature = &Problem{Status: http.StatusBadRequest, Detail: Error{Code: "INVALID_SIGNATURE", Message: "the webhook signature does not verify", Field: sandbox.SignatureHeader}}

func sandboxProblem(err error) error {
	switch {
	case errors.Is(err, sandbox.ErrUnknownReference):
		return errNotFound
	case errors.Is(err, sandbox.ErrAlreadyDecided):
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: "ALREADY_DECIDED", Message: "this charge was already approved, declined or voided"}}
	}
	return err
}

// approvalPage is GET /sandbox/approve/{ref}: the payer's Approve and
// Decline buttons.
func (h *handlers) approvalPage(c *gin.Context) {
	page, err := h.Sandbox.ApprovalPage(c.Request.Context(), c.Param("ref"))
	if err != nil {
		fail(c, sandboxProblem(err))
		return
	}
	setCSP(c, sandbox.ApprovalPageCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}

// decide is POST /sandbox/approve/{ref} (form decision=approve|decline):
// it settles the charge and delivers the signed webhook, as a real
// gateway would, then shows the page again.
func (h *handlers) decide(c *gin.Context) {
	decision := c.PostForm("decision")
	if decision != sandbox.DecisionApprove && decision != sandbox.DecisionDecline {
		fail(c, Invalid("decision", "decision must be approve or decline", decision))
		return
	}
	ref := c.Param("ref")
	_, body, signature, err := h.Sandbox.Decide(c.Request.Context(), ref, decision == sandbox.DecisionApprove)
	if err != nil {
		fail(c, sandboxProblem(err))
		return
	}
	if err := h.receiveSandboxEvent(c.Request.Context(), signature, body); err != nil {
		fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, sandbox.ApprovePath+ref)
}

// sandboxWebhook is POST /webhooks/sandbox.
func (h *handlers) sandboxWebhook(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			fail(c, bodyTooLarge(tooLarge.Limit))
			return
		}
		fail(c, Invalid("body", "could not read the request body", nil))
		return
	}
	if err := h.receiveSandboxEvent(c.Request.Context(), c.GetHeader(sandbox.SignatureHeader), body); err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, gin.H{"received": true})
}

// receiveSandboxEvent verifies an event, keeps it, and signals its
// payment's workflow. A repeat of a delivered event is acknowledged and
// dropped; an event whose workflow does not exist (yet, or any more) is
// kept undelivered and acknowledged, never lost; Temporal being down is a
// 503 so the sender retries.
func (h *handlers) receiveSandboxEvent(ctx context.Context, signature string, body []byte) error {
	now := time.Now().UTC()
	ev, err := sandbox.ParseWebhook(h.SandboxSecret, signature, body, now)
	if err != nil {
		return errBadSignature
	}
	stored, _, err := h.Webhooks.RecordWebhookEvent(ctx, models.WebhookEvent{ID: ev.ID, Gateway: sandbox.Name, Payload: string(body), ReceivedAt: now})
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
	signal := contract.GatewayEvent{Reference: ev.Reference, Succeeded: ev.Type == sandbox.EventChargeSucceeded, DeclineCode: ev.DeclineCode}
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
func (h *handlers) sandboxLedger(c *gin.Context) {
	charges, err := h.SandboxLedger.Charges(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	respondList(c, charges, "")
}
