// Package gateways is the one interface billgate charges payments through, and
// the vocabulary shared by its adapters (sandbox, and later Stripe, PayPal and
// Skrill).
//
// The contract, which every adapter keeps:
//
//   - Charge is idempotent per ChargeRequest.IdempotencyKey. Repeating a key
//     returns the first answer and never charges twice, so an activity may
//     retry a Charge whose outcome it does not know.
//   - A decline is an answer, not a failure: Charge returns a ChargeResult
//     with Status Declined and a DeclineCode, and a nil error.
//   - Lookup reports a charge as the gateway has it now, by its Reference.
//     A webhook's word is never enough to move money: what it reports is
//     confirmed by a Lookup first.
//   - Find reports the charge made under an idempotency key, so that a
//     charge whose answer never came is reconciled, not made again.
//   - Void cancels a pending charge, so that the payer can no longer approve
//     it; voiding a voided charge is no change. A charge that is no longer
//     pending (it succeeded or was declined) is not voided: Void says so
//     with a permanent error wrapping ErrChargeSettled, and returns the
//     charge as it stands, so the caller applies or refunds a late success.
//   - Refund returns the whole amount of a succeeded charge. It is
//     idempotent per RefundRequest.IdempotencyKey: repeating a key returns
//     the first refund and never refunds twice.
//   - An error means no answer was obtained. It is a *Error whose Kind says
//     whether retrying the same request may succeed (Transient: a timeout, a
//     5xx, a lost connection) or never will (Permanent: a bad request, an
//     unknown token, a key reused for another request).
//
// docs/gateways.md describes the contract and the sandbox gateway in full.
package gateways

import (
	"context"
	"errors"
	"strconv"

	"github.com/billgate/billgate/billing"
)

// Gateway charges payment methods. Implementations must be safe for concurrent
// use and keep the idempotency contract described in the package comment.
type Gateway interface {
	// Name is the gateway's registry key and the {gateway} of its webhook
	// route, e.g. "sandbox".
	Name() string
	// Charge asks the gateway to collect req.Amount. A decline is a result with
	// Status Declined, not an error; errors are *Error values.
	Charge(ctx context.Context, req ChargeRequest) (ChargeResult, error)
	// Lookup reports the charge with reference as it stands now. A
	// reference the gateway does not know is a permanent error wrapping
	// ErrUnknownCharge.
	Lookup(ctx context.Context, reference string) (ChargeResult, error)
	// Find reports the charge made under idempotencyKey as it stands now.
	// A key the gateway never took is a permanent error wrapping
	// ErrUnknownCharge.
	Find(ctx context.Context, idempotencyKey string) (ChargeResult, error)
	// Void cancels the pending charge req.Reference and returns it Voided.
	// A charge already voided is returned as it is. A charge that succeeded
	// or was declined is returned as it stands, with a permanent error
	// wrapping ErrChargeSettled; an unknown reference is a permanent error
	// wrapping ErrUnknownCharge.
	Void(ctx context.Context, req VoidRequest) (ChargeResult, error)
	// Refund returns the whole amount of the succeeded charge
	// req.Reference. A charge that did not succeed is a permanent error
	// wrapping ErrNotRefundable; one refunded under another key, wrapping
	// ErrAlreadyRefunded; a key used for another charge, wrapping
	// ErrIdempotencyConflict.
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
}

// Errors Void and Refund wrap (as permanent errors) when the charge is not
// in a state they can change.
var (
	ErrChargeSettled   = errors.New("the charge is no longer pending: it succeeded or was declined")
	ErrNotRefundable   = errors.New("only a succeeded charge can be refunded")
	ErrAlreadyRefunded = errors.New("the charge was already refunded under another idempotency key")
)

// VoidRequest cancels one pending charge.
type VoidRequest struct {
	// IdempotencyKey identifies the void; see VoidKey.
	IdempotencyKey string
	// Reference is the charge's ChargeResult.Reference.
	Reference string
}

// RefundRequest returns money of one succeeded charge.
type RefundRequest struct {
	// IdempotencyKey identifies the refund; see RefundKey.
	IdempotencyKey string
	// Reference is the charge's ChargeResult.Reference.
	Reference string
	// Amount is what to return; zero means the whole charge. Gateways of
	// connected accounts take partial refunds; the sandbox refunds whole.
	Amount billing.Money
}

// RefundResult is a gateway's answer to a RefundRequest.
type RefundResult struct {
	// Reference is the gateway's ID for the refund.
	Reference string
	// Status is where the refund stands; empty means RefundSucceeded.
	Status RefundStatus
	// FailureReason says why, when Status is RefundFailed.
	FailureReason string
}

// RefundStatus is the outcome of a refund.
type RefundStatus string

// The statuses of a refund.
const (
	RefundSucceeded RefundStatus = "succeeded"
	// RefundPending: the gateway took the refund and settles it later.
	RefundPending RefundStatus = "pending"
	RefundFailed  RefundStatus = "failed"
)

// validateSettlement checks the key and reference of a void or a refund.
func validateSettlement(key, reference string) error {
	switch {
	case key == "":
		return &billing.FieldError{Field: "idempotencyKey", Message: "must not be empty"}
	case len(key) > MaxIdempotencyKeyLen:
		return &billing.FieldError{Field: "idempotencyKey", Message: "must be at most " + strconv.Itoa(MaxIdempotencyKeyLen) + " bytes"}
	case reference == "":
		return &billing.FieldError{Field: "reference", Message: "must not be empty"}
	}
	return nil
}

// Validate returns the first problem with r as a *billing.FieldError, or nil.
func (r VoidRequest) Validate() error { return validateSettlement(r.IdempotencyKey, r.Reference) }

// Validate returns the first problem with r as a *billing.FieldError, or nil.
func (r RefundRequest) Validate() error { return validateSettlement(r.IdempotencyKey, r.Reference) }

// ErrUnknownCharge is wrapped (as a permanent error) when Lookup is asked
// for a reference the gateway never gave, or Find for a key it never took.
var ErrUnknownCharge = errors.New("no charge with this reference")

// ChargeRequest is one attempt to collect an amount from a customer's payment method.
type ChargeRequest struct {
	// IdempotencyKey identifies the attempt; see IdempotencyKey.
	IdempotencyKey string
	// Amount is what to collect, in minor units of a valid currency.
	Amount billing.Money
	// Token is the gateway's reference to the payment method.
	Token string
	// CustomerID is billgate's customer ID.
	CustomerID string
	// Description is shown to the payer where the gateway supports it.
	Description string
}

// MaxIdempotencyKeyLen is the longest idempotency key accepted, in bytes
// (Stripe's limit, the strictest of the planned gateways that has one).
const MaxIdempotencyKeyLen = 255

// Validate returns the first problem with r as a *billing.FieldError, or nil.
func (r ChargeRequest) Validate() error {
	switch {
	case r.IdempotencyKey == "":
		return &billing.FieldError{Field: "idempotencyKey", Message: "must not be empty"}
	case len(r.IdempotencyKey) > MaxIdempotencyKeyLen:
		return &billing.FieldError{Field: "idempotencyKey", Message: "must be at most " + strconv.Itoa(MaxIdempotencyKeyLen) + " bytes"}
	case !r.Amount.IsPositive():
		return &billing.FieldError{Field: "amount", Message: "must be positive"}
	}
	if err := r.Amount.Validate(); err != nil {
		return &billing.FieldError{Field: "currency", Message: err.Error()}
	}
	if r.Token == "" {
		return &billing.FieldError{Field: "token", Message: "must not be empty"}
	}
	return nil
}

// IdempotencyKey is the gateway idempotency key of a payment's attempt number
// attempt (counted from 1): retries of one attempt share a key, and each
// dunning retry is a new attempt with a new key.
func IdempotencyKey(paymentID string, attempt int) string {
	return paymentID + "/" + strconv.Itoa(attempt)
}

// VoidKey is the idempotency key of the void of the charge made under
// chargeKey: one charge has at most one void.
func VoidKey(chargeKey string) string { return chargeKey + "/void" }

// RefundKey is the idempotency key of the refund of the charge made under
// chargeKey: billgate refunds a charge whole, once.
func RefundKey(chargeKey string) string { return chargeKey + "/refund" }

// Status is the outcome of a charge.
type Status string

// The statuses of a charge.
const (
	// Succeeded means the money was collected.
	Succeeded Status = "succeeded"
	// Pending means the gateway awaits something (see ChargeResult.NextAction);
	// the final answer comes later by webhook.
	Pending Status = "pending"
	// Declined means the gateway refused; ChargeResult.DeclineCode says why.
	Declined Status = "declined"
	// Voided means a pending charge was canceled by Void before the payer
	// approved it: no money moved, and none ever will.
	Voided Status = "voided"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	return s == Succeeded || s == Pending || s == Declined || s == Voided
}

// Decline codes that adapters map their gateway's codes to where they can
// (the names are Stripe's). An adapter may return other codes.
const (
	CodeCardDeclined      = "card_declined"
	CodeInsufficientFunds = "insufficient_funds"
	// CodeApprovalDeclined means the payer refused on the gateway's approval
	// page (a redirect flow).
	CodeApprovalDeclined = "approval_declined"
	// CodeProcessingError means the gateway could not be reached while the
	// attempt was allowed to run, and took no charge under its key.
	CodeProcessingError = "processing_error"
	// CodePaymentMethodRemoved means billgate declined the attempt itself,
	// without asking the gateway: the saved payment method it names was
	// deleted. A new payment method recovers the payment.
	CodePaymentMethodRemoved = "payment_method_removed"
)

// ChargeResult is a gateway's answer to a ChargeRequest.
type ChargeResult struct {
	// Status is the outcome.
	Status Status
	// Reference is the gateway's ID for the charge.
	Reference string
	// DeclineCode says why, when Status is Declined.
	DeclineCode string
	// NextAction is what the payer must do, when Status is Pending.
	NextAction *NextAction
	// SavedToken is a payment method the charge saved at the gateway, to
	// charge the payer later without them (a PayPal vault token, a Skrill
	// 1-Tap token), in the form MethodChecker.CheckMethod returns: set by
	// Lookup once a first payment that saved one succeeded. A charge of a
	// saved method saves nothing new.
	SavedToken string
}

// NextAction is what must happen before a pending charge can complete.
type NextAction struct {
	// Type is the kind of action; NextActionRedirect is the only one so far.
	Type string
	// URL is where to send the payer.
	URL string
}

// NextActionRedirect sends the payer to NextAction.URL to approve the charge.
const NextActionRedirect = "redirect"

// ErrIdempotencyConflict is wrapped (as a permanent error) when a request
// reuses an idempotency key with another amount, token or customer.
var ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")

// ErrorKind says whether a failed call may succeed if retried.
type ErrorKind int

// The kinds of gateway error.
const (
	// KindTransient: retrying the same request may succeed.
	KindTransient ErrorKind = iota + 1
	// KindPermanent: retrying the same request never will.
	KindPermanent
)

func (k ErrorKind) String() string {
	switch k {
	case KindTransient:
		return "transient"
	case KindPermanent:
		return "permanent"
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a call to a gateway that got no answer.
type Error struct {
	Kind    ErrorKind
	Gateway string
	Err     error
}

func (e *Error) Error() string {
	msg := "unknown error"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return e.Gateway + " gateway: " + e.Kind.String() + " error: " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Transient wraps err as a failure of gateway that a retry may fix.
func Transient(gateway string, err error) error {
	return &Error{Kind: KindTransient, Gateway: gateway, Err: err}
}

// Permanent wraps err as a failure of gateway that no retry will fix.
func Permanent(gateway string, err error) error {
	return &Error{Kind: KindPermanent, Gateway: gateway, Err: err}
}

// IsTransient reports whether err is, or wraps, a transient *Error.
func IsTransient(err error) bool { return kindOf(err) == KindTransient }

// IsPermanent reports whether err is, or wraps, a permanent *Error. Callers
// should retry every other error: Charge is idempotent, so a retry is safe
// even when the first call's outcome is unknown.
func IsPermanent(err error) bool { return kindOf(err) == KindPermanent }

func kindOf(err error) ErrorKind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return 0
}
