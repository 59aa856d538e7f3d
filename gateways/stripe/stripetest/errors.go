package stripetest

import (
	"fmt"
	"net/http"
	"strings"
)

// The error types of Stripe's API (docs.stripe.com/api/errors).
const (
	typeInvalidRequest = "invalid_request_error"
	typeCard           = "card_error"
	typeIdempotency    = "idempotency_error"
	typeAPI            = "api_error"
)

// response is an answer of the API: a status and a JSON body. saved says
// whether the idempotency layer keeps it: Stripe keeps the result of every
// request that began executing, not of one refused by validation
// (docs.stripe.com/api/idempotent_requests).
type response struct {
	status int
	body   any
	saved  bool
}

func ok200(body any) response { return response{status: http.StatusOK, body: body, saved: true} }

// errorBody is the JSON of a failed request.
type errorBody struct {
	Error *Error `json:"error"`
}

// docURL is where Stripe documents an error code.
func docURL(code string) string {
	return "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
}

// paramError is a request refused by validation, an invalid_request_error
// on one parameter (HTTP 400); it is not kept for idempotency.
func paramError(param, format string, args ...any) response {
	return response{status: http.StatusBadRequest, body: errorBody{&Error{Type: typeInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}}}
}

// missing is Stripe's answer for an ID it does not have, in a parameter
// (HTTP 400) or the path (HTTP 404).
func missing(status int, param, object, id string) response {
	e := &Error{Type: typeInvalidRequest, Code: "resource_missing", DocURL: docURL("resource_missing"), Param: param,
		Message: fmt.Sprintf("No such %s: '%s'", object, id)}
	return response{status: status, body: errorBody{e}}
}

// refusal is an invalid_request_error of a request that began executing:
// the object's state forbids it (HTTP 400); it is kept for idempotency.
func refusal(e *Error) response {
	e.Type = typeInvalidRequest
	if e.Code != "" {
		e.DocURL = docURL(e.Code)
	}
	return response{status: http.StatusBadRequest, body: errorBody{e}, saved: true}
}

// declineResponse is a card_error (HTTP 402), kept for idempotency.
func declineResponse(e *Error) response {
	return response{status: http.StatusPaymentRequired, body: errorBody{e}, saved: true}
}

func unauthorized(format string, args ...any) response {
	return response{status: http.StatusUnauthorized, body: errorBody{&Error{Type: typeInvalidRequest, Message: fmt.Sprintf(format, args...)}}}
}

// hookError is a refusal as a test hook reports it: what it did, and
// Stripe's message.
func hookError(what string, resp *response) error {
	return fmt.Errorf("%s: %s", what, resp.body.(errorBody).Error.Message)
}
