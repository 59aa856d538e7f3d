package auth

import "context"

// Authenticator finds who a request acts for, whichever way it presents
// its credentials: it hands each to the feature that owns it.
type Authenticator struct {
	sessions     *Sessions
	accessTokens *AccessTokens
	logins       *Logins
	apiKeys      *APIKeys
	signingKeys  *SigningKeys
}

// Token authenticates a session secret (a sid cookie or a Bearer token)
// or a JWT access token (Bearer).
func (a *Authenticator) Token(ctx context.Context, token string, from Origin) (*Principal, error) {
	if looksLikeJWT(token) {
		return a.accessTokens.Authenticate(ctx, token, from)
	}
	return a.sessions.Authenticate(ctx, token, from)
}

// Basic authenticates Basic credentials (see Logins.AuthenticateBasic).
func (a *Authenticator) Basic(ctx context.Context, cred Credentials, from Origin) (*Principal, error) {
	return a.logins.AuthenticateBasic(ctx, cred, from)
}

// APIKey authenticates an API key secret (see APIKeys.Authenticate).
func (a *Authenticator) APIKey(ctx context.Context, secret string, from Origin) (*Principal, error) {
	return a.apiKeys.Authenticate(ctx, secret, from)
}

// Signature authenticates an HTTP Signature (see SigningKeys.Authenticate).
func (a *Authenticator) Signature(ctx context.Context, req SignedRequest, from Origin) (*Principal, error) {
	return a.signingKeys.Authenticate(ctx, req, from)
}
