package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/signature"
)

// SigningKeys are the caller's signing keys (auth.SigningKeys).
type SigningKeys interface {
	Create(ctx context.Context, p *auth.Principal, req auth.NewSigningKey) (*auth.SigningKey, string, error)
	List(ctx context.Context, p *auth.Principal) ([]auth.SigningKey, error)
	Revoke(ctx context.Context, p *auth.Principal, id uuid.UUID) error
}

type signingKeyView struct {
	ID              uuid.UUID  `json:"id"`
	KeyID           string     `json:"keyId"`
	Name            string     `json:"name"`
	Algorithm       string     `json:"algorithm"`
	RequiredHeaders []string   `json:"requiredHeaders"`
	LegacyDateOnly  bool       `json:"legacyDateOnly"`
	ExpiresAt       *time.Time `json:"expiresAt"`
	CreatedAt       time.Time  `json:"createdAt"`
	LastUsedAt      *time.Time `json:"lastUsedAt"`
}

// newSigningKeyView is the one answer that carries the secret.
type newSigningKeyView struct {
	signingKeyView
	Secret string `json:"secret"`
}

func viewSigningKey(k *auth.SigningKey) signingKeyView {
	v := signingKeyView{ID: k.ID, KeyID: k.ID.String(), Name: k.Name, Algorithm: k.Algorithm, LegacyDateOnly: k.LegacyDateOnly,
		ExpiresAt: utc(k.ExpiresAt), CreatedAt: k.CreatedAt.UTC(), LastUsedAt: utc(k.LastUsedAt)}
	_ = json.Unmarshal([]byte(k.RequiredHeaders), &v.RequiredHeaders) // written by CreateSigningKey
	return v
}

// createSigningKey is POST /v1/signing-keys: an HMAC key for HTTP
// Signatures. The secret is shown this once.
func (h *handlers) createSigningKey(c *gin.Context) error {
	var req struct {
		Name            string     `json:"name"`
		Algorithm       string     `json:"algorithm"`
		RequiredHeaders []string   `json:"requiredHeaders"`
		LegacyDateOnly  bool       `json:"legacyDateOnly"`
		ExpiresAt       *time.Time `json:"expiresAt"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		req.Name = req.Algorithm
	}
	if err := validSigningKey(req.Name, req.Algorithm, req.RequiredHeaders, req.ExpiresAt, h.Now()); err != nil {
		return err
	}
	for i, name := range req.RequiredHeaders {
		req.RequiredHeaders[i] = strings.ToLower(name)
	}
	k, secret, err := h.SigningKeys.Create(c.Request.Context(), principal(c), auth.NewSigningKey{
		Name: req.Name, Algorithm: req.Algorithm, RequiredHeaders: req.RequiredHeaders, LegacyDateOnly: req.LegacyDateOnly, ExpiresAt: req.ExpiresAt,
	})
	if err != nil {
		return ownedKeyRefusal(err)
	}
	respond(c, http.StatusCreated, newSigningKeyView{signingKeyView: viewSigningKey(k), Secret: secret})
	return nil
}

func validSigningKey(name, algorithm string, required []string, expiresAt *time.Time, now time.Time) error {
	if err := validKeyName(name, expiresAt, now); err != nil {
		return err
	}
	if algorithm != signature.HMACSHA1 && algorithm != signature.HMACSHA256 {
		return Invalid("algorithm", "algorithm must be hmac-sha256 or hmac-sha1", algorithm)
	}
	if len(required) > 20 {
		return Invalid("requiredHeaders", "requiredHeaders holds at most 20 names", nil)
	}
	for i, name := range required {
		if !signature.IsHeaderName(name) {
			return Invalid(fmt.Sprintf("requiredHeaders[%d]", i), "a header name, (request-target), (created) or (expires)", name)
		}
	}
	return nil
}

// listSigningKeys is GET /v1/signing-keys: the caller's live keys, never
// secrets.
func (h *handlers) listSigningKeys(c *gin.Context) error {
	keys, err := h.SigningKeys.List(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	respondViews(c, keys, nil, viewSigningKey)
	return nil
}

func (h *handlers) revokeSigningKey(c *gin.Context) error {
	return revokeOwnKey(c, h.SigningKeys.Revoke)
}
