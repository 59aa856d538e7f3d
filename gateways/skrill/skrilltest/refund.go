package skrilltest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/billgate/billgate/billing"
)

// NextRefundStatus makes the next refund end with status (StatusPending or
// StatusFailed) instead of processed. Calls add up.
func (s *Server) NextRefundStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refundStatuses = append(s.refundStatuses, status)
}

// serveRefund is refund.pl (Automated Payments and Merchant Query
// Interfaces Guide, "Refunds"): action=prepare names the payment
// (transaction_id or mb_transaction_id) and, for a partial refund, the
// amount, and answers a session ID; action=refund makes the refund,
// answers it, and posts its status to refund_status_url.
func (s *Server) serveRefund(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch r.Form.Get("action") {
	case "prepare":
		s.prepareRefund(w, r.Form)
	case "refund":
		s.makeRefund(w, r.Form.Get("sid"))
	default:
		writeAPIError(w, ErrCodeInvalidAction)
	}
}

func (s *Server) prepareRefund(w http.ResponseWriter, f url.Values) {
	if code := s.login(f); code != "" {
		writeAPIError(w, code)
		return
	}
	s.mu.Lock()
	p := s.payments[f.Get("transaction_id")]
	if f.Get("transaction_id") == "" {
		p = s.byMBID[f.Get("mb_transaction_id")]
	}
	money, code := s.refundAmount(p, f.Get("amount"))
	s.mu.Unlock()
	if code != "" {
		writeAPIError(w, code)
		return
	}
	s.openAPISession(w, &apiSession{path: RefundPath, form: cloneValues(f), payment: p, money: money})
}

// refundAmount is what a refund of p takes: amount, or what remains of p
// when amount is empty; or the error code. Callers hold s.mu.
func (s *Server) refundAmount(p *transaction, amount string) (billing.Money, string) {
	switch {
	case p == nil || p.refundOf != nil:
		return billing.Money{}, ErrCodeTransactionNotFound
	case p.status != StatusProcessed:
		return billing.Money{}, ErrCodeNotRefundable
	}
	remaining := billing.Money{Amount: p.money.Amount - p.refunded, Currency: p.money.Currency}
	if !remaining.IsPositive() {
		return billing.Money{}, ErrCodeAlreadyRefunded
	}
	if amount == "" {
		return remaining, ""
	}
	m, ok := parseMoney(amount, p.money.Currency)
	switch {
	case !ok || !m.IsPositive():
		return billing.Money{}, ErrCodeMissingAmount
	case m.Amount > remaining.Amount:
		return billing.Money{}, ErrCodeAmountAboveRemaining
	}
	return m, ""
}

func (s *Server) makeRefund(w http.ResponseWriter, sid string) {
	s.mu.Lock()
	sess := s.takeAPISession(sid, RefundPath)
	if sess == nil {
		s.mu.Unlock()
		writeAPIError(w, ErrCodeSessionExpired)
		return
	}
	p := sess.payment
	if _, code := s.refundAmount(p, formatAmount(sess.money)); code != "" {
		s.mu.Unlock()
		writeAPIError(w, code)
		return
	}
	status := StatusProcessed
	if len(s.refundStatuses) > 0 {
		status, s.refundStatuses = s.refundStatuses[0], s.refundStatuses[1:]
	}
	t := &transaction{
		mbID:          s.newID(),
		transactionID: p.transactionID,
		money:         sess.money,
		amount:        formatAmount(sess.money),
		status:        status,
		payFrom:       s.opts.Email,
		customerID:    p.customerID,
		statusURL:     sess.form.Get("refund_status_url"),
		fields:        merchantFields(sess.form),
		refundOf:      p,
	}
	if status != StatusFailed {
		p.refunded += t.money.Amount
	}
	s.record(t)
	target, form := s.statusPost(t)
	answer := apiResponse{
		MBAmount:        sixDecimals(t.money),
		MBCurrency:      string(t.money.Currency),
		MBTransactionID: t.mbID,
		MerchantID:      s.opts.MerchantID,
		Status:          strconv.Itoa(status),
		TransactionID:   p.transactionID,
	}
	if status == StatusFailed {
		answer.Error = &apiErrorElem{Msg: ErrCodeRequestFailed}
	}
	s.mu.Unlock()
	s.deliver(target, form)
	writeXML(w, answer)
}

// SettleRefund is a pending refund, named by its mb_transaction_id, being
// paid out: it becomes processed (2), and is posted to its
// refund_status_url ("URL or email address to which status updates should
// be sent").
func (s *Server) SettleRefund(mbTransactionID string) (Transaction, error) {
	return s.endRefund(mbTransactionID, StatusProcessed)
}

// FailRefund is a pending refund failing (-2): what it would have taken is
// refundable again, and the change is posted.
func (s *Server) FailRefund(mbTransactionID string) (Transaction, error) {
	return s.endRefund(mbTransactionID, StatusFailed)
}

func (s *Server) endRefund(mbTransactionID string, to int) (Transaction, error) {
	s.mu.Lock()
	t, ok := s.byMBID[mbTransactionID]
	switch {
	case !ok || t.refundOf == nil:
		s.mu.Unlock()
		return Transaction{}, fmt.Errorf("%w: no refund %s", ErrUnknownTransaction, mbTransactionID)
	case t.status != StatusPending:
		s.mu.Unlock()
		return Transaction{}, fmt.Errorf("%w: refund %s is %d, not pending", ErrWrongStatus, mbTransactionID, t.status)
	}
	t.status = to
	if to == StatusFailed {
		t.refundOf.refunded -= t.money.Amount
	}
	target, form := s.statusPost(t)
	view := t.view()
	s.mu.Unlock()
	s.deliver(target, form)
	return view, nil
}

// formatAmount is m with the currency's decimals ("9.99").
func formatAmount(m billing.Money) string {
	return strings.TrimPrefix(m.String(), string(m.Currency)+" ")
}

// sixDecimals is m as the refund answer writes mb_amount ("1.000000").
func sixDecimals(m billing.Money) string {
	whole, frac, _ := strings.Cut(formatAmount(m), ".")
	return whole + "." + frac + strings.Repeat("0", 6-len(frac))
}
