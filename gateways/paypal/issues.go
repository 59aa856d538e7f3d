package paypal

import (
	"fmt"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// How the HTTP 422 UNPROCESSABLE_ENTITY issues of orders.create and
// orders.capture (checkout_orders_v2.json, components.schemas 422 and
// orders.capture-422) and of captures.refund (payments_payment_v2.json,
// captures.refund-422) are read. An issue not listed is a permanent error
// that names it.

// declineIssues are the issues that refuse the payer's money: a charge
// Declined with the issue lower-cased as its code, except
// INSTRUMENT_DECLINED, which is gateways.CodeCardDeclined.
var declineIssues = map[string]bool{
	"INSTRUMENT_DECLINED":                     true,
	"PAYER_CANNOT_PAY":                        true,
	"PAYER_ACCOUNT_RESTRICTED":                true,
	"PAYER_ACCOUNT_LOCKED_OR_CLOSED":          true,
	"TRANSACTION_REFUSED":                     true,
	"TRANSACTION_LIMIT_EXCEEDED":              true,
	"TRANSACTION_RECEIVING_LIMIT_EXCEEDED":    true,
	"MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED": true,
	"COMPLIANCE_VIOLATION":                    true,
	"PAYEE_BLOCKED_TRANSACTION":               true,
	"TRANSACTION_BLOCKED_BY_PAYEE":            true,
	"DOMESTIC_TRANSACTION_REQUIRED":           true,
	"REDIRECT_PAYER_FOR_ALTERNATE_FUNDING":    true,
	"DECLINED_DUE_TO_RELATED_TXN":             true,
	"PAYMENT_SOURCE_DECLINED_BY_PROCESSOR":    true,
	"PAYMENT_SOURCE_CANNOT_BE_USED":           true,
	// The payer canceled the billing agreement behind a saved wallet: a
	// decline, so that dunning asks the customer for another method.
	"AGREEMENT_ALREADY_CANCELLED": true,
	// Only when creating an order with a saved wallet, which has no order
	// to send the payer to; at capture it is a pending charge.
	"PAYER_ACTION_REQUIRED": true,
}

// unknownTokenIssues say the saved wallet does not exist (for this
// merchant): a permanent error wrapping ErrUnknownToken.
var unknownTokenIssues = map[string]bool{
	"TOKEN_ID_NOT_FOUND":                    true,
	"BILLING_AGREEMENT_NOT_FOUND":           true,
	"MISMATCHED_VAULT_ID_TO_PAYMENT_SOURCE": true,
}

// currencyIssues say PayPal does not take the currency for this account.
var currencyIssues = map[string]bool{
	"INVALID_CURRENCY_CODE":   true,
	"CURRENCY_NOT_SUPPORTED":  true,
	"MULTI_CURRENCY_ORDER":    true,
	"DECIMALS_NOT_SUPPORTED":  true,
	"PAYEE_CURRENCY_MISMATCH": true,
}

// The issues of orders.capture that are not an answer about the payer's
// money: the order is already captured (read it), or still waits for the
// payer (pending).
const (
	issueAlreadyCaptured    = "ORDER_ALREADY_CAPTURED"
	issueNotApproved        = "ORDER_NOT_APPROVED"
	issueCompletionPending  = "ORDER_COMPLETION_IN_PROGRESS"
	issuePayerActionNeeded  = "PAYER_ACTION_REQUIRED"
	issueDuplicateInvoiceID = "DUPLICATE_INVOICE_ID"
	issueOrderCompleted     = "ORDER_ALREADY_COMPLETED"
)

// declineCode is billgate's code for a decline issue.
func declineCode(issue string) string {
	if issue == "INSTRUMENT_DECLINED" {
		return gateways.CodeCardDeclined
	}
	return strings.ToLower(issue)
}

// chargeRefusal maps a 422 of orders.create or orders.capture that is not a
// decline: the error the charge fails with.
func chargeRefusal(se *statusError) error {
	issue := se.issue()
	switch {
	case unknownTokenIssues[issue]:
		return permanent(fmt.Errorf("%w: %w", ErrUnknownToken, se))
	case currencyIssues[issue]:
		return permanent(fmt.Errorf("%w: %w", gateways.ErrCurrencyNotAccepted, se))
	case issue == issueDuplicateInvoiceID:
		// The account refuses a second payment with one invoice_id, which
		// carries the idempotency key: a payment was taken under this key
		// after PayPal forgot its PayPal-Request-Id.
		return permanent(fmt.Errorf("%w: PayPal already holds a payment whose invoice_id is this key: %w", gateways.ErrIdempotencyConflict, se))
	}
	return permanent(se)
}

// notRefundableIssues refuse a refund for good: the capture cannot give
// (that much) money back.
var notRefundableIssues = map[string]bool{
	"REFUND_AMOUNT_EXCEEDED":                 true,
	"CAPTURE_FULLY_REFUNDED":                 true,
	"REFUND_NOT_ALLOWED":                     true,
	"REFUND_TIME_LIMIT_EXCEEDED":             true,
	"PARTIAL_REFUND_NOT_ALLOWED":             true,
	"MAX_NUMBER_OF_REFUNDS_EXCEEDED":         true,
	"PENDING_CAPTURE":                        true,
	"REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK": true,
	"TRANSACTION_DISPUTED":                   true,
	"REFUND_CAPTURE_CURRENCY_MISMATCH":       true,
	"CURRENCY_MISMATCH":                      true,
	"REFUND_AMOUNT_TOO_LOW":                  true,
}

// refundRefusal maps a 422 of captures.refund.
func refundRefusal(se *statusError) error {
	switch issue := se.issue(); {
	case issue == "CAPTURE_FULLY_REFUNDED":
		return permanent(fmt.Errorf("%w: %w: %w", gateways.ErrNotRefundable, gateways.ErrAlreadyRefunded, se))
	case notRefundableIssues[issue]:
		return permanent(fmt.Errorf("%w: %w", gateways.ErrNotRefundable, se))
	}
	return permanent(se)
}
