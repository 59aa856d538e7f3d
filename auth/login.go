package auth

import (
	"context"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
)

// loginStore finds accounts by their credentials and counts their failures.
type loginStore interface {
	AccountByLogin(ctx context.Context, tenantID *uuid.UUID, login string) (*Account, error)
	AccountByID(ctx context.Context, id uuid.UUID) (*Account, error)
	// ReserveLoginAttempt counts an attempt from src unless src is locked
	// out (reserved false), and returns until when src is locked.
	ReserveLoginAttempt(ctx context.Context, src LoginSource, now time.Time, lockedUntil func(attempt int) *time.Time) (locked *time.Time, reserved bool, err error)
	ipTokenStore
	RecordLoginFailure(ctx context.Context, id uuid.UUID, now time.Time) error
	RecordLoginSuccess(ctx context.Context, id uuid.UUID, src LoginSource, now time.Time, rehashed string) error
	SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error
	RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error)
	auditStore
}

// LoginSource is who tries a password: an account, named by its login and
// tenant, and the address trying it. The lockout counts each apart.
type LoginSource struct {
	Login string
	// Tenant is the tenant's ID, "" for platform accounts, or the name a
	// caller gave when no business has it.
	Tenant string
	IP     string
}

// sourceOf is the source of an attempt on a's password from ip.
func sourceOf(a *Account, ip string) LoginSource {
	src := LoginSource{Login: a.Login, IP: ip}
	if a.TenantID != nil {
		src.Tenant = a.TenantID.String()
	}
	return src
}

// Credentials are what a login presents.
type Credentials struct {
	Login    string
	Password string
	// Tenant names a customer's business, by ID or by the business's
	// login; empty for admins and businesses.
	Tenant string
}

// maxLoginBytes bounds what is looked up or hashed: longer input cannot be
// a valid login or password, and never reaches the hasher.
const (
	maxLoginBytes    = 128
	maxPasswordRunes = 128
)

// InvalidPasswordError refuses a new password that breaks the policy.
type InvalidPasswordError struct{ Reason error }

func (e *InvalidPasswordError) Error() string { return e.Reason.Error() }

// Logins checks passwords, under the lockout of each account for each
// source and a limit on each IP's failures: logins that open sessions,
// Basic credentials on a call, and password changes.
type Logins struct {
	store      loginStore
	hasher     *password.Hasher
	lockout    Lockout
	perIP      *ipLimiter
	verified   *verifiedCredentials // Basic credentials checked lately
	principals *principals
	sessions   *Sessions
	audit      auditor
	now        func() time.Time
	log        *slog.Logger
}

// Login checks credentials and opens a session. Every way to fail is
// ErrAuthFailed, in about the same time, except an account locked out for
// this source (known or not) or an IP that failed too often, which is a
// *LockedError even with the right password.
func (l *Logins) Login(ctx context.Context, cred Credentials, from Origin) (*LoginResult, error) {
	now := l.now()
	client, err := l.verify(ctx, AuditLogin, cred, from, now)
	if err != nil {
		return nil, err
	}
	p, err := l.principals.load(ctx, client.ID)
	if err == nil {
		p, err = l.principals.withPayloads(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	return l.sessions.open(ctx, p, from, now, map[string]any{})
}

// AuthenticateBasic checks Basic credentials presented on a call: the same
// check, lockout and answers as a login, and no session. Credentials that
// verified within the Basic cache's lifetime are taken without argon2id
// while the account's password hash is the one they were checked against.
func (l *Logins) AuthenticateBasic(ctx context.Context, cred Credentials, from Origin) (*Principal, error) {
	now := l.now()
	k := l.verified.keyOf(cred)
	if e, ok := l.verified.get(k, now); ok {
		p, err := l.principals.ofClient(ctx, e.clientID, now)
		if err == nil && p.Account.PasswordHash == e.passwordHash {
			p.IP = from.IP
			return p, nil
		}
		l.verified.drop(k)
		if err != nil && !errors.Is(err, ErrSessionUnknown) {
			return nil, err
		}
	}
	client, err := l.verify(ctx, AuditBasic, cred, from, now)
	if err != nil {
		return nil, err
	}
	p, err := l.principals.ofClient(ctx, client.ID, now)
	if errors.Is(err, ErrSessionUnknown) {
		return nil, ErrAuthFailed // disabled meanwhile
	}
	if err != nil {
		return nil, err
	}
	l.verified.put(k, verifiedEntry{clientID: client.ID, passwordHash: p.Account.PasswordHash, at: now})
	p.IP = from.IP
	return p, nil
}

// ChangePassword replaces the principal's password after checking the
// current one (which counts toward the lockout like a login from the
// principal's address), and revokes every other session of the client. A
// key cannot: it is not the password, and its owner's sessions are not its
// to end.
func (l *Logins) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	if err := password.CheckPolicy(next); err != nil {
		return &InvalidPasswordError{Reason: err}
	}
	if utf8.RuneCountInString(current) > maxPasswordRunes {
		return ErrAuthFailed
	}
	now := l.now()
	account, err := l.store.AccountByID(ctx, p.Account.ID) // the hash as stored now, not as cached
	if err != nil {
		return err
	}
	if _, err := l.checkPassword(ctx, account, sourceOf(account, p.IP), current, now); err != nil {
		l.audit.record(ctx, event(AuditPasswordChange, outcomeFailed, p.IP, nil, p.Account, now), nil)
		return err
	}
	hash, err := l.hasher.Hash(next)
	if err != nil {
		return err
	}
	if err := l.store.SetPassword(ctx, p.Account.ID, hash, now); err != nil {
		return err
	}
	if _, err = l.store.RevokeClientSessions(ctx, p.Account.ID, p.SessionID(), now); err != nil {
		return err
	}
	l.audit.record(ctx, event(AuditPasswordChange, outcomeOK, p.IP, nil, p.Account, now), nil)
	return nil
}

// verify checks credentials under the per-IP limit and the lockout of the
// account for this source, and audits a failure as action.
func (l *Logins) verify(ctx context.Context, action string, cred Credentials, from Origin, now time.Time) (*Account, error) {
	wait, byStore, err := l.perIP.admit(ctx, from.IP, now)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		if byStore { // at most once a second: a flood would write a row a request
			l.audit.record(ctx, event(action, outcomeFailed, from.IP, nil, nil, now), map[string]any{"login": truncate(cred.Login, maxLoginBytes), "reason": "ip-limited"})
		}
		return nil, &LockedError{Until: now.Add(wait)}
	}
	defer func() { l.perIP.done(ctx, from.IP, now, l.now(), errors.Is(err, ErrAuthFailed)) }()
	client, err := l.checkCredentials(ctx, cred, from, now)
	var locked *LockedError
	switch {
	case errors.Is(err, ErrAuthFailed):
		var details map[string]any
		if client == nil {
			details = map[string]any{"login": truncate(cred.Login, maxLoginBytes), "tenant": truncate(cred.Tenant, maxLoginBytes)}
		}
		l.audit.record(ctx, event(action, outcomeFailed, from.IP, nil, client, now), details)
	case errors.As(err, &locked):
		l.audit.record(ctx, event(action, outcomeFailed, from.IP, nil, client, now), map[string]any{"reason": "locked"})
	}
	return client, err
}

// checkCredentials returns the client it found, known or not to have
// succeeded, for the audit trail.
func (l *Logins) checkCredentials(ctx context.Context, cred Credentials, from Origin, now time.Time) (*Account, error) {
	if len(cred.Login) == 0 || len(cred.Login) > maxLoginBytes || len(cred.Tenant) > maxLoginBytes ||
		!lookupable(cred.Login) || !lookupable(cred.Tenant) || utf8.RuneCountInString(cred.Password) > maxPasswordRunes {
		return nil, ErrAuthFailed
	}
	client, tenant, err := l.findClient(ctx, cred)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	src := LoginSource{Login: cred.Login, Tenant: tenant, IP: from.IP}
	rehashed, err := l.checkPassword(ctx, client, src, cred.Password, now)
	if err != nil {
		return client, err
	}
	if err := l.store.RecordLoginSuccess(ctx, client.ID, src, now, rehashed); err != nil {
		return client, err
	}
	return client, nil
}

// checkPassword counts an attempt from src, then verifies the password of
// client. A client that is nil (unknown), disabled or without a password
// costs a dummy verify and fails: throttled, timed and answered as a wrong
// password is. A wrong password counts in the client's statistics. It
// returns the password hashed anew when the stored hash is legacy or
// weaker than today's parameters.
func (l *Logins) checkPassword(ctx context.Context, client *Account, src LoginSource, password string, now time.Time) (rehashed string, err error) {
	locked, reserved, err := l.store.ReserveLoginAttempt(ctx, src, now, func(attempt int) *time.Time {
		return l.lockout.lockedUntil(attempt, now)
	})
	if err != nil {
		return "", err
	}
	if !reserved {
		return "", &LockedError{Until: *locked}
	}
	if client == nil || client.Disabled || client.PasswordHash == "" {
		l.hasher.VerifyDummy(password)
		return "", ErrAuthFailed
	}
	ok, rehash, err := l.hasher.Verify(password, client.PasswordHash)
	if err != nil {
		l.log.ErrorContext(ctx, "stored password hash is malformed", slog.String("clientId", client.ID.String()), slog.Any("error", err))
	}
	if err != nil || !ok {
		if err := l.store.RecordLoginFailure(ctx, client.ID, now); err != nil {
			return "", err
		}
		return "", ErrAuthFailed
	}
	if rehash {
		return l.hasher.Hash(password)
	}
	return "", nil
}

// findClient resolves the tenant, then the login within it. tenant is
// what the attempt is throttled under (see LoginSource), found or
// not.
func (l *Logins) findClient(ctx context.Context, cred Credentials) (client *Account, tenant string, err error) {
	if cred.Tenant == "" {
		client, err = l.store.AccountByLogin(ctx, nil, cred.Login)
		return client, "", err
	}
	tenantID, err := uuid.Parse(cred.Tenant)
	if err != nil {
		business, err := l.store.AccountByLogin(ctx, nil, cred.Tenant)
		if err != nil {
			return nil, cred.Tenant, err
		}
		tenantID = business.ID
	}
	client, err = l.store.AccountByLogin(ctx, &tenantID, cred.Login)
	return client, tenantID.String(), err
}

// lookupable is text a database can compare: valid UTF-8 without control
// characters (Postgres refuses NUL outright).
func lookupable(s string) bool {
	return utf8.ValidString(s) && !hasControl(s)
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
