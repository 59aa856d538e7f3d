package skrilltest

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/billgate/billgate/billing"
)

// Error codes of the Automated Payment Interface (Automated Payments and
// Merchant Query Interfaces Guide, the general API errors and the "Skrill
// 1-Tap" error table), as this server answers them.
const (
	ErrCodeSessionExpired   = "SESSION_EXPIRED"
	ErrCodeLoginInvalid     = "LOGIN_INVALID" // email or password not given
	ErrCodeCannotLogin      = "CANNOT_LOGIN"  // email or password wrong
	ErrCodeInvalidAction    = "INVALID_OR_MISSING_ACTION"
	ErrCodeMissingAmount    = "MISSING_AMOUNT"
	ErrCodeMissingCurrency  = "MISSING_CURRENCY"
	ErrCodeInvalidRecPaymnt = "INVALID_REC_PAYMENT_ID"
	ErrCodeOneTapInvalid    = "ONDEMAND_INVALID"
	ErrCodeOneTapCancelled  = "ONDEMAND_CANCELLED"
	ErrCodeMaxAmount        = "MAX_AMOUNT_REACHED"
	ErrCodeRequestFailed    = "REQUEST_FAILED"
	ErrCodeAlreadyRefunded  = "ALREADY_REFUNDED"
	// The guides name no code for these; they are this server's.
	ErrCodeTransactionNotFound  = "TRANSACTION_NOT_FOUND"
	ErrCodeNotRefundable        = "TRANSACTION_NOT_REFUNDABLE"
	ErrCodeAmountAboveRemaining = "AMOUNT_TOO_HIGH"
)

// apiSession is a session ID answered by a prepare step, for the execution
// step.
type apiSession struct {
	path    string
	form    url.Values
	created time.Time
	// payment is what a refund prepare named; mandate what a 1-Tap prepare
	// named.
	payment *transaction
	mandate *mandate
	money   billing.Money
}

// apiResponse is the XML <response> of the interface.
type apiResponse struct {
	XMLName         xml.Name           `xml:"response"`
	SID             string             `xml:"sid,omitempty"`
	Error           *apiErrorElem      `xml:"error,omitempty"`
	Transaction     *transactionAnswer `xml:"transaction,omitempty"`
	MBAmount        string             `xml:"mb_amount,omitempty"`
	MBCurrency      string             `xml:"mb_currency,omitempty"`
	MBTransactionID string             `xml:"mb_transaction_id,omitempty"`
	MerchantID      string             `xml:"merchant_id,omitempty"`
	Status          string             `xml:"status,omitempty"`
	TransactionID   string             `xml:"transaction_id,omitempty"`
}

type apiErrorElem struct {
	Msg string `xml:"error_msg"`
}

type transactionAnswer struct {
	Amount    string `xml:"amount"`
	Currency  string `xml:"currency"`
	ID        string `xml:"id"`
	Status    int    `xml:"status"`
	StatusMsg string `xml:"status_msg"`
}

func writeXML(w http.ResponseWriter, r apiResponse) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprint(w, xml.Header)
	xml.NewEncoder(w).Encode(r)
}

func writeAPIError(w http.ResponseWriter, code string) {
	writeXML(w, apiResponse{Error: &apiErrorElem{Msg: code}})
}

// login checks the email and lower-case hex MD5 password every API and MQI
// request carries; it returns the error code, or "".
func (s *Server) login(f url.Values) string {
	switch {
	case f.Get("email") == "" || f.Get("password") == "":
		return ErrCodeLoginInvalid
	case f.Get("email") != s.opts.Email || f.Get("password") != lowerMD5(s.opts.APIPassword):
		return ErrCodeCannotLogin
	}
	return ""
}

// openAPISession answers a prepare step with a new session ID.
func (s *Server) openAPISession(w http.ResponseWriter, sess *apiSession) {
	sid := newSID()
	s.mu.Lock()
	sess.created = s.opts.Clock()
	s.apiSessions[sid] = sess
	s.mu.Unlock()
	writeXML(w, apiResponse{SID: sid})
}

// takeAPISession uses session sid up for path; nil when it is unknown,
// used or expired. Callers hold s.mu.
func (s *Server) takeAPISession(sid, path string) *apiSession {
	sess, ok := s.apiSessions[sid]
	if !ok || sess.path != path {
		return nil
	}
	delete(s.apiSessions, sid)
	if s.opts.Clock().Sub(sess.created) > sessionLifetime {
		return nil
	}
	return sess
}

// lowerMD5 is the form the interfaces take the API/MQI password in.
func lowerMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sortByMBID(ts []Transaction) {
	slices.SortFunc(ts, func(a, b Transaction) int {
		x, _ := strconv.ParseInt(a.MBTransactionID, 10, 64)
		y, _ := strconv.ParseInt(b.MBTransactionID, 10, 64)
		return cmp.Compare(x, y)
	})
}
