package stripe

import (
	"errors"
	"fmt"
	"net/http"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// apiError is a failed call to Stripe as billgate reports it: what to retry
// (no answer, or Stripe asked to come back later) is transient, the rest
// permanent (docs.stripe.com/error-handling, docs.stripe.com/api/errors).
func apiError(what string, err error) error {
	se, ok := errors.AsType[*stripeapi.Error](err)
	if !ok {
		// No Stripe error body: the request never got an answer (a
		// connection error, a timeout, a canceled context) or the answer
		// was not Stripe's JSON (a proxy's 502 page). Either way a retry
		// with the same idempotency key is safe.
		return gateways.Transient(Kind, fmt.Errorf("%s: %w", what, err))
	}
	wrapped := fmt.Errorf("%s: %s", what, describe(se))
	switch {
	case transientStatus(se.HTTPStatusCode), se.Type == stripeapi.ErrorTypeAPI,
		se.Code == stripeapi.ErrorCodeLockTimeout, se.Code == stripeapi.ErrorCodeRateLimit,
		se.Code == stripeapi.ErrorCodeIdempotencyKeyInUse:
		return gateways.Transient(Kind, wrapped)
	case se.Type == stripeapi.ErrorTypeIdempotency:
		return gateways.Permanent(Kind, fmt.Errorf("%w: %w", gateways.ErrIdempotencyConflict, wrapped))
	}
	return gateways.Permanent(Kind, wrapped)
}

// transientStatus: 409 is a concurrent request with the same idempotency
// key, 429 rate limiting or a lock timeout, 5xx Stripe's trouble.
func transientStatus(code int) bool {
	return code == http.StatusConflict || code == http.StatusTooManyRequests || code >= 500
}

// describe is a Stripe error in one line: its HTTP status, type, code and
// message, without the raw JSON stripe-go's Error() prints.
func describe(se *stripeapi.Error) string {
	s := fmt.Sprintf("HTTP %d %s", se.HTTPStatusCode, se.Type)
	if se.Code != "" {
		s += " " + string(se.Code)
	}
	if se.DeclineCode != "" {
		s += " (" + string(se.DeclineCode) + ")"
	}
	if se.Param != "" {
		s += " on " + se.Param
	}
	if se.Msg != "" {
		s += ": " + se.Msg
	}
	if se.RequestID != "" {
		s += " [" + se.RequestID + "]"
	}
	return s
}

// stripeError is err as a Stripe error body, or nil.
func stripeError(err error) *stripeapi.Error {
	se, _ := errors.AsType[*stripeapi.Error](err)
	return se
}

// isUnknown reports Stripe's answer for an ID it does not have.
func isUnknown(err error) bool {
	se := stripeError(err)
	return se != nil && se.Code == stripeapi.ErrorCodeResourceMissing
}
