package skrill

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// The payment-method tokens Charge takes.
const (
	// TokenCheckout is a first payment through Quick Checkout: the payer
	// is sent to Skrill's page and chooses how to pay there.
	TokenCheckout = "checkout"
	// EmailTokenPrefix + the payer's email (see EmailToken) is a Quick
	// Checkout payment with the payer's Skrill email filled in
	// (pay_from_email).
	EmailTokenPrefix = "email:"
	// OneTapTokenPrefix + rec_payment_id (see OneTapTokenFor) is a Skrill
	// 1-Tap payment: charged without the payer, for renewals. Lookup gives
	// it as the SavedToken of the first payment that set 1-Tap up.
	OneTapTokenPrefix = "1tap:"
)

// maxPayFromEmailLen is pay_from_email's limit (Quick Checkout Integration
// Guide, "Parameters to be posted to Quick Checkout").
const maxPayFromEmailLen = 100

// maxRecPaymentIDLen bounds a 1-Tap ID: Skrill's are numeric IDs, far
// shorter, and the guides give no length.
const maxRecPaymentIDLen = 64

// ErrUnknownToken is wrapped (as a permanent error) when a token is none of
// the forms above, or Skrill does not know its 1-Tap ID.
var ErrUnknownToken = errors.New("unknown Skrill payment-method token")

// EmailToken is the token of a Quick Checkout payment by the Skrill
// account with email.
func EmailToken(email string) string { return EmailTokenPrefix + email }

// OneTapTokenFor is the token of the 1-Tap payments set up as
// recPaymentID (the rec_payment_id of the first payment's status report).
func OneTapTokenFor(recPaymentID string) string { return OneTapTokenPrefix + recPaymentID }

type tokenKind int

const (
	checkoutToken tokenKind = iota + 1
	oneTapToken
)

// token is a parsed payment-method token.
type token struct {
	kind tokenKind
	// email is the payer's, for a checkout token that names one.
	email string
	// recPaymentID is the 1-Tap payment's, for a 1-Tap token.
	recPaymentID string
}

func parseToken(s string) (token, error) {
	if s == TokenCheckout {
		return token{kind: checkoutToken}, nil
	}
	if email, ok := strings.CutPrefix(s, EmailTokenPrefix); ok {
		if !validEmail(email, maxPayFromEmailLen) {
			return token{}, fmt.Errorf("%w %q: %q is not an email address of at most %d characters", ErrUnknownToken, s, email, maxPayFromEmailLen)
		}
		return token{kind: checkoutToken, email: email}, nil
	}
	if id, ok := strings.CutPrefix(s, OneTapTokenPrefix); ok {
		if id == "" || len(id) > maxRecPaymentIDLen || !alnum(id) {
			return token{}, fmt.Errorf("%w %q: a rec_payment_id is 1 to %d letters and digits", ErrUnknownToken, s, maxRecPaymentIDLen)
		}
		return token{kind: oneTapToken, recPaymentID: id}, nil
	}
	return token{}, fmt.Errorf("%w %q: want %q, %q<email> or %q<rec_payment_id>", ErrUnknownToken, s, TokenCheckout, EmailTokenPrefix, OneTapTokenPrefix)
}

// validEmail accepts a bare address of at most limit bytes.
func validEmail(s string, limit int) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && len(s) <= limit
}

func alnum(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
