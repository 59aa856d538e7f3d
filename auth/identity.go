package auth

import (
	"log/slog"
	"time"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/sealed"
)

// Config holds the identity rules.
type Config struct {
	Sessions       SessionRules
	Lockout        Lockout
	IPFailureBurst int           // failed logins one IP may make in a row
	IPFailureEvery time.Duration // how often an IP earns back one attempt
	// PrincipalCacheTTL bounds how long an authenticated principal is reused
	// while its identity version stays the same: what versions do not
	// cover, the dynamic payload-template variables compiled into Basic
	// and key principals, is read again after it.
	PrincipalCacheTTL time.Duration
	// BasicCacheTTL is how long verified Basic credentials are taken
	// without checking the password hash again.
	BasicCacheTTL time.Duration
	// Tokens issues and verifies JWT access tokens; nil accepts none.
	Tokens *Tokens
	// Secrets seals signing-key secrets at rest; nil makes a random master
	// key, which suits one process whose keys need not outlive it.
	Secrets *sealed.Box
	// SignatureSkew is how far a signed request's Date may be from now.
	SignatureSkew time.Duration
	// Variables are the dynamic payload-template variables, by name.
	Variables map[string]Variable
}

// DefaultConfig is DefaultSessionRules, DefaultLockout, 20 failures in a
// row from one IP earning one back every 30 s, and the default skew.
func DefaultConfig() Config {
	return Config{
		Sessions:       DefaultSessionRules,
		Lockout:        DefaultLockout,
		IPFailureBurst: 20,
		IPFailureEvery: 30 * time.Second,

		PrincipalCacheTTL: 10 * time.Second,
		BasicCacheTTL:     5 * time.Minute,
		SignatureSkew:     DefaultSignatureSkew,
	}
}

// Identity is the identity core, one type per feature, over one store.
type Identity struct {
	Requests     *Authenticator
	Logins       *Logins
	Sessions     *Sessions
	AccessTokens *AccessTokens
	APIKeys      *APIKeys
	SigningKeys  *SigningKeys
}

// Store is every feature's store at once (a Persister over the database).
type Store interface {
	principalStore
	loginStore
	sessionStore
	apiKeyStore
	signingKeyStore
}

// NewIdentity builds the identity core over its store. now is the clock
// (time.Now in production).
func NewIdentity(store Store, hasher *password.Hasher, cfg Config, now func() time.Time, log *slog.Logger) *Identity {
	if cfg.Secrets == nil {
		cfg.Secrets, _ = sealed.New([]sealed.Key{sealed.RandomKey("random")}) // a valid key: cannot fail
	}
	ps := newPrincipals(store, &payloadCompiler{variables: cfg.Variables, log: log}, cfg.PrincipalCacheTTL)
	audit := auditor{store: store, log: log}

	sessions := &Sessions{store: store, rules: cfg.Sessions, principals: ps, audit: audit, now: now, log: log}
	apiKeys := &APIKeys{store: store, principals: ps, audit: audit, now: now}
	signingKeys := &SigningKeys{store: store, secrets: cfg.Secrets, skew: cfg.SignatureSkew,
		principals: ps, audit: audit, now: now, log: log}
	logins := &Logins{store: store, hasher: hasher, lockout: cfg.Lockout, perIP: newIPLimiter(store, cfg.IPFailureEvery, cfg.IPFailureBurst, log),
		verified: newVerifiedCredentials(cfg.BasicCacheTTL), principals: ps, sessions: sessions, audit: audit, now: now, log: log}
	accessTokens := &AccessTokens{tokens: cfg.Tokens, sessions: sessions, apiKeys: apiKeys, principals: ps, now: now}
	return &Identity{
		Requests:     &Authenticator{sessions: sessions, accessTokens: accessTokens, logins: logins, apiKeys: apiKeys, signingKeys: signingKeys},
		Logins:       logins,
		Sessions:     sessions,
		AccessTokens: accessTokens,
		APIKeys:      apiKeys,
		SigningKeys:  signingKeys,
	}
}
