package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
)

// Logins checks passwords (auth.Logins).
type Logins interface {
	Login(ctx context.Context, cred auth.Credentials, from auth.Origin) (*auth.LoginResult, error)
	ChangePassword(ctx context.Context, p *auth.Principal, current, next string) error
}

// Sessions are the caller's own sessions (auth.Sessions).
type Sessions interface {
	List(ctx context.Context, p *auth.Principal) ([]auth.Session, error)
	Logout(ctx context.Context, p *auth.Principal) error
	Revoke(ctx context.Context, p *auth.Principal, id uuid.UUID) error
	RevokeAll(ctx context.Context, p *auth.Principal, keepCurrent bool) (int64, error)
	Extend(ctx context.Context, p *auth.Principal, to time.Time) (time.Time, error)
}

// AccessTokens issues JWTs and publishes the keys that verify them
// (auth.AccessTokens).
type AccessTokens interface {
	Issue(ctx context.Context, p *auth.Principal, from auth.Origin) (token string, expires time.Time, err error)
	PublicKeys() []auth.JWK
}

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

func viewSession(s *auth.Session, current uuid.UUID) sessionView {
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

func viewClient(c *auth.Account) clientView {
	return clientView{ID: c.ID, TenantID: c.TenantID, Login: c.Login, Email: c.Email, DisplayName: c.DisplayName, Disabled: c.Disabled}
}

// login is POST /auth/session. Every login creates a new session; a sid the
// caller already holds is never adopted.
func (h *handlers) login(c *gin.Context) error {
	var req loginRequest
	basicLogin, basicPassword, basic := auth.ParseBasic(c.GetHeader("Authorization"))
	if c.GetHeader("Authorization") != "" && !basic {
		return h.withChallenge(c, auth.ErrAuthFailed, loginChallenge) // a malformed Basic header or another scheme
	}
	decodeBody := decodeJSON
	if basic {
		decodeBody = decodeOptionalJSON // the body may only name the tenant
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if basic {
		req.Login, req.Password = basicLogin, basicPassword
	}
	res, err := h.Logins.Login(c.Request.Context(), auth.Credentials{Login: req.Login, Password: req.Password, Tenant: req.Tenant}, origin(c))
	if err != nil {
		return h.withChallenge(c, err, loginChallenge)
	}
	h.setSessionCookie(c, res.Token, res.Session.ExpiresAt)
	respond(c, http.StatusOK, newSession{ID: res.Session.ID, Token: res.Token, ClientID: res.Session.ClientID, ExpiresAt: res.Session.ExpiresAt.UTC()})
	return nil
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

func (h *handlers) currentSession(c *gin.Context) error {
	p := principal(c)
	if p.Session == nil {
		return auth.ErrSessionUnknown
	}
	respond(c, http.StatusOK, whoami{Session: viewSession(p.Session, p.Session.ID), Client: viewClient(p.Account), Roles: p.Roles})
	return nil
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
func (h *handlers) issueToken(c *gin.Context) error {
	token, expires, err := h.AccessTokens.Issue(c.Request.Context(), principal(c), origin(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, accessToken{Token: token, TokenType: "Bearer", ExpiresAt: expires.UTC()})
	return nil
}

// jwks is GET /.well-known/jwks.json: the public keys that verify EdDSA
// access tokens, for other services. It is a bare JWK Set (RFC 7517), not
// an envelope, as JWKS clients expect.
func (h *handlers) jwks(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"keys": h.AccessTokens.PublicKeys()})
	return nil
}

type extendRequest struct {
	ExpiresAt *time.Time `json:"expiresAt"`
}

// extendSession is PATCH /auth/session: a new expiry, never past the
// session's absolute lifetime.
func (h *handlers) extendSession(c *gin.Context) error {
	var req extendRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ExpiresAt == nil {
		return Invalid("expiresAt", "expiresAt is required (RFC 3339)", nil)
	}
	p := principal(c)
	if _, err := h.Sessions.Extend(c.Request.Context(), p, *req.ExpiresAt); err != nil {
		return err
	}
	respond(c, http.StatusOK, viewSession(p.Session, p.Session.ID))
	return nil
}

func (h *handlers) logout(c *gin.Context) error {
	if err := h.Sessions.Logout(c.Request.Context(), principal(c)); err != nil {
		return err
	}
	h.setSessionCookie(c, "", time.Time{})
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) listSessions(c *gin.Context) error {
	p := principal(c)
	sessions, err := h.Sessions.List(c.Request.Context(), p)
	if err != nil {
		return err
	}
	respondViews(c, sessions, nil, currentOf(p))
	return nil
}

// revokeSessions is DELETE /auth/sessions; ?keepCurrent=true spares this one.
func (h *handlers) revokeSessions(c *gin.Context) error {
	keep := c.Query("keepCurrent")
	if keep != "" && keep != "true" && keep != "false" {
		return Invalid("keepCurrent", "keepCurrent must be true or false", keep)
	}
	n, err := h.Sessions.RevokeAll(c.Request.Context(), principal(c), keep == "true")
	if err != nil {
		return err
	}
	if keep != "true" {
		h.setSessionCookie(c, "", time.Time{})
	}
	respond(c, http.StatusOK, gin.H{"revoked": n})
	return nil
}

func (h *handlers) revokeSession(c *gin.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return errNotFound
	}
	p := principal(c)
	if err := h.Sessions.Revoke(c.Request.Context(), p, id); err != nil {
		return err
	}
	if id == p.SessionID() {
		h.setSessionCookie(c, "", time.Time{})
	}
	c.Status(http.StatusNoContent)
	return nil
}

type passwordChange struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// changePassword is PUT /auth/password: it needs the current password and
// revokes every other session.
func (h *handlers) changePassword(c *gin.Context) error {
	var req passwordChange
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := h.Logins.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		return h.withRetryAfter(c, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}
