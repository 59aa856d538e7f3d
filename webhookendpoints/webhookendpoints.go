// Package webhookendpoints is a business's webhook endpoints: where its
// events are delivered, which of them, and how the deliveries
// authenticate. A business keeps its own, an admin any tenant's, a
// customer none. billgate makes each endpoint's signing secret (Standard
// Webhooks), shows it once, and on rotation keeps signing with the old one
// too for a day; the authentication scheme's secret is the business's.
// Both are sealed under the master keys for the endpoint they belong to.
package webhookendpoints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/outbound"
	"github.com/billgate/billgate/tenancy"
)

// Store keeps the endpoints (models.WebhookEndpoints).
type Store interface {
	CreateWebhookEndpoint(ctx context.Context, e *models.WebhookEndpoint) error
	WebhookEndpointByID(ctx context.Context, id uuid.UUID) (*models.WebhookEndpoint, error)
	WebhookEndpointList(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, id uuid.UUID, ch models.WebhookEndpointChanges, read, now time.Time) error
	DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error
}

// Box seals secrets for an owner and opens them (*sealed.Box).
type Box interface {
	Seal(plaintext, owner []byte) (string, error)
	Open(sealed string, owner []byte) ([]byte, error)
}

// Service is the endpoints' operations.
type Service struct {
	Store   Store
	Secrets Box
	// Outbox keeps the deliveries, and Wake wakes an endpoint's workflow
	// to send them.
	Outbox Deliveries
	Wake   Waker
	Now    func() time.Time
}

// RotationOverlap is how long a replaced signing secret keeps signing, so
// that a receiver can move to the new one without missing a delivery.
const RotationOverlap = 24 * time.Hour

// Bounds of what an endpoint holds.
const (
	MaxURLLen         = 2048
	MaxDescriptionLen = 500
	MaxEventTypes     = 50
)

// New is an endpoint to create.
type New struct {
	// ID is the endpoint's, reserved by the request's Idempotency-Key: a
	// retried request finds the endpoint its first try may have made.
	ID          uuid.UUID
	TenantID    *uuid.UUID // an admin names the tenant
	URL         string
	Description string
	EventTypes  []string
	Auth        outbound.Auth
}

// WithSecret is an endpoint with its signing secret, which is shown once:
// when the endpoint is created, and when its secret is rotated.
type WithSecret struct {
	Endpoint *models.WebhookEndpoint
	Secret   string
}

// secrets are an endpoint's sealed values.
type secrets struct {
	Signing  string          `json:"signing"`
	Previous string          `json:"previous,omitempty"`
	Auth     outbound.Secret `json:"auth,omitempty"`
}

// Create stores a new endpoint for the caller's tenant, with a new
// signing secret.
func (s *Service) Create(ctx context.Context, caller tenancy.Caller, n New) (WithSecret, error) {
	if caller.IsCustomer() {
		return WithSecret{}, fault.Denied("webhookEndpoints")
	}
	tenant, err := caller.TenantFor(n.TenantID)
	if err != nil {
		return WithSecret{}, err
	}
	if n.ID == uuid.Nil {
		n.ID = uuid.Must(uuid.NewV7())
	}
	types, err := checkFields(n.URL, n.Description, n.EventTypes, n.Auth)
	if err != nil {
		return WithSecret{}, err
	}
	now := s.Now().UTC()
	e := &models.WebhookEndpoint{ID: n.ID, TenantID: tenant, URL: n.URL, Description: n.Description, EventTypes: types,
		Enabled: true, CreatedAt: now, UpdatedAt: now}
	kept := secrets{Signing: outbound.NewSecret(), Auth: n.Auth.Secret}
	if e.Auth, e.SealedSecrets, err = s.seal(e.ID, n.Auth, kept); err != nil {
		return WithSecret{}, err
	}
	switch err := s.Store.CreateWebhookEndpoint(ctx, e); {
	case errors.Is(err, models.ErrConflict): // made by the first try, whose secret was shown then
		return WithSecret{}, fault.IllegalChange("this endpoint was created already; rotate its secret to see a new one")
	case err != nil:
		return WithSecret{}, err
	}
	return WithSecret{Endpoint: e, Secret: kept.Signing}, nil
}

// Get is an endpoint the caller sees.
func (s *Service) Get(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.WebhookEndpoint, error) {
	e, err := s.Store.WebhookEndpointByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if caller.IsCustomer() || !caller.IsAdmin() && e.TenantID != caller.ID {
		return nil, fmt.Errorf("webhook endpoint %s: %w", id, models.ErrNotFound)
	}
	return e, nil
}

// List pages through the endpoints the caller sees: a business its own,
// an admin every tenant's or the one named.
func (s *Service) List(ctx context.Context, caller tenancy.Caller, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.WebhookEndpoint, error) {
	switch {
	case caller.IsCustomer():
		return nil, fault.Denied("webhookEndpoints")
	case !caller.IsAdmin():
		tenant = &caller.ID
	}
	return s.Store.WebhookEndpointList(ctx, tenant, after, limit)
}

// Changes are what an update replaces; nil leaves a value. An Auth of the
// endpoint's scheme without a secret keeps the secret it has.
type Changes struct {
	URL, Description *string
	EventTypes       *[]string
	Enabled          *bool
	Auth             *outbound.Auth
}

// Update changes an endpoint the caller sees. Enabling it clears the
// reason billgate disabled it for.
func (s *Service) Update(ctx context.Context, caller tenancy.Caller, id uuid.UUID, ch Changes) (*models.WebhookEndpoint, error) {
	e, err := s.Get(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	kept, err := s.open(e)
	if err != nil {
		return nil, err
	}
	auth := AuthOf(e)
	auth.Secret = kept.Auth
	if ch.Auth != nil {
		if ch.Auth.Secret == "" && ch.Auth.Scheme == auth.Scheme {
			ch.Auth.Secret = auth.Secret
		}
		auth = *ch.Auth
	}
	next := func(v *string, was string) string {
		if v != nil {
			return *v
		}
		return was
	}
	wanted := e.Types()
	if ch.EventTypes != nil {
		wanted = *ch.EventTypes
	}
	types, err := checkFields(next(ch.URL, e.URL), next(ch.Description, e.Description), wanted, auth)
	if err != nil {
		return nil, err
	}
	set := models.WebhookEndpointChanges{URL: ch.URL, Description: ch.Description, EventTypes: &types, Enabled: ch.Enabled}
	enabling := ch.Enabled != nil && *ch.Enabled && !e.Enabled
	if enabling {
		set.DisabledReason = new(string)
	}
	if ch.Auth != nil {
		kept.Auth = auth.Secret
		settings, sealed, err := s.seal(e.ID, auth, kept)
		if err != nil {
			return nil, err
		}
		set.Auth, set.SealedSecrets = &settings, &sealed
	}
	updated, err := s.update(ctx, e, set)
	if err == nil && enabling {
		// Its deliveries left pending go now; should the wake fail, the
		// relay's sweep wakes it.
		_ = s.Wake.Wake(ctx, id, false)
	}
	return updated, err
}

// RotateSecret gives an endpoint the caller sees a new signing secret.
// The one it replaces keeps signing, beside it, for RotationOverlap.
func (s *Service) RotateSecret(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (WithSecret, error) {
	e, err := s.Get(ctx, caller, id)
	if err != nil {
		return WithSecret{}, err
	}
	kept, err := s.open(e)
	if err != nil {
		return WithSecret{}, err
	}
	kept.Previous, kept.Signing = kept.Signing, outbound.NewSecret()
	_, sealed, err := s.seal(e.ID, AuthOf(e), kept)
	if err != nil {
		return WithSecret{}, err
	}
	until := s.Now().UTC().Add(RotationOverlap)
	pUntil := &until
	updated, err := s.update(ctx, e, models.WebhookEndpointChanges{SealedSecrets: &sealed, PreviousSecretUntil: &pUntil})
	if err != nil {
		return WithSecret{}, err
	}
	return WithSecret{Endpoint: updated, Secret: kept.Signing}, nil
}

// Delete removes an endpoint the caller sees.
func (s *Service) Delete(ctx context.Context, caller tenancy.Caller, id uuid.UUID) error {
	if _, err := s.Get(ctx, caller, id); err != nil {
		return err
	}
	return s.Store.DeleteWebhookEndpoint(ctx, id)
}

// Opened is an endpoint with its secrets in the clear, for its
// deliveries only.
type Opened struct {
	Endpoint models.WebhookEndpoint
	// Auth is the scheme with its secret.
	Auth outbound.Auth
	// Signing are the keys that sign a delivery at the time Open was
	// called: the secret, and the one it replaced while it still signs.
	Signing [][]byte
}

// Open reads an endpoint and opens its secrets.
func (s *Service) Open(ctx context.Context, id uuid.UUID) (Opened, error) {
	e, err := s.Store.WebhookEndpointByID(ctx, id)
	if err != nil {
		return Opened{}, err
	}
	kept, err := s.open(e)
	if err != nil {
		return Opened{}, err
	}
	out := Opened{Endpoint: *e, Auth: AuthOf(e)}
	out.Auth.Secret = kept.Auth
	signing := []string{kept.Signing}
	if kept.Previous != "" && e.PreviousSecretUntil != nil && s.Now().Before(*e.PreviousSecretUntil) {
		signing = append(signing, kept.Previous)
	}
	for _, secret := range signing {
		key, err := outbound.ParseSecret(secret)
		if err != nil {
			return Opened{}, fmt.Errorf("webhook endpoint %s: a sealed signing secret: %w", e.ID, err)
		}
		out.Signing = append(out.Signing, key)
	}
	return out, nil
}

// AuthOf is an endpoint's authentication, without its secret.
func AuthOf(e *models.WebhookEndpoint) outbound.Auth {
	var a outbound.Auth
	_ = json.Unmarshal([]byte(e.Auth), &a) // written by seal, from an Auth
	return a
}

func (s *Service) update(ctx context.Context, e *models.WebhookEndpoint, set models.WebhookEndpointChanges) (*models.WebhookEndpoint, error) {
	switch err := s.Store.UpdateWebhookEndpoint(ctx, e.ID, set, e.UpdatedAt, s.Now().UTC()); {
	case errors.Is(err, models.ErrConflict):
		return nil, fault.IllegalChange("the endpoint changed while this update was made: read it and try again")
	case err != nil:
		return nil, err
	}
	return s.Store.WebhookEndpointByID(ctx, e.ID)
}

// seal is what an endpoint stores of auth and its secrets: the scheme's
// settings in the clear, the secrets sealed for the endpoint.
func (s *Service) seal(id uuid.UUID, auth outbound.Auth, kept secrets) (settings, sealed string, err error) {
	plain, err := json.Marshal(auth.Redacted())
	if err != nil {
		return "", "", err
	}
	secret, err := json.Marshal(kept)
	if err != nil {
		return "", "", err
	}
	if sealed, err = s.Secrets.Seal(secret, id[:]); err != nil {
		return "", "", fmt.Errorf("seal the endpoint's secrets: %w", err)
	}
	return string(plain), sealed, nil
}

func (s *Service) open(e *models.WebhookEndpoint) (secrets, error) {
	var kept secrets
	plain, err := s.Secrets.Open(e.SealedSecrets, e.ID[:])
	if err != nil {
		return kept, fmt.Errorf("webhook endpoint %s: its secrets do not open under the configured master keys: %w", e.ID, err)
	}
	if err := json.Unmarshal(plain, &kept); err != nil {
		return kept, fmt.Errorf("webhook endpoint %s: sealed secrets: %w", e.ID, err)
	}
	return kept, nil
}

// checkFields checks what an endpoint is given, and returns its event
// types as stored.
func checkFields(rawURL, description string, types []string, auth outbound.Auth) (string, error) {
	if err := checkURL(rawURL); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(description) > MaxDescriptionLen || !utf8.ValidString(description) {
		return "", fault.Invalid("description", fmt.Sprintf("description must be UTF-8 of at most %d characters", MaxDescriptionLen), nil)
	}
	joined, err := checkEventTypes(types)
	if err != nil {
		return "", err
	}
	if err := auth.Validate(); err != nil {
		var fe *outbound.FieldError
		if errors.As(err, &fe) {
			return "", fault.Invalid("auth."+fe.Field, "auth."+fe.Field+" "+fe.Problem, nil)
		}
		return "", fault.Invalid("auth", err.Error(), nil)
	}
	return joined, nil
}

// checkURL takes an absolute http or https URL with a host, without
// credentials or a fragment. Where it may point (not to billgate's own
// network) is checked when a delivery connects, after DNS resolution.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "" || len(raw) > MaxURLLen:
		return fault.Invalid("url", fmt.Sprintf("url must be an absolute http(s) URL of at most %d bytes", MaxURLLen), nil)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.Opaque != "":
		return fault.Invalid("url", "url must be an absolute http(s) URL, e.g. https://example.com/billgate", raw)
	case u.User != nil:
		return fault.Invalid("url", "url must not carry credentials: use auth", nil)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fault.Invalid("url", "url must not have a fragment", raw)
	}
	return nil
}

// checkEventTypes takes 1 to MaxEventTypes event types, "<object>.*"
// patterns or "*", each once.
func checkEventTypes(types []string) (string, error) {
	if len(types) == 0 || len(types) > MaxEventTypes {
		return "", fault.Invalid("eventTypes", fmt.Sprintf(`eventTypes must list 1 to %d event types, "<object>.*" or "*"`, MaxEventTypes), nil)
	}
	for i, t := range types {
		if !models.KnownEventPattern(t) {
			return "", fault.Invalid("eventTypes", `eventTypes must be event types (see docs/events.md), "<object>.*" or "*"`, t)
		}
		if slices.Contains(types[:i], t) {
			return "", fault.Invalid("eventTypes", "eventTypes names "+t+" twice", t)
		}
	}
	return strings.Join(types, ","), nil
}
