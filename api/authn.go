package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/auth"
)

// RequestAuthenticator finds who a request acts for, by the scheme its
// credentials come in (auth.Authenticator).
type RequestAuthenticator interface {
	// Token takes a session secret (sid cookie or Bearer) or a JWT.
	Token(ctx context.Context, token string, from auth.Origin) (*auth.Principal, error)
	Basic(ctx context.Context, cred auth.Credentials, from auth.Origin) (*auth.Principal, error)
	APIKey(ctx context.Context, secret string, from auth.Origin) (*auth.Principal, error)
	Signature(ctx context.Context, req auth.SignedRequest, from auth.Origin) (*auth.Principal, error)
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
// Both begin with Basic.
const loginChallenge = basicChallenge

const basicChallenge = `Basic realm="billgate"`

func apiChallenge(apiKeyScheme string) string {
	return basicChallenge + `, Bearer realm="billgate", ` + apiKeyScheme + ` realm="billgate", Signature realm="billgate",headers="(request-target) host date"`
}

// tenantHeader names a customer's business for Basic credentials on a
// call, as the login body's tenant does.
const tenantHeader = "Billgate-Tenant"

// withChallenge names schemes in WWW-Authenticate when err is answered
// AUTH FAILED, and returns err as withRetryAfter does. A page's script
// (X-Requested-With, which a cross-site form cannot send) is not offered
// Basic: a browser answers a Basic challenge to fetch with its own login
// dialog over the page, and a headless one waits for it forever.
func (h *handlers) withChallenge(c *gin.Context, err error, schemes string) error {
	if c.GetHeader("X-Requested-With") != "" {
		schemes = strings.TrimPrefix(strings.TrimPrefix(schemes, basicChallenge), ", ")
	}
	if problemFor(err) == errAuthFailed && schemes != "" {
		c.Header("WWW-Authenticate", schemes)
	}
	return h.withRetryAfter(c, err)
}

// withRetryAfter says when a password check locked out may be tried again,
// and returns err.
func (h *handlers) withRetryAfter(c *gin.Context, err error) error {
	if locked := (*auth.LockedError)(nil); errors.As(err, &locked) {
		c.Header("Retry-After", strconv.Itoa(locked.RetryAfter(h.Now())))
	}
	return err
}

// authenticate finds who the caller is from the Authorization header or,
// without one, the sid cookie. No credentials at all is SESSION UNKNOWN,
// as the seeds specify; a scheme billgate does not take is AUTH FAILED.
func (h *handlers) authenticate(c *gin.Context) { h.authenticateFrom(nil)(c) }

// authenticateFrom is authenticate that also takes a session cookie sent
// from one of origins: pages billgate trusts, such as the Temporal UI.
func (h *handlers) authenticateFrom(origins []string) gin.HandlerFunc {
	return serve(func(c *gin.Context) error {
		p, err := h.authenticated(c, origins)
		if err != nil {
			return h.withChallenge(c, err, h.challenge)
		}
		c.Set(principalKey, p)
		c.Next()
		return nil
	})
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
		return h.Authn.Token(ctx, cookie, from)
	}
	scheme, value := authScheme(header)
	switch {
	case isScheme(scheme, "Bearer"):
		return h.Authn.Token(ctx, value, from)
	case isScheme(scheme, "Basic"):
		login, password, ok := auth.ParseBasic(header)
		if !ok {
			return nil, auth.ErrAuthFailed
		}
		return h.Authn.Basic(ctx, auth.Credentials{Login: login, Password: password, Tenant: c.GetHeader(tenantHeader)}, from)
	case isScheme(scheme, h.APIKeyScheme):
		return h.Authn.APIKey(ctx, value, from)
	case isScheme(scheme, "Signature"):
		return h.Authn.Signature(ctx, signedRequest(c.Request, header), from)
	}
	return nil, auth.ErrAuthFailed
}

// authScheme splits an Authorization header into its scheme and value.
func authScheme(header string) (scheme, value string) {
	scheme, value, _ = strings.Cut(header, " ")
	return scheme, strings.TrimSpace(value)
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
	return serve(func(c *gin.Context) error {
		if !principal(c).Can(action) {
			return auth.ErrPermissionDenied
		}
		c.Next()
		return nil
	})
}
