package paypaltest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// The error bodies of the REST APIs: error_400, error_401, error_403,
// error_404, error_415, error_422, error_500 and error_503 of
// checkout_orders_v2.json and payments_payment_v2.json, and vault's error
// (vault_payment_tokens_v3.json), which share one shape: name, message,
// debug_id and details[] (error_details: field, value, location, issue,
// description).
type errorBody struct {
	Name    string        `json:"name"`
	Message string        `json:"message"`
	DebugID string        `json:"debug_id"`
	Details []errorDetail `json:"details,omitempty"`
}

type errorDetail struct {
	Field       string `json:"field,omitempty"`
	Value       string `json:"value,omitempty"`
	Location    string `json:"location,omitempty"`
	Issue       string `json:"issue"`
	Description string `json:"description,omitempty"`
}

// The name and message of each status, as the error_NNN schemas
// enumerate them.
var statusNames = map[int][2]string{
	http.StatusBadRequest:           {"INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."},
	http.StatusUnauthorized:         {"AUTHENTICATION_FAILURE", "Authentication failed due to missing authorization header, or invalid authentication credentials."},
	http.StatusForbidden:            {"NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."},
	http.StatusNotFound:             {"RESOURCE_NOT_FOUND", "The specified resource does not exist."},
	http.StatusConflict:             {"RESOURCE_CONFLICT", "The server has detected a conflict while processing this request."},
	http.StatusUnsupportedMediaType: {"UNSUPPORTED_MEDIA_TYPE", "The server does not support the request payload's media type."},
	http.StatusUnprocessableEntity:  {"UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation."},
	http.StatusInternalServerError:  {"INTERNAL_SERVER_ERROR", "An internal server error occurred."},
	http.StatusServiceUnavailable:   {"SERVICE_UNAVAILABLE", "Service Unavailable."},
	// Not in the specs: PayPal's rate limiting guidelines.
	http.StatusTooManyRequests: {"RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."},
}

// issueDescriptions are the descriptions the specs give the issues the
// server answers with (the enumerated description of each issue in the
// 400, 404, 422, orders.capture-422, orders.patch-422 and
// captures.refund-422 schemas).
var issueDescriptions = map[string]string{
	"MALFORMED_REQUEST_JSON":           "The request JSON is not well formed.",
	"MISSING_REQUIRED_PARAMETER":       "A required parameter is missing.",
	"INVALID_PARAMETER_VALUE":          "A parameter value is not valid.",
	"INVALID_PARAMETER_SYNTAX":         "The value of a field does not conform to the expected format.",
	"INVALID_STRING_LENGTH":            "The value of a field is either too short or too long",
	"INVALID_ARRAY_MAX_ITEMS":          "The number of items in an array parameter is too large.",
	"NOT_SUPPORTED":                    "This field is not currently supported.",
	"PAYPAL_REQUEST_ID_REQUIRED":       "A PayPal-Request-Id is required if you are trying to process payment for an Order. Please specify a PayPal-Request-Id or Create the Order without a 'payment_source' specified.",
	"INVALID_RESOURCE_ID":              "Specified resource ID does not exist. Please check the resource ID and try again.",
	"CANNOT_BE_ZERO_OR_NEGATIVE":       "Must be greater than zero. If the currency supports decimals, only two decimal place precision is supported.",
	"DECIMAL_PRECISION":                "If the currency supports decimals, only two decimal place precision is supported.",
	"DECIMALS_NOT_SUPPORTED":           "Currency does not support decimals.",
	"INVALID_CURRENCY_CODE":            "Currency code is invalid or is not currently supported. Please refer https://developer.paypal.com/api/rest/reference/currency-codes/ for list of supported currency codes.",
	"MAX_VALUE_EXCEEDED":               "Should be less than or equal to 999999999999999.99.",
	"INCOMPATIBLE_PARAMETER_VALUE":     "The value of the field is incompatible/redundant with other fields in the order.",
	"RETURN_URL_REQUIRED":              "The return url is required when attempting to vault this source.",
	"CANCEL_URL_REQUIRED":              "The cancel url is required when attempting to vault this source.",
	"TOKEN_ID_NOT_FOUND":               "Specified token was not found. Verify the token and try the request again.",
	"DUPLICATE_INVOICE_ID":             "Duplicate Invoice ID detected. To avoid a potential duplicate transaction your account setting requires that Invoice Id be unique for each transaction.",
	"INSTRUMENT_DECLINED":              "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
	"ORDER_NOT_APPROVED":               "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.",
	"ORDER_ALREADY_CAPTURED":           "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
	"ORDER_ALREADY_COMPLETED":          "The order cannot be patched after it is completed.",
	"NOT_PATCHABLE":                    "Cannot be patched.",
	"INVALID_PATCH_OPERATION":          "The operation cannot be honored. Cannot add a property that's already present, use replace. Cannot remove a property thats not present, use add. Cannot replace a property thats not present, use add.",
	"PATCH_VALUE_REQUIRED":             "Please specify a 'value' to for the field that is being patched.",
	"PATCH_PATH_REQUIRED":              "Please specify a 'path' for the field for which the operation needs to be performed.",
	"REFERENCE_ID_NOT_FOUND":           "Filter expression value is incorrect. Please check the value of the reference_id and try again.",
	"CAPTURE_FULLY_REFUNDED":           "The capture has already been fully refunded",
	"REFUND_CAPTURE_CURRENCY_MISMATCH": "Refund must be in the same currency as the capture",
	"REFUND_NOT_ALLOWED":               "Capture cannot be refunded.",
	"REFUND_AMOUNT_EXCEEDED":           "The refund amount must be less than or equal to the capture amount that has not yet been refunded.",
	"PENDING_CAPTURE":                  "Cannot initiate a refund as the capture is pending. Capture is typically pending when the payer has funded the transaction using e-check/bank funded.",
}

// issue is one error detail: the issue, its description, and the field (a
// JSON pointer) and location it is about.
func issue(name, field, location string) errorDetail {
	return errorDetail{Issue: name, Description: issueDescriptions[name], Field: field, Location: location}
}

// refusal is an error answer decided away from the request, so that the
// API and the server's own methods (RefundInDashboard) share one check.
type refusal struct {
	status int
	detail errorDetail
}

// refuse is the refusal of the body's field with status and issue name.
func refuse(status int, name, field string) *refusal {
	return &refusal{status: status, detail: issue(name, field, "body")}
}

func (r *refusal) Error() string {
	return fmt.Sprintf("%d %s %s: %s", r.status, statusNames[r.status][0], r.detail.Issue, r.detail.Description)
}

// writeRefusal answers with the refusal.
func (s *Server) writeRefusal(w http.ResponseWriter, r *refusal) {
	s.writeError(w, r.status, r.detail)
}

// writeError answers with status and the spec's error body for it.
func (s *Server) writeError(w http.ResponseWriter, status int, details ...errorDetail) {
	names := statusNames[status]
	s.writeJSON(w, status, errorBody{Name: names[0], Message: names[1], DebugID: s.debugID(), Details: details})
}

// oauthError is the body of the OAuth 2.0 endpoint's errors (RFC 6749
// section 5.2), which PayPal also answers an unknown or expired access
// token with.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Paypal-Debug-Id", s.debugID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
