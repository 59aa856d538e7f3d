package skrilltest

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/billgate/billgate/billing"
)

// The statuses of a transaction (Quick Checkout Integration Guide, "Status
// URL parameters": status).
const (
	StatusProcessed  = 2
	StatusPending    = 0
	StatusCancelled  = -1
	StatusFailed     = -2
	StatusChargeback = -3
)

// transaction is a payment or a refund. The account's currency is taken to
// be the payment's: mb_amount and mb_currency repeat amount and currency,
// as they do when Skrill converts nothing.
type transaction struct {
	mbID          string
	transactionID string // the merchant's transaction_id (frn_trn_id for 1-Tap)
	money         billing.Money
	// amount is the amount as the merchant posted it.
	amount       string
	status       int
	failedReason string
	payFrom      string
	customerID   string
	statusURL    string
	// fields are the merchant fields posted back, by name.
	fields       url.Values
	recPaymentID string
	// refunded is what refunds took of a payment, in minor units.
	refunded int64
	// refundOf is the payment a refund returns money of.
	refundOf *transaction
}

// Transaction is a payment or refund as the server holds it.
type Transaction struct {
	// MBTransactionID is Skrill's ID (mb_transaction_id).
	MBTransactionID string
	// TransactionID is the merchant's (transaction_id, or frn_trn_id).
	TransactionID string
	Amount        billing.Money
	Status        int
	// FailedReasonCode is set for a failed payment.
	FailedReasonCode string
	// RecPaymentID is the 1-Tap payment a payment set up or was taken by.
	RecPaymentID string
	// Refunded is what refunds took of a payment.
	Refunded billing.Money
	// RefundOf is the MBTransactionID of the payment a refund returns.
	RefundOf string
}

func (t *transaction) view() Transaction {
	v := Transaction{
		MBTransactionID:  t.mbID,
		TransactionID:    t.transactionID,
		Amount:           t.money,
		Status:           t.status,
		FailedReasonCode: t.failedReason,
		RecPaymentID:     t.recPaymentID,
		Refunded:         billing.Money{Amount: t.refunded, Currency: t.money.Currency},
	}
	if t.refundOf != nil {
		v.RefundOf = t.refundOf.mbID
	}
	return v
}

// mbAmount is mb_amount as Skrill writes it, without trailing zeros
// ("25.46", "25.4", "25").
func mbAmount(m billing.Money) string {
	s := strings.TrimPrefix(m.String(), string(m.Currency)+" ")
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// parseMoney reads a merchant's amount ("19.90", "19.9", "19") in cur,
// refusing more decimals than the currency has, a sign, or a size beyond
// Quick Checkout's 19 characters.
func parseMoney(s string, cur billing.Currency) (billing.Money, bool) {
	exp := cur.Exponent()
	whole, frac, _ := strings.Cut(s, ".")
	if exp < 0 || len(s) > 19 || whole == "" || len(frac) > exp || strings.Trim(whole+frac, "0123456789") != "" {
		return billing.Money{}, false
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", exp-len(frac)), 10, 64)
	if err != nil {
		return billing.Money{}, false
	}
	return billing.Money{Amount: n, Currency: cur}, true
}
