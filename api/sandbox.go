package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
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

// SandboxLedger lists the sandbox's charges, oldest first, each as it is
// written in JSON.
type SandboxLedger interface {
	Charges(ctx context.Context) ([]any, error)
}

// sandboxSignatureHeader carries a sandbox webhook's signature.
const sandboxSignatureHeader = "Billgate-Signature"

var errBadSandboxSignature = badSignature(sandboxSignatureHeader)

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
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if err := h.receiveSandboxEvent(c.Request.Context(), c.GetHeader(sandboxSignatureHeader), body); err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"received": true})
	return nil
}

// receiveSandboxEvent verifies a sandbox event and receives it: each
// decides a pending charge.
func (h *handlers) receiveSandboxEvent(ctx context.Context, signature string, body []byte) error {
	ev, err := h.Sandbox.ReadWebhook(signature, body)
	if err != nil {
		return errBadSandboxSignature
	}
	ev.Settles = true
	return h.receiveGatewayEvent(ctx, ev, body)
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
