package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/models"
)

// Roles is the role and policy store as the HTTP layer uses it.
type Roles interface {
	CreatePolicy(ctx context.Context, p *models.Policy) error
	Policies(ctx context.Context) ([]models.Policy, error)
	PolicyByID(ctx context.Context, id uuid.UUID) (*models.Policy, error)
	UpdatePolicy(ctx context.Context, p *models.Policy) error
	DeletePolicy(ctx context.Context, id uuid.UUID) error
	CreateRole(ctx context.Context, r *models.Role, policies []string) error
	Roles(ctx context.Context) ([]models.RoleWithPolicies, error)
	RoleByID(ctx context.Context, id uuid.UUID) (*models.RoleWithPolicies, error)
	UpdateRole(ctx context.Context, r *models.Role, policies []string) error
	DeleteRole(ctx context.Context, id uuid.UUID) error
}

// policyView is a policy as the API shows it.
type policyView struct {
	ID            uuid.UUID           `json:"id"`
	Name          string              `json:"name"`
	Description   string              `json:"description"`
	Statements    []policy.Statement  `json:"statements"`
	Payloads      payloadTemplates    `json:"payloads"`
	Substitutions payloadcheck.Static `json:"substitutions"`
	CreatedAt     time.Time           `json:"createdAt"`
	UpdatedAt     time.Time           `json:"updatedAt"`
}

// payloadTemplates are a policy's payload templates by action.
type payloadTemplates map[string][]payloadcheck.Template

func viewPolicy(p *models.Policy) (policyView, error) {
	v := policyView{ID: p.ID, Name: p.Name, Description: p.Description, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
		Payloads: payloadTemplates{}, Substitutions: payloadcheck.Static{}}
	return v, errors.Join(json.Unmarshal([]byte(p.Statements), &v.Statements),
		unmarshalStored(p.Payloads, &v.Payloads), unmarshalStored(p.Substitutions, &v.Substitutions))
}

// contextOf is a stored payload context, validated when written; never nil.
func contextOf(raw string) payloadcheck.Static {
	var context payloadcheck.Static
	if unmarshalStored(raw, &context) != nil || context == nil {
		return payloadcheck.Static{}
	}
	return context
}

func unmarshalStored(raw string, v any) error {
	if raw == "" {
		return nil
	}
	return json.Unmarshal([]byte(raw), v)
}

type policyRequest struct {
	Name          string              `json:"name"`
	Description   *string             `json:"description"`
	Statements    []policy.Statement  `json:"statements"`
	Payloads      payloadTemplates    `json:"payloads"`
	Substitutions payloadcheck.Static `json:"substitutions"`
}

// validPayloads checks templates (each with auth/payloadcheck's rules, each for
// an action a route declares) and returns them as stored.
func (h *handlers) validPayloads(payloads payloadTemplates) (string, error) {
	for action, templates := range payloads {
		if !h.knownAction(action) {
			return "", Invalid("payloads."+action, errUnknownAction, action)
		}
		for i, t := range templates {
			if err := validTemplate(t); err != nil {
				return "", prefixed(err, fmt.Sprintf("payloads.%s[%d]", action, i))
			}
		}
	}
	if payloads == nil {
		payloads = payloadTemplates{}
	}
	b, err := json.Marshal(payloads)
	return string(b), err
}

const errUnknownAction = "payload templates are for an action a route declares (docs/actions.md)"

func (h *handlers) knownAction(action string) bool {
	return slices.Contains(slices.Collect(maps.Values(h.actions)), action)
}

func validTemplate(t payloadcheck.Template) error {
	var fe *payloadcheck.FieldError
	if err := payloadcheck.Validate(json.RawMessage(t)); errors.As(err, &fe) {
		return Invalid(fe.Field, fe.Message, nil)
	} else if err != nil {
		return Invalid("", err.Error(), nil)
	}
	return nil
}

// prefixed puts a field under path.
func prefixed(err error, path string) error {
	var p *Problem
	if !errors.As(err, &p) {
		return err
	}
	field := path
	if p.Detail.Field != "" {
		field += "." + p.Detail.Field
	}
	return Invalid(field, p.Detail.Message, p.Detail.Value)
}

// validSubstitutions checks a policy's static substitutions and returns
// them as stored.
func validSubstitutions(subs payloadcheck.Static) (string, error) {
	return validStatic("substitutions", subs)
}

// validStatic checks variable values given at field.
func validStatic(field string, subs payloadcheck.Static) (string, error) {
	var fe *payloadcheck.FieldError
	if err := subs.Validate(); errors.As(err, &fe) {
		return "", Invalid(field+"."+fe.Field, fe.Message, nil)
	}
	if subs == nil {
		subs = payloadcheck.Static{}
	}
	b, err := json.Marshal(subs)
	return string(b), err
}

// validPolicy checks a policy with auth/policy's rules and returns its
// statements as stored.
func validPolicy(name string, statements []policy.Statement) (string, error) {
	var fe *policy.FieldError
	if err := (policy.Policy{Name: name, Statements: statements}).Validate(); errors.As(err, &fe) {
		return "", Invalid(fe.Field, fe.Message, nil)
	} else if err != nil {
		return "", Invalid("statements", err.Error(), nil)
	}
	b, err := json.Marshal(statements)
	return string(b), err
}

func (h *handlers) createPolicy(c *gin.Context) error {
	var req policyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	statements, err := validPolicy(req.Name, req.Statements)
	if err != nil {
		return err
	}
	p := &models.Policy{Name: req.Name, Statements: statements}
	if p.Payloads, err = h.validPayloads(req.Payloads); err != nil {
		return err
	}
	if p.Substitutions, err = validSubstitutions(req.Substitutions); err != nil {
		return err
	}
	if req.Description != nil {
		p.Description = *req.Description
	}
	if err := h.Roles.CreatePolicy(c.Request.Context(), p); err != nil {
		return err
	}
	return respondPolicy(c, http.StatusCreated, p)
}

func respondPolicy(c *gin.Context, status int, p *models.Policy) error {
	v, err := viewPolicy(p)
	if err != nil {
		return err
	}
	respond(c, status, v)
	return nil
}

func (h *handlers) listPolicies(c *gin.Context) error {
	policies, err := h.Roles.Policies(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]policyView, len(policies))
	for i := range policies {
		if out[i], err = viewPolicy(&policies[i]); err != nil {
			return err
		}
	}
	respondList(c, out, "")
	return nil
}

func (h *handlers) policyParam(c *gin.Context) (*models.Policy, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return h.Roles.PolicyByID(c.Request.Context(), id)
}

func (h *handlers) getPolicy(c *gin.Context) error {
	p, err := h.policyParam(c)
	if err != nil {
		return err
	}
	return respondPolicy(c, http.StatusOK, p)
}

// updatePolicy is PATCH /v1/policies/{id}: description, statements,
// payload templates and substitutions. The name is the policy's identity
// and does not change. Sessions pick new statements up on their next
// request, new templates at their next login or token.
func (h *handlers) updatePolicy(c *gin.Context) error {
	var req struct {
		Description   *string             `json:"description"`
		Statements    []policy.Statement  `json:"statements"`
		Payloads      payloadTemplates    `json:"payloads"`
		Substitutions payloadcheck.Static `json:"substitutions"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := h.policyParam(c)
	if err != nil {
		return err
	}
	if req.Statements != nil {
		if p.Statements, err = validPolicy(p.Name, req.Statements); err != nil {
			return err
		}
	}
	if req.Payloads != nil {
		if p.Payloads, err = h.validPayloads(req.Payloads); err != nil {
			return err
		}
	}
	if req.Substitutions != nil {
		if p.Substitutions, err = validSubstitutions(req.Substitutions); err != nil {
			return err
		}
	}
	if req.Description != nil {
		p.Description = *req.Description
	}
	p.UpdatedAt = h.Now().UTC()
	if err := h.Roles.UpdatePolicy(c.Request.Context(), p); err != nil {
		return err
	}
	return respondPolicy(c, http.StatusOK, p)
}

func (h *handlers) deletePolicy(c *gin.Context) error {
	p, err := h.policyParam(c)
	if err != nil {
		return err
	}
	if err := h.Roles.DeletePolicy(c.Request.Context(), p.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// roleView is a role as the API shows it.
type roleView struct {
	ID             uuid.UUID           `json:"id"`
	Name           string              `json:"name"`
	Level          string              `json:"level"`
	Builtin        bool                `json:"builtin"`
	Listen         bool                `json:"listen"`
	PayloadContext payloadcheck.Static `json:"payloadContext"`
	Description    string              `json:"description"`
	Policies       []string            `json:"policies"`
	CreatedAt      time.Time           `json:"createdAt"`
	UpdatedAt      time.Time           `json:"updatedAt"`
}

func viewRole(r *models.RoleWithPolicies) roleView {
	return roleView{ID: r.ID, Name: r.Name, Level: accounts.LevelName(r.Level), Builtin: r.Builtin, Listen: r.Listen, Description: r.Description,
		PayloadContext: contextOf(r.PayloadContext), Policies: r.Policies, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

var roleName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func (h *handlers) createRole(c *gin.Context) error {
	var req struct {
		Name        string   `json:"name"`
		Level       string   `json:"level"`
		Description string   `json:"description"`
		Policies    []string `json:"policies"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !roleName.MatchString(req.Name) {
		return Invalid("name", "name must be 1-64 of a-z, 0-9, '.', '_' and '-'", req.Name)
	}
	level, ok := accounts.LevelNamed(req.Level)
	if !ok {
		return Invalid("level", "level must be customer, business or admin", req.Level)
	}
	r := &models.Role{Name: req.Name, Level: level, Description: req.Description}
	if err := h.Roles.CreateRole(c.Request.Context(), r, req.Policies); err != nil {
		return unknownPolicy(err, req.Policies)
	}
	return h.respondRole(c, http.StatusCreated, r.ID)
}

// unknownPolicy turns a missing policy name into a 400 on the field.
func unknownPolicy(err error, names []string) error {
	if errors.Is(err, models.ErrNotFound) {
		return Invalid("policies", "unknown policy", names)
	}
	return err
}

func (h *handlers) respondRole(c *gin.Context, status int, id uuid.UUID) error {
	r, err := h.Roles.RoleByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, status, viewRole(r))
	return nil
}

func (h *handlers) listRoles(c *gin.Context) error {
	roles, err := h.Roles.Roles(c.Request.Context())
	if err != nil {
		return err
	}
	respondViews(c, roles, nil, viewRole)
	return nil
}

func (h *handlers) roleParam(c *gin.Context) (*models.RoleWithPolicies, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return h.Roles.RoleByID(c.Request.Context(), id)
}

func (h *handlers) getRole(c *gin.Context) error {
	r, err := h.roleParam(c)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewRole(r))
	return nil
}

// updateRole is PATCH /v1/roles/{id}: description, policies, listen mode
// and payload context. Name and level are the role's identity; make a new
// role to change them.
func (h *handlers) updateRole(c *gin.Context) error {
	var req struct {
		Description    *string             `json:"description"`
		Policies       []string            `json:"policies"`
		Listen         *bool               `json:"listen"`
		PayloadContext payloadcheck.Static `json:"payloadContext"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := h.roleParam(c)
	if err != nil {
		return err
	}
	if req.Description != nil {
		r.Description = *req.Description
	}
	if req.Listen != nil {
		r.Listen = *req.Listen
	}
	if req.PayloadContext != nil {
		if r.PayloadContext, err = validStatic("payloadContext", req.PayloadContext); err != nil {
			return err
		}
	}
	r.UpdatedAt = h.Now().UTC()
	if err := h.Roles.UpdateRole(c.Request.Context(), &r.Role, req.Policies); err != nil {
		return unknownPolicy(err, req.Policies)
	}
	return h.respondRole(c, http.StatusOK, r.ID)
}

func (h *handlers) deleteRole(c *gin.Context) error {
	r, err := h.roleParam(c)
	if err != nil {
		return err
	}
	if err := h.Roles.DeleteRole(c.Request.Context(), r.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
