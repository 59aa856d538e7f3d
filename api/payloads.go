package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

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
			h.Observed.observe(p.Listening, action, redacted(body))
		}
	}
}

// Observations keep, per role in listen mode, what its members' accepted
// payloads were, generalised into proposed templates. They live in this
// process: each API replica proposes from what it served.
type Observations struct {
	maxValues int
	mu        sync.Mutex
	byRole    map[string]*payloadcheck.Observer
}

// DefaultListenValues is how many distinct values listen mode keeps a
// field before it proposes the wildcard.
const DefaultListenValues = 10

// NewObservations keeps up to maxValues distinct values a field before it
// proposes the wildcard for it.
func NewObservations(maxValues int) *Observations {
	return &Observations{maxValues: maxValues, byRole: map[string]*payloadcheck.Observer{}}
}

func (o *Observations) observe(roles []string, action string, body []byte) {
	for _, role := range roles {
		o.of(role).Observe(action, body)
	}
}

func (o *Observations) of(role string) *payloadcheck.Observer {
	o.mu.Lock()
	defer o.mu.Unlock()
	obs := o.byRole[role]
	if obs == nil {
		obs = payloadcheck.NewObserver(o.maxValues)
		o.byRole[role] = obs
	}
	return obs
}

// proposals are the templates proposed for a role, by action.
func (o *Observations) proposals(role string) map[string]payloadcheck.Template {
	o.mu.Lock()
	obs := o.byRole[role]
	o.mu.Unlock()
	if obs == nil {
		return map[string]payloadcheck.Template{}
	}
	return obs.Proposals()
}

// secretFields are never observed: listen mode proposes the wildcard for
// them without keeping what was sent, so proposals never show an admin a
// password or a payment token.
var secretFields = []string{"password", "currentPassword", "newPassword", "token", "secret"}

// redacted is body with the values of secret fields, at any depth,
// replaced by markup, which the observer widens to the wildcard.
func redacted(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body // not JSON: the observer ignores it
	}
	redact(v)
	out, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return out
}

func redact(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if slices.ContainsFunc(secretFields, func(f string) bool { return strings.EqualFold(f, k) }) {
				v[k] = "<%= redacted %>"
				continue
			}
			redact(x)
		}
	case []any:
		for _, x := range v {
			redact(x)
		}
	}
}

type observedTemplate struct {
	Action   string                `json:"action"`
	Template payloadcheck.Template `json:"template"`
}

// observedTemplates is GET /v1/payload-templates/observed?role=: what
// listen mode proposes for a role's actions, from the payloads this API
// process accepted.
func (h *handlers) observedTemplates(c *gin.Context) error {
	role := c.Query("role")
	if role == "" {
		return Invalid("role", "role is required", nil)
	}
	proposals := h.Observed.proposals(role)
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
