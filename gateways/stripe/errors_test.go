package stripe

import (
	"context"
	"errors"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// docs.stripe.com/error-handling: what may succeed when retried and what
// never will.
func TestAPIError(t *testing.T) {
	tests := []struct {
		name          string
		err           error
		wantTransient bool
		wantIs        error
	}{
		{"no answer", context.DeadlineExceeded, true, nil},
		{"api_error", &stripeapi.Error{HTTPStatusCode: 500, Type: stripeapi.ErrorTypeAPI}, true, nil},
		{"503 without a type", &stripeapi.Error{HTTPStatusCode: 503}, true, nil},
		{"rate limited", &stripeapi.Error{HTTPStatusCode: 429, Type: stripeapi.ErrorTypeInvalidRequest, Code: stripeapi.ErrorCodeRateLimit}, true, nil},
		{"lock_timeout", &stripeapi.Error{HTTPStatusCode: 429, Type: stripeapi.ErrorTypeInvalidRequest, Code: stripeapi.ErrorCodeLockTimeout}, true, nil},
		{"key in use by a concurrent request", &stripeapi.Error{HTTPStatusCode: 409, Type: stripeapi.ErrorTypeIdempotency, Code: stripeapi.ErrorCodeIdempotencyKeyInUse}, true, nil},
		{"idempotency_error", &stripeapi.Error{HTTPStatusCode: 400, Type: stripeapi.ErrorTypeIdempotency}, false, gateways.ErrIdempotencyConflict},
		{"bad request", &stripeapi.Error{HTTPStatusCode: 400, Type: stripeapi.ErrorTypeInvalidRequest, Param: "amount"}, false, nil},
		{"bad key", &stripeapi.Error{HTTPStatusCode: 401, Type: stripeapi.ErrorTypeInvalidRequest}, false, nil},
		{"restricted key lacks a permission", &stripeapi.Error{HTTPStatusCode: 403, Type: stripeapi.ErrorTypeInvalidRequest}, false, nil},
		{"unknown object", &stripeapi.Error{HTTPStatusCode: 404, Type: stripeapi.ErrorTypeInvalidRequest, Code: stripeapi.ErrorCodeResourceMissing}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apiError("call", tt.err)
			if gateways.IsTransient(err) != tt.wantTransient || gateways.IsPermanent(err) == tt.wantTransient {
				t.Errorf("apiError(%v) = %v, want transient %t", tt.err, err, tt.wantTransient)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("apiError(%v) = %v, want it to wrap %v", tt.err, err, tt.wantIs)
			}
		})
	}
}
