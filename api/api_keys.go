package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// APIKeys are the caller's API keys (auth.APIKeys).
type APIKeys interface {
	Create(ctx context.Context, p *auth.Principal, req auth.NewAPIKey) (*auth.APIKey, string, error)
	List(ctx context.Context, p *auth.Principal) ([]auth.APIKey, error)
	Revoke(ctx context.Context, p *auth.Principal, id uuid.UUID) error
}

type apiKeyView struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"`
	Policies   []string   `json:"policies"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

// newAPIKeyView is the one answer that carries the secret.
type newAPIKeyView struct {
	apiKeyView
	Secret string `json:"secret"`
}

func viewAPIKey(k *auth.APIKey) apiKeyView {
	v := apiKeyView{ID: k.ID, Name: k.Name, Hint: k.Hint, ExpiresAt: utc(k.ExpiresAt), CreatedAt: k.CreatedAt.UTC(), LastUsedAt: utc(k.LastUsedAt)}
	if k.PolicyNames != nil {
		_ = json.Unmarshal([]byte(*k.PolicyNames), &v.Policies) // written by CreateAPIKey
	}
	return v
}

var errTooManyKeys = &Problem{Status: http.StatusConflict, Detail: Error{Code: "CONFLICT", Message: "an account holds at most " + strconv.Itoa(models.MaxOwnedKeys) + " live keys of a kind: revoke one first"}}

// createAPIKey is POST /v1/api-keys: a key acting for the caller, narrowed
// to some of its policies when asked. The secret is shown this once.
func (h *handlers) createAPIKey(c *gin.Context) error {
	var req struct {
		Name      string     `json:"name"`
		ExpiresAt *time.Time `json:"expiresAt"`
		Policies  []string   `json:"policies"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if err := validAPIKey(req.Name, req.ExpiresAt, req.Policies, p.PolicyNames, h.Now()); err != nil {
		return err
	}
	k, secret, err := h.APIKeys.Create(c.Request.Context(), p, auth.NewAPIKey{Name: req.Name, ExpiresAt: req.ExpiresAt, Policies: req.Policies})
	if err != nil {
		return ownedKeyRefusal(err)
	}
	respond(c, http.StatusCreated, newAPIKeyView{apiKeyView: viewAPIKey(k), Secret: secret})
	return nil
}

// ownedKeyRefusal is err, or errTooManyKeys for the conflict of one key
// too many.
func ownedKeyRefusal(err error) error {
	if errors.Is(err, models.ErrConflict) {
		return errTooManyKeys
	}
	return err
}

func validAPIKey(name string, expiresAt *time.Time, policies, held []string, now time.Time) error {
	if err := validKeyName(name, expiresAt, now); err != nil {
		return err
	}
	if len(policies) > 100 {
		return Invalid("policies", "policies holds at most 100 names", nil)
	}
	for i, name := range policies {
		if !slices.Contains(held, name) {
			return Invalid(fmt.Sprintf("policies[%d]", i), "a key can only be narrowed to policies its owner holds", name)
		}
	}
	return nil
}

// validKeyName checks what API and signing keys share: a name and an
// optional expiry in the future.
func validKeyName(name string, expiresAt *time.Time, now time.Time) error {
	if name == "" || len([]rune(name)) > 64 || hasControlChar(name) {
		return Invalid("name", "name must be 1-64 printable characters", nil)
	}
	if expiresAt == nil {
		return nil
	}
	if !expiresAt.After(now) {
		return Invalid("expiresAt", "expiresAt must be in the future", expiresAt)
	}
	return validTime("expiresAt", *expiresAt)
}

// listAPIKeys is GET /v1/api-keys: the caller's live keys, never secrets.
func (h *handlers) listAPIKeys(c *gin.Context) error {
	keys, err := h.APIKeys.List(c.Request.Context(), principal(c))
	if err != nil {
		return err
	}
	respondViews(c, keys, nil, viewAPIKey)
	return nil
}

func (h *handlers) revokeAPIKey(c *gin.Context) error { return revokeOwnKey(c, h.APIKeys.Revoke) }

// revokeOwnKey revokes the caller's key in the path with revoke.
func revokeOwnKey(c *gin.Context, revoke func(context.Context, *auth.Principal, uuid.UUID) error) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := revoke(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
