package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/outbound"
	"github.com/billgate/billgate/webhookendpoints"
)

// webhookEndpointView is an endpoint as the API shows it: its
// authentication without the secret, and its signing secret only in the
// answers that make one.
type webhookEndpointView struct {
	ID             uuid.UUID         `json:"id"`
	TenantID       uuid.UUID         `json:"tenantId"`
	URL            string            `json:"url"`
	Description    string            `json:"description"`
	EventTypes     []string          `json:"eventTypes"`
	Enabled        bool              `json:"enabled"`
	DisabledReason *string           `json:"disabledReason"`
	FailingSince   *time.Time        `json:"failingSince"`
	Auth           webhookAuthFields `json:"auth"`
	// Secret is the Standard Webhooks signing secret, shown when it is
	// made: at creation and at rotation.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// webhookAuthFields are an endpoint's authentication scheme and settings,
// as the API names them; secret is given, never shown.
type webhookAuthFields struct {
	Scheme      string          `json:"scheme"`
	User        string          `json:"user,omitempty"`
	Name        string          `json:"name,omitempty"`
	KeyID       string          `json:"keyId,omitempty"`
	Algorithm   string          `json:"algorithm,omitempty"`
	Claims      json.RawMessage `json:"claims,omitempty"`
	ExpiryClaim string          `json:"expiryClaim,omitempty"`
	TTLSeconds  int64           `json:"ttlSeconds,omitempty"`
	Secret      string          `json:"secret,omitempty"`
}

func (f webhookAuthFields) auth() outbound.Auth {
	return outbound.Auth{Scheme: outbound.Scheme(f.Scheme), User: f.User, Name: f.Name, KeyID: f.KeyID, Algorithm: f.Algorithm,
		Claims: f.Claims, ExpiryClaim: f.ExpiryClaim, TTLSeconds: f.TTLSeconds, Secret: outbound.Secret(f.Secret)}
}

func authFields(a outbound.Auth) webhookAuthFields {
	scheme := string(a.Scheme)
	if scheme == "" {
		scheme = "none"
	}
	return webhookAuthFields{Scheme: scheme, User: a.User, Name: a.Name, KeyID: a.KeyID, Algorithm: a.Algorithm,
		Claims: a.Claims, ExpiryClaim: a.ExpiryClaim, TTLSeconds: a.TTLSeconds}
}

func viewWebhookEndpoint(e *models.WebhookEndpoint) webhookEndpointView {
	return webhookEndpointView{ID: e.ID, TenantID: e.TenantID, URL: e.URL, Description: e.Description,
		EventTypes: e.Types(), Enabled: e.Enabled, DisabledReason: optional(e.DisabledReason), FailingSince: utc(e.FailingSince),
		Auth: authFields(webhookendpoints.AuthOf(e)), CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
}

func viewWithSecret(w webhookendpoints.WithSecret) webhookEndpointView {
	v := viewWebhookEndpoint(w.Endpoint)
	v.Secret = w.Secret
	return v
}

// webhookEndpointRequest is the body of a create or an update.
type webhookEndpointRequest struct {
	TenantID    *uuid.UUID         `json:"tenantId"`
	URL         *string            `json:"url"`
	Description *string            `json:"description"`
	EventTypes  *[]string          `json:"eventTypes"`
	Enabled     *bool              `json:"enabled"`
	Auth        *webhookAuthFields `json:"auth"`
}

// authOf is the request's authentication: "none" is the empty scheme.
func (r webhookEndpointRequest) authOf() *outbound.Auth {
	if r.Auth == nil {
		return nil
	}
	a := r.Auth.auth()
	if a.Scheme == "none" {
		a.Scheme = outbound.SchemeNone
	}
	return &a
}

func (h *handlers) createWebhookEndpoint(c *gin.Context) error {
	var req webhookEndpointRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.URL == nil:
		return Invalid("url", "url is required", nil)
	case req.EventTypes == nil:
		return Invalid("eventTypes", "eventTypes is required", nil)
	case req.Enabled != nil:
		return Invalid("enabled", "an endpoint starts enabled; disable it with PATCH", nil)
	}
	n := webhookendpoints.New{TenantID: req.TenantID, URL: *req.URL, EventTypes: *req.EventTypes}
	if req.Description != nil {
		n.Description = *req.Description
	}
	if a := req.authOf(); a != nil {
		n.Auth = *a
	}
	w, err := h.WebhookEndpoints.Create(c.Request.Context(), caller(c), n)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewWithSecret(w))
	return nil
}

func (h *handlers) getWebhookEndpoint(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := h.WebhookEndpoints.Get(c.Request.Context(), caller(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewWebhookEndpoint(e))
	return nil
}

func (h *handlers) listWebhookEndpoints(c *gin.Context) error {
	lf, err := readListFilter(c, nil)
	if err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.WebhookEndpoint, error) {
		return h.WebhookEndpoints.List(c.Request.Context(), caller(c), lf.tenant, lf.after, limit)
	}, func(e models.WebhookEndpoint) uuid.UUID { return e.ID }, viewWebhookEndpoint)
}

func (h *handlers) updateWebhookEndpoint(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req webhookEndpointRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.TenantID != nil {
		return Invalid("tenantId", "an endpoint stays with its tenant", nil)
	}
	e, err := h.WebhookEndpoints.Update(c.Request.Context(), caller(c), id, webhookendpoints.Changes{
		URL: req.URL, Description: req.Description, EventTypes: req.EventTypes, Enabled: req.Enabled, Auth: req.authOf()})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewWebhookEndpoint(e))
	return nil
}

func (h *handlers) rotateWebhookSecret(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	w, err := h.WebhookEndpoints.RotateSecret(c.Request.Context(), caller(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewWithSecret(w))
	return nil
}

func (h *handlers) deleteWebhookEndpoint(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.WebhookEndpoints.Delete(c.Request.Context(), caller(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
