package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// WebhookEndpoints keeps businesses' webhook endpoints.
type WebhookEndpoints struct{ *conn }

// WebhookEndpoint is where a business receives its events.
type WebhookEndpoint struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	TenantID    uuid.UUID
	URL         string `gorm:"column:url"`
	Description string
	EventTypes  string // comma-separated types, "<object>.*" or "*"
	Enabled     bool
	// Auth is the authentication scheme's settings, in JSON, its secret
	// left out (it is sealed with the others).
	Auth string
	// SealedSecrets holds the signing secret, the one it replaced, and
	// the scheme's secret, sealed for the endpoint.
	SealedSecrets string
	// PreviousSecretUntil is when the replaced signing secret stops
	// signing; nil when there is none.
	PreviousSecretUntil *time.Time
	// DisabledReason says why billgate disabled the endpoint; "" when a
	// person did, or it is enabled.
	DisabledReason string
	// FailingSince is when its deliveries began to fail, none succeeding
	// since; nil while they succeed.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Types are the event types (or patterns) the endpoint takes.
func (e *WebhookEndpoint) Types() []string {
	if e.EventTypes == "" {
		return []string{}
	}
	return strings.Split(e.EventTypes, ",")
}

// Wants reports whether the endpoint takes events of type t: it names t,
// t's object with ".*", or "*".
func (e *WebhookEndpoint) Wants(t string) bool {
	return slices.ContainsFunc(e.Types(), func(p string) bool { return EventPatternMatches(p, t) })
}

// CreateWebhookEndpoint stores a new endpoint; an ID taken is ErrConflict.
func (s *WebhookEndpoints) CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	if err := translate(s.db.WithContext(ctx).Create(e).Error); err != nil {
		return fmt.Errorf("create webhook endpoint: %w", err)
	}
	return nil
}

// WebhookEndpointByID finds an endpoint.
func (s *WebhookEndpoints) WebhookEndpointByID(ctx context.Context, id uuid.UUID) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	if err := translate(s.db.WithContext(ctx).Take(&e, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("webhook endpoint %s: %w", id, err)
	}
	return &e, nil
}

// WebhookEndpointList pages through a tenant's endpoints (every tenant's
// with a nil tenant) in ID order.
func (s *WebhookEndpoints) WebhookEndpointList(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]WebhookEndpoint, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	if tenant != nil {
		q = q.Where("tenant_id = ?", *tenant)
	}
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return findReadable[WebhookEndpoint](s.conn, q)
}

// WebhookEndpointChanges are the columns an update sets; nil leaves one.
type WebhookEndpointChanges struct {
	URL, Description, EventTypes, Auth, SealedSecrets, DisabledReason *string
	Enabled                                                           *bool
	PreviousSecretUntil                                               **time.Time
}

// UpdateWebhookEndpoint sets what ch names, if the endpoint was last
// updated at read (a compare-and-set: two rotations at once would each
// keep the other's secret); another update since is ErrConflict.
func (s *WebhookEndpoints) UpdateWebhookEndpoint(ctx context.Context, id uuid.UUID, ch WebhookEndpointChanges, read, now time.Time) error {
	set := map[string]any{"updated_at": now}
	for column, v := range map[string]*string{"url": ch.URL, "description": ch.Description, "event_types": ch.EventTypes,
		"auth": ch.Auth, "sealed_secrets": ch.SealedSecrets, "disabled_reason": ch.DisabledReason} {
		if v != nil {
			set[column] = *v
		}
	}
	if ch.Enabled != nil {
		set["enabled"] = *ch.Enabled
	}
	if ch.PreviousSecretUntil != nil {
		set["previous_secret_until"] = *ch.PreviousSecretUntil
	}
	res := s.db.WithContext(ctx).Model(&WebhookEndpoint{}).Where("id = ? AND updated_at = ?", id, read).Updates(set)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("update webhook endpoint %s: %w", id, err)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := s.WebhookEndpointByID(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("webhook endpoint %s changed since it was read: %w", id, ErrConflict)
}

// DeleteWebhookEndpoint removes an endpoint.
func (s *WebhookEndpoints) DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&WebhookEndpoint{}, "id = ?", id)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("delete webhook endpoint %s: %w", id, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("webhook endpoint %s: %w", id, ErrNotFound)
	}
	return nil
}
