package skrill

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// A payment's status, as status posts and the MQI give it (Quick Checkout
// Integration Guide, "Status URL parameters": status).
const (
	statusProcessed  = "2"
	statusPending    = "0"
	statusCancelled  = "-1"
	statusFailed     = "-2"
	statusChargeback = "-3"
)

// DeclineCanceled is the decline code of a payment Skrill reports
// cancelled (-1): a pending payment (a bank transfer, say) that the payer
// canceled or that expired unpaid.
const DeclineCanceled = "canceled"

// DeclineFailed is the decline code of a failed payment (-2) whose
// failed_reason_code is absent (Skrill sends it only when Merchant
// Services enabled it) or 99 ("failure reason not specified").
const DeclineFailed = "failed"

// failedReasons maps Skrill's failed_reason_code (Quick Checkout
// Integration Guide, Appendix "Failed reason codes") to decline codes:
// Stripe's names where one means the same, lower_snake names of Skrill's
// own descriptions otherwise.
var failedReasons = map[string]string{
	"01": "call_issuer",                  // Referred by card issuer
	"02": "invalid_merchant",             // Invalid merchant
	"03": "stolen_card",                  // Stolen card
	"04": gateways.CodeCardDeclined,      // Declined by customer's card issuer
	"05": gateways.CodeInsufficientFunds, // Insufficient funds
	"08": "pin_try_exceeded",             // PIN tries exceeded, card blocked
	"09": "invalid_transaction",          // Invalid transaction
	"10": "card_velocity_exceeded",       // Transaction frequency limit exceeded
	"12": "invalid_account",              // Invalid credit card or bank account
	"15": "duplicate_transaction",        // Duplicate transaction
	"19": "try_again_later",              // Unknown failure reason, try again
	"24": "expired_card",                 // Card expired
	"28": "lost_card",                    // Lost/stolen card
	"32": "incorrect_cvc",                // Card security code check failed
	"37": "restricted_card",              // Card restricted by card issuer
	"38": "security_violation",           // Security violation
	"42": "card_blocked",                 // Card blocked by card issuer
	"44": "issuer_not_available",         // Customer's issuing bank not available
	"51": "issuer_processing_error",      // Processing system error
	"63": "transaction_not_allowed",      // Transaction not permitted to cardholder
	"70": "authentication_failed",        // Customer failed to complete 3DS
	"71": "sms_verification_failed",      // Customer failed SMS verification
	"80": "fraudulent",                   // Fraud engine declined
	"98": "provider_unavailable",         // Error in communication with provider
	"99": DeclineFailed,                  // Failure reason not specified
}

// failedDeclineCode is the decline code of a failed payment's
// failed_reason_code. A code the appendix does not list keeps its number.
func failedDeclineCode(reason string) string {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return DeclineFailed
	}
	if code, ok := failedReasons[reason]; ok {
		return code
	}
	if len(reason) == 1 {
		if code, ok := failedReasons["0"+reason]; ok {
			return code
		}
	}
	if digits(reason) && len(reason) <= 4 {
		return "failed_reason_" + reason
	}
	return DeclineFailed
}

// chargeResult is the charge reference as a status report (MQI or status
// post) shows it. A chargeback (-3) is a charge that succeeded and was
// disputed: Lookup reports it succeeded, and the dispute reaches billgate
// as EventChargeDisputed.
func chargeResult(reference string, f url.Values) (gateways.ChargeResult, error) {
	r := gateways.ChargeResult{Reference: reference}
	switch s := f.Get("status"); s {
	case statusProcessed, statusChargeback:
		r.Status = gateways.Succeeded
	case statusPending:
		r.Status = gateways.Pending
	case statusCancelled:
		r.Status, r.DeclineCode = gateways.Declined, DeclineCanceled
	case statusFailed:
		r.Status, r.DeclineCode = gateways.Declined, failedDeclineCode(f.Get("failed_reason_code"))
	default:
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("transaction %s has status %q, which the guide does not list", reference, s))
	}
	return r, nil
}
