package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/models"
)

// clientDetail is a client as its owner, its business and admins see it.
type clientDetail struct {
	clientView
	Birthdate         *string             `json:"birthdate"`
	Roles             []string            `json:"roles"`
	CreatedAt         time.Time           `json:"createdAt"`
	UpdatedAt         time.Time           `json:"updatedAt"`
	LastLoginAt       *time.Time          `json:"lastLoginAt"`
	LastLoginIP       string              `json:"lastLoginIp"`
	LastFailedLoginAt *time.Time          `json:"lastFailedLoginAt"`
	FailedLogins      int                 `json:"failedLogins"`
	PayloadContext    payloadcheck.Static `json:"payloadContext"`
}

func detailOf(c *auth.Account, roles []string) clientDetail {
	d := clientDetail{
		clientView: viewClient(c), Roles: roles, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		LastLoginAt: utc(c.LastLoginAt), LastLoginIP: c.LastLoginIP, LastFailedLoginAt: utc(c.LastFailedLoginAt), FailedLogins: c.FailedLogins,
	}
	if d.Roles == nil {
		d.Roles = []string{}
	}
	d.PayloadContext = contextOf(c.PayloadContext)
	if c.Birthdate != nil {
		s := c.Birthdate.Format(accounts.BirthdateLayout)
		d.Birthdate = &s
	}
	return d
}

func viewAccount(a *accounts.Account) clientDetail {
	return detailOf(auth.AccountOf(a.Client), a.Roles)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func hasControlChar(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// profileFields are what an account's owner may change about it.
type profileFields struct {
	Email       *string         `json:"email"`
	DisplayName *string         `json:"displayName"`
	Birthdate   json.RawMessage `json:"birthdate"` // "YYYY-MM-DD" or null
	// The privileged fields are decoded only to refuse them by name.
	Roles          json.RawMessage `json:"roles"`
	Role           json.RawMessage `json:"role"`
	Level          json.RawMessage `json:"level"`
	TenantID       json.RawMessage `json:"tenantId"`
	Login          json.RawMessage `json:"login"`
	Password       json.RawMessage `json:"password"`
	PayloadContext json.RawMessage `json:"payloadContext"` // PATCH /v1/clients/{id} shadows it
}

func (f profileFields) profile() accounts.Profile {
	p := accounts.Profile{Email: f.Email, DisplayName: f.DisplayName, Birthdate: f.Birthdate}
	for name, v := range map[string]json.RawMessage{"roles": f.Roles, "role": f.Role, "level": f.Level, "tenantId": f.TenantID,
		"login": f.Login, "password": f.Password, "payloadContext": f.PayloadContext} {
		if v != nil {
			p.Privileged = append(p.Privileged, name)
		}
	}
	slices.Sort(p.Privileged)
	return p
}

func (h *handlers) createClient(c *gin.Context) error {
	var req struct {
		Login       string          `json:"login"`
		Password    string          `json:"password"`
		Email       string          `json:"email"`
		DisplayName string          `json:"displayName"`
		Birthdate   json.RawMessage `json:"birthdate"`
		Role        string          `json:"role"`
		TenantID    *uuid.UUID      `json:"tenantId"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n := accounts.NewAccount{Login: req.Login, Password: req.Password, Email: req.Email, DisplayName: req.DisplayName,
		Birthdate: req.Birthdate, Role: req.Role, TenantID: req.TenantID}
	account, err := h.Accounts.Create(c.Request.Context(), actor(c), n)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewAccount(&account))
	return nil
}

func (h *handlers) getClient(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	account, err := h.Accounts.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewAccount(&account))
	return nil
}

// updateClient is PATCH /v1/clients/{id}: profile fields, disabled and the
// payload context its templates' variables read.
func (h *handlers) updateClient(c *gin.Context) error {
	var req struct {
		profileFields
		Disabled       *bool               `json:"disabled"`
		PayloadContext payloadcheck.Static `json:"payloadContext"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	changes := accounts.Changes{Profile: req.profile(), Disabled: req.Disabled, PayloadContext: req.PayloadContext}
	account, err := h.Accounts.Update(c.Request.Context(), actor(c), id, changes)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewAccount(&account))
	return nil
}

func (h *handlers) deleteClient(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.Accounts.Delete(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) listClients(c *gin.Context) error {
	f, err := clientFilter(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request.Context(), actor(c)
	list, next, err := page(f.Limit, func(limit int) ([]accounts.Account, error) {
		f.Limit = limit
		return h.Accounts.List(ctx, a, f)
	}, func(a accounts.Account) uuid.UUID { return a.Client.ID })
	if err != nil {
		return err
	}
	out := make([]clientDetail, len(list))
	for i := range list {
		out[i] = viewAccount(&list[i])
	}
	respondList(c, out, next)
	return nil
}

func clientFilter(c *gin.Context) (models.ClientFilter, error) {
	f := models.ClientFilter{Limit: defaultPageSize, Role: c.Query("role"), Login: c.Query("login")}
	if hasControlChar(f.Login) || len(f.Login) > 128 {
		return f, Invalid("login", "login must be printable text", nil)
	}
	if err := pageParams(c, &f.Limit, &f.After); err != nil {
		return f, err
	}
	switch s := c.Query("tenantId"); s {
	case "":
	case "none":
		f.Platform = true
	default:
		id, err := uuid.Parse(s)
		if err != nil {
			return f, Invalid("tenantId", "tenantId must be a UUID or none", s)
		}
		f.TenantID = &id
	}
	if _, builtin := accounts.LevelNamed(f.Role); f.Role != "" && !builtin {
		return f, Invalid("role", "role must be customer, business or admin", f.Role)
	}
	if s := c.Query("disabled"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, Invalid("disabled", "disabled must be true or false", s)
		}
		f.Disabled = &b
	}
	return f, nil
}

func (h *handlers) setClientRoles(c *gin.Context) error {
	var req struct {
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	account, err := h.Accounts.SetRoles(c.Request.Context(), actor(c), id, req.Roles)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewAccount(&account))
	return nil
}

func (h *handlers) setClientPassword(c *gin.Context) error {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.Accounts.SetPassword(c.Request.Context(), actor(c), id, req.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) clientSessions(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sessions, err := h.Accounts.SessionsOf(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	current := currentOf(principal(c))
	respondViews(c, sessions, nil, func(s *models.Session) sessionView { return current(auth.SessionOf(s)) })
	return nil
}

// currentOf views sessions, marking the one p presented current.
func currentOf(p *auth.Principal) func(*auth.Session) sessionView {
	return func(s *auth.Session) sessionView { return viewSession(s, p.SessionID()) }
}

func (h *handlers) revokeClientSessions(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	n, err := h.Accounts.RevokeSessions(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"revoked": n})
	return nil
}

func (h *handlers) revokeClientSession(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sid, err := uuid.Parse(c.Param("sessionId"))
	if err != nil {
		return errNotFound
	}
	if err := h.Accounts.RevokeSession(c.Request.Context(), actor(c), id, sid); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
