package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/models"
)

// Store is what the identity core reads and writes.
type Store interface {
	ClientByLogin(ctx context.Context, tenantID *uuid.UUID, login string) (*models.Client, error)
	ClientByID(ctx context.Context, id uuid.UUID) (*models.Client, error)
	ReserveLoginAttempt(ctx context.Context, src models.LoginSource, now time.Time, limit int, lockFor func(int) time.Duration) (*models.LoginThrottle, bool, error)
	RecordLoginFailure(ctx context.Context, id uuid.UUID, now time.Time) error
	RecordLoginSuccess(ctx context.Context, id uuid.UUID, src models.LoginSource, now time.Time, rehashed string) error
	CreateSession(ctx context.Context, s *models.Session) error
	CreateAPIKey(ctx context.Context, k *models.APIKey, now time.Time) error
	APIKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*models.APIKey, error)
	APIKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]models.APIKey, error)
	TouchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) error
	RevokeAPIKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	CreateSigningKey(ctx context.Context, k *models.SigningKey, now time.Time) error
	SigningKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*models.SigningKey, error)
	SigningKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]models.SigningKey, error)
	TouchSigningKey(ctx context.Context, id uuid.UUID, now time.Time) error
	RevokeSigningKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	LiveSession(ctx context.Context, secretHash string, now time.Time) (*models.Session, error)
	LiveSessionByID(ctx context.Context, id uuid.UUID, now time.Time) (*models.Session, error)
	TouchSession(ctx context.Context, id uuid.UUID, now, expiresAt time.Time) error
	GrantsOf(ctx context.Context, clientID uuid.UUID) (models.Grants, error)
	ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]models.Session, error)
	RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error)
	SetSessionExpiry(ctx context.Context, clientID, id uuid.UUID, expiresAt time.Time) error
	SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
	OnIdentityChange(fn func(models.IdentityChange))
}

// IP binding modes (BILLGATE_SESSION_IP_BINDING).
const (
	IPBindingOff    = "off"
	IPBindingLog    = "log"
	IPBindingStrict = "strict"
)

// Config holds the session and lockout rules.
type Config struct {
	IdleTimeout      time.Duration // a session unused this long expires
	AbsoluteLifetime time.Duration // no session outlives this
	MaxFailedLogins  int           // failures that lock an account out for one source
	LockoutBase      time.Duration // the first lock; each further one doubles
	LockoutMax       time.Duration // the longest lock
	IPBinding        string        // off, log or strict
	IPFailureBurst   int           // failed logins one IP may make in a row
	IPFailureEvery   time.Duration // how often an IP earns back one attempt
	// PrincipalCacheTTL bounds how long an authenticated principal is reused
	// without reading the database, should a change notification be lost.
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

// DefaultConfig is 2 h idle, 24 h absolute, a lock after 5 failures
// starting at one minute and doubling up to an hour.
func DefaultConfig() Config {
	return Config{
		IdleTimeout:      2 * time.Hour,
		AbsoluteLifetime: 24 * time.Hour,
		MaxFailedLogins:  5,
		LockoutBase:      time.Minute,
		LockoutMax:       time.Hour,
		IPBinding:        IPBindingOff,
		IPFailureBurst:   20,
		IPFailureEvery:   30 * time.Second,

		PrincipalCacheTTL: 10 * time.Second,
		BasicCacheTTL:     5 * time.Minute,
		SignatureSkew:     DefaultSignatureSkew,
	}
}

// touchEvery throttles the write that slides a session's idle expiry: a
// session used many times a minute is written once a minute.
const touchEvery = time.Minute

// Service logs clients in and authenticates their requests.
type Service struct {
	store  Store
	hasher *password.Hasher
	cfg    Config
	now    func() time.Time
	log    *slog.Logger
	perIP  *ipLimiter
	cache  *principalCache
	basic  *verifiedCredentials
	seen   *seenSignatures
}

// NewService builds the identity core. now is the clock (time.Now in
// production).
func NewService(store Store, hasher *password.Hasher, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	if cfg.Secrets == nil {
		cfg.Secrets, _ = sealed.New([]sealed.Key{sealed.RandomKey("random")}) // a valid key: cannot fail
	}
	s := &Service{store: store, hasher: hasher, cfg: cfg, now: now, log: log,
		perIP: newIPLimiter(cfg.IPFailureEvery, cfg.IPFailureBurst), cache: newPrincipalCache(cfg.PrincipalCacheTTL),
		basic: newVerifiedCredentials(cfg.BasicCacheTTL), seen: newSeenSignatures(maxSeenSignatures)}
	store.OnIdentityChange(s.cache.forget)
	return s
}

// Credentials are what a login presents.
type Credentials struct {
	Login    string
	Password string
	// Tenant names a customer's business, by ID or by the business's
	// login; empty for admins and businesses.
	Tenant string
}

// Origin is where a request comes from, kept with its session.
type Origin struct {
	IP        string
	UserAgent string
}

// LoginResult is a new session and the secret that presents it, shown
// only this once.
type LoginResult struct {
	Session *models.Session
	Token   string
}

// maxLoginBytes bounds what is looked up or hashed: longer input cannot be
// a valid login or password, and never reaches the hasher.
const (
	maxLoginBytes    = 128
	maxPasswordRunes = 128
)

// Login checks credentials and opens a session. Every way to fail is
// ErrAuthFailed, in about the same time, except an account locked out for
// this source (known or not) or an IP that failed too often, which is a
// *LockedError even with the right password.
func (s *Service) Login(ctx context.Context, cred Credentials, from Origin) (*LoginResult, error) {
	now := s.now()
	client, err := s.verify(ctx, AuditLogin, cred, from, now)
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, client.ID)
	if err == nil {
		p, err = s.withPayloads(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	res, err := s.openSession(ctx, p, from, now)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, event(AuditLogin, models.OutcomeOK, from.IP, nil, client, now), map[string]any{"sessionId": res.Session.ID})
	return res, nil
}

// openSession opens a session for p, keeping p's compiled payload
// templates: they hold until the session ends.
func (s *Service) openSession(ctx context.Context, p *Principal, from Origin, now time.Time) (*LoginResult, error) {
	compiled, err := json.Marshal(p.Payloads)
	if err != nil {
		return nil, err
	}
	token, hash := NewSessionToken()
	sess := &models.Session{
		PayloadTemplates:  new(string(compiled)),
		ClientID:          p.Client.ID,
		SecretHash:        hash,
		IP:                from.IP,
		UserAgent:         truncate(from.UserAgent, 512),
		CreatedAt:         now,
		LastSeenAt:        now,
		ExpiresAt:         now.Add(min(s.cfg.IdleTimeout, s.cfg.AbsoluteLifetime)),
		AbsoluteExpiresAt: now.Add(s.cfg.AbsoluteLifetime),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return &LoginResult{Session: sess, Token: token}, nil
}

// verify checks credentials under the per-IP limit and the lockout of the
// account for this source, and audits a failure as action.
func (s *Service) verify(ctx context.Context, action string, cred Credentials, from Origin, now time.Time) (*models.Client, error) {
	if wait := s.perIP.wait(from.IP, now); wait > 0 {
		s.audit(ctx, event(action, models.OutcomeFailed, from.IP, nil, nil, now), map[string]any{"login": truncate(cred.Login, maxLoginBytes), "reason": "ip-limited"})
		return nil, &LockedError{Until: now.Add(wait)}
	}
	client, err := s.checkCredentials(ctx, cred, from, now)
	var locked *LockedError
	switch {
	case errors.Is(err, ErrAuthFailed):
		s.perIP.failed(from.IP, now)
		var details map[string]any
		if client == nil {
			details = map[string]any{"login": truncate(cred.Login, maxLoginBytes), "tenant": truncate(cred.Tenant, maxLoginBytes)}
		}
		s.audit(ctx, event(action, models.OutcomeFailed, from.IP, nil, client, now), details)
	case errors.As(err, &locked):
		s.audit(ctx, event(action, models.OutcomeFailed, from.IP, nil, client, now), map[string]any{"reason": "locked"})
	}
	return client, err
}

// checkCredentials returns the client it found, known or not to have
// succeeded, for the audit trail.
func (s *Service) checkCredentials(ctx context.Context, cred Credentials, from Origin, now time.Time) (*models.Client, error) {
	if len(cred.Login) == 0 || len(cred.Login) > maxLoginBytes || len(cred.Tenant) > maxLoginBytes ||
		!lookupable(cred.Login) || !lookupable(cred.Tenant) || utf8.RuneCountInString(cred.Password) > maxPasswordRunes {
		return nil, ErrAuthFailed
	}
	client, tenant, err := s.findClient(ctx, cred)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	src := models.LoginSource{Login: cred.Login, Tenant: tenant, IP: from.IP}
	rehashed, err := s.checkPassword(ctx, client, src, cred.Password, now)
	if err != nil {
		return client, err
	}
	if err := s.store.RecordLoginSuccess(ctx, client.ID, src, now, rehashed); err != nil {
		return client, err
	}
	return client, nil
}

func (s *Service) audit(ctx context.Context, e models.AuditEvent, details map[string]any) {
	Audit(ctx, s.store, s.log, e, details)
}

// checkPassword counts an attempt from src, then verifies the password of
// client. A client that is nil (unknown), disabled or without a password
// costs a dummy verify and fails: throttled, timed and answered as a wrong
// password is. A wrong password counts in the client's statistics. It
// returns the password hashed anew when the stored hash is legacy or
// weaker than today's parameters.
func (s *Service) checkPassword(ctx context.Context, client *models.Client, src models.LoginSource, password string, now time.Time) (rehashed string, err error) {
	throttle, reserved, err := s.store.ReserveLoginAttempt(ctx, src, now, s.cfg.MaxFailedLogins, s.lockFor)
	if err != nil {
		return "", err
	}
	if !reserved {
		return "", &LockedError{Until: *throttle.LockedUntil}
	}
	if client == nil || client.Disabled || client.PasswordHash == "" {
		s.hasher.VerifyDummy(password)
		return "", ErrAuthFailed
	}
	ok, rehash, err := s.hasher.Verify(password, client.PasswordHash)
	if err != nil {
		s.log.ErrorContext(ctx, "stored password hash is malformed", slog.String("clientId", client.ID.String()), slog.Any("error", err))
	}
	if err != nil || !ok {
		if err := s.store.RecordLoginFailure(ctx, client.ID, now); err != nil {
			return "", err
		}
		return "", ErrAuthFailed
	}
	if rehash {
		return s.hasher.Hash(password)
	}
	return "", nil
}

// InvalidPasswordError refuses a new password that breaks the policy.
type InvalidPasswordError struct{ Reason error }

func (e *InvalidPasswordError) Error() string { return e.Reason.Error() }

// ChangePassword replaces the principal's password after checking the
// current one (which counts toward the lockout like a login from the
// principal's address), and revokes every other session of the client. A
// key cannot: it is not the password, and its owner's sessions are not its
// to end.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	if err := password.CheckPolicy(next); err != nil {
		return &InvalidPasswordError{Reason: err}
	}
	if utf8.RuneCountInString(current) > maxPasswordRunes {
		return ErrAuthFailed
	}
	now := s.now()
	client, err := s.store.ClientByID(ctx, p.Client.ID) // the hash as stored now, not as cached
	if err != nil {
		return err
	}
	if _, err := s.checkPassword(ctx, client, models.SourceOf(client, p.IP), current, now); err != nil {
		s.audit(ctx, event(AuditPasswordChange, models.OutcomeFailed, p.IP, nil, p.Client, now), nil)
		return err
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, p.Client.ID, hash, now); err != nil {
		return err
	}
	if _, err = s.store.RevokeClientSessions(ctx, p.Client.ID, p.SessionID(), now); err != nil {
		return err
	}
	s.audit(ctx, event(AuditPasswordChange, models.OutcomeOK, p.IP, nil, p.Client, now), nil)
	return nil
}

// findClient resolves the tenant, then the login within it. tenant is
// what the attempt is throttled under (see models.LoginSource), found or
// not.
func (s *Service) findClient(ctx context.Context, cred Credentials) (client *models.Client, tenant string, err error) {
	if cred.Tenant == "" {
		client, err = s.store.ClientByLogin(ctx, nil, cred.Login)
		return client, "", err
	}
	tenantID, err := uuid.Parse(cred.Tenant)
	if err != nil {
		business, err := s.store.ClientByLogin(ctx, nil, cred.Tenant)
		if err != nil {
			return nil, cred.Tenant, err
		}
		tenantID = business.ID
	}
	client, err = s.store.ClientByLogin(ctx, &tenantID, cred.Login)
	return client, tenantID.String(), err
}

// lockFor is the growing backoff: the base for the first lock, doubled for
// each one after, capped.
func (s *Service) lockFor(n int) time.Duration {
	d := s.cfg.LockoutBase
	for range n {
		if d > s.cfg.LockoutMax/2 {
			return s.cfg.LockoutMax
		}
		d *= 2
	}
	return min(d, s.cfg.LockoutMax)
}

// lookupable is text a database can compare: valid UTF-8 without control
// characters (Postgres refuses NUL outright).
func lookupable(s string) bool {
	return utf8.ValidString(s) && !hasControl(s)
}

// Authenticate finds the live session a session secret or a JWT access
// token presents, and who it acts for. Unknown, expired and revoked
// sessions, and sessions of disabled clients, are all ErrSessionUnknown; a
// JWT that does not verify is ErrAuthFailed.
func (s *Service) Authenticate(ctx context.Context, token string, from Origin) (*Principal, error) {
	if looksLikeJWT(token) {
		return s.authenticateJWT(ctx, token, from)
	}
	if !LooksLikeSessionToken(token) {
		return nil, ErrSessionUnknown
	}
	hash := HashToken(token)
	return s.authenticate(ctx, hash, from, func(now time.Time) (*models.Session, error) {
		return s.store.LiveSession(ctx, hash, now)
	})
}

// authenticateJWT accepts an access token whose session is still live: a
// bad token is AUTH FAILED, a dead session SESSION UNKNOWN.
func (s *Service) authenticateJWT(ctx context.Context, token string, from Origin) (*Principal, error) {
	if s.cfg.Tokens == nil {
		return nil, ErrAuthFailed
	}
	claims, err := s.cfg.Tokens.Verify(token)
	if err != nil {
		return nil, err
	}
	var p *Principal
	if claims.KeyID != uuid.Nil {
		p, err = s.keyPrincipal(ctx, claims.KeyID, from)
	} else {
		p, err = s.authenticate(ctx, "jwt:"+claims.SessionID.String(), from, func(now time.Time) (*models.Session, error) {
			return s.store.LiveSessionByID(ctx, claims.SessionID, now)
		})
	}
	if err != nil {
		return nil, err
	}
	if p.Client.ID.String() != claims.Subject {
		return nil, ErrAuthFailed
	}
	p.Payloads = claims.Payloads
	return p, nil
}

// authenticate finds the principal of the session cached under key, or
// found by find; checks its IP binding; and slides its idle expiry.
func (s *Service) authenticate(ctx context.Context, key string, from Origin, find func(now time.Time) (*models.Session, error)) (*Principal, error) {
	now := s.now()
	p, cached := s.cache.get(key, now)
	if !cached || !p.Session.ExpiresAt.After(now) {
		var err error
		if p, err = s.load(ctx, key, now, find); err != nil {
			return nil, err
		}
	}
	if p.Session.IP != from.IP && s.cfg.IPBinding != IPBindingOff {
		s.log.WarnContext(ctx, "session used from another IP",
			slog.String("sessionId", p.Session.ID.String()), slog.String("sessionIp", p.Session.IP), slog.String("requestIp", from.IP))
		if s.cfg.IPBinding == IPBindingStrict {
			return nil, ErrAuthFailed
		}
	}
	if now.Sub(p.Session.LastSeenAt) >= touchEvery {
		gen := s.cache.generation()
		p.Session.ExpiresAt = minTime(now.Add(s.cfg.IdleTimeout), p.Session.AbsoluteExpiresAt)
		p.Session.LastSeenAt = now
		if err := s.store.TouchSession(ctx, p.Session.ID, now, p.Session.ExpiresAt); err != nil {
			return nil, err
		}
		s.cache.put(key, p, gen, now)
	}
	p.IP = from.IP
	return p, nil
}

// PublicKeys are the public halves of the EdDSA token keys.
func (s *Service) PublicKeys() []JWK {
	if s.cfg.Tokens == nil {
		return []JWK{}
	}
	return s.cfg.Tokens.PublicKeys()
}

// IssueToken makes a JWT access token for the principal's session or API
// key. A principal that presented neither (Basic) gets a new session
// first, so its token can be revoked like any other.
func (s *Service) IssueToken(ctx context.Context, p *Principal, from Origin) (string, time.Time, error) {
	if p.SigningKey != nil {
		return "", time.Time{}, ErrKeysCannotMintKeys // a session would outlive the key's limits
	}
	if s.cfg.Tokens == nil {
		return "", time.Time{}, errors.New("access tokens are not configured")
	}
	p, err := s.withPayloads(ctx, p.copy()) // compiled anew: a token carries today's templates
	if err != nil {
		return "", time.Time{}, err
	}
	if p.Session == nil && p.APIKey == nil {
		now := s.now()
		res, err := s.openSession(ctx, p, from, now)
		if err != nil {
			return "", time.Time{}, err
		}
		s.audit(ctx, event(AuditLogin, models.OutcomeOK, from.IP, nil, p.Client, now), map[string]any{"sessionId": res.Session.ID, "for": "token"})
		p.Session = res.Session
	}
	return s.cfg.Tokens.Issue(p)
}

// load reads a live session (found by find) and its principal from the
// database, and caches them under key.
func (s *Service) load(ctx context.Context, key string, now time.Time, find func(now time.Time) (*models.Session, error)) (*Principal, error) {
	gen := s.cache.generation()
	sess, err := find(now)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrSessionUnknown
	}
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, sess.ClientID)
	if err != nil {
		return nil, err
	}
	if p.Payloads, err = payloadsOf(sess); err != nil {
		return nil, err
	}
	p.Session = sess
	s.cache.put(key, p, gen, now)
	return p, nil
}

// AuthenticateBasic checks Basic credentials presented on a call: the same
// check, lockout and answers as a login, and no session. Credentials that
// verified within BasicCacheTTL are taken without argon2id while the
// account's password hash is the one they were checked against.
func (s *Service) AuthenticateBasic(ctx context.Context, cred Credentials, from Origin) (*Principal, error) {
	now := s.now()
	k := s.basic.keyOf(cred)
	if e, ok := s.basic.get(k, now); ok {
		p, err := s.clientPrincipal(ctx, e.clientID, now)
		if err == nil && p.Client.PasswordHash == e.passwordHash {
			p.IP = from.IP
			return p, nil
		}
		s.basic.drop(k)
		if err != nil && !errors.Is(err, ErrSessionUnknown) {
			return nil, err
		}
	}
	client, err := s.verify(ctx, AuditBasic, cred, from, now)
	if err != nil {
		return nil, err
	}
	p, err := s.clientPrincipal(ctx, client.ID, now)
	if errors.Is(err, ErrSessionUnknown) {
		return nil, ErrAuthFailed // disabled meanwhile
	}
	if err != nil {
		return nil, err
	}
	s.basic.put(k, verifiedEntry{clientID: client.ID, passwordHash: p.Client.PasswordHash, at: now})
	p.IP = from.IP
	return p, nil
}

// clientPrincipal is a client's principal without a session, from the
// principal cache when it holds one.
func (s *Service) clientPrincipal(ctx context.Context, clientID uuid.UUID, now time.Time) (*Principal, error) {
	key := "client:" + clientID.String()
	if p, ok := s.cache.get(key, now); ok {
		return p, nil
	}
	gen := s.cache.generation()
	p, err := s.principal(ctx, clientID)
	if err == nil {
		p, err = s.withPayloads(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	s.cache.put(key, p, gen, now)
	return p, nil
}

func (s *Service) principal(ctx context.Context, clientID uuid.UUID) (*Principal, error) {
	return s.principalOf(ctx, clientID, func(string) bool { return true })
}

// principalOf loads a client's principal with those of its policies that
// keep allows. A disabled or deleted client is ErrSessionUnknown.
func (s *Service) principalOf(ctx context.Context, clientID uuid.UUID, keep func(policy string) bool) (*Principal, error) {
	client, err := s.store.ClientByID(ctx, clientID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrSessionUnknown
	}
	if err != nil {
		return nil, err
	}
	if client.Disabled {
		return nil, ErrSessionUnknown
	}
	grants, err := s.store.GrantsOf(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var policies []policy.Policy
	var names []string
	var granted []models.Policy
	for _, stored := range grants.Policies {
		// Payload templates are always all of the client's: narrowing a key
		// takes actions away, never the limits on what it may send.
		granted = append(granted, stored)
		if !keep(stored.Name) {
			continue
		}
		pol := policy.Policy{Name: stored.Name}
		if err := json.Unmarshal([]byte(stored.Statements), &pol.Statements); err != nil {
			return nil, fmt.Errorf("policy %s: %w", stored.Name, err)
		}
		policies, names = append(policies, pol), append(names, stored.Name)
	}
	return &Principal{
		Client:      client,
		Roles:       grants.Roles,
		Level:       grants.Level,
		PolicyNames: names,
		Listening:   grants.Listening,
		policies:    policy.Compile(policies...),
		granted:     granted,
		contexts:    grants.Contexts,
	}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
