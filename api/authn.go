package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// Authenticator is the identity core as the HTTP layer uses it.
type Authenticator interface {
	Login(ctx context.Context, cred auth.Credentials, from auth.Origin) (*auth.LoginResult, error)
	Authenticate(ctx context.Context, token string, from auth.Origin) (*auth.Principal, error)
	Sessions(ctx context.Context, p *auth.Principal) ([]models.Session, error)
	Logout(ctx context.Context, p *auth.Principal) error
	RevokeSession(ctx context.Context, p *auth.Principal, id uuid.UUID) error
	RevokeSessions(ctx context.Context, p *auth.Principal, keepCurrent bool) (int64, error)
	ExtendSession(ctx context.Context, p *auth.Principal, to time.Time) (time.Time, error)
	ChangePassword(ctx context.Context, p *auth.Principal, current, next string) error
	IssueToken(p *auth.Principal) (token string, expires time.Time, err error)
	PublicKeys() []auth.JWK
}

const (
	sessionCookie = "sid"
	principalKey  = "billgate.principal"
)

func origin(c *gin.Context) auth.Origin {
	return auth.Origin{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// The schemes a 401 AUTH FAILED invites (RFC 9110 WWW-Authenticate): the
// login takes Basic; every other call a Bearer session secret or JWT.
const (
	loginChallenge = `Basic realm="billgate"`
	apiChallenge   = `Bearer realm="billgate"`
)

// failChallenge answers err, naming the schemes in challenge when it is
// AUTH FAILED.
func failChallenge(c *gin.Context, err error, challenge string) {
	if problemFor(err) == errAuthFailed {
		c.Header("WWW-Authenticate", challenge)
	}
	fail(c, err)
}

// authenticate finds the caller's session from `Authorization: Bearer` or,
// without an Authorization header, the sid cookie. No credentials at all is
// SESSION UNKNOWN, as the seeds specify; a scheme billgate does not take
// here is AUTH FAILED.
func (h *handlers) authenticate(c *gin.Context) {
	token, fromCookie, err := credentials(c)
	if err != nil {
		failChallenge(c, err, apiChallenge)
		return
	}
	if token == "" {
		fail(c, auth.ErrSessionUnknown)
		return
	}
	if fromCookie && !sameSiteJSON(c.Request) {
		fail(c, auth.ErrPermissionDenied)
		return
	}
	p, err := h.Auth.Authenticate(c.Request.Context(), token, origin(c))
	if err != nil {
		failChallenge(c, err, apiChallenge)
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// credentials reads the presented secret, and whether it came from the
// cookie. Another scheme than Bearer is AUTH FAILED.
func credentials(c *gin.Context) (token string, fromCookie bool, err error) {
	if header := c.GetHeader("Authorization"); header != "" {
		scheme, value, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", false, auth.ErrAuthFailed
		}
		return strings.TrimSpace(value), false, nil
	}
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		return cookie, true, nil
	}
	return "", false, nil
}

// sameSiteJSON is the CSRF defence for cookie-authenticated requests that
// change state: they must be JSON (which a cross-site form cannot send
// without a CORS preflight) and must not come from another site.
func sameSiteJSON(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

func principal(c *gin.Context) *auth.Principal {
	p, _ := c.Get(principalKey)
	return p.(*auth.Principal)
}

// authorize refuses callers whose policies do not allow the action.
func authorize(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !principal(c).Can(action) {
			fail(c, auth.ErrPermissionDenied)
			return
		}
		c.Next()
	}
}
