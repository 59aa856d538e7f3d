package skrilltest

import (
	"crypto/md5"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/billgate/billgate/billing"
)

// ErrUnknownOneTap is returned for a rec_payment_id the server never gave.
var ErrUnknownOneTap = errors.New("skrilltest: no 1-Tap payment with this rec_payment_id")

// mandate is a Skrill 1-Tap payment set up by a first payment: later
// payments up to max are taken without the payer.
type mandate struct {
	recID string
	max   billing.Money
	// statusURL is the setup's ondemand_status_url, told when the payer
	// cancels.
	statusURL     string
	transactionID string
	canceled      bool
	// declines are the errors the next requests answer.
	declines []string
}

// setUpOneTap gives the processed payment t of session c a 1-Tap payment,
// if c asked for one and has none yet. Callers hold s.mu.
func (s *Server) setUpOneTap(t *transaction, c *checkout) {
	if !c.wantsOneTap() || t.recPaymentID != "" {
		return
	}
	cur := billing.Currency(c.form.Get("ondemand_max_currency"))
	ceiling, _ := parseMoney(c.form.Get("ondemand_max_amount"), cur)
	m := &mandate{recID: s.newID(), max: ceiling, statusURL: c.form.Get("ondemand_status_url"), transactionID: t.transactionID}
	s.mandates[m.recID] = m
	t.recPaymentID = m.recID
}

// declineCodes are the failed_reason_code a declined 1-Tap payment is
// recorded with (Appendix "Failed reason codes"): the server's pairing of
// the 1-Tap error table with the appendix, so that the MQI reports the
// decline as the request did.
var declineCodes = map[string]string{
	"BALANCE_NOT_ENOUGH":       "05", // Insufficient funds
	"CARD_FAILED":              "04", // Declined by card issuer
	"CUSTOMER_IS_LOCKED":       "99",
	"RECIPIENT_LIMIT_EXCEEDED": "10", // Transaction frequency limit exceeded
	"REQUEST_FAILED":           "99",
}

// DeclineNextOneTap makes the next 1-Tap request on recPaymentID fail with
// code, one of the 1-Tap errors that refuse a payment: BALANCE_NOT_ENOUGH,
// CARD_FAILED, CUSTOMER_IS_LOCKED, RECIPIENT_LIMIT_EXCEEDED or
// REQUEST_FAILED. The payment is recorded failed (-2) and posted.
func (s *Server) DeclineNextOneTap(recPaymentID, code string) error {
	if _, ok := declineCodes[code]; !ok {
		return fmt.Errorf("skrilltest: %q is not a 1-Tap error that refuses a payment", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mandates[recPaymentID]
	if !ok {
		return ErrUnknownOneTap
	}
	m.declines = append(m.declines, code)
	return nil
}

// CancelOneTap is the payer canceling 1-Tap payments to the merchant in
// their Skrill account: later prepares answer ONDEMAND_CANCELLED, and the
// setup's ondemand_status_url is told, signed as Appendix "MD5 signature",
// "Cancelled Payment" says.
func (s *Server) CancelOneTap(recPaymentID string) error {
	s.mu.Lock()
	m, ok := s.mandates[recPaymentID]
	if !ok {
		s.mu.Unlock()
		return ErrUnknownOneTap
	}
	m.canceled = true
	f := url.Values{
		"merchant_id":    {s.opts.MerchantID},
		"transaction_id": {m.transactionID},
		"status":         {"-1"},
		"rec_payment_id": {m.recID},
	}
	f.Set("md5sig", digest(md5.New, s.opts.MerchantID+m.transactionID+digest(md5.New, s.opts.SecretWord)+"-1"+m.recID))
	target := m.statusURL
	s.mu.Unlock()
	s.deliver(target, f)
	return nil
}

// serveOneTap is ondemand_request.pl (Automated Payments and Merchant
// Query Interfaces Guide, "Skrill 1-Tap"): action=prepare checks the
// payment and answers a session ID; action=request takes the payment and
// answers it as <transaction>.
func (s *Server) serveOneTap(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch r.Form.Get("action") {
	case "prepare":
		s.prepareOneTap(w, r.Form)
	case "request":
		s.requestOneTap(w, r.Form.Get("sid"))
	default:
		writeAPIError(w, ErrCodeInvalidAction)
	}
}

func (s *Server) prepareOneTap(w http.ResponseWriter, f url.Values) {
	if code := s.login(f); code != "" {
		writeAPIError(w, code)
		return
	}
	cur, err := billing.ParseCurrency(f.Get("currency"))
	if f.Get("currency") == "" || err != nil {
		writeAPIError(w, ErrCodeMissingCurrency)
		return
	}
	money, ok := parseMoney(f.Get("amount"), cur)
	if !ok || !money.IsPositive() {
		writeAPIError(w, ErrCodeMissingAmount)
		return
	}
	recID := f.Get("rec_payment_id")
	if recID == "" || !isDigits(recID) {
		writeAPIError(w, ErrCodeInvalidRecPaymnt)
		return
	}
	s.mu.Lock()
	m, ok := s.mandates[recID]
	code := ""
	switch {
	case !ok:
		code = ErrCodeOneTapInvalid
	case m.canceled:
		code = ErrCodeOneTapCancelled
	case money.Currency == m.max.Currency && money.Amount > m.max.Amount:
		code = ErrCodeMaxAmount
	}
	s.mu.Unlock()
	if code != "" {
		writeAPIError(w, code)
		return
	}
	s.openAPISession(w, &apiSession{path: OneTapPath, form: cloneValues(f), mandate: m, money: money})
}

func (s *Server) requestOneTap(w http.ResponseWriter, sid string) {
	s.mu.Lock()
	sess := s.takeAPISession(sid, OneTapPath)
	if sess == nil {
		s.mu.Unlock()
		writeAPIError(w, ErrCodeSessionExpired)
		return
	}
	trnID := sess.form.Get("frn_trn_id")
	if p, ok := s.payments[trnID]; ok && trnID != "" && (p.status == StatusProcessed || p.status == StatusPending) {
		// The guide names no answer for a frn_trn_id already paid; this
		// server refuses the payment.
		s.mu.Unlock()
		writeAPIError(w, ErrCodeRequestFailed)
		return
	}
	m := sess.mandate
	t := &transaction{
		mbID:          s.newID(),
		transactionID: trnID,
		money:         sess.money,
		amount:        sess.form.Get("amount"),
		status:        StatusProcessed,
		payFrom:       "payer@example.com",
		customerID:    s.newID(),
		statusURL:     sess.form.Get("ondemand_status_url"),
		fields:        merchantFields(sess.form),
		recPaymentID:  m.recID,
	}
	declined := ""
	if len(m.declines) > 0 {
		declined, m.declines = m.declines[0], m.declines[1:]
		t.status, t.failedReason = StatusFailed, declineCodes[declined]
	}
	s.record(t)
	target, form := s.statusPost(t)
	s.mu.Unlock()
	s.deliver(target, form)
	if declined != "" {
		writeAPIError(w, declined)
		return
	}
	writeXML(w, apiResponse{Transaction: &transactionAnswer{
		Amount: t.amount, Currency: string(t.money.Currency), ID: t.mbID, Status: t.status, StatusMsg: "processed",
	}})
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
