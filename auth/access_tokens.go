package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// AccessTokens issues JWT access tokens for sessions and API keys,
// authenticates them, and publishes the keys that verify them.
type AccessTokens struct {
	tokens     *Tokens // nil: no tokens are issued or accepted
	sessions   *Sessions
	apiKeys    *APIKeys
	principals *principals
	now        func() time.Time
}

// Issue makes a JWT access token for the principal's session or API key.
// A principal that presented neither (Basic) gets a new session first, so
// its token can be revoked like any other.
func (a *AccessTokens) Issue(ctx context.Context, p *Principal, from Origin) (string, time.Time, error) {
	if p.SigningKey != nil {
		return "", time.Time{}, ErrKeysCannotMintKeys // a session would outlive the key's limits
	}
	if a.tokens == nil {
		return "", time.Time{}, errors.New("access tokens are not configured")
	}
	p, err := a.principals.withPayloads(ctx, p.copy()) // compiled anew: a token carries today's templates
	if err != nil {
		return "", time.Time{}, err
	}
	if p.Session == nil && p.APIKey == nil {
		res, err := a.sessions.open(ctx, p, from, a.now(), map[string]any{"for": "token"})
		if err != nil {
			return "", time.Time{}, err
		}
		p.Session = res.Session
	}
	return a.tokens.Issue(p)
}

// PublicKeys are the public halves of the EdDSA token keys.
func (a *AccessTokens) PublicKeys() []JWK {
	if a.tokens == nil {
		return []JWK{}
	}
	return a.tokens.PublicKeys()
}

// Authenticate accepts an access token whose session or API key is still
// live: a bad token is AUTH FAILED, a dead session SESSION UNKNOWN.
func (a *AccessTokens) Authenticate(ctx context.Context, token string, from Origin) (*Principal, error) {
	if a.tokens == nil {
		return nil, ErrAuthFailed
	}
	claims, err := a.tokens.Verify(token)
	if err != nil {
		return nil, err
	}
	var p *Principal
	if claims.KeyID != uuid.Nil {
		p, err = a.apiKeys.principal(ctx, claims.KeyID, from)
	} else {
		p, err = a.sessions.authenticateByID(ctx, claims.SessionID, from)
	}
	if err != nil {
		return nil, err
	}
	if p.Account.ID.String() != claims.Subject {
		return nil, ErrAuthFailed
	}
	p.Payloads = claims.Payloads
	return p, nil
}
