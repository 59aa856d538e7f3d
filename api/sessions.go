package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// loginRequest is the JSON login body; Authorization: Basic may replace
// login and password.
type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Tenant   string `json:"tenant"`
}

// newSession is the one answer that carries the secret.
type newSession struct {
	ID        uuid.UUID `json:"id"`
	Token     string    `json:"token"`
	ClientID  uuid.UUID `json:"clientId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// sessionView is a session as listed: never its secret.
type sessionView struct {
	ID                uuid.UUID `json:"id"`
	ClientID          uuid.UUID `json:"clientId"`
	Current           bool      `json:"current"`
	IP                string    `json:"ip"`
	UserAgent         string    `json:"userAgent"`
	CreatedAt         time.Time `json:"createdAt"`
	LastSeenAt        time.Time `json:"lastSeenAt"`
	ExpiresAt         time.Time `json:"expiresAt"`
	AbsoluteExpiresAt time.Time `json:"absoluteExpiresAt"`
}

func viewSession(s *models.Session, current uuid.UUID) sessionView {
	return sessionView{
		ID: s.ID, ClientID: s.ClientID, Current: s.ID == current, IP: s.IP, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(), AbsoluteExpiresAt: s.AbsoluteExpiresAt.UTC(),
	}
}

// whoami is the current session and its client.
type whoami struct {
	Session sessionView `json:"session"`
	Client  clientView  `json:"client"`
	Roles   []string    `json:"roles"`
}

// clientView is a client as its owner and admins see it: never a hash.
type clientView struct {
	ID          uuid.UUID  `json:"id"`
	TenantID    *uuid.UUID `json:"tenantId"`
	Login       string     `json:"login"`
	Email       string     `json:"email"`
	DisplayName string     `json:"displayName"`
	Disabled    bool       `json:"disabled"`
}

func viewClient(c *models.Client) clientView {
	return clientView{ID: c.ID, TenantID: c.TenantID, Login: c.Login, Email: c.Email, DisplayName: c.DisplayName, Disabled: c.Disabled}
}

// login is POST /auth/session. Every login creates a new session; a sid the
// caller already holds is never adopted.
func (h *handlers) login(c *gin.Context) {
	var req loginRequest
	basicLogin, basicPassword, basic := auth.ParseBasic(c.GetHeader("Authorization"))
	if c.GetHeader("Authorization") != "" && !basic {
		failChallenge(c, auth.ErrAuthFailed, loginChallenge) // a malformed Basic header or another scheme
		return
	}
	decodeBody := decodeJSON
	if basic {
		decodeBody = decodeOptionalJSON // the body may only name the tenant
	}
	if err := decodeBody(c, &req); err != nil {
		fail(c, err)
		return
	}
	if basic {
		req.Login, req.Password = basicLogin, basicPassword
	}
	res, err := h.Auth.Login(c.Request.Context(), auth.Credentials{Login: req.Login, Password: req.Password, Tenant: req.Tenant}, origin(c))
	if err != nil {
		failChallenge(c, err, loginChallenge)
		return
	}
	h.setSessionCookie(c, res.Token, res.Session.ExpiresAt)
	respond(c, http.StatusOK, newSession{ID: res.Session.ID, Token: res.Token, ClientID: res.Session.ClientID, ExpiresAt: res.Session.ExpiresAt.UTC()})
}

// setSessionCookie writes sid; an empty token clears it.
func (h *handlers) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	cookie := &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.CookieSecure,
	}
	if token == "" {
		cookie.MaxAge = -1
	} else {
		cookie.Expires = expires
	}
	http.SetCookie(c.Writer, cookie)
}

func (h *handlers) currentSession(c *gin.Context) {
	p := principal(c)
	if p.Session == nil {
		fail(c, auth.ErrSessionUnknown)
		return
	}
	respond(c, http.StatusOK, whoami{Session: viewSession(p.Session, p.Session.ID), Client: viewClient(p.Client), Roles: p.Roles})
}

// accessToken is a JWT for the caller's session.
type accessToken struct {
	Token     string    `json:"token"`
	TokenType string    `json:"tokenType"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// issueToken is POST /auth/token: a short-lived JWT access token for the
// caller's session (a new one for Basic credentials), to present as
// Authorization: Bearer. It dies with the session.
func (h *handlers) issueToken(c *gin.Context) {
	token, expires, err := h.Auth.IssueToken(c.Request.Context(), principal(c), origin(c))
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, accessToken{Token: token, TokenType: "Bearer", ExpiresAt: expires.UTC()})
}

// jwks is GET /.well-known/jwks.json: the public keys that verify EdDSA
// access tokens, for other services. It is a bare JWK Set (RFC 7517), not
// an envelope, as JWKS clients expect.
func (h *handlers) jwks(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"keys": h.Auth.PublicKeys()})
}

type extendRequest struct {
	ExpiresAt *time.Time `json:"expiresAt"`
}

// extendSession is PATCH /auth/session: a new expiry, never past the
// session's absolute lifetime.
func (h *handlers) extendSession(c *gin.Context) {
	var req extendRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.ExpiresAt == nil {
		fail(c, Invalid("expiresAt", "expiresAt is required (RFC 3339)", nil))
		return
	}
	p := principal(c)
	if _, err := h.Auth.ExtendSession(c.Request.Context(), p, *req.ExpiresAt); err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewSession(p.Session, p.Session.ID))
}

func (h *handlers) logout(c *gin.Context) {
	if err := h.Auth.Logout(c.Request.Context(), principal(c)); err != nil {
		fail(c, err)
		return
	}
	h.setSessionCookie(c, "", time.Time{})
	c.Status(http.StatusNoContent)
}

func (h *handlers) listSessions(c *gin.Context) {
	p := principal(c)
	sessions, err := h.Auth.Sessions(c.Request.Context(), p)
	respondViews(c, sessions, err, currentOf(p))
}

// revokeSessions is DELETE /auth/sessions; ?keepCurrent=true spares this one.
func (h *handlers) revokeSessions(c *gin.Context) {
	keep := c.Query("keepCurrent")
	if keep != "" && keep != "true" && keep != "false" {
		fail(c, Invalid("keepCurrent", "keepCurrent must be true or false", keep))
		return
	}
	n, err := h.Auth.RevokeSessions(c.Request.Context(), principal(c), keep == "true")
	if err != nil {
		fail(c, err)
		return
	}
	if keep != "true" {
		h.setSessionCookie(c, "", time.Time{})
	}
	respond(c, http.StatusOK, gin.H{"revoked": n})
}

func (h *handlers) revokeSession(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		fail(c, errNotFound)
		return
	}
	p := principal(c)
	if err := h.Auth.RevokeSession(c.Request.Context(), p, id); err != nil {
		fail(c, err)
		return
	}
	if id == p.SessionID() {
		h.setSessionCookie(c, "", time.Time{})
	}
	c.Status(http.StatusNoContent)
}

type passwordChange struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// changePassword is PUT /auth/password: it needs the current password and
// revokes every other session.
func (h *handlers) changePassword(c *gin.Context) {
	var req passwordChange
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := h.Auth.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
