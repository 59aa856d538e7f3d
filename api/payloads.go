package api

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/models"
)

// checkPayload refuses a request whose JSON body (or query) matches none of
// the caller's payload templates for the action: 401 PERMISSION DENIED
// naming the first offending field. In listen mode, a payload the handler
// accepted is observed for the caller's listening roles.
func (h *handlers) checkPayload(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		restricted, listening := p.Payloads.Restricts(action), len(p.Listening) > 0
		if !restricted && !listening {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		if tooLarge := asMaxBytes(err); tooLarge != nil {
			fail(c, bodyTooLarge(tooLarge.Limit))
			return
		}
		if restricted {
			var fe *payloadcheck.FieldError
			if err := p.Payloads.Check(action, body, c.Request.URL.Query()); errors.As(err, &fe) {
				fail(c, permissionDenied(fe.Field))
				return
			}
		}
		c.Next()
		if listening && c.Writer.Status() < http.StatusMultipleChoices {
			h.Observed.Observe(c.Request.Context(), p.Listening, action, body)
		}
	}
}

type observedTemplate struct {
	Action   string                `json:"action"`
	Template payloadcheck.Template `json:"template"`
}

// observedTemplates is GET /v1/payload-templates/observed?role=: what
// listen mode proposes for a role's actions, from the payloads every API
// process accepted.
func (h *handlers) observedTemplates(c *gin.Context) error {
	role := c.Query("role")
	if role == "" {
		return Invalid("role", "role is required", nil)
	}
	proposals, err := h.Observed.Proposals(c.Request.Context(), role)
	if err != nil {
		return err
	}
	out := make([]observedTemplate, 0, len(proposals))
	for _, action := range slices.Sorted(maps.Keys(proposals)) {
		out = append(out, observedTemplate{Action: action, Template: proposals[action]})
	}
	respondList(c, out, "")
	return nil
}

// adoptTemplate is POST /v1/payload-templates: a template (a proposal, or
// any other) added to a policy's templates for an action. It applies from
// each session's next login or token.
func (h *handlers) adoptTemplate(c *gin.Context) error {
	var req struct {
		PolicyID uuid.UUID             `json:"policyId"`
		Action   string                `json:"action"`
		Template payloadcheck.Template `json:"template"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !h.knownAction(req.Action) {
		return Invalid("action", errUnknownAction, req.Action)
	}
	if err := validTemplate(req.Template); err != nil {
		return prefixed(err, "template")
	}
	p, err := h.Roles.PolicyByID(c.Request.Context(), req.PolicyID)
	if errors.Is(err, models.ErrNotFound) {
		return Invalid("policyId", "unknown policy", req.PolicyID)
	}
	if err != nil {
		return err
	}
	payloads := payloadTemplates{}
	if err := unmarshalStored(p.Payloads, &payloads); err != nil {
		return err
	}
	payloads[req.Action] = append(payloads[req.Action], req.Template)
	if p.Payloads, err = h.validPayloads(payloads); err != nil {
		return err
	}
	p.UpdatedAt = h.Now().UTC()
	if err := h.Roles.UpdatePolicy(c.Request.Context(), p); err != nil {
		return err
	}
	return respondPolicy(c, http.StatusCreated, p)
}
