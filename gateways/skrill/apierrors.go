package skrill

import (
	"fmt"

	"github.com/billgate/billgate/gateways"
)

// The error codes of the Automated Payment Interface that the adapter
// treats apart (Automated Payments and Merchant Query Interfaces Guide,
// "Skrill 1-Tap" error table, and the general API errors).
const (
	errSessionExpired    = "SESSION_EXPIRED" // SIDs last 15 minutes
	errAlreadyRefunded   = "ALREADY_REFUNDED"
	errInvalidRecPayment = "INVALID_REC_PAYMENT_ID"
	errOneTapInvalid     = "ONDEMAND_INVALID" // the 1-Tap payment does not exist
	errOneTapCancelled   = "ONDEMAND_CANCELLED"
	errOneTapMaxAmount   = "MAX_AMOUNT_REACHED"
	errOneTapMaxRequests = "MAX_REQ_REACHED"
	errBalanceNotEnough  = "BALANCE_NOT_ENOUGH"
	errCardFailed        = "CARD_FAILED"
	errCustomerLocked    = "CUSTOMER_IS_LOCKED"
	errRecipientLimit    = "RECIPIENT_LIMIT_EXCEEDED"
	errRequestFailed     = "REQUEST_FAILED"
	errCannotLogin       = "CANNOT_LOGIN"
	errLoginInvalid      = "LOGIN_INVALID"
)

// oneTapDeclines maps the 1-Tap errors that refuse a payment, rather than
// the request, to decline codes.
var oneTapDeclines = map[string]string{
	errBalanceNotEnough:  gateways.CodeInsufficientFunds,
	errCardFailed:        gateways.CodeCardDeclined,
	errCustomerLocked:    "customer_locked",
	errRecipientLimit:    "limit_exceeded",
	errRequestFailed:     DeclineFailed,
	errOneTapCancelled:   "one_tap_canceled",
	errOneTapMaxAmount:   "one_tap_max_amount_exceeded",
	errOneTapMaxRequests: "one_tap_max_requests_reached",
}

// apiFailure is the error of an API answer with an error code: transient
// for an expired session (preparing again recovers), permanent otherwise,
// wrapping ErrUnknownToken for an unknown 1-Tap ID.
func apiFailure(what, code string) error {
	switch code {
	case errSessionExpired:
		return gateways.Transient(Kind, fmt.Errorf("%s: Skrill answered %s: the session expired before it was used", what, code))
	case errInvalidRecPayment, errOneTapInvalid:
		return gateways.Permanent(Kind, fmt.Errorf("%w: %s: Skrill answered %s", ErrUnknownToken, what, code))
	case errCannotLogin, errLoginInvalid:
		return gateways.Permanent(Kind, fmt.Errorf("%s: Skrill answered %s: check the account's email and API/MQI password, that the API is enabled, and that this server's IP address is allowed", what, code))
	}
	return gateways.Permanent(Kind, fmt.Errorf("%s: Skrill answered %s", what, code))
}
