package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

// Error is one entry of the error envelope.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Value   any    `json:"value,omitempty"`
}

// Problem is an error that carries its HTTP answer. Handlers return one
// (wrapped or not) and fail turns it into the envelope.
type Problem struct {
	Status int
	Detail Error
}

func (p *Problem) Error() string { return p.Detail.Message }

// Invalid is a 400 INVALID about one field.
func Invalid(field, message string, value any) *Problem {
	return &Problem{Status: http.StatusBadRequest, Detail: Error{Code: "INVALID", Message: message, Field: field, Value: value}}
}

// The problems every route can produce.
var (
	errNotFound         = &Problem{Status: http.StatusNotFound, Detail: Error{Code: "NOT_FOUND", Message: "not found"}}
	errMethodNotAllowed = &Problem{Status: http.StatusMethodNotAllowed, Detail: Error{Code: "METHOD_NOT_ALLOWED", Message: "method not allowed"}}
	errConflict         = &Problem{Status: http.StatusConflict, Detail: Error{Code: "CONFLICT", Message: "already exists"}}
	errInUse            = &Problem{Status: http.StatusConflict, Detail: Error{Code: "IN_USE", Message: "still in use: delete what refers to it first"}}
	errInternal         = &Problem{Status: http.StatusInternalServerError, Detail: Error{Code: "INTERNAL", Message: "internal error"}}
	errUnavailable      = &Problem{Status: http.StatusServiceUnavailable, Detail: Error{Code: "UNAVAILABLE", Message: "a dependency is unavailable; nothing was changed, retry later"}}
	// errOutcomeUnknown answers a change that may have been applied. A
	// retry under the same Idempotency-Key finds it rather than apply it a
	// second time (see idempotent).
	errOutcomeUnknown = &Problem{Status: http.StatusServiceUnavailable, Detail: Error{Code: "OUTCOME_UNKNOWN",
		Message: "a dependency is unavailable and the change may have been applied; retry with the same Idempotency-Key to learn its outcome"}}
)

// The seed-exact answers of the identity layer.
var (
	errAuthFailed       = &Problem{Status: http.StatusUnauthorized, Detail: Error{Code: "AUTH_FAILED", Message: "AUTH FAILED"}}
	errSessionUnknown   = &Problem{Status: http.StatusNotFound, Detail: Error{Code: "SESSION_UNKNOWN", Message: "SESSION UNKNOWN"}}
	errPermissionDenied = &Problem{Status: http.StatusUnauthorized, Detail: Error{Code: "PERMISSION_DENIED", Message: "PERMISSION DENIED"}}
	errTooManyAttempts  = &Problem{Status: http.StatusTooManyRequests, Detail: Error{Code: "TOO_MANY_ATTEMPTS", Message: "too many failed logins; retry later"}}
)

// permissionDenied is PERMISSION DENIED naming the field refused.
func permissionDenied(field string) *Problem {
	p := *errPermissionDenied
	p.Detail.Field = field
	return &p
}

// problemFor maps an error from any layer to its answer, in one place.
func problemFor(err error) *Problem {
	var p *Problem
	var locked *auth.LockedError
	var badPassword *auth.InvalidPasswordError
	var invalid *fault.InvalidError
	var denied *fault.DeniedError
	var conflict *fault.ConflictError
	var unavailable *fault.UnavailableError
	var notFound *fault.NotFoundError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &invalid):
		return Invalid(invalid.Field, invalid.Message, invalid.Value)
	case errors.As(err, &denied):
		return permissionDenied(denied.Field)
	case errors.As(err, &conflict):
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: conflict.Code, Message: conflict.Message}}
	case errors.As(err, &notFound):
		return &Problem{Status: http.StatusNotFound, Detail: Error{Code: "NOT_FOUND", Message: notFound.Message}}
	case errors.As(err, &unavailable):
		return &Problem{Status: http.StatusServiceUnavailable, Detail: Error{Code: "UNAVAILABLE", Message: unavailable.Message}}
	case errors.Is(err, auth.ErrAuthFailed):
		return errAuthFailed
	case errors.Is(err, auth.ErrSessionUnknown):
		return errSessionUnknown
	case errors.Is(err, auth.ErrPermissionDenied):
		return errPermissionDenied
	case errors.As(err, &locked):
		return errTooManyAttempts
	case errors.As(err, &badPassword):
		return Invalid("newPassword", badPassword.Error(), nil)
	case errors.Is(err, auth.ErrExpiryInPast):
		return Invalid("expiresAt", err.Error(), nil)
	case errors.Is(err, models.ErrNotFound):
		return errNotFound
	case errors.Is(err, models.ErrConflict):
		return errConflict
	case errors.Is(err, models.ErrInUse):
		return errInUse
	case errors.Is(err, models.ErrBuiltin):
		return &Problem{Status: http.StatusConflict, Detail: Error{Code: "BUILTIN", Message: "built-in roles cannot be deleted"}}
	case errors.Is(err, fault.ErrOutcomeUnknown):
		return errOutcomeUnknown
	case errors.Is(err, models.ErrUnavailable), errors.Is(err, fault.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return errUnavailable
	default:
		return errInternal
	}
}

// respond writes {"result": v}; a v that cannot be written as JSON is a
// 500, never an empty answer.
func respond(c *gin.Context, status int, v any) {
	body, err := json.Marshal(gin.H{"result": v, "meta": gin.H{"requestId": requestID(c)}})
	if err != nil {
		fail(c, fmt.Errorf("write the answer: %w", err))
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// respondList writes {"results": [...]}, with the cursor of the next page
// when there is one. An item that cannot be written is left out, counted
// in meta.omitted and logged, so one bad row never hides the rest.
func respondList[T any](c *gin.Context, items []T, nextCursor string) {
	meta := gin.H{"requestId": requestID(c)}
	if nextCursor != "" {
		meta["nextCursor"] = nextCursor
	}
	results := make([]json.RawMessage, 0, len(items))
	for i := range items {
		item, err := json.Marshal(items[i])
		if err != nil {
			_ = c.Error(fmt.Errorf("list item %d left out: %w", i, err))
			continue
		}
		results = append(results, item)
	}
	if omitted := len(items) - len(results); omitted > 0 {
		meta["omitted"] = omitted
	}
	c.JSON(http.StatusOK, gin.H{"results": results, "meta": meta})
}

// respondViews writes every item as its view in one list (unpaged), or
// the error that fetching them ended in.
func respondViews[T, V any](c *gin.Context, items []T, err error, view func(*T) V) {
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]V, len(items))
	for i := range items {
		views[i] = view(&items[i])
	}
	respondList(c, views, "")
}

// handlerFunc is a route's handler: it answers, or returns the error that
// fail turns into the envelope, so no handler writes an error itself.
type handlerFunc func(c *gin.Context) error

// serve adapts a handlerFunc to gin.
func serve(next handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := next(c); err != nil {
			fail(c, err)
		}
	}
}

// statusClientClosed is nginx's 499: the client closed the request before
// its answer. It is not the server's fault: logged at INFO, never a 5xx.
const statusClientClosed = 499

// fail writes the error envelope for err and stops the chain. Unexpected
// errors are logged with the request ID; the client only sees a generic
// message. An error that is only the client going away is 499, with
// nothing to write.
func fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		c.AbortWithStatus(statusClientClosed)
		return
	}
	p := problemFor(err)
	if p.Status >= 500 {
		_ = c.Error(err)
	}
	c.AbortWithStatusJSON(p.Status, gin.H{"errors": []Error{p.Detail}})
}
