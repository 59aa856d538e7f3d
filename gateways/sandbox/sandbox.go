// Package sandbox is billgate's test payment gateway. It moves no money: the
// payment method's token alone decides the answer (sandbox_ok succeeds,
// sandbox_decline declines, and so on), so workflows, dunning and webhooks can
// be exercised deterministically, end to end.
//
// Every answer is recorded in a Ledger by idempotency key, which lets tests
// prove that each invoice was charged exactly once. Asynchronous charges
// (sandbox_async) wait for a decision on an approval page (ApprovalPage,
// Decide), which produces a webhook signed with Sign, as billgate's
// POST /webhooks/sandbox expects (Verify, ParseWebhook, ReadWebhook).
//
// The package has no HTTP server: the api package serves its pages and
// webhooks through interfaces of its own, which internal/app implements
// over a Sandbox. docs/gateways.md lists the tokens and the webhook format.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/gateways"
)

// Name is the sandbox's gateway name.
const Name = "sandbox"

// The tokens the sandbox understands; any other is a permanent error.
const (
	// TokenOK always succeeds.
	TokenOK = "sandbox_ok"
	// TokenDecline always declines with card_declined.
	TokenDecline = "sandbox_decline"
	// TokenInsufficientFunds always declines with insufficient_funds.
	TokenInsufficientFunds = "sandbox_insufficient_funds"
	// TokenFlaky fails transiently on the first FlakyFailures calls with an
	// idempotency key, then succeeds.
	TokenFlaky = "sandbox_flaky"
	// TokenAsync is pending until approved or declined on the approval page.
	TokenAsync = "sandbox_async"
	// TokenDeclineAfterPrefix + N (see TokenDeclineAfter) succeeds N charges
	// per customer, then declines with card_declined.
	TokenDeclineAfterPrefix = "sandbox_decline_after_"
)

// FlakyFailures is how many calls per idempotency key TokenFlaky fails.
const FlakyFailures = 2

// MaxDeclineAfter is the largest N of sandbox_decline_after_N.
const MaxDeclineAfter = 1000

// TokenDeclineAfter is the token that succeeds n charges per customer, then
// declines: "sandbox_decline_after_<n>".
func TokenDeclineAfter(n int) string { return TokenDeclineAfterPrefix + strconv.Itoa(n) }

// ErrUnknownToken is wrapped (as a permanent error) when a token is not one of
// the sandbox's.
var ErrUnknownToken = errors.New("unknown sandbox token")

// ApprovePath is the path of the approval page, followed by the charge's
// reference: GET shows the page, POST with decision=approve|decline decides.
const ApprovePath = "/sandbox/approve/"

// The values of the approval form's decision field.
const (
	DecisionApprove = "approve"
	DecisionDecline = "decline"
)

// Options configures a Sandbox.
type Options struct {
	// BaseURL is billgate's public URL, e.g. "http://localhost:8080"; the
	// approval links of pending charges start with it.
	BaseURL string
	// WebhookSecret signs the webhooks Decide builds.
	WebhookSecret []byte
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
}

// Sandbox is the test gateway. It implements gateways.Gateway and is safe for
// concurrent use as far as its Ledger is.
type Sandbox struct {
	ledger  Ledger
	baseURL string
	secret  []byte
	clock   func() time.Time
}

var _ gateways.Gateway = (*Sandbox)(nil)

// New returns a Sandbox that keeps its charges in ledger.
func New(ledger Ledger, opts Options) (*Sandbox, error) {
	if ledger == nil {
		return nil, errors.New("sandbox: a ledger is required")
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("sandbox: base URL %q is not an absolute http(s) URL without query or fragment", opts.BaseURL)
	}
	if len(opts.WebhookSecret) == 0 {
		return nil, errors.New("sandbox: a webhook secret is required")
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Sandbox{
		ledger:  ledger,
		baseURL: strings.TrimSuffix(opts.BaseURL, "/"),
		secret:  append([]byte(nil), opts.WebhookSecret...),
		clock:   clock,
	}, nil
}

// Name implements gateways.Gateway.
func (s *Sandbox) Name() string { return Name }

// ApprovalURL is the approval page of the charge with reference.
func (s *Sandbox) ApprovalURL(reference string) string {
	return s.baseURL + ApprovePath + url.PathEscape(reference)
}

// Charge implements gateways.Gateway: the token decides the answer (see the
// Token constants), and the answer is recorded in the ledger under
// req.IdempotencyKey. A key already recorded gets the recorded answer, as it
// is now (a pending charge may since have been decided); reused with another
// amount, token or customer it is a permanent error.
func (s *Sandbox) Charge(ctx context.Context, req gateways.ChargeRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Name, err)
	}
	tok, err := parseToken(req.Token)
	if err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Name, err)
	}
	c := Charge{
		Key:         req.IdempotencyKey,
		Reference:   "sbx_" + uuid.NewString(),
		CustomerID:  req.CustomerID,
		Token:       req.Token,
		Amount:      req.Amount,
		Description: req.Description,
		CreatedAt:   s.clock().UTC(),
	}
	// No lookup by key comes first: when the key is already recorded, the
	// answer computed here is discarded by Record (first write wins), so a
	// repeat never counts as a new charge.
	switch tok.kind {
	case TokenOK:
		c.Status = gateways.Succeeded
	case TokenDecline:
		c.Status, c.DeclineCode = gateways.Declined, gateways.CodeCardDeclined
	case TokenInsufficientFunds:
		c.Status, c.DeclineCode = gateways.Declined, gateways.CodeInsufficientFunds
	case TokenAsync:
		c.Status = gateways.Pending
	case TokenFlaky:
		n, err := s.ledger.Attempt(ctx, req.IdempotencyKey)
		if err != nil {
			return gateways.ChargeResult{}, gateways.Transient(Name, fmt.Errorf("count attempt: %w", err))
		}
		if n <= FlakyFailures {
			return gateways.ChargeResult{}, gateways.Transient(Name, fmt.Errorf("%s: simulated outage (call %d with this key)", TokenFlaky, n))
		}
		c.Status = gateways.Succeeded
	case TokenDeclineAfterPrefix:
		n, err := s.ledger.SucceededWithToken(ctx, req.CustomerID, req.Token)
		if err != nil {
			return gateways.ChargeResult{}, gateways.Transient(Name, fmt.Errorf("count charges: %w", err))
		}
		c.Status = gateways.Succeeded
		if n >= tok.n {
			c.Status, c.DeclineCode = gateways.Declined, gateways.CodeCardDeclined
		}
	}
	stored, _, err := s.ledger.Record(ctx, c)
	if err != nil {
		return gateways.ChargeResult{}, gateways.Transient(Name, fmt.Errorf("record charge: %w", err))
	}
	if stored.Amount != req.Amount || stored.Token != req.Token || stored.CustomerID != req.CustomerID {
		return gateways.ChargeResult{}, gateways.Permanent(Name, fmt.Errorf("%w: key %q was used for %s with token %q for customer %q",
			gateways.ErrIdempotencyConflict, req.IdempotencyKey, stored.Amount, stored.Token, stored.CustomerID))
	}
	return s.result(stored), nil
}

// Lookup implements gateways.Gateway: the charge as the ledger has it now.
func (s *Sandbox) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	return s.found(s.ledger.ByReference(ctx, reference))
}

// Find implements gateways.Gateway: the charge recorded under the key.
func (s *Sandbox) Find(ctx context.Context, idempotencyKey string) (gateways.ChargeResult, error) {
	return s.found(s.ledger.ByKey(ctx, idempotencyKey))
}

// Charges is every charge in the ledger, oldest first.
func (s *Sandbox) Charges(ctx context.Context) ([]Charge, error) { return s.ledger.Charges(ctx) }

// Void implements gateways.Gateway: a pending charge becomes Voided, and
// its approval page refuses any decision from then on.
func (s *Sandbox) Void(ctx context.Context, req gateways.VoidRequest) (gateways.ChargeResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.ChargeResult{}, gateways.Permanent(Name, err)
	}
	c, err := s.ledger.Void(ctx, req.Reference, req.IdempotencyKey, s.clock().UTC())
	if errors.Is(err, ErrAlreadyDecided) {
		return s.result(c), gateways.Permanent(Name, fmt.Errorf("%w: %w", gateways.ErrChargeSettled, err))
	}
	if err != nil {
		return gateways.ChargeResult{}, ledgerError("void charge", err)
	}
	return s.result(c), nil
}

// ErrPartialRefund is wrapped (with ErrNotRefundable) when the sandbox is
// asked for part of a charge: it refunds charges whole, once.
var ErrPartialRefund = errors.New("the sandbox refunds whole charges only")

// Refund implements gateways.Gateway: the ledger records the refund of a
// succeeded charge, whole and once per charge.
func (s *Sandbox) Refund(ctx context.Context, req gateways.RefundRequest) (gateways.RefundResult, error) {
	if err := req.Validate(); err != nil {
		return gateways.RefundResult{}, gateways.Permanent(Name, err)
	}
	if !req.Amount.IsZero() {
		if c, err := s.ledger.ByReference(ctx, req.Reference); err == nil && c.Amount != req.Amount {
			return gateways.RefundResult{}, gateways.Permanent(Name, fmt.Errorf("%w: %w", gateways.ErrNotRefundable, ErrPartialRefund))
		}
	}
	c, err := s.ledger.Refund(ctx, req.Reference, req.IdempotencyKey, "sbr_"+uuid.NewString(), s.clock().UTC())
	switch {
	case errors.Is(err, gateways.ErrAlreadyRefunded), errors.Is(err, gateways.ErrNotRefundable), errors.Is(err, gateways.ErrIdempotencyConflict):
		return gateways.RefundResult{}, gateways.Permanent(Name, err)
	case err != nil:
		return gateways.RefundResult{}, ledgerError("record refund", err)
	}
	return gateways.RefundResult{Reference: c.RefundReference}, nil
}

func (s *Sandbox) found(c Charge, err error) (gateways.ChargeResult, error) {
	if err != nil {
		return gateways.ChargeResult{}, ledgerError("look up charge", err)
	}
	return s.result(c), nil
}

// ledgerError is a ledger's failure as the gateway reports it: an unknown
// charge is permanent, anything else (the database down) transient.
func ledgerError(what string, err error) error {
	if errors.Is(err, ErrUnknownReference) {
		return gateways.Permanent(Name, fmt.Errorf("%w: %w", gateways.ErrUnknownCharge, err))
	}
	return gateways.Transient(Name, fmt.Errorf("%s: %w", what, err))
}

func (s *Sandbox) result(c Charge) gateways.ChargeResult {
	r := gateways.ChargeResult{Status: c.Status, Reference: c.Reference, DeclineCode: c.DeclineCode}
	if c.Status == gateways.Pending {
		r.NextAction = &gateways.NextAction{Type: gateways.NextActionRedirect, URL: s.ApprovalURL(c.Reference)}
	}
	return r
}

// token is a parsed sandbox token: kind is one of the Token constants
// (TokenDeclineAfterPrefix for sandbox_decline_after_N, with n set).
type token struct {
	kind string
	n    int
}

func parseToken(s string) (token, error) {
	switch s {
	case TokenOK, TokenDecline, TokenInsufficientFunds, TokenFlaky, TokenAsync:
		return token{kind: s}, nil
	}
	digits, ok := strings.CutPrefix(s, TokenDeclineAfterPrefix)
	if !ok {
		return token{}, fmt.Errorf("%w %q", ErrUnknownToken, s)
	}
	n, err := strconv.Atoi(digits)
	// Only the canonical spelling counts, so that one limit has one token
	// (and one counter): "sandbox_decline_after_03" is unknown.
	if err != nil || strconv.Itoa(n) != digits || n < 1 || n > MaxDeclineAfter {
		return token{}, fmt.Errorf("%w %q: N must be an integer from 1 to %d", ErrUnknownToken, s, MaxDeclineAfter)
	}
	return token{kind: TokenDeclineAfterPrefix, n: n}, nil
}
