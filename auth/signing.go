package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/auth/signature"
)

// SigningKeyPrefix marks billgate signing secrets for secret scanners.
const SigningKeyPrefix = "bgsk_"

// DefaultSignatureSkew is how far a signed request's Date may be from now.
const DefaultSignatureSkew = 300 * time.Second

// SigningKey is an HMAC key that signs HTTP Signatures for its client;
// its secret is kept sealed under the master key.
type SigningKey struct {
	ID              uuid.UUID
	ClientID        uuid.UUID
	Name            string
	Algorithm       string // signature.HMACSHA1 or signature.HMACSHA256
	RequiredHeaders string // the headers every signature must cover, as a JSON list
	LegacyDateOnly  bool
	SealedSecret    string
	ExpiresAt       *time.Time
	CreatedAt       time.Time
	LastUsedAt      *time.Time
}

// signingKeyStore keeps signing keys.
type signingKeyStore interface {
	CreateSigningKey(ctx context.Context, k *SigningKey, now time.Time) error
	SigningKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*SigningKey, error)
	SigningKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]SigningKey, error)
	TouchSigningKey(ctx context.Context, id uuid.UUID, now time.Time) error
	RevokeSigningKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	replayStore
	auditStore
}

// NewSigningKey is what a new signing key is asked for with.
type NewSigningKey struct {
	Name      string
	Algorithm string // signature.HMACSHA1 or signature.HMACSHA256
	// RequiredHeaders must all be covered by every signature, on top of
	// what the key's rules require anyway.
	RequiredHeaders []string
	// LegacyDateOnly keeps the seed's rules for clients that sign the Date
	// alone: only "date" and RequiredHeaders are required.
	LegacyDateOnly bool
	ExpiresAt      *time.Time
}

// boundHeaders are what every signature must cover unless its key is
// legacy date-only: the route, the host and the date, so that a captured
// signature replays onto no other request. A request with a body needs
// its digest covered too.
var boundHeaders = []string{"(request-target)", "host", "date"}

// SignedRequest is what a Signature check reads of a request.
type SignedRequest struct {
	Authorization string
	Method        string
	Target        string                 // the request-target as sent: path and query
	Header        http.Header            // with Host, which net/http keeps apart
	Body          func() ([]byte, error) // read only when the digest is signed
	HasBody       bool                   // a body was sent (or its length is unknown)
}

// SigningKeys makes, lists and revokes the HMAC keys that sign HTTP
// Signatures for their owner, and checks those signatures.
type SigningKeys struct {
	store      signingKeyStore
	secrets    *sealed.Box   // seals the keys' secrets at rest
	skew       time.Duration // how far a signed request's Date may be from now
	principals *principals
	audit      auditor
	now        func() time.Time
	log        *slog.Logger
}

// Create makes an HMAC key signing for the principal's client and returns
// it with its secret, shown this once. The secret is stored sealed under
// the master key, bound to the key's ID.
func (s *SigningKeys) Create(ctx context.Context, p *Principal, req NewSigningKey) (*SigningKey, string, error) {
	if p.actsByKey() {
		return nil, "", ErrKeysCannotMintKeys
	}
	now := s.now()
	required, _ := json.Marshal(withDate(req.RequiredHeaders))
	k := &SigningKey{ID: uuid.Must(uuid.NewV7()), ClientID: p.Account.ID, Name: req.Name, Algorithm: req.Algorithm,
		RequiredHeaders: string(required), LegacyDateOnly: req.LegacyDateOnly, ExpiresAt: req.ExpiresAt, CreatedAt: now}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	secret := SigningKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	sealed, err := s.secrets.Seal([]byte(secret), k.ID[:])
	if err != nil {
		return nil, "", err
	}
	k.SealedSecret = sealed
	if err := s.store.CreateSigningKey(ctx, k, now); err != nil {
		return nil, "", err
	}
	s.audit.record(ctx, event(AuditSigningKeyCreate, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"keyId": k.ID})
	return k, secret, nil
}

// withDate is the required headers with "date" first unless listed.
func withDate(headers []string) []string {
	if slices.Contains(headers, "date") {
		return headers
	}
	return append([]string{"date"}, headers...)
}

// List lists the principal's live signing keys.
func (s *SigningKeys) List(ctx context.Context, p *Principal) ([]SigningKey, error) {
	if p.actsByKey() {
		return nil, ErrKeysCannotMintKeys
	}
	return s.store.SigningKeys(ctx, p.Account.ID, s.now())
}

// Revoke revokes one of the principal's signing keys.
func (s *SigningKeys) Revoke(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	now := s.now()
	if err := s.store.RevokeSigningKey(ctx, p.Account.ID, id, now); err != nil {
		return err
	}
	s.audit.record(ctx, event(AuditSigningKeyRevoke, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"keyId": id})
	return nil
}

// Authenticate checks an HTTP Signature (draft-cavage, HMAC): a
// live key, its own algorithm, every header it requires signed (see
// boundHeaders), a Date within the skew, an unexpired (expires), the MAC, a
// signed Digest that matches the body, and a signature not accepted before
// (replayed). Anything wrong is ErrAuthFailed.
func (s *SigningKeys) Authenticate(ctx context.Context, req SignedRequest, from Origin) (*Principal, error) {
	params, err := signature.ParseAuthorization(req.Authorization)
	if err != nil {
		return nil, ErrAuthFailed
	}
	id, err := uuid.Parse(params.KeyID)
	if err != nil {
		return nil, ErrAuthFailed
	}
	owner := func(now time.Time) (uuid.UUID, error) {
		k, err := s.store.SigningKeyByID(ctx, id, now)
		if err != nil {
			return uuid.Nil, err
		}
		return k.ClientID, nil
	}
	load := func(now time.Time) (*Principal, error) {
		k, err := s.store.SigningKeyByID(ctx, id, now)
		if err != nil {
			return nil, err
		}
		opened, err := s.open(ctx, k)
		if err != nil {
			return nil, err
		}
		p, err := s.principals.load(ctx, k.ClientID)
		if err != nil {
			return nil, err
		}
		p.SigningKey, p.signing = k, opened
		return s.principals.withPayloads(ctx, p)
	}
	p, err := s.principals.ownedKeyPrincipal(ctx, "sig:"+id.String(), from, s.now(), owner, load, s.use)
	if err != nil {
		return nil, err
	}
	now := s.now()
	date, err := s.check(p.SigningKey, p.signing, params, req, now)
	var unread bodyError
	switch {
	case errors.As(err, &unread):
		return nil, unread.err // the caller's to answer: too large, say
	case err != nil:
		return nil, s.refuse(ctx, id, err)
	}
	replayed, err := s.replayed(ctx, id, params.Signature, date, req.Method, now)
	switch {
	case err != nil:
		return nil, err // the store's: unavailable, say
	case replayed:
		return nil, s.refuse(ctx, id, errors.New("the signature was already used"))
	}
	return p, nil
}

// refuse logs why a signature by key was refused, and answers only
// ErrAuthFailed, so a prober learns nothing.
func (s *SigningKeys) refuse(ctx context.Context, key uuid.UUID, reason error) error {
	s.log.InfoContext(ctx, "signature refused", slog.String("keyId", key.String()), slog.Any("reason", reason))
	return ErrAuthFailed
}

func (s *SigningKeys) use(p *Principal) keyUse {
	k := p.SigningKey
	return keyUse{expires: k.ExpiresAt, lastUsed: k.LastUsedAt, touch: func(ctx context.Context, now time.Time) error {
		k.LastUsedAt = &now
		return s.store.TouchSigningKey(ctx, k.ID, now)
	}}
}

// bodyError is a body that could not be read to check its digest.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }

var errSignatureRefused = errors.New("signature refused")

// openedSigningKey is what checking a key's signatures needs, kept with its
// cached principal so a request neither decrypts nor decodes anything.
type openedSigningKey struct {
	verifier *signature.Verifier
	required []string // the headers every signature must cover
	// bodyDigest: a request with a body must have its digest covered.
	bodyDigest bool
}

// uncovered is a header the signature must cover but does not, or "".
func (o *openedSigningKey) uncovered(signed []string, hasBody bool) string {
	for _, name := range o.required {
		if !slices.Contains(signed, name) {
			return name
		}
	}
	if o.bodyDigest && hasBody && !slices.Contains(signed, "digest") {
		return "digest"
	}
	return ""
}

// open opens a key's sealed secret. One that does not open (its master key
// is no longer configured) is ErrAuthFailed, and an error log.
func (s *SigningKeys) open(ctx context.Context, k *SigningKey) (*openedSigningKey, error) {
	opened := &openedSigningKey{bodyDigest: !k.LegacyDateOnly}
	if err := json.Unmarshal([]byte(k.RequiredHeaders), &opened.required); err != nil {
		return nil, fmt.Errorf("signing key %s: required headers: %w", k.ID, err)
	}
	if !k.LegacyDateOnly {
		opened.required = union(boundHeaders, opened.required)
	}
	secret, err := s.secrets.Open(k.SealedSecret, k.ID[:])
	if err != nil {
		s.log.ErrorContext(ctx, "a signing key's secret does not open: is its master key configured?", slog.String("keyId", k.ID.String()))
		return nil, ErrAuthFailed
	}
	if opened.verifier, err = signature.NewVerifier(k.Algorithm, secret); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
	}
	return opened, nil
}

// check verifies one signature by k, which opened is the opened form of,
// at now, and returns its Date.
func (s *SigningKeys) check(k *SigningKey, opened *openedSigningKey, params signature.Params, req SignedRequest, now time.Time) (time.Time, error) {
	if params.Algorithm != "" && params.Algorithm != k.Algorithm {
		return time.Time{}, errors.New("the algorithm is not the key's")
	}
	if name := opened.uncovered(params.Headers, req.HasBody); name != "" {
		return time.Time{}, errors.New("a required header is not signed: " + name)
	}
	date, err := signature.CheckDate(req.Header.Get("Date"), now, s.skew)
	if err != nil {
		return time.Time{}, err
	}
	if params.Expires != 0 && !now.Before(time.Unix(params.Expires, 0)) {
		return time.Time{}, errors.New("the signature has expired")
	}
	signingString, err := params.SigningString(req.Method, req.Target, req.Header)
	if err != nil {
		return time.Time{}, err
	}
	if !opened.verifier.Verify(signingString, params.Signature) {
		return time.Time{}, errSignatureRefused
	}
	if slices.Contains(params.Headers, "digest") {
		body, err := req.Body()
		if err != nil {
			return time.Time{}, bodyError{err}
		}
		if err := signature.CheckDigest(req.Header.Get("Digest"), body); err != nil {
			return time.Time{}, err
		}
	}
	return date, nil
}

// union is a's names, then those of b not in a.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, name := range b {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
