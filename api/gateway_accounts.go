package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/models"
)

// gatewayAccountView is a connected gateway account as the API shows it:
// its secrets by name only.
type gatewayAccountView struct {
	ID         uuid.UUID          `json:"id"`
	TenantID   uuid.UUID          `json:"tenantId"`
	Gateway    string             `json:"gateway"`
	Mode       string             `json:"mode"`
	Name       string             `json:"name"`
	Currencies []billing.Currency `json:"currencies"`
	Settings   map[string]string  `json:"settings"`
	Secrets    []string           `json:"secrets"`
	// WebhookURL is what the business registers at its gateway.
	WebhookURL string               `json:"webhookUrl"`
	Health     gatewayAccountHealth `json:"health"`
	CreatedAt  time.Time            `json:"createdAt"`
	UpdatedAt  time.Time            `json:"updatedAt"`
}

// gatewayAccountHealth says whether the gateway answered the last call
// billgate made through the account: answering, failing, or unknown before
// the first call.
type gatewayAccountHealth struct {
	Status         string     `json:"status"`
	LastAnsweredAt *time.Time `json:"lastAnsweredAt"`
	LastFailedAt   *time.Time `json:"lastFailedAt"`
	LastError      string     `json:"lastError,omitempty"`
}

func (h *handlers) viewGatewayAccount(a *models.GatewayAccount) gatewayAccountView {
	currencies := gatewayaccounts.Currencies(a)
	if currencies == nil {
		currencies = []billing.Currency{}
	}
	return gatewayAccountView{ID: a.ID, TenantID: a.TenantID, Gateway: a.Gateway, Mode: a.Mode, Name: a.Name,
		Currencies: currencies, Settings: gatewayaccounts.Settings(a), Secrets: gatewayaccounts.SecretNames(a),
		WebhookURL: h.PublicURL + gatewayaccounts.WebhookPath(a.Gateway, a.ID), Health: healthOf(a),
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

func healthOf(a *models.GatewayAccount) gatewayAccountHealth {
	return gatewayAccountHealth{Status: a.Health(), LastAnsweredAt: utc(a.LastAnsweredAt), LastFailedAt: utc(a.LastFailedAt), LastError: a.LastError}
}

// gatewayAccountRequest is the body of a connect or an update.
type gatewayAccountRequest struct {
	TenantID    *uuid.UUID          `json:"tenantId"`
	Gateway     string              `json:"gateway"`
	Mode        string              `json:"mode"`
	Name        *string             `json:"name"`
	Currencies  *[]billing.Currency `json:"currencies"`
	Credentials map[string]string   `json:"credentials"`
}

func (h *handlers) connectGatewayAccount(c *gin.Context) error {
	var req gatewayAccountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n := gatewayaccounts.New{ID: reservedID(c), TenantID: req.TenantID, Gateway: req.Gateway, Mode: req.Mode, Credentials: req.Credentials}
	if req.Name != nil {
		n.Name = *req.Name
	}
	if req.Currencies != nil {
		n.Currencies = *req.Currencies
	}
	a, err := h.GatewayAccounts.Connect(c.Request.Context(), caller(c), n)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, h.viewGatewayAccount(a))
	return nil
}

func (h *handlers) getGatewayAccount(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.GatewayAccounts.Get(c.Request.Context(), caller(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, h.viewGatewayAccount(a))
	return nil
}

func (h *handlers) listGatewayAccounts(c *gin.Context) error {
	lf, err := readListFilter(c, nil)
	if err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.GatewayAccount, error) {
		return h.GatewayAccounts.List(c.Request.Context(), caller(c), lf.tenant, lf.after, limit)
	}, func(a models.GatewayAccount) uuid.UUID { return a.ID }, h.viewGatewayAccount)
}

// updateGatewayAccount renames an account, changes its currencies, or
// rotates credentials by giving their new values; the gateway and mode
// stay (connect another account to change them).
func (h *handlers) updateGatewayAccount(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req gatewayAccountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.TenantID != nil:
		return Invalid("tenantId", "an account stays with its tenant", nil)
	case req.Gateway != "":
		return Invalid("gateway", "an account stays at its gateway: connect another", req.Gateway)
	case req.Mode != "":
		return Invalid("mode", "an account keeps its mode: connect another", req.Mode)
	}
	a, err := h.GatewayAccounts.Update(c.Request.Context(), caller(c), id, gatewayaccounts.Changes{Name: req.Name, Currencies: req.Currencies, Credentials: req.Credentials})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, h.viewGatewayAccount(a))
	return nil
}

func (h *handlers) disconnectGatewayAccount(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.GatewayAccounts.Disconnect(c.Request.Context(), caller(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
