package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
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
	AuthenticateBasic(ctx context.Context, cred auth.Credentials, from auth.Origin) (*auth.Principal, error)
	AuthenticateAPIKey(ctx context.Context, secret string, from auth.Origin) (*auth.Principal, error)
	CreateAPIKey(ctx context.Context, p *auth.Principal, req auth.NewAPIKey) (*models.APIKey, string, error)
	APIKeys(ctx context.Context, p *auth.Principal) ([]models.APIKey, error)
	RevokeAPIKey(ctx context.Context, p *auth.Principal, id uuid.UUID) error
	AuthenticateSignature(ctx context.Context, req auth.SignedRequest, from auth.Origin) (*auth.Principal, error)
	CreateSigningKey(ctx context.Context, p *auth.Principal, req auth.NewSigningKey) (*models.SigningKey, string, error)
	SigningKeys(ctx context.Context, p *auth.Principal) ([]models.SigningKey, error)
	RevokeSigningKey(ctx context.Context, p *auth.Principal, id uuid.UUID) error
	IssueToken(ctx context.Context, p *auth.Principal, from auth.Origin) (token string, expires time.Time, err error)
	PublicKeys() []auth.JWK
}

const (
	sessionCookie = "sid"
	principalKey  = "billgate.principal"
)

func origin(c *gin.Context) auth.Origin {
	return auth.Origin{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// loginChallenge is the scheme a failed login invites (RFC 9110
// WWW-Authenticate); apiChallenge lists every scheme the other calls take.
const loginChallenge = `Basic realm="billgate"`

func apiChallenge(apiKeyScheme string) string {
	return `Basic realm="billgate", Bearer realm="billgate", ` + apiKeyScheme + ` realm="billgate", Signature realm="billgate",headers="(request-target) host date"`
}

// tenantHeader names a customer's business for Basic credentials on a
// call, as the login body's tenant does.
const tenantHeader = "Billgate-Tenant"

// failChallenge answers err, naming the schemes in challenge when it is
// AUTH FAILED.
func failChallenge(c *gin.Context, err error, challenge string) {
	if problemFor(err) == errAuthFailed {
		c.Header("WWW-Authenticate", challenge)
	}
	fail(c, err)
}

// authenticate finds who the caller is from the Authorization header or,
// without one, the sid cookie. No credentials at all is SESSION UNKNOWN,
// as the seeds specify; a scheme billgate does not take is AUTH FAILED.
func (h *handlers) authenticate(c *gin.Context) { h.authenticateFrom(nil)(c) }

// authenticateFrom is authenticate that also takes a session cookie sent
// from one of origins: pages billgate trusts, such as the Temporal UI.
func (h *handlers) authenticateFrom(origins []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := h.authenticated(c, origins)
		if err != nil {
			failChallenge(c, err, h.challenge)
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

func (h *handlers) authenticated(c *gin.Context, origins []string) (*auth.Principal, error) {
	ctx, from := c.Request.Context(), origin(c)
	header := c.GetHeader("Authorization")
	if header == "" {
		cookie, err := c.Cookie(sessionCookie)
		switch {
		case err != nil || cookie == "":
			return nil, auth.ErrSessionUnknown
		case !sameSiteJSON(c.Request, origins):
			return nil, auth.ErrPermissionDenied
		}
		return h.Auth.Authenticate(ctx, cookie, from)
	}
	scheme, value, _ := strings.Cut(header, " ")
	switch {
	case isScheme(scheme, "Bearer"):
		return h.Auth.Authenticate(ctx, strings.TrimSpace(value), from)
	case isScheme(scheme, "Basic"):
		login, password, ok := auth.ParseBasic(header)
		if !ok {
			return nil, auth.ErrAuthFailed
		}
		return h.Auth.AuthenticateBasic(ctx, auth.Credentials{Login: login, Password: password, Tenant: c.GetHeader(tenantHeader)}, from)
	case isScheme(scheme, h.APIKeyScheme):
		return h.Auth.AuthenticateAPIKey(ctx, strings.TrimSpace(value), from)
	case isScheme(scheme, "Signature"):
		return h.Auth.AuthenticateSignature(ctx, signedRequest(c.Request, header), from)
	}
	return nil, auth.ErrAuthFailed
}

// signedRequest is what a Signature check reads of r. Host goes back into
// the header map, where a signature may cover it. The body is read only if
// the signature covers its digest, and then put back for the handler.
func signedRequest(r *http.Request, authorization string) auth.SignedRequest {
	target := r.RequestURI // the request-target exactly as sent
	if target == "" {
		target = r.URL.RequestURI()
	}
	if r.Header.Get("Host") == "" {
		r.Header.Set("Host", r.Host)
	}
	return auth.SignedRequest{
		Authorization: authorization, Method: r.Method, Target: target, Header: r.Header, HasBody: r.ContentLength != 0,
		Body: func() ([]byte, error) {
			body, err := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if tooLarge := asMaxBytes(err); tooLarge != nil {
				return nil, bodyTooLarge(tooLarge.Limit)
			}
			return body, err
		},
	}
}

// isScheme compares an auth scheme, an ASCII token, without regard to
// case; Unicode look-alikes ("Baſic") do not match.
func isScheme(got, want string) bool {
	return len(got) == len(want) && strings.EqualFold(got, want)
}

// sameSiteJSON is the CSRF defence for cookie-authenticated requests that
// change state: they must be JSON (which a cross-site form cannot send
// without a CORS preflight) and must not come from another site, unless
// from one of the trusted origins.
func sameSiteJSON(r *http.Request, trusted []string) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && slices.Contains(trusted, o) {
		return true
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
