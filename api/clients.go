package api

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/paycheck"
	"github.com/billgate/billgate/models"
)

// Clients is the account store as the HTTP layer uses it.
type Clients interface {
	CreateClient(ctx context.Context, c *models.Client, roles ...string) error
	ClientByID(ctx context.Context, id uuid.UUID) (*models.Client, error)
	ListClients(ctx context.Context, f models.ClientFilter) ([]models.Client, error)
	UpdateClient(ctx context.Context, id uuid.UUID, ch models.ClientChanges, now time.Time) (*models.Client, error)
	DeleteClient(ctx context.Context, id uuid.UUID) error
	RolesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error)
	SetRoles(ctx context.Context, id uuid.UUID, roles []string) error
	SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error
	ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]models.Session, error)
	RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error)
}

// PasswordHasher hashes passwords set through the API.
type PasswordHasher interface {
	Hash(password string) (string, error)
}

// clientDetail is a client as its owner, its business and admins see it.
type clientDetail struct {
	clientView
	Birthdate         *string         `json:"birthdate"`
	Roles             []string        `json:"roles"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	LastLoginAt       *time.Time      `json:"lastLoginAt"`
	LastLoginIP       string          `json:"lastLoginIp"`
	LastFailedLoginAt *time.Time      `json:"lastFailedLoginAt"`
	FailedLogins      int             `json:"failedLogins"`
	PayloadContext    paycheck.Static `json:"payloadContext"`
}

const dateLayout = "2006-01-02"

func detailOf(c *models.Client, roles []string) clientDetail {
	d := clientDetail{
		clientView: viewClient(c), Roles: roles, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		LastLoginAt: utc(c.LastLoginAt), LastLoginIP: c.LastLoginIP, LastFailedLoginAt: utc(c.LastFailedLoginAt), FailedLogins: c.FailedLogins,
	}
	if d.Roles == nil {
		d.Roles = []string{}
	}
	d.PayloadContext = contextOf(c.PayloadContext)
	if c.Birthdate != nil {
		s := c.Birthdate.Format(dateLayout)
		d.Birthdate = &s
	}
	return d
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// profileFields are what an account's owner may change about it.
type profileFields struct {
	Email       *string         `json:"email"`
	DisplayName *string         `json:"displayName"`
	Birthdate   json.RawMessage `json:"birthdate"` // "YYYY-MM-DD" or null
	// The privileged fields are decoded only to refuse them by name:
	// nobody raises themselves by mass assignment.
	Roles          json.RawMessage `json:"roles"`
	Role           json.RawMessage `json:"role"`
	Level          json.RawMessage `json:"level"`
	TenantID       json.RawMessage `json:"tenantId"`
	Login          json.RawMessage `json:"login"`
	Password       json.RawMessage `json:"password"`
	PayloadContext json.RawMessage `json:"payloadContext"` // PATCH /v1/clients/{id} shadows it
}

// changes validates the fields into store changes.
func (f profileFields) changes(now time.Time) (models.ClientChanges, error) {
	for field, v := range map[string]json.RawMessage{"roles": f.Roles, "role": f.Role, "level": f.Level, "tenantId": f.TenantID,
		"login": f.Login, "password": f.Password, "payloadContext": f.PayloadContext} {
		if v != nil {
			return models.ClientChanges{}, permissionDenied(field)
		}
	}
	var ch models.ClientChanges
	if f.Email != nil {
		if err := validEmail(*f.Email); err != nil {
			return ch, err
		}
		ch.Email = f.Email
	}
	if f.DisplayName != nil {
		if err := validDisplayName(*f.DisplayName); err != nil {
			return ch, err
		}
		ch.DisplayName = f.DisplayName
	}
	if f.Birthdate != nil {
		b, err := parseBirthdate(f.Birthdate, now)
		if err != nil {
			return ch, err
		}
		ch.Birthdate = &b
	}
	return ch, nil
}

func validEmail(s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return Invalid("email", "email must be an address such as name@example.com", s)
	}
	return nil
}

func validDisplayName(s string) error {
	if len([]rune(s)) > 128 || hasControlChar(s) {
		return Invalid("displayName", "displayName must be at most 128 printable characters", nil)
	}
	return nil
}

func parseBirthdate(raw json.RawMessage, now time.Time) (*time.Time, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, Invalid("birthdate", "birthdate must be a date such as 1990-04-01, or null", nil)
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil || d.After(now) || d.Year() < 1900 {
		return nil, Invalid("birthdate", "birthdate must be a past date such as 1990-04-01", s)
	}
	return &d, nil
}

func hasControlChar(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// newClientRequest creates an account.
type newClientRequest struct {
	Login       string          `json:"login"`
	Password    string          `json:"password"`
	Email       string          `json:"email"`
	DisplayName string          `json:"displayName"`
	Birthdate   json.RawMessage `json:"birthdate"`
	Role        string          `json:"role"`     // customer (default), business or admin
	TenantID    *uuid.UUID      `json:"tenantId"` // a customer's business; admins only
}

// createClient is POST /v1/clients. A business creates its own customers;
// an admin creates anyone.
func (h *handlers) createClient(c *gin.Context) {
	var req newClientRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := principal(c)
	client, role, err := h.newClient(p, req, time.Now().UTC())
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Clients.CreateClient(c.Request.Context(), client, role); err != nil {
		fail(c, err)
		return
	}
	h.audit(c, auditClientCreate, client, map[string]any{"role": role})
	respond(c, http.StatusCreated, detailOf(client, []string{role}))
}

func (h *handlers) newClient(p *auth.Principal, req newClientRequest, now time.Time) (*models.Client, string, error) {
	if !loginPattern.MatchString(req.Login) {
		return nil, "", Invalid("login", "login must be 1-128 of letters, digits and . _ @ + - (starting with a letter or digit)", req.Login)
	}
	if err := checkPasswordPolicy(req.Password, "password"); err != nil {
		return nil, "", err
	}
	if err := validEmail(req.Email); err != nil {
		return nil, "", err
	}
	if err := validDisplayName(req.DisplayName); err != nil {
		return nil, "", err
	}
	role := cmp.Or(req.Role, "customer")
	level, known := roleLevels[role]
	if !known {
		return nil, "", Invalid("role", "role must be customer, business or admin", req.Role)
	}
	tenant := req.TenantID
	switch {
	case p.Level < models.LevelAdmin && (level > models.LevelCustomer || tenant != nil):
		return nil, "", auth.ErrPermissionDenied // a business creates customers of its own only
	case p.Level < models.LevelAdmin:
		tenant = &p.Client.ID
	case level == models.LevelCustomer && tenant == nil:
		return nil, "", Invalid("tenantId", "a customer belongs to a business: give tenantId", nil)
	case level > models.LevelCustomer && tenant != nil:
		return nil, "", Invalid("tenantId", "only customers belong to a tenant", tenant.String())
	}
	hash, err := h.Hasher.Hash(req.Password)
	if err != nil {
		return nil, "", err
	}
	client := &models.Client{TenantID: tenant, Login: req.Login, PasswordHash: hash, Email: req.Email, DisplayName: req.DisplayName}
	if req.Birthdate != nil {
		if client.Birthdate, err = parseBirthdate(req.Birthdate, now); err != nil {
			return nil, "", err
		}
	}
	return client, role, nil
}

// roleLevels are the built-in roles a client may be created with.
var roleLevels = map[string]int{"customer": models.LevelCustomer, "business": models.LevelBusiness, "admin": models.LevelAdmin}

// visibleClient loads a client the principal may see: an admin sees all, a
// business its own customers. Anything else is NOT_FOUND, never revealing
// that it exists.
func (h *handlers) visibleClient(c *gin.Context) (*models.Client, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return nil, errNotFound
	}
	client, err := h.Clients.ClientByID(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principal(c)
	if p.Level >= models.LevelAdmin || (client.TenantID != nil && *client.TenantID == p.Client.ID) {
		return client, nil
	}
	return nil, errNotFound
}

// respondClient answers with the client and its roles.
func (h *handlers) respondClient(c *gin.Context, status int, client *models.Client) {
	roles, err := h.Clients.RolesOf(c.Request.Context(), []uuid.UUID{client.ID})
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, detailOf(client, roles[client.ID]))
}

func (h *handlers) getClient(c *gin.Context) {
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	h.respondClient(c, http.StatusOK, client)
}

// updateClient is PATCH /v1/clients/{id}: profile fields, `disabled` (which
// revokes the account's sessions, API keys and signing keys) and the
// payload context its templates' variables read (which the account itself
// cannot set: only its business or an admin).
func (h *handlers) updateClient(c *gin.Context) {
	var req struct {
		profileFields
		Disabled       *bool           `json:"disabled"`
		PayloadContext paycheck.Static `json:"payloadContext"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now().UTC()
	ch, err := req.changes(now)
	if err != nil {
		fail(c, err)
		return
	}
	ch.Disabled = req.Disabled
	if req.PayloadContext != nil {
		stored, err := validContext(req.PayloadContext)
		if err != nil {
			fail(c, err)
			return
		}
		ch.PayloadContext = &stored
	}
	updated, err := h.Clients.UpdateClient(c.Request.Context(), client.ID, ch, now)
	if err != nil {
		fail(c, err)
		return
	}
	switch {
	case updated.Disabled && !client.Disabled:
		// UpdateClient revoked its sessions and keys with it, so that none
		// comes back if it is enabled again.
		h.audit(c, auditClientDisable, client, nil)
	case !updated.Disabled && client.Disabled:
		h.audit(c, auditClientEnable, client, nil)
	}
	if ch.Email != nil || ch.DisplayName != nil || ch.Birthdate != nil {
		h.audit(c, auditClientUpdate, client, nil)
	}
	h.respondClient(c, http.StatusOK, updated)
}

func (h *handlers) deleteClient(c *gin.Context) {
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	if client.ID == principal(c).Client.ID {
		fail(c, &Problem{Status: http.StatusConflict, Detail: Error{Code: "CONFLICT", Message: "you cannot delete your own account here"}})
		return
	}
	if err := h.Clients.DeleteClient(c.Request.Context(), client.ID); err != nil {
		fail(c, err)
		return
	}
	h.audit(c, auditClientDelete, client, map[string]any{"login": client.Login})
	c.Status(http.StatusNoContent)
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// listClients is GET /v1/clients: an admin sees every client (filter with
// tenantId), a business its own customers.
func (h *handlers) listClients(c *gin.Context) {
	f, err := clientFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	p := principal(c)
	if p.Level < models.LevelAdmin {
		f.TenantID = &p.Client.ID
		f.Platform = false
	}
	clients, next, err := page(f.Limit, func(limit int) ([]models.Client, error) {
		f.Limit = limit
		return h.Clients.ListClients(c.Request.Context(), f)
	}, func(cl models.Client) uuid.UUID { return cl.ID })
	if err != nil {
		fail(c, err)
		return
	}
	ids := make([]uuid.UUID, len(clients))
	for i := range clients {
		ids[i] = clients[i].ID
	}
	roles, err := h.Clients.RolesOf(c.Request.Context(), ids)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]clientDetail, len(clients))
	for i := range clients {
		out[i] = detailOf(&clients[i], roles[clients[i].ID])
	}
	respondList(c, out, next)
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
	if f.Role != "" && !slices.Contains([]string{"customer", "business", "admin"}, f.Role) {
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

// page fetches one item more than limit, to tell whether a next page
// exists, and returns the page with the cursor of the next one ("" at the end).
func page[T any](limit int, fetch func(limit int) ([]T, error), id func(T) uuid.UUID) ([]T, string, error) {
	items, err := fetch(limit + 1)
	if err != nil || len(items) <= limit {
		return items, "", err
	}
	items = items[:limit]
	return items, encodeCursor(id(items[limit-1])), nil
}

// pageParams reads ?limit= and ?cursor=.
func pageParams(c *gin.Context, limit *int, after *uuid.UUID) error {
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return Invalid("limit", "limit must be 1-"+strconv.Itoa(maxPageSize), s)
		}
		*limit = n
	}
	if s := c.Query("cursor"); s != "" {
		id, err := decodeCursor(s)
		if err != nil {
			return Invalid("cursor", "cursor is not one billgate gave", s)
		}
		*after = id
	}
	return nil
}

// Cursors are opaque to clients: the last ID of the page, base64url.
func encodeCursor(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

func decodeCursor(s string) (uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return uuid.Nil, err
	}
	return uuid.FromBytes(b)
}

func checkPasswordPolicy(pw, field string) error {
	if err := password.CheckPolicy(pw); err != nil {
		return Invalid(field, err.Error(), nil)
	}
	return nil
}

// requireLevel refuses anyone below level, whatever a policy allows: only
// admins grant roles, set another account's password, manage its sessions,
// roles and policies (which raise or bypass levels); only businesses and
// admins use test clocks.
func requireLevel(level int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if principal(c).Level < level {
			fail(c, auth.ErrPermissionDenied)
			return
		}
		c.Next()
	}
}

// setClientRoles is PUT /v1/clients/{id}/roles, admins only. The change
// takes effect on the client's very next request.
func (h *handlers) setClientRoles(c *gin.Context) {
	var req struct {
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	if len(req.Roles) == 0 {
		fail(c, Invalid("roles", "give at least one role", nil))
		return
	}
	before, err := h.Clients.RolesOf(c.Request.Context(), []uuid.UUID{client.ID})
	if err != nil {
		fail(c, err)
		return
	}
	roles := slices.Compact(slices.Sorted(slices.Values(req.Roles)))
	if err := h.Clients.SetRoles(c.Request.Context(), client.ID, roles); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = Invalid("roles", "unknown role", req.Roles)
		}
		fail(c, err)
		return
	}
	h.audit(c, auditClientRoles, client, map[string]any{"from": before[client.ID], "to": roles})
	h.respondClient(c, http.StatusOK, client)
}

// setClientPassword is PUT /v1/clients/{id}/password, admins only; it
// revokes every session of that client.
func (h *handlers) setClientPassword(c *gin.Context) {
	var req struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := checkPasswordPolicy(req.Password, "password"); err != nil {
		fail(c, err)
		return
	}
	hash, err := h.Hasher.Hash(req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now().UTC()
	ctx := c.Request.Context()
	if err := h.Clients.SetPassword(ctx, client.ID, hash, now); err != nil {
		fail(c, err)
		return
	}
	if _, err := h.Clients.RevokeClientSessions(ctx, client.ID, uuid.Nil, now); err != nil {
		fail(c, err)
		return
	}
	h.audit(c, auditClientPassword, client, nil)
	c.Status(http.StatusNoContent)
}

// clientSessions is GET /v1/clients/{id}/sessions, admins only.
func (h *handlers) clientSessions(c *gin.Context) {
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	sessions, err := h.Clients.ClientSessions(c.Request.Context(), client.ID, time.Now().UTC())
	respondViews(c, sessions, err, currentOf(principal(c)))
}

// currentOf views sessions, marking the one p presented current.
func currentOf(p *auth.Principal) func(*models.Session) sessionView {
	return func(s *models.Session) sessionView { return viewSession(s, p.SessionID()) }
}

// revokeClientSessions is DELETE /v1/clients/{id}/sessions, admins only.
func (h *handlers) revokeClientSessions(c *gin.Context) {
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	n, err := h.Clients.RevokeClientSessions(c.Request.Context(), client.ID, uuid.Nil, time.Now().UTC())
	if err != nil {
		fail(c, err)
		return
	}
	h.audit(c, auditClientSessions, client, map[string]any{"count": n})
	respond(c, http.StatusOK, gin.H{"revoked": n})
}

// revokeClientSession is DELETE /v1/clients/{id}/sessions/{sessionId}.
func (h *handlers) revokeClientSession(c *gin.Context) {
	client, err := h.visibleClient(c)
	if err != nil {
		fail(c, err)
		return
	}
	sid, err := uuid.Parse(c.Param("sessionId"))
	if err != nil {
		fail(c, errNotFound)
		return
	}
	if err := h.Clients.RevokeSession(c.Request.Context(), client.ID, sid, time.Now().UTC()); err != nil {
		fail(c, err)
		return
	}
	h.audit(c, auditClientSessions, client, map[string]any{"sessionId": sid})
	c.Status(http.StatusNoContent)
}
